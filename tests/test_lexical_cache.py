"""The served lexical model is plain data: its own char_wb analyzer, arrays cached on disk, no sklearn."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ivr.understanding import lexical
from ivr.understanding.catalog import load_catalog
from ivr.understanding.evaluation import load_heldout
from ivr.understanding.lexical import (LexicalUnderstanding, build_pipeline, char_wb_ngrams, lexical_path,
                                       normalise, trained_lexical, training_data)

ROOT = Path(__file__).resolve().parent.parent
INTENTS_FILE = ROOT / "prompts" / "intents.yaml"
HELDOUT = ROOT / "tests" / "data" / "intents_heldout.yaml"
ODD = ["", " ", "a", "ab", "abcdefgh", "  a  b  ", "x\t\ny\r\fz\vw", "ÀÉÎ ÒÙ", "İstanbul ß ǅ", "a\u00a0b\u2003c\u3000d",
       "a\x1cb\x1fc\x85d", "e\u0301 n\u0303", "🙂 emoji 👍🏽", "Sì, perché no? Internet è lento!!", "x" * 40]


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(INTENTS_FILE)


def test_the_analyzer_is_sklearns_char_wb(catalog):
    analyse = build_pipeline().named_steps["features"].build_analyzer()
    texts, _ = training_data(catalog)
    heldout = [case.text for case in load_heldout(HELDOUT)]
    assert len(texts) > 2000 and len(heldout) > 500
    for text in texts + heldout + [normalise(t) for t in heldout] + ODD + [normalise(t) for t in ODD]:
        assert char_wb_ngrams(text) == analyse(text), repr(text)


def test_the_model_is_cached_and_a_second_load_does_not_train(catalog, tmp_path, monkeypatch):
    data = INTENTS_FILE.read_bytes()
    first = trained_lexical(catalog, data, tmp_path, reject_below=0.35)
    assert [p.name for p in tmp_path.iterdir()] == [lexical_path(data, tmp_path).name]

    def no_training(*args, **kwargs):
        raise AssertionError("trained again although the cache was there")

    monkeypatch.setattr(lexical, "build_pipeline", no_training)
    monkeypatch.setattr(LexicalUnderstanding, "train", no_training)
    second = trained_lexical(catalog, data, tmp_path, reject_below=0.5)
    assert second.classes == first.classes
    assert second.reject_below == 0.5  # the threshold is the caller's, not the cache's
    for text in training_data(catalog)[0][::25] + ["zzzz", "modem modem"]:
        assert np.array_equal(second.probabilities(text), first.probabilities(text)), text
    assert second.interpret("la bolletta è troppo cara", "it").intent == "billing"


def test_a_changed_catalog_trains_a_new_model(catalog, tmp_path):
    trained_lexical(catalog, INTENTS_FILE.read_bytes(), tmp_path)
    edited = tmp_path / "intents.yaml"
    edited.write_text(INTENTS_FILE.read_text(encoding="utf-8").replace(
        "intents:", "intents:\n  # an edit", 1), encoding="utf-8")
    changed = trained_lexical(load_catalog(edited), edited.read_bytes(), tmp_path / "cache")
    trained_lexical(catalog, INTENTS_FILE.read_bytes(), tmp_path / "cache")
    assert len(list((tmp_path / "cache").glob("*.npz"))) == 2
    assert changed.classes == tuple(sorted(set(training_data(catalog)[1])))


def test_a_damaged_cache_file_is_trained_again_and_replaced(catalog, tmp_path):
    data = INTENTS_FILE.read_bytes()
    path = lexical_path(data, tmp_path)
    path.write_bytes(b"not a zip")
    model = trained_lexical(catalog, data, tmp_path)
    assert model.interpret("internet non va", "it").intent == "internet_down"
    assert LexicalUnderstanding.load(path, 0.35).classes == model.classes
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left behind


def _served_without_sklearn(environ: dict) -> None:
    """A new process loads the lexical model with these settings, answers, and holds no sklearn/scipy."""
    probe = ("import sys; from ivr.settings import load_settings; "
             "from ivr.understanding.loading import load_understanding; "
             f"model = load_understanding(load_settings(environ={environ!r}, dotenv=False))[1]; "
             "print(type(model).__name__, model.interpret('internet non va', 'it').intent); "
             "print(sorted({'sklearn', 'scipy'} & {m.split('.')[0] for m in sys.modules}))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["LexicalUnderstanding internet_down", "[]"], done.stdout


def test_a_process_with_the_cache_imports_neither_sklearn_nor_scipy():
    from ivr.settings import load_settings
    from ivr.understanding.loading import load_understanding

    settings = load_settings(environ={"INTENT_ENGINE": "lexical"}, dotenv=False)
    load_understanding(settings)  # the cache is there (the session start builds it too)
    assert any((Path(settings.intent_model_cache) / "lexical").glob("*.npz"))
    _served_without_sklearn({"INTENT_ENGINE": "lexical"})


def test_a_first_start_trains_in_a_child_process_and_stays_free_of_sklearn(tmp_path):
    """No cache yet (a fresh clone, an edited catalog): the model is trained by a child process, so
    the process that will serve calls (a gunicorn master, then its workers) never holds sklearn."""
    _served_without_sklearn({"INTENT_ENGINE": "lexical", "INTENT_MODEL_CACHE": str(tmp_path)})
    assert len(list((tmp_path / "lexical").glob("*.npz"))) == 1

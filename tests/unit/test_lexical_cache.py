"""The lexical model is cached on disk as plain arrays: a later start reads them and trains nothing."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ivr.understanding import lexical
from ivr.understanding.catalog import load_catalog
from ivr.understanding.evaluation import load_heldout
from ivr.understanding.lexical import (LexicalUnderstanding, build_pipeline, lexical_path, normalise,
                                       trained_lexical, training_data)

ROOT = Path(__file__).resolve().parent.parent.parent
INTENTS_FILE = ROOT / "prompts" / "intents.yaml"
HELDOUT = ROOT / "tests" / "data" / "intents_heldout.yaml"
ODD = ["", " ", "a", "ab", "abcdefgh", "  a  b  ", "x\t\ny\r\fz\vw", "ÀÉÎ ÒÙ", "İstanbul ß ǅ", "a\u00a0b\u2003c\u3000d",
       "a\x1cb\x1fc\x85d", "e\u0301 n\u0303", "🙂 emoji 👍🏽", "Sì, perché no? Internet è lento!!", "x" * 40]


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(INTENTS_FILE)


def test_the_cached_model_answers_as_the_fitted_pipeline(catalog, tmp_path):
    """Saved and read back, the model gives the probabilities sklearn's pipeline gives, on held-out text too."""
    texts, labels = training_data(catalog)
    pipeline = build_pipeline().fit(texts, labels)
    path = tmp_path / "model.npz"
    LexicalUnderstanding.from_pipeline(pipeline, 0.35).save(path)
    loaded = LexicalUnderstanding.load(path, 0.35)
    assert loaded.classes == tuple(pipeline.classes_)
    heldout = [normalise(case.text) for case in load_heldout(HELDOUT)] + [normalise(t) for t in ODD]
    expected = pipeline.predict_proba(heldout)
    for text, row in zip(heldout, expected):
        assert np.allclose(loaded.probabilities(text), row, rtol=0, atol=1e-12), text


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


def test_a_first_start_trains_in_a_child_process(tmp_path):
    """No cache yet (a fresh clone, an edited catalog): a child process trains and caches the model, so
    the process that will serve calls (a gunicorn master, then its workers) keeps none of the training's
    memory. Here training in the serving process itself would fail."""
    environ = {"INTENT_ENGINE": "lexical", "INTENT_MODEL_CACHE": str(tmp_path)}
    probe = ("from ivr.app.settings import load_settings; from ivr.understanding import lexical; "
             "from ivr.understanding.loading import load_understanding\n"
             "def refused(*args, **kwargs): raise AssertionError('trained in the serving process')\n"
             "lexical.LexicalUnderstanding.train = classmethod(refused)\n"
             f"model = load_understanding(load_settings(environ={environ!r}, dotenv=False))[1]\n"
             "print(type(model).__name__, model.interpret('internet non va', 'it').intent)")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["LexicalUnderstanding internet_down"], done.stdout
    assert len(list((tmp_path / "lexical").glob("*.npz"))) == 1

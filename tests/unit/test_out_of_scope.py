"""The out-of-scope detector (ivr/understanding/out_of_scope.py): training file, threshold, served answer."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ivr.app.settings import load_settings
from ivr.understanding.catalog import load_catalog
from ivr.understanding.loading import load_understanding
from ivr.understanding.out_of_scope import load_out_of_scope_examples, training_examples
from ivr.understanding.out_of_scope_training import choose_blend
from tests.support.phrases import held_out_texts, plain, texts_in

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "prompts" / "out_of_scope.yaml"


@pytest.fixture(scope="module")
def examples():
    return load_out_of_scope_examples(EXAMPLES)


@pytest.fixture(scope="module")
def model():
    return load_understanding(load_settings(environ={}, dotenv=False))[1]


@pytest.mark.parametrize("lang", ["it", "en"])
def test_the_file_has_several_hundred_out_of_scope_texts_per_language(examples, lang):
    assert len(examples["out_of_scope"][lang]) >= 250


@pytest.mark.parametrize("lang", ["it", "en"])
def test_the_file_has_in_scope_texts_per_language(examples, lang):
    assert len(examples["in_scope"][lang]) >= 50


def test_no_text_is_in_a_held_out_set(examples):
    """Never trained on the held-out sets: no text, normalised, is one of their texts."""
    mine = {plain(t) for t in texts_in(examples)}
    heldout, realstyle = held_out_texts()
    assert not mine & {plain(t) for t in heldout}
    assert not mine & {plain(t) for t in realstyle}


def test_the_catalog_adds_its_examples_to_both_classes(examples):
    catalog = load_catalog(ROOT / "prompts" / "intents.yaml")
    texts, labels = training_examples(examples, catalog, ("third time I write, useless",))
    label_of = dict(zip(texts, labels))
    assert all(label_of[text] == 0 for text, _ in catalog.examples("it"))
    assert all(label_of[text] == 1 for text in catalog.out_of_scope("en"))
    assert label_of["third time I write, useless"] == 0


def test_a_malformed_file_says_what_is_expected(tmp_path):
    bad = tmp_path / "out_of_scope.yaml"
    bad.write_text("out_of_scope:\n  it: [ciao]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="in_scope"):
        load_out_of_scope_examples(bad)


def test_the_threshold_is_the_best_recall_at_the_target_precision():
    labels = [1, 1, 1, 1, 0, 0, 0, 0]
    embedded = np.array([0.9, 0.8, 0.7, 0.4, 0.75, 0.3, 0.2, 0.1])
    weight, word_weight, threshold, precision, recall, _ = choose_blend(embedded, embedded, labels, target=0.99)
    assert precision == 1.0
    assert recall == 0.5           # above 0.75 only: 0.7 would let the in-scope 0.75 through
    assert 0.75 < threshold <= 0.8


def test_the_served_model_has_a_detector_trained_with_the_controls(model):
    assert set(model.out_of_scope.passes) == {"yes", "no", "repeat", "english"}


@pytest.mark.parametrize("text", ["chi ha inventato il telefono", "who invented the telephone"])
def test_a_general_knowledge_question_with_the_lines_words_is_out_of_scope(model, text):
    vector = model.encoder.encode_one(text)
    assert model.out_of_scope.outside(text, vector)


@pytest.mark.parametrize("text", ["non mi va internet da ieri", "my broadband has been down since yesterday"])
def test_a_fault_on_the_line_is_in_scope(model, text):
    vector = model.encoder.encode_one(text)
    assert not model.out_of_scope.outside(text, vector)


def test_the_served_answer_to_an_out_of_scope_question_is_not_understood(model):
    assert model.interpret("chi ha inventato il telefono", "it").intent is None


@pytest.mark.parametrize(("text", "lang", "intent"), [("sì", "it", "yes"), ("no", "it", "no"),
                                                      ("can you repeat that", "en", "repeat"),
                                                      ("in inglese per favore", "it", "english")])
def test_the_controls_pass_through(model, text, lang, intent):
    assert model.interpret(text, lang).intent == intent


def test_a_control_is_never_overridden_whatever_the_detector_says(model):
    vector = model.encoder.encode_one("chi ha inventato il telefono")
    assert not model.out_of_scope.outside("chi ha inventato il telefono", vector, guess="yes")

"""The complaint flag (ivr/understanding/complaint.py): its training file, its features, the served flag."""
from __future__ import annotations

from pathlib import Path

import pytest

from ivr.app.settings import load_settings
from ivr.understanding.complaint import (FILE_WEIGHT, example_weights, flag_text, load_complaint_examples,
                                         training_examples)
from ivr.understanding.catalog import load_catalog
from tests.support.phrases import held_out_texts, plain, texts_in

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "prompts" / "complaints.yaml"


@pytest.fixture(scope="module")
def examples():
    return load_complaint_examples(EXAMPLES)


def test_the_file_has_both_sections_in_both_languages(examples):
    counts = {(section, lang): len(texts) for section, per_lang in examples.items() for lang, texts in per_lang.items()}
    assert set(counts) == {("complaint", "it"), ("complaint", "en"), ("neutral", "it"), ("neutral", "en")}
    assert min(counts.values()) >= 80


def test_no_example_is_in_a_held_out_set(examples):
    """Never trained on the held-out sets: no example, normalised, is one of their texts."""
    mine = {plain(t) for t in texts_in(examples)}
    heldout, realstyle = held_out_texts()
    assert not mine & {plain(t) for t in heldout}
    assert not mine & {plain(t) for t in realstyle}


def test_the_catalog_adds_its_complaint_examples_as_grievances(examples):
    catalog = load_catalog(ROOT / "prompts" / "intents.yaml")
    texts, flags = training_examples(examples, catalog)
    flag_of = dict(zip(texts, flags))
    assert all(flag_of[text] == (intent == "complaint") for text, intent in catalog.examples("it"))
    assert not any(flag_of[text] for text in catalog.out_of_scope("en"))


def test_the_file_examples_weigh_more_than_the_catalogs(examples):
    catalog = load_catalog(ROOT / "prompts" / "intents.yaml")
    texts, _ = training_examples(examples, catalog)
    weights = example_weights(examples, len(texts))
    mine = sum(len(phrases) for section in examples.values() for phrases in section.values())
    assert list(weights[:mine]) == [FILE_WEIGHT] * mine
    assert list(weights[mine:]) == [1.0] * (len(texts) - mine)


@pytest.mark.parametrize("text, words", [
    ("internet NON VA", "internet non va xshout"),
    ("ancora?? basta!!", "ancora basta xbang xbang"),
    ("senza linea 🤬", "senza linea xserious_face_with_symbols_covering_mouth"),
    ("grazie mille", "grazie mille"),
])
def test_flag_text_spells_out_shouting_and_emoji(text, words):
    assert flag_text(text) == words


@pytest.mark.parametrize("bad", [
    "complaint: {it: [a]}\n",                                  # a section missing
    "complaint: {it: [a], en: [b]}\nneutral: {it: [c], en: [null]}\n",
    "complaint: {it: [a]}\nneutral: {it: [c]}\nextra: {it: [d]}\n",
])
def test_a_malformed_file_is_refused(tmp_path, bad):
    path = tmp_path / "complaints.yaml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(ValueError):
        load_complaint_examples(path)


# -- the served model (the default transformer, cached under var/models) --------------------------

@pytest.fixture(scope="module")
def model():
    from ivr.understanding.loading import load_understanding

    understood = load_understanding(load_settings(environ={}))[1]
    assert understood.complaints is not None
    return understood


@pytest.mark.parametrize("text", [
    "è la quinta volta che segnalo la linea muta, mi avete davvero stancato",
    "sixth week of dropouts and not one of you has lifted a finger, appalling",
    "grazie davvero per la bolletta gonfiata, siete dei geni 👏",
])
def test_a_grievance_is_flagged(model, text):
    assert model.interpret(text, "it").complaint is True


@pytest.mark.parametrize("text", [
    "buongiorno, vorrei sapere come si legge la nuova fattura, grazie",
    "hello, could you tell me when my contract ends please?",
    "la sim nuova è arrivata, come la attivo?",
])
def test_a_neutral_request_is_not_flagged(model, text):
    assert model.interpret(text, "it").complaint is False


@pytest.mark.parametrize("text", [
    "vorrei presentare un reclamo formale contro di voi",
    "I'd like to lodge a formal complaint against you",
])
def test_asking_to_complain_is_flagged_by_the_model_alone(model, text):
    """The intent `complaint` no longer forces the flag: the model itself must raise it for a plain request."""
    got = model.interpret(text, "it")
    assert got.intent == "complaint"
    assert got.complaint is True


def test_a_grievance_about_a_topic_keeps_the_topic(model):
    got = model.interpret("ANCORA senza internet da giorni, una vergogna, il modem è spento e nessuno interviene", "it")
    assert got.complaint is True
    assert got.intent == "internet_down"


def test_an_empty_text_is_no_grievance(model):
    assert model.interpret("  ", "it").complaint is False

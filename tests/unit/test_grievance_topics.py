"""The second opinion on `complaint` (ivr/understanding/grievance_topics.py): its file, the grown catalog, and
the served answer — a grievance about a topic is that topic with the flag, a grievance with no topic stays
`complaint`. Sentences written for these tests, in none of the training files or held-out sets."""
from __future__ import annotations

from pathlib import Path

import pytest

from ivr.understanding.catalog import load_catalog
from ivr.understanding.grievance_topics import load_grievance_topics, second_opinion_bytes, with_grievances
from tests.support.phrases import held_out_texts, plain, texts_in

ROOT = Path(__file__).resolve().parents[2]
LINES = ROOT / "prompts" / "grievance_topics.yaml"


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(ROOT / "prompts" / "intents.yaml")


@pytest.fixture(scope="module")
def lines(catalog):
    return load_grievance_topics(LINES, catalog)


def test_the_file_names_the_topics_anger_pulled_into_complaint_in_both_languages(lines):
    assert {"move_line", "human_agent", "billing", "cancel_contract"} <= set(lines)
    assert min(len(lines["move_line"][lang]) for lang in ("it", "en")) >= 8


def test_no_line_is_a_held_out_text(lines):
    mine = {plain(t) for t in texts_in(lines)}
    first, realstyle = held_out_texts()
    assert not mine & {plain(t) for t in first + realstyle}


def test_no_line_is_in_the_catalog(lines, catalog):
    """They train the second model only: a line also in the catalog would say nothing new."""
    known = {plain(text) for lang in catalog.languages for text, _ in catalog.examples(lang)}
    assert not {plain(t) for t in texts_in(lines)} & known


def test_the_grown_catalog_adds_each_line_to_its_topic_only(lines, catalog):
    grown = with_grievances(catalog, lines)
    before, after = dict(catalog.examples("en")), dict(grown.examples("en"))
    added = {text: intent for text, intent in after.items() if text not in before}
    assert added == {text: intent for intent, per_lang in lines.items() for text in per_lang["en"]}


def test_the_grown_catalog_keeps_the_out_of_scope_examples(lines, catalog):
    assert with_grievances(catalog, lines).out_of_scope("it") == catalog.out_of_scope("it")


def test_the_second_models_cache_follows_both_files(tmp_path):
    lines = tmp_path / "grievance_topics.yaml"
    lines.write_text("billing: {it: [a], en: [b]}\n", encoding="utf-8")
    first = second_opinion_bytes(b"catalog", lines)
    lines.write_text("billing: {it: [a], en: [c]}\n", encoding="utf-8")
    assert second_opinion_bytes(b"catalog", lines) != first


@pytest.mark.parametrize("bad", [
    "complaint: {it: [a], en: [b]}\n",                  # a grievance with no topic belongs to the catalog
    "yes: {it: [a], en: [b]}\n",                        # a control, not a topic
    "billing: {it: [a], en: [null]}\n",
    "[a, b]\n",
])
def test_a_malformed_file_is_refused(tmp_path, catalog, bad):
    path = tmp_path / "grievance_topics.yaml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(ValueError):
        load_grievance_topics(path, catalog)


# -- the served model (the default transformer, cached under var/models) --------------------------

@pytest.fixture(scope="module")
def model():
    from ivr.app.settings import load_settings
    from ivr.understanding.loading import load_understanding

    understood = load_understanding(load_settings(environ={}))[1]
    assert understood.second_opinion is not None
    return understood


ANGRY_TOPICS = [
    ("siete pessimi, il trasloco della linea promesso per aprile non è mai avvenuto", "it", "move_line"),
    ("sono furibonda, passatemi immediatamente una persona del servizio clienti", "it", "human_agent"),
    ("absolutely raging, I need a real human on the line this minute", "en", "human_agent"),
]


@pytest.mark.parametrize("text, lang, intent", ANGRY_TOPICS)
def test_a_grievance_about_a_topic_is_that_topic_and_flagged(model, text, lang, intent):
    got = model.interpret(text, lang)
    assert (got.intent, got.complaint) == (intent, True)


@pytest.mark.parametrize("text, lang, intent", ANGRY_TOPICS)
def test_without_the_second_opinion_the_anger_wins(model, text, lang, intent):
    """The same parts without the second model answer complaint: the second opinion is what finds the topic."""
    from ivr.understanding.transformer import TransformerUnderstanding

    alone = TransformerUnderstanding(model.encoder, model.head, model.lexical, model.reject_below, model.complaints,
                                     model.out_of_scope)
    assert alone.interpret(text, lang).intent == "complaint"


@pytest.mark.parametrize("text, lang", [
    ("siete una banda di incompetenti e lo racconterò a tutti", "it"),
    ("I have never been treated so badly by any company", "en"),
])
def test_a_grievance_with_no_topic_stays_complaint(model, text, lang):
    assert model.interpret(text, lang).intent == "complaint"


@pytest.mark.parametrize("text, lang, intent", ANGRY_TOPICS[:1])
def test_a_topic_that_does_not_lead_complaint_by_the_margin_is_not_taken(model, text, lang, intent):
    """The same second model, asked to lead by more than any probability can: the answer stays complaint."""
    from ivr.understanding.grievance_topics import SecondOpinion
    from ivr.understanding.transformer import TransformerUnderstanding

    strict = SecondOpinion(model.second_opinion.model, model.second_opinion.topics, margin=1.01)
    served = TransformerUnderstanding(model.encoder, model.head, model.lexical, model.reject_below, model.complaints,
                                      model.out_of_scope, second_opinion=strict)
    assert served.interpret(text, lang).intent == "complaint"

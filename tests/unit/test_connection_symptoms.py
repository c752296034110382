"""A slow or broken line is most often described by the app that shows it ("dazn va a scatti", "disney plus keeps
buffering"): a text saying how a connection fails is never out of scope, whatever product it names; the gazetteer's
`symptoms` (prompts/out_of_scope_names.yaml) say which words those are, and device faults are not among them."""
from __future__ import annotations

import pytest

from ivr.app.settings import PROJECT_ROOT
from ivr.understanding.out_of_scope_names import Gazetteer

NAMES = PROJECT_ROOT / "prompts" / "out_of_scope_names.yaml"
OUR_LINE = {"internet_slow", "internet_down"}


@pytest.fixture(scope="module")
def gazetteer():
    return Gazetteer.load(NAMES)


def test_the_file_lists_connection_symptoms_in_both_languages(gazetteer):
    assert {"a scatti", "buffering", "won t load"} <= gazetteer.symptoms


@pytest.mark.parametrize("text", ["Twitch lagga di brutto la sera!", "my smart TV app keeps buffering",
                                  "prime video rimane a caricare"])
def test_a_connection_failing_is_read_as_a_symptom(gazetteer, text):
    assert gazetteer.names_a_symptom(text)


@pytest.mark.parametrize("text", ["il mio iphone si blocca sempre", "my laptop is slow", "the ps5 won't turn on",
                                  "come si cambia la foto profilo su whatsapp"])
def test_a_device_fault_or_an_app_question_is_no_symptom(gazetteer, text):
    assert not gazetteer.names_a_symptom(text)


@pytest.fixture(scope="module")
def served():
    from ivr.app.settings import load_settings
    from ivr.understanding.loading import load_understanding

    return load_understanding(load_settings(environ={}, dotenv=False))[1]


@pytest.mark.parametrize("text, lang", [("dazn va a scatti durante la partita", "it"),
                                        ("twitch lagga di brutto la sera", "it"),
                                        ("disney plus keeps buffering in the evening", "en")])
def test_an_app_showing_a_failing_connection_is_our_line(served, text, lang):
    # each of these was answered out of scope before: the app's name outweighed the symptom
    assert served.interpret(text, lang).intent in OUR_LINE


@pytest.mark.parametrize("text, lang", [("how do i reset my instagram password", "en"),
                                        ("come si cambia la foto profilo su whatsapp", "it")])
def test_a_question_about_someone_elses_app_stays_out_of_scope(served, text, lang):
    assert served.interpret(text, lang).intent is None

"""Language identification (ivr/understanding/language_id.py), trained as the app trains it on the
project's own texts, measured on utterances it never saw (the intent held-out set, the menu evaluation sets)."""
from __future__ import annotations

import pytest

from ivr.app.settings import PROJECT_ROOT
from ivr.understanding.language_id import MIN_WORDS, trained_language_id, training_texts
from ivr.understanding.lexical import normalise
from ivr.understanding.menu_eval import language_cases

HELDOUT = PROJECT_ROOT / "tests" / "data" / "intents_heldout.yaml"
MENU_EVAL = PROJECT_ROOT / "tests" / "data" / "menu_eval"


@pytest.fixture
def language(settings, tmp_path):
    return trained_language_id(settings.prompts_dir, tmp_path)  # trained here, not read from a cache


@pytest.fixture
def training(settings):
    return frozenset(text for texts in training_texts(settings.prompts_dir).values() for text in texts)


@pytest.fixture
def cases(training):
    return language_cases(HELDOUT, MENU_EVAL, MIN_WORDS, training)


def test_the_measured_utterances_are_none_of_the_training_texts(training, cases):
    shared = {normalise(text) for text, _ in cases} & training
    assert not shared, f"measured utterances that are training texts: {sorted(shared)}"


@pytest.mark.parametrize("lang", ["it", "en"])
def test_at_least_98_percent_of_utterances_of_three_words_are_told_right(language, cases, lang):
    rows = [text for text, truth in cases if truth == lang]
    wrong = [text for text in rows if language.guess(text).lang != lang]
    assert len(rows) >= 200, f"only {len(rows)} {lang} utterances to measure on"
    assert len(wrong) <= 0.02 * len(rows), f"{lang}: {wrong}"


@pytest.mark.parametrize("text", ["my internet has been down since yesterday", "hi i've got a problem with my bill",
                                  "i can't log into my account"])
def test_english_switches_an_italian_call(language, text):
    assert language.switch_to(text, "it") == "en"


@pytest.mark.parametrize("text", ["il modem wifi non va più", "ho un problema con la bolletta",
                                  "internet è lentissimo stasera"])
def test_italian_keeps_an_italian_call(language, text):
    assert language.switch_to(text, "it") is None


@pytest.mark.parametrize("text", ["ok", "internet", "sì okay", "modem wifi", "hello"])
def test_short_answers_never_switch(language, text):
    assert language.switch_to(text, "it") is None
    assert language.switch_to(text, "en") is None


def test_italian_switches_an_english_call(language):
    assert language.switch_to("buongiorno non mi funziona internet da ieri", "en") == "it"

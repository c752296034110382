"""The menu-answer models (ivr/understanding/menus.py) as the app builds them, their evaluation sets,
spoken numbers and windows named by their time. The call flow's own tests with natural answers are at
the end of tests/unit/test_call_flow.py."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from ivr.app.settings import PROJECT_ROOT
from ivr.understanding.caller import load_caller_understanding
from ivr.understanding.lexical import normalise
from ivr.understanding.menu_eval import evaluate_menus, eval_texts, load_menu_eval
from ivr.understanding.menus import OTHER, load_menu_examples
from ivr.understanding.spoken_numbers import digits_from_speech
from ivr.understanding.window_choice import resolve

MENU_EVAL = PROJECT_ROOT / "tests" / "data" / "menu_eval"
ROME = ZoneInfo("Europe/Rome")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=ROME)


TODAY = [(at(2, 11), at(2, 13)), (at(2, 13), at(2, 15)), (at(2, 15), at(2, 17))]
EVENING = [(at(2, 17), at(2, 19)), (at(3, 9), at(3, 11)), (at(3, 11), at(3, 13))]


@pytest.fixture(scope="module")
def menus():
    from ivr.app.settings import load_settings

    return load_caller_understanding(load_settings(environ={}))[1].menus


# -- the data ------------------------------------------------------------------------------------------
def test_no_evaluation_answer_is_a_training_example(settings):
    examples = load_menu_examples(settings.prompts_dir / "menus.yaml")
    training = {normalise(text) for choices in examples.values() for per_lang in choices.values()
                for texts in per_lang.values() for text in texts}
    shared = eval_texts(MENU_EVAL) & training
    assert not shared, f"evaluation answers copied into prompts/menus.yaml: {sorted(shared)}"


@pytest.mark.parametrize("menu", ["options", "window", "yes_no", "number", "helpful"])
@pytest.mark.parametrize("lang", ["it", "en"])
def test_every_menu_has_forty_evaluation_answers_per_language(menu, lang):
    count = sum(1 for case in load_menu_eval(MENU_EVAL) if (case.menu, case.lang) == (menu, lang))
    assert count >= 40, f"{menu}/{lang}: {count} evaluation answers"


def test_every_evaluation_answer_is_text():
    # an unquoted no in YAML is the boolean False, which no caller ever said
    assert all(isinstance(case.text, str) for case in load_menu_eval(MENU_EVAL))


# -- the bar ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def outcomes(menus):
    return evaluate_menus(menus, load_menu_eval(MENU_EVAL))


@pytest.mark.parametrize("menu", ["options", "window", "yes_no", "number", "helpful"])
@pytest.mark.parametrize("lang", ["it", "en"])
def test_each_menu_reads_at_least_95_percent_of_its_evaluation_answers_right(outcomes, menu, lang):
    rows = [o for o in outcomes if (o.case.menu, o.case.lang) == (menu, lang)]
    misses = [(o.case.text, o.got) for o in rows if o.verdict != "right"]
    assert len(misses) <= 0.05 * len(rows), f"{menu}/{lang}: {misses}"


def test_a_wrong_action_is_rarer_than_not_understood(outcomes):
    wrong = sum(o.verdict == "wrong action" for o in outcomes)
    unclear = sum(o.verdict == "not understood" for o in outcomes)
    assert wrong < unclear, f"{wrong} wrong actions, {unclear} not understood"


@pytest.mark.parametrize("menu, text", [("options", "ma che tempo fa a roma"), ("options", "banana"),
                                        ("yes_no", "the weather is lovely today"), ("window", "boh vediamo")])
def test_an_answer_to_nothing_asked_is_not_understood(menus, menu, text):
    reading = menus.read(menu, text)
    assert reading.choice is None, f"{text!r} read as {reading}"


def test_other_is_never_a_choice(menus):
    assert all(menus.read(menu, "ehm").choice != OTHER for menu in menus.menus)


# -- spoken numbers -----------------------------------------------------------------------------------
@pytest.mark.parametrize("said, digits", [
    ("tre quattro sette, uno due tre quattro cinque sei sette", "3471234567"),
    ("trecentoquarantasette centoventitré quarantacinque sessantasette", "3471234567"),
    ("trecentoquarantasette novecentottantasette sessantacinque quarantatré", "3479876543"),
    ("three four seven one two three four five six seven", "3471234567"),
    ("three four seven double four five six seven eight nine", "3474456789"),
    ("oh two one two three four five six seven eight", "0212345678"),
    ("three hundred and forty seven", "347"),
    ("quaranta sette", "47"),
    ("più trentanove tre quattro sette", "+39347"),
    ("347 123 4567", "3471234567"),
    ("il mio numero è", ""),
])
def test_numbers_said_in_words_or_groups_become_digits(said, digits):
    assert digits_from_speech(said) == digits


# -- windows named by their time ------------------------------------------------------------------------
@pytest.mark.parametrize("said, windows, now, index", [
    ("alle undici", TODAY, at(2, 10), 0),
    ("dopo le tre", TODAY, at(2, 10), 2),
    ("the one at one", TODAY, at(2, 10), 1),
    ("after lunch", TODAY, at(2, 10), 1),
    ("domani pomeriggio", TODAY, at(2, 10), None),  # nothing offered tomorrow: not a choice
    ("dopo le cinque", EVENING, at(2, 16, 30), 0),
    ("domani mattina", EVENING, at(2, 16, 30), 1),
    ("tomorrow around noon", EVENING, at(2, 16, 30), 2),
])
def test_a_window_named_by_its_time_is_one_of_those_offered(said, windows, now, index):
    assert resolve(said, windows, now) == (True, index)


def test_an_ordinal_names_no_time():
    assert resolve("la seconda", TODAY, at(2, 10)) == (False, None)

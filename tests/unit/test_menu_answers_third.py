"""The menu-answer models on a THIRD, blind evaluation set (tests/data/menu_eval_third), written without reading
their training examples or the first two evaluation sets, after both of those had been seen by the models' authors
(issue 15 §1): the bars of tests/unit/test_menu_answers_fresh.py, measured once. A bar the model missed on that run
was marked xfail(strict=True) with its figures until a fix made it pass (BLIND_RUN_MISSED keeps them)."""
from __future__ import annotations

import pytest

from ivr.app.settings import PROJECT_ROOT
from ivr.call.callback_policy import check_callback_number
from ivr.understanding.lexical import normalise
from ivr.understanding.menu_eval import eval_texts, evaluate_menus, load_menu_eval, menu_report
from ivr.understanding.menus import load_menu_examples
from tests.support.blind_menu_set import LABELS, PUNCTUATION, texts_under
from tests.unit.test_menu_answers_fresh import FRESH, LANGS, MENU_EVAL, MENUS, menus  # noqa: F401  (a fixture)

THIRD = PROJECT_ROOT / "tests" / "data" / "menu_eval_third"
# answers that name none of the choices ("che orari ci sono", "hang on let me grab a pen"): the call must ask again
ASKED_AGAIN = THIRD / "asked_again"

# The bars the first, blind run missed (6 Dec 2026, the models as of commit c0ae3ee), with its figures (see
# docs/understanding.md). The kinds of failure it found were then fixed (commits 8cfce69..63b5c1b, by rules and
# training lines of their own): these bars now pass, so the set is no longer blind — the fourth set
# (tests/data/menu_eval_fourth) measures the models blind after those fixes.
BLIND_RUN_MISSED: dict[tuple[str, str], str] = {
    ("yes_no", "it"): "81.6 % right (40/49), 2.0 % wrong action, 16.3 % not understood: 'magari grazie' read as no; "
                      "'affermativo', 'eh già', 'sì è per internet che non va', 'sì per favore scrivetemi quando torna "
                      "la linea', 'ha capito male', 'faccio due' asked again; 'non ci siamo', 'manco per idea' as "
                      "don't know",
    ("helpful", "it"): "88.4 % right (38/43), 2.3 % wrong action, 9.3 % not understood: 'il due mi serve qualcuno' "
                       "read as yes; 'due purtroppo', 'mica tanto', 'insomma', 'ho già provato e non cambia niente' "
                       "asked again",
    ("helpful", "en"): "90.5 % right (38/42), 0 % wrong action, 9.5 % not understood: 'two sorry' read as repeat; "
                       "'number two i still need help', 'i tried that already and nothing changed', 'useless to be "
                       "honest' asked again",
}
BLIND_RUN_ACTED_ON = ("6 of 88 (6.8 %) acted on: 'who's this', 'one sec i'll look it up', 'hold on i'll check if it works' "
            "read as yes; 'non ricordo il mio numero' and 'di che numero parla' as no at the number question; "
            "'che differenza c'è tra le due' as option 2")


def per_menu_and_language() -> list:
    return [pytest.param(menu, lang) for menu in MENUS for lang in LANGS]


# -- the data ------------------------------------------------------------------------------------------
def test_no_third_answer_is_a_training_example():
    examples = load_menu_examples(PROJECT_ROOT / "prompts" / "menus.yaml")
    training = {normalise(text) for choices in examples.values() for per_lang in choices.values()
                for texts in per_lang.values() for text in texts}
    shared = texts_under(THIRD) & training
    assert not shared, f"third-set answers also in prompts/menus.yaml: {sorted(shared)}"


@pytest.mark.parametrize("other", [MENU_EVAL, FRESH], ids=["menu_eval", "menu_eval_fresh"])
def test_no_third_answer_is_in_the_other_evaluation_sets(other):
    shared = texts_under(THIRD) & texts_under(other)
    assert not shared, f"third-set answers also in {other.name}: {sorted(shared)}"


def test_no_answer_is_both_a_choice_and_none_of_them():
    shared = eval_texts(THIRD) & eval_texts(ASKED_AGAIN)
    assert not shared, f"in both the choices and asked_again/: {sorted(shared)}"


@pytest.mark.parametrize("menu", MENUS)
@pytest.mark.parametrize("lang", LANGS)
def test_every_menu_has_forty_third_answers_per_language(menu, lang):
    count = sum(1 for case in load_menu_eval(THIRD) if (case.menu, case.lang) == (menu, lang))
    assert count >= 40, f"{menu}/{lang}: {count} third-set answers"


@pytest.mark.parametrize("menu", MENUS)
@pytest.mark.parametrize("lang", LANGS)
def test_every_menu_has_eight_answers_to_none_of_its_choices_per_language(menu, lang):
    count = sum(1 for case in load_menu_eval(ASKED_AGAIN) if (case.menu, case.lang) == (menu, lang))
    assert count >= 8, f"{menu}/{lang}: {count} answers in asked_again/"


@pytest.mark.parametrize("folder", [THIRD, ASKED_AGAIN], ids=["choices", "asked_again"])
def test_every_third_answer_is_text(folder):
    # an unquoted no in YAML is the boolean False, which no caller ever said
    assert all(isinstance(case.text, str) for case in load_menu_eval(folder))


@pytest.mark.parametrize("folder", [THIRD, ASKED_AGAIN], ids=["choices", "asked_again"])
def test_every_third_answer_is_lowercase_as_a_recogniser_gives_it(folder):
    assert [case.text for case in load_menu_eval(folder) if case.text != case.text.lower()] == []


@pytest.mark.parametrize("folder", [THIRD, ASKED_AGAIN], ids=["choices", "asked_again"])
def test_no_third_answer_carries_punctuation(folder):
    assert [case.text for case in load_menu_eval(folder) if PUNCTUATION & set(case.text)] == []


@pytest.mark.parametrize("menu", MENUS)
def test_every_expected_choice_is_one_the_menu_offers(menu):
    labels = {case.expected for case in load_menu_eval(THIRD) if case.menu == menu}
    numbers = {label for label in labels if label.startswith("+")} if menu == "number" else set()
    assert labels - numbers <= LABELS[menu], f"{menu}: {sorted(labels - numbers - LABELS[menu])}"


def test_every_number_said_instead_is_one_we_may_call_back_as_written():
    said = {case.expected for case in load_menu_eval(THIRD) if case.menu == "number" and case.expected[:1] == "+"}
    refused = [number for number in sorted(said) if check_callback_number(number).e164 != number
               or not check_callback_number(number).ok]
    assert refused == [], f"not callable as written: {refused}"


def test_every_window_offer_lies_after_the_moment_of_the_call():
    offers = {(case.now, case.windows) for case in load_menu_eval(THIRD) + load_menu_eval(ASKED_AGAIN)
              if case.menu == "window"}
    late = [now for now, windows in offers if not now < windows[0][0] < windows[1][0] < windows[2][0]]
    assert late == [], f"offers not three windows in order after their call: {late}"


# -- the bars -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def outcomes(menus):  # noqa: F811  (the imported fixture)
    measured = evaluate_menus(menus, load_menu_eval(THIRD))
    print("\n== third-set menu answers ==\n" + "\n".join(menu_report(measured)))  # shown with pytest -s
    return measured


@pytest.mark.parametrize("menu, lang", per_menu_and_language())
def test_each_menu_reads_at_least_95_percent_of_its_third_answers_right(outcomes, menu, lang):
    rows = [o for o in outcomes if (o.case.menu, o.case.lang) == (menu, lang)]
    misses = [(o.case.text, o.case.expected, o.got) for o in rows if o.verdict != "right"]
    assert len(misses) <= 0.05 * len(rows), f"{menu}/{lang}: {len(misses)} of {len(rows)} not right: {misses}"


def test_a_wrong_action_is_rarer_than_not_understood_on_third_answers(outcomes):
    wrong = [(o.case.menu, o.case.lang, o.case.text, o.got) for o in outcomes if o.verdict == "wrong action"]
    unclear = sum(o.verdict == "not understood" for o in outcomes)
    # with no miss at all there is nothing to compare: no wrong action is the bar met
    assert len(wrong) < max(unclear, 1), f"{len(wrong)} wrong actions, {unclear} not understood: {wrong}"


def test_a_third_answer_to_none_of_the_choices_is_asked_again(menus):  # noqa: F811
    measured = evaluate_menus(menus, load_menu_eval(ASKED_AGAIN))
    print("\n== third-set answers to none of the choices ('not understood' is right here) ==\n"
          + "\n".join(menu_report(measured)))
    acted = [(o.case.menu, o.case.lang, o.case.text, o.got) for o in measured if o.verdict == "wrong action"]
    assert len(acted) <= 0.05 * len(measured), f"{len(acted)} of {len(measured)} acted on: {acted}"

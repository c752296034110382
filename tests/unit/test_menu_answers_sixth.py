"""The menu-answer models on a SIXTH, blind evaluation set (tests/data/menu_eval_sixth), written in the voices of
callers the fifth set did not aim at (driving on a hands-free kit, shift workers, small-business owners calling about
the shop line, callers who answer with a question first, callers who use the keypad words of other IVRs; besides
elderly, young, hurried, annoyed, very polite, regional Italian and English, non-native) without reading their
training examples or the five other evaluation sets, after all five had been seen by the models' authors (issue 15
§1): the bars of tests/unit/test_menu_answers_fifth.py, measured once. A bar the model missed on that run is marked
xfail(strict=True) with its figures, so the gap stays visible and a fix shows up as an XPASS."""
from __future__ import annotations

import pytest

from ivr.app.settings import PROJECT_ROOT
from ivr.call.callback_policy import check_callback_number
from ivr.understanding.lexical import normalise
from ivr.understanding.menu_eval import eval_texts, evaluate_menus, load_menu_eval, menu_report
from ivr.understanding.menus import load_menu_examples
from tests.unit.test_menu_answers_fifth import FIFTH
from tests.unit.test_menu_answers_fourth import FOURTH
from tests.unit.test_menu_answers_fresh import FRESH, LANGS, MENU_EVAL, MENUS, menus  # noqa: F401  (a fixture)
from tests.unit.test_menu_answers_third import LABELS, PUNCTUATION, THIRD, texts_under

SIXTH = PROJECT_ROOT / "tests" / "data" / "menu_eval_sixth"
# answers that name none of the choices ("aspetti che accosto la macchina", "which one the home or the shop"): the
# call must ask again
ASKED_AGAIN = SIXTH / "asked_again"

# The bars the first and only run missed (6 Dec 2026, the models as of commit e8fb5e7, after /work/briefs/h18.done),
# with its figures; see docs/understanding.md. That run met the other bars: 94.4 % right over all 414 answers, 10 wrong
# actions against 13 not understood, and 2 of the 90 answers to none of the choices (2.2 %) acted on.
BLIND_RUN_MISSED: dict[tuple[str, str], str] = {
    ("options", "it"): "86.7 % right (39/45), 6.7 % wrong action, 6.7 % not understood: 'smonto adesso dal turno di "
                       "notte richiamatemi subito che poi vado a dormire' read as window; 'scelgo io quando farmi "
                       "chiamare se si può' read as asap; 'un messaggio vocale per favore sono anziana e non so scrivere "
                       "sul telefono' read as chat; 'vorrei gentilmente essere ricontattata non appena possibile la "
                       "ringrazio', 'richiamatemi voi io intanto tiro su la saracinesca', 'ci scriviamo che al bar non "
                       "sento niente' asked again",
    ("window", "en"): "85.4 % right (35/41), 9.8 % wrong action, 4.9 % not understood: 'half ten would be ideal i open "
                      "the shop at noon' read as the second window; 'three please i'm in meetings all morning', 'the "
                      "second saturday one', 'mid morning on thursday' read as the first; 'not the weekend monday "
                      "please', 'fifteen hundred hours' asked again",
    ("number", "en"): "92.7 % right (38/41), 0 % wrong action, 7.3 % not understood: 'aye that's the number', 'two i'll "
                      "give you another one to ring', 'press two to change it' asked again",
}


# The kinds of failure the blind run found were then fixed (rules and training lines of their own, never these
# lines), and the bars above pass now except these: the set is no longer blind; the next set measures blind.
STILL_MISSED: set[tuple[str, str]] = set()


def per_menu_and_language() -> list:
    return [pytest.param(menu, lang, marks=pytest.mark.xfail(strict=True, reason=BLIND_RUN_MISSED[(menu, lang)]))
            if (menu, lang) in STILL_MISSED else pytest.param(menu, lang) for menu in MENUS for lang in LANGS]


# -- the data ------------------------------------------------------------------------------------------
def test_no_sixth_answer_is_a_training_example():
    examples = load_menu_examples(PROJECT_ROOT / "prompts" / "menus.yaml")
    training = {normalise(text) for choices in examples.values() for per_lang in choices.values()
                for texts in per_lang.values() for text in texts}
    shared = texts_under(SIXTH) & training
    assert not shared, f"sixth-set answers also in prompts/menus.yaml: {sorted(shared)}"


@pytest.mark.parametrize("other", [MENU_EVAL, FRESH, THIRD, FOURTH, FIFTH],
                         ids=["menu_eval", "menu_eval_fresh", "menu_eval_third", "menu_eval_fourth",
                              "menu_eval_fifth"])
def test_no_sixth_answer_is_in_the_other_evaluation_sets(other):
    shared = texts_under(SIXTH) & texts_under(other)
    assert not shared, f"sixth-set answers also in {other.name}: {sorted(shared)}"


def test_no_answer_is_both_a_choice_and_none_of_them():
    shared = eval_texts(SIXTH) & eval_texts(ASKED_AGAIN)
    assert not shared, f"in both the choices and asked_again/: {sorted(shared)}"


def test_no_sixth_answer_is_written_twice_at_one_menu():
    # the same words at two menus ("uno sì") are two answers; twice at one menu they would count double
    said = [(case.menu, normalise(case.text)) for case in load_menu_eval(SIXTH) + load_menu_eval(ASKED_AGAIN)]
    twice = sorted({answer for answer in said if said.count(answer) > 1})
    assert twice == [], f"written twice: {twice}"


@pytest.mark.parametrize("menu", MENUS)
@pytest.mark.parametrize("lang", LANGS)
def test_every_menu_has_forty_sixth_answers_per_language(menu, lang):
    count = sum(1 for case in load_menu_eval(SIXTH) if (case.menu, case.lang) == (menu, lang))
    assert count >= 40, f"{menu}/{lang}: {count} sixth-set answers"


@pytest.mark.parametrize("menu", MENUS)
@pytest.mark.parametrize("lang", LANGS)
def test_every_menu_has_eight_answers_to_none_of_its_choices_per_language(menu, lang):
    count = sum(1 for case in load_menu_eval(ASKED_AGAIN) if (case.menu, case.lang) == (menu, lang))
    assert count >= 8, f"{menu}/{lang}: {count} answers in asked_again/"


@pytest.mark.parametrize("folder", [SIXTH, ASKED_AGAIN], ids=["choices", "asked_again"])
def test_every_sixth_answer_is_text(folder):
    # an unquoted no in YAML is the boolean False, which no caller ever said
    assert all(isinstance(case.text, str) for case in load_menu_eval(folder))


@pytest.mark.parametrize("folder", [SIXTH, ASKED_AGAIN], ids=["choices", "asked_again"])
def test_every_sixth_answer_is_lowercase_as_a_recogniser_gives_it(folder):
    assert [case.text for case in load_menu_eval(folder) if case.text != case.text.lower()] == []


@pytest.mark.parametrize("folder", [SIXTH, ASKED_AGAIN], ids=["choices", "asked_again"])
def test_no_sixth_answer_carries_punctuation(folder):
    assert [case.text for case in load_menu_eval(folder) if PUNCTUATION & set(case.text)] == []


@pytest.mark.parametrize("menu", MENUS)
def test_every_expected_choice_is_one_the_menu_offers(menu):
    labels = {case.expected for case in load_menu_eval(SIXTH) if case.menu == menu}
    numbers = {label for label in labels if label.startswith("+")} if menu == "number" else set()
    assert labels - numbers <= LABELS[menu], f"{menu}: {sorted(labels - numbers - LABELS[menu])}"


@pytest.mark.parametrize("menu", MENUS)
@pytest.mark.parametrize("lang", LANGS)
def test_every_choice_has_answers_in_both_languages(menu, lang):
    labels = {case.expected for case in load_menu_eval(SIXTH) if (case.menu, case.lang) == (menu, lang)}
    assert LABELS[menu] <= labels, f"{menu}/{lang}: no answer for {sorted(LABELS[menu] - labels)}"


def test_an_answer_to_none_of_the_choices_expects_none_of_them():
    labels = {case.expected for case in load_menu_eval(ASKED_AGAIN)}
    assert labels == {"none"}, f"asked_again/ labels: {sorted(labels)}"


def test_every_number_said_instead_is_one_we_may_call_back_as_written():
    said = {case.expected for case in load_menu_eval(SIXTH) if case.menu == "number" and case.expected[:1] == "+"}
    refused = [number for number in sorted(said) if check_callback_number(number).e164 != number
               or not check_callback_number(number).ok]
    assert refused == [], f"not callable as written: {refused}"


def test_every_window_offer_lies_after_the_moment_of_the_call():
    offers = {(case.now, case.windows) for case in load_menu_eval(SIXTH) + load_menu_eval(ASKED_AGAIN)
              if case.menu == "window"}
    late = [now for now, windows in offers if not now < windows[0][0] < windows[1][0] < windows[2][0]]
    assert late == [], f"offers not three windows in order after their call: {late}"


# -- the bars -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def outcomes(menus):  # noqa: F811  (the imported fixture)
    measured = evaluate_menus(menus, load_menu_eval(SIXTH))
    print("\n== sixth-set menu answers ==\n" + "\n".join(menu_report(measured)))  # shown with pytest -s
    return measured


@pytest.mark.parametrize("menu, lang", per_menu_and_language())
def test_each_menu_reads_at_least_95_percent_of_its_sixth_answers_right(outcomes, menu, lang):
    rows = [o for o in outcomes if (o.case.menu, o.case.lang) == (menu, lang)]
    misses = [(o.case.text, o.case.expected, o.got) for o in rows if o.verdict != "right"]
    assert len(misses) <= 0.05 * len(rows), f"{menu}/{lang}: {len(misses)} of {len(rows)} not right: {misses}"


def test_a_wrong_action_is_rarer_than_not_understood_on_sixth_answers(outcomes):
    wrong = [(o.case.menu, o.case.lang, o.case.text, o.got) for o in outcomes if o.verdict == "wrong action"]
    unclear = sum(o.verdict == "not understood" for o in outcomes)
    # with no miss at all there is nothing to compare: no wrong action is the bar met
    assert len(wrong) < max(unclear, 1), f"{len(wrong)} wrong actions, {unclear} not understood: {wrong}"


def test_a_sixth_answer_to_none_of_the_choices_is_asked_again(menus):  # noqa: F811
    measured = evaluate_menus(menus, load_menu_eval(ASKED_AGAIN))
    print("\n== sixth-set answers to none of the choices ('not understood' is right here) ==\n"
          + "\n".join(menu_report(measured)))
    acted = [(o.case.menu, o.case.lang, o.case.text, o.got) for o in measured if o.verdict == "wrong action"]
    assert len(acted) <= 0.05 * len(measured), f"{len(acted)} of {len(measured)} acted on: {acted}"

"""The menu-answer models on a FIFTH, blind evaluation set (tests/data/menu_eval_fifth), written in the voices of
callers the fourth set did not aim at (in a hurry at work, with a cold, children helping grandparents, tourists, callers
half-listening; besides elderly, young, annoyed, very polite, regional Italian and English, non-native) without reading
their training examples or the four other evaluation sets, after all four had been seen by the models' authors
(issue 15 §1): the bars of tests/unit/test_menu_answers_fourth.py, measured once. A bar the model missed on that run is
marked xfail(strict=True) with its figures, so the gap stays visible and a fix shows up as an XPASS."""
from __future__ import annotations

import pytest

from ivr.app.settings import PROJECT_ROOT
from ivr.call.callback_policy import check_callback_number
from ivr.understanding.lexical import normalise
from ivr.understanding.menu_eval import eval_texts, evaluate_menus, load_menu_eval, menu_report
from ivr.understanding.menus import load_menu_examples
from tests.unit.test_menu_answers_fourth import FOURTH
from tests.unit.test_menu_answers_fresh import FRESH, LANGS, MENU_EVAL, MENUS, menus  # noqa: F401  (a fixture)
from tests.unit.test_menu_answers_third import LABELS, PUNCTUATION, THIRD, texts_under

FIFTH = PROJECT_ROOT / "tests" / "data" / "menu_eval_fifth"
# answers that name none of the choices ("aspetti che guardo l'agenda", "hang on i'm driving"): the call must ask again
ASKED_AGAIN = FIFTH / "asked_again"

# The bars the first and only run missed (6 Dec 2026, the models as of commit 265cab7, after /work/briefs/h15.done),
# with its figures; see docs/understanding.md. That run met the other bars: 93.6 % right over all 439 answers, 7 wrong
# actions against 21 not understood, and 3 of the 100 answers to none of the choices (3.0 %) acted on.
BLIND_RUN_MISSED: dict[tuple[str, str], str] = {
    ("options", "it"): "93.3 % right (42/45), 0 % wrong action, 6.7 % not understood: 'uno uno sono in ufficio e "
                       "ho due minuti', 'tre tre la chat che qui in ufficio non posso parlare', 'la chat la faccio "
                       "io per la nonna che lei non sente bene' asked again",
    ("options", "en"): "93.2 % right (41/44), 0 % wrong action, 6.8 % not understood: 'i'm in a hotel i want to "
                       "say the time you call', 'i'd rather set the time myself the kids are screaming', 'ring me "
                       "tomorrow morning i'm not about today' asked again",
    ("window", "it"): "91.1 % right (41/45), 2.2 % wrong action, 6.7 % not understood: 'la terza quella di sabato più "
                      "tardi' read as the second window; 'la prima tra le dieci e mezzogiorno', 'premo tre che la "
                      "mattina lavoro fino alle due', 'oggi stesso che lunedì lavoro' asked again",
    ("window", "en"): "82.2 % right (37/45), 4.4 % wrong action, 13.3 % not understood: 'the third one saturday later "
                      "on' and 'um the afternoon one i guess' read as the second window; 'first slot ten till noon', "
                      "'the second one the noon to two', 'three cause i'm at work till two', 'eight fifteen pm', "
                      "'later today please i work monday', 'monday early the nine o'clock one' asked again",
    ("number", "it"): "92.9 % right (39/42), 4.8 % wrong action, 2.4 % not understood: 'no segni tre venti quattro "
                      "quattro quattro cinque cinque cinque sei' read as +39324445556 (a wrong number); 'due il numero "
                      "è 340 55 66 778' read as no; 'nun è chillo' asked again",
}


# The kinds of failure the blind run found were then fixed (rules and training lines of their own, never these
# lines), and the bars above pass now except these: the set is no longer blind; the next set measures blind.
# Options/it passed after the fixes that followed the sixth set (issue 15 §1, docs/understanding.md).
STILL_MISSED: set[tuple[str, str]] = set()


def per_menu_and_language() -> list:
    return [pytest.param(menu, lang, marks=pytest.mark.xfail(strict=True, reason=BLIND_RUN_MISSED[(menu, lang)]))
            if (menu, lang) in STILL_MISSED else pytest.param(menu, lang) for menu in MENUS for lang in LANGS]


# -- the data ------------------------------------------------------------------------------------------
def test_no_fifth_answer_is_a_training_example():
    examples = load_menu_examples(PROJECT_ROOT / "prompts" / "menus.yaml")
    training = {normalise(text) for choices in examples.values() for per_lang in choices.values()
                for texts in per_lang.values() for text in texts}
    shared = texts_under(FIFTH) & training
    assert not shared, f"fifth-set answers also in prompts/menus.yaml: {sorted(shared)}"


@pytest.mark.parametrize("other", [MENU_EVAL, FRESH, THIRD, FOURTH],
                         ids=["menu_eval", "menu_eval_fresh", "menu_eval_third", "menu_eval_fourth"])
def test_no_fifth_answer_is_in_the_other_evaluation_sets(other):
    shared = texts_under(FIFTH) & texts_under(other)
    assert not shared, f"fifth-set answers also in {other.name}: {sorted(shared)}"


def test_no_answer_is_both_a_choice_and_none_of_them():
    shared = eval_texts(FIFTH) & eval_texts(ASKED_AGAIN)
    assert not shared, f"in both the choices and asked_again/: {sorted(shared)}"


def test_no_fifth_answer_is_written_twice_at_one_menu():
    # the same words at two menus ("premo due") are two answers; twice at one menu they would count double
    said = [(case.menu, normalise(case.text)) for case in load_menu_eval(FIFTH) + load_menu_eval(ASKED_AGAIN)]
    twice = sorted({answer for answer in said if said.count(answer) > 1})
    assert twice == [], f"written twice: {twice}"


@pytest.mark.parametrize("menu", MENUS)
@pytest.mark.parametrize("lang", LANGS)
def test_every_menu_has_forty_fifth_answers_per_language(menu, lang):
    count = sum(1 for case in load_menu_eval(FIFTH) if (case.menu, case.lang) == (menu, lang))
    assert count >= 40, f"{menu}/{lang}: {count} fifth-set answers"


@pytest.mark.parametrize("menu", MENUS)
@pytest.mark.parametrize("lang", LANGS)
def test_every_menu_has_eight_answers_to_none_of_its_choices_per_language(menu, lang):
    count = sum(1 for case in load_menu_eval(ASKED_AGAIN) if (case.menu, case.lang) == (menu, lang))
    assert count >= 8, f"{menu}/{lang}: {count} answers in asked_again/"


@pytest.mark.parametrize("folder", [FIFTH, ASKED_AGAIN], ids=["choices", "asked_again"])
def test_every_fifth_answer_is_text(folder):
    # an unquoted no in YAML is the boolean False, which no caller ever said
    assert all(isinstance(case.text, str) for case in load_menu_eval(folder))


@pytest.mark.parametrize("folder", [FIFTH, ASKED_AGAIN], ids=["choices", "asked_again"])
def test_every_fifth_answer_is_lowercase_as_a_recogniser_gives_it(folder):
    assert [case.text for case in load_menu_eval(folder) if case.text != case.text.lower()] == []


@pytest.mark.parametrize("folder", [FIFTH, ASKED_AGAIN], ids=["choices", "asked_again"])
def test_no_fifth_answer_carries_punctuation(folder):
    assert [case.text for case in load_menu_eval(folder) if PUNCTUATION & set(case.text)] == []


@pytest.mark.parametrize("menu", MENUS)
def test_every_expected_choice_is_one_the_menu_offers(menu):
    labels = {case.expected for case in load_menu_eval(FIFTH) if case.menu == menu}
    numbers = {label for label in labels if label.startswith("+")} if menu == "number" else set()
    assert labels - numbers <= LABELS[menu], f"{menu}: {sorted(labels - numbers - LABELS[menu])}"


@pytest.mark.parametrize("menu", MENUS)
@pytest.mark.parametrize("lang", LANGS)
def test_every_choice_has_answers_in_both_languages(menu, lang):
    labels = {case.expected for case in load_menu_eval(FIFTH) if (case.menu, case.lang) == (menu, lang)}
    assert LABELS[menu] <= labels, f"{menu}/{lang}: no answer for {sorted(LABELS[menu] - labels)}"


def test_an_answer_to_none_of_the_choices_expects_none_of_them():
    labels = {case.expected for case in load_menu_eval(ASKED_AGAIN)}
    assert labels == {"none"}, f"asked_again/ labels: {sorted(labels)}"


def test_every_number_said_instead_is_one_we_may_call_back_as_written():
    said = {case.expected for case in load_menu_eval(FIFTH) if case.menu == "number" and case.expected[:1] == "+"}
    refused = [number for number in sorted(said) if check_callback_number(number).e164 != number
               or not check_callback_number(number).ok]
    assert refused == [], f"not callable as written: {refused}"


def test_every_window_offer_lies_after_the_moment_of_the_call():
    offers = {(case.now, case.windows) for case in load_menu_eval(FIFTH) + load_menu_eval(ASKED_AGAIN)
              if case.menu == "window"}
    late = [now for now, windows in offers if not now < windows[0][0] < windows[1][0] < windows[2][0]]
    assert late == [], f"offers not three windows in order after their call: {late}"


# -- the bars -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def outcomes(menus):  # noqa: F811  (the imported fixture)
    measured = evaluate_menus(menus, load_menu_eval(FIFTH))
    print("\n== fifth-set menu answers ==\n" + "\n".join(menu_report(measured)))  # shown with pytest -s
    return measured


@pytest.mark.parametrize("menu, lang", per_menu_and_language())
def test_each_menu_reads_at_least_95_percent_of_its_fifth_answers_right(outcomes, menu, lang):
    rows = [o for o in outcomes if (o.case.menu, o.case.lang) == (menu, lang)]
    misses = [(o.case.text, o.case.expected, o.got) for o in rows if o.verdict != "right"]
    assert len(misses) <= 0.05 * len(rows), f"{menu}/{lang}: {len(misses)} of {len(rows)} not right: {misses}"


def test_a_wrong_action_is_rarer_than_not_understood_on_fifth_answers(outcomes):
    wrong = [(o.case.menu, o.case.lang, o.case.text, o.got) for o in outcomes if o.verdict == "wrong action"]
    unclear = sum(o.verdict == "not understood" for o in outcomes)
    # with no miss at all there is nothing to compare: no wrong action is the bar met
    assert len(wrong) < max(unclear, 1), f"{len(wrong)} wrong actions, {unclear} not understood: {wrong}"


def test_a_fifth_answer_to_none_of_the_choices_is_asked_again(menus):  # noqa: F811
    measured = evaluate_menus(menus, load_menu_eval(ASKED_AGAIN))
    print("\n== fifth-set answers to none of the choices ('not understood' is right here) ==\n"
          + "\n".join(menu_report(measured)))
    acted = [(o.case.menu, o.case.lang, o.case.text, o.got) for o in measured if o.verdict == "wrong action"]
    assert len(acted) <= 0.05 * len(measured), f"{len(acted)} of {len(measured)} acted on: {acted}"

"""The menu-answer models on a FRESH evaluation set (tests/data/menu_eval_fresh), written by other hands than
the model's author, without reading its training examples or its first evaluation sets, and never used to tune
it (issue 15 §1): the bars of tests/unit/test_menu_answers.py, measured once. A bar the model missed on that
run is marked xfail(strict=True) with its figures, so the gap stays visible and a fix shows up as an XPASS."""
from __future__ import annotations

import pytest

from ivr.app.settings import PROJECT_ROOT
from ivr.understanding.lexical import normalise
from ivr.understanding.menu_eval import eval_texts, evaluate_menus, load_menu_eval, menu_report
from ivr.understanding.menus import load_menu_examples
from tests.unit.test_menu_answers import MENU_EVAL, menus  # noqa: F401  (menus: the app's models, a fixture)

FRESH = PROJECT_ROOT / "tests" / "data" / "menu_eval_fresh"
# answers that name none of the choices ("can you say that again", "boh"): the call must ask again
ASKED_AGAIN = FRESH / "asked_again"
MENUS = ("options", "window", "yes_no", "number", "helpful")
LANGS = ("it", "en")

# The bars the first and only run missed (6 Dec 2026), with its figures; see docs/understanding.md. Helpful en
# (90.5 % then) passed after the rules and examples of issue 15 §1's third round (XPASS), so none is left.
MISSED: dict[tuple[str, str], str] = {}


def per_menu_and_language() -> list:
    return [pytest.param(menu, lang, marks=pytest.mark.xfail(strict=True, reason=MISSED[(menu, lang)]))
            if (menu, lang) in MISSED else pytest.param(menu, lang) for menu in MENUS for lang in LANGS]


# -- the data ------------------------------------------------------------------------------------------
def test_no_fresh_answer_is_a_training_example():
    examples = load_menu_examples(PROJECT_ROOT / "prompts" / "menus.yaml")
    training = {normalise(text) for choices in examples.values() for per_lang in choices.values()
                for texts in per_lang.values() for text in texts}
    shared = (eval_texts(FRESH) | eval_texts(ASKED_AGAIN)) & training
    assert not shared, f"fresh answers also in prompts/menus.yaml: {sorted(shared)}"


def test_no_fresh_answer_is_in_the_first_evaluation_sets():
    shared = (eval_texts(FRESH) | eval_texts(ASKED_AGAIN)) & eval_texts(MENU_EVAL)
    assert not shared, f"fresh answers also in tests/data/menu_eval: {sorted(shared)}"


@pytest.mark.parametrize("menu", MENUS)
@pytest.mark.parametrize("lang", LANGS)
def test_every_menu_has_forty_fresh_answers_per_language(menu, lang):
    count = sum(1 for case in load_menu_eval(FRESH) if (case.menu, case.lang) == (menu, lang))
    assert count >= 40, f"{menu}/{lang}: {count} fresh answers"


@pytest.mark.parametrize("folder", [FRESH, ASKED_AGAIN], ids=["choices", "asked_again"])
def test_every_fresh_answer_is_text(folder):
    # an unquoted no in YAML is the boolean False, which no caller ever said
    assert all(isinstance(case.text, str) for case in load_menu_eval(folder))


# -- the bars -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def outcomes(menus):  # noqa: F811  (the imported fixture)
    measured = evaluate_menus(menus, load_menu_eval(FRESH))
    print("\n== fresh menu answers ==\n" + "\n".join(menu_report(measured)))  # shown with pytest -s
    return measured


@pytest.mark.parametrize("menu, lang", per_menu_and_language())
def test_each_menu_reads_at_least_95_percent_of_its_fresh_answers_right(outcomes, menu, lang):
    rows = [o for o in outcomes if (o.case.menu, o.case.lang) == (menu, lang)]
    misses = [(o.case.text, o.case.expected, o.got) for o in rows if o.verdict != "right"]
    assert len(misses) <= 0.05 * len(rows), f"{menu}/{lang}: {len(misses)} of {len(rows)} not right: {misses}"


def test_a_wrong_action_is_rarer_than_not_understood_on_fresh_answers(outcomes):
    wrong = [(o.case.menu, o.case.lang, o.case.text, o.got) for o in outcomes if o.verdict == "wrong action"]
    unclear = sum(o.verdict == "not understood" for o in outcomes)
    # with no miss at all there is nothing to compare: no wrong action is the bar met
    assert len(wrong) < max(unclear, 1), f"{len(wrong)} wrong actions, {unclear} not understood: {wrong}"


def test_an_answer_to_none_of_the_choices_is_asked_again(menus):  # noqa: F811
    measured = evaluate_menus(menus, load_menu_eval(ASKED_AGAIN))
    print("\n== fresh answers to none of the choices ('not understood' is right here) ==\n"
          + "\n".join(menu_report(measured)))
    acted = [(o.case.menu, o.case.lang, o.case.text, o.got) for o in measured if o.verdict == "wrong action"]
    assert len(acted) <= 0.05 * len(measured), f"{len(acted)} of {len(measured)} acted on: {acted}"

"""What the menu-rule tests (tests/unit/test_menu_answer_rules*.py) share: the calendar their windows are offered in,
and the check that a rule test's own sentences are neither training lines nor evaluation answers (issue 15 §1: each
kind of answer is tested in sentences written for it, so a rule is never tuned on a line it is measured by)."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from ivr.understanding.lexical import normalise
from ivr.understanding.menu_answers import ASKED_AGAIN
from ivr.understanding.menu_eval import MenuCase, understood
from tests.support.blind_menu_set import evaluation_texts, training_texts

ROME = ZoneInfo("Europe/Rome")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of December 2026, Italian time: when a call is made or a window is offered."""
    return datetime(2026, 12, day, hour, minute, tzinfo=ROME)


def among_training(sentences: list[str]) -> list[str]:
    """Those of `sentences` that are training lines of prompts/menus.yaml, normalised (a rule test wants none)."""
    trained = training_texts()
    return [s for s in sentences if normalise(s) in trained]


def among_evaluation(sentences: list[str]) -> list[str]:
    """Those of `sentences` that are answers of a menu evaluation set, blind or seen (a rule test wants none); only
    the test's own sentences are named when it fails."""
    evaluated = evaluation_texts()
    return [s for s in sentences if normalise(s) in evaluated]


def asked_again_or(got: str | None) -> str | None:
    """A reading as the call acts on it: None when it asks again (not understood, "repeat", "don't know")."""
    return None if got in ASKED_AGAIN else got


def as_the_call_acts(menus, menu: str, said: str) -> str | None:
    """What the call does with `said` at `menu` (menu_eval.understood, the readers of ivr/call/answers.py); None
    when it asks again."""
    return asked_again_or(understood(menus, MenuCase(menu, "", said, "")))

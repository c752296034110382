"""Measuring the menu models and the language identifier on answers written apart from their training.

`python -m ivr.understanding menus` reads tests/data/menu_eval/*.yaml (one file per menu, format in
their headers) and prints, per menu and language: right, wrong action, not understood (asked again),
and the latency per answer. `python -m ivr.understanding language` prints the language identifier's
accuracy on utterances of at least MIN_WORDS words, and how often the call would switch wrongly.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import yaml

from ivr.call.callback_policy import check_callback_number
from ivr.understanding import menu_answers
from ivr.understanding.lexical import normalise
from ivr.understanding.menus import MenuModel

WINDOW_NAMES = ("first", "second", "third")


@dataclass(frozen=True)
class MenuCase:
    menu: str
    lang: str
    text: str
    expected: str
    now: datetime | None = None
    windows: tuple = ()


def _cases(menu: str, per_lang: dict, **offer) -> list[MenuCase]:
    return [MenuCase(menu, lang, text, str(expected), **offer)
            for lang, answers in per_lang.items() for expected, texts in answers.items() for text in texts]


def load_menu_eval(folder: Path) -> list[MenuCase]:
    """Every evaluation answer of every menu file in `folder`."""
    cases = []
    for path in sorted(Path(folder).glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        menu = data["menu"]
        if "offers" not in data:
            cases += _cases(menu, {lang: data[lang] for lang in ("it", "en")})
            continue
        for offer in data["offers"].values():
            now = datetime.fromisoformat(offer["now"])
            windows = tuple((datetime.fromisoformat(a), datetime.fromisoformat(b)) for a, b in offer["windows"])
            cases += _cases(menu, {lang: offer[lang] for lang in ("it", "en")}, now=now, windows=windows)
    return cases


def eval_texts(folder: Path) -> set[str]:
    return {normalise(case.text) for case in load_menu_eval(folder)}


def understood(menus: MenuModel, case: MenuCase, regions: tuple[str, ...] = ("IT",)) -> str | None:
    """What the call does with the answer, as the readers of ivr/call/answers.py decide it."""
    text = case.text
    if case.menu == "options":
        return menu_answers.option(menus, text) or menu_answers.what_was_said(menus, "options", text)
    if case.menu == "window":
        index = menu_answers.window(menus, text, list(case.windows), case.now)
        return WINDOW_NAMES[index] if index is not None else None
    if case.menu == "number":
        digits = menu_answers.spoken_number(text)
        if digits:
            check = check_callback_number(digits, regions)
            return check.e164 if check.ok else "no"
        return menu_answers.what_was_said(menus, "yes_no", text)
    # the sets' yes/no answers are to the confirmation and to the outage offer, labelled as at the offer (its key 2,
    # someone to speak to, is a no): read as there; at the confirmation a person asked for is asked again
    return menu_answers.what_was_said(menus, menu_answers.OUTAGE if case.menu == "yes_no" else case.menu, text)


@dataclass(frozen=True)
class MenuOutcome:
    case: MenuCase
    got: str | None
    seconds: float

    @property
    def verdict(self) -> str:
        if self.got == self.case.expected:
            return "right"
        return "not understood" if self.got in menu_answers.ASKED_AGAIN + ("other",) else "wrong action"


def evaluate_menus(menus: MenuModel, cases: list[MenuCase]) -> list[MenuOutcome]:
    outcomes = []
    for case in cases:
        started = time.perf_counter()
        got = understood(menus, case)
        outcomes.append(MenuOutcome(case, got, time.perf_counter() - started))
    return outcomes


def menu_report(outcomes: list[MenuOutcome], show_misses: bool = True) -> list[str]:
    lines = [f"{'menu':<10} {'lang':<4} {'n':>4} {'right':>8} {'wrong action':>13} {'not understood':>15}"]
    groups = sorted({(o.case.menu, o.case.lang) for o in outcomes}, key=lambda g: (g[0], g[1] != "it"))
    for menu, lang in groups:
        rows = [o for o in outcomes if (o.case.menu, o.case.lang) == (menu, lang)]
        share = {v: 100 * sum(o.verdict == v for o in rows) / len(rows) for v in ("right", "wrong action",
                                                                                  "not understood")}
        lines.append(f"{menu:<10} {lang:<4} {len(rows):>4} {share['right']:>7.1f}% {share['wrong action']:>12.1f}% "
                     f"{share['not understood']:>14.1f}%")
    total = len(outcomes)
    right = sum(o.verdict == "right" for o in outcomes)
    wrong = sum(o.verdict == "wrong action" for o in outcomes)
    lines.append(f"{'all':<10} {'':<4} {total:>4} {100 * right / total:>7.1f}% {100 * wrong / total:>12.1f}% "
                 f"{100 * (total - right - wrong) / total:>14.1f}%")
    p50, p99 = np.percentile(np.array([o.seconds for o in outcomes]) * 1000, (50, 99))
    lines.append(f"latency per answer: p50 {p50:.2f} ms   p99 {p99:.2f} ms   n={total}")
    if show_misses:
        misses = [o for o in outcomes if o.verdict != "right"]
        lines += ["", "== not right (menu, lang, expected -> got: text) =="]
        lines += [f"{o.case.menu:<8} {o.case.lang} {o.case.expected:>14} -> {str(o.got):<14} {o.case.text}"
                  for o in misses]
    return lines


def language_cases(heldout: Path, menu_folder: Path, min_words: int,
                   exclude: frozenset = frozenset()) -> list[tuple[str, str]]:
    """(text, language) of at least min_words words: the intent held-out set and the menu evaluation sets,
    less any (normalised) text in `exclude` (the identifier's training texts)."""
    data = yaml.safe_load(Path(heldout).read_text(encoding="utf-8"))
    other = {"it": "en", "en": "it"}
    rows = [(t, lang) for per_lang in data["intents"].values() for lang, texts in per_lang.items() for t in texts]
    rows += [(t, other[lang]) for per_lang in data["cross_lingual"].values()  # said in the other language
             for lang, texts in per_lang.items() for t in texts]
    rows += [(t, lang) for lang, texts in data["out_of_scope"].items() for t in texts]
    rows += [(case.text, case.lang) for case in load_menu_eval(menu_folder)]
    return [(t, lang) for t, lang in rows if len(normalise(t).split()) >= min_words and normalise(t) not in exclude]


def language_report(language, cases: list[tuple[str, str]]) -> list[str]:
    lines = [f"{'lang':<4} {'n':>5} {'right':>8} {'would switch a call in the other language':>44}"]
    for lang in ("it", "en"):
        rows = [t for t, truth in cases if truth == lang]
        right = sum(language.guess(t).lang == lang for t in rows)
        other = "en" if lang == "it" else "it"
        switched = sum(language.switch_to(t, other) == lang for t in rows)
        wrong_switch = sum(language.switch_to(t, lang) is not None for t in rows)
        lines.append(f"{lang:<4} {len(rows):>5} {100 * right / len(rows):>7.1f}% "
                     f"{100 * switched / len(rows):>10.1f}% switched to {lang}, "
                     f"{100 * wrong_switch / len(rows):.1f}% wrongly away from {lang}")
    misses = [(t, truth) for t, truth in cases if language.guess(t).lang != truth]
    lines += ["", f"== wrong ({len(misses)}) =="] + [f"{truth} -> {language.guess(t).lang}: {t}" for t, truth in misses]
    return lines

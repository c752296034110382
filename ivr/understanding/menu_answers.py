"""What a spoken answer at each menu means, as the call acts on it: the one reading shared by the call's
readers (ivr/call/answers.py) and the menu evaluation (`python -m ivr.understanding menus`).

Each function returns what the call would do, or None: "not understood", asked again. `repeat` and
`dont_know` are read too (so they are never taken for a choice) and are asked again as well.
"""
from __future__ import annotations

from datetime import datetime

from ivr.understanding.menus import MenuModel
from ivr.understanding.spoken_numbers import digits_from_speech
from ivr.understanding.window_choice import resolve, time_said

OPTIONS = ("asap", "window", "chat", "voicemail")
ORDINALS = {"first": 0, "second": 1, "third": 2}   # "last": the latest window offered
ASKED_AGAIN = (None, "repeat", "dont_know")
# "no, è il 347 …" at "shall we call you on …?" carries a number when it has at least this many digits
NUMBER_DIGITS = 6


def option(menus: MenuModel, text: str) -> str | None:
    """asap | window | chat | voicemail, or None. A time named ("stasera", "verso le sei") when the
    model is unsure is a window: the caller wants to be called then."""
    reading = menus.read("options", text)
    if reading.choice is None and not time_said(text).empty:
        return "window"
    return reading.choice if reading.choice in OPTIONS else None


def yes_or_no(menus: MenuModel, text: str, menu: str = "yes_no") -> str | None:
    """"yes" | "no", or None (not understood, "repeat", "don't know")."""
    choice = menus.read(menu, text).choice
    return choice if choice in ("yes", "no") else None


def window(menus: MenuModel, text: str, offered: list[tuple[datetime, datetime]], now: datetime) -> int | None:
    """The index of the offered window named by its time ("domani pomeriggio") or place ("la seconda")."""
    named, index = resolve(text, offered, now)
    if named:  # a time was said: only a window at that time will do
        return index
    choice = menus.read("window", text).choice
    if choice == "last":
        return len(offered) - 1 if offered else None
    index = ORDINALS.get(choice)
    return index if index is not None and index < len(offered) else None


def spoken_number(text: str) -> str:
    """The digits of a number said in a correction ("no, è il 347 …"), or "" when fewer than NUMBER_DIGITS."""
    digits = digits_from_speech(text)
    return digits if len(digits.lstrip("+")) >= NUMBER_DIGITS else ""


def what_was_said(menus: MenuModel, menu: str, text: str) -> str | None:
    """The menu model's own reading (repeat and dont_know included), for the evaluation's report."""
    return menus.read(menu, text).choice

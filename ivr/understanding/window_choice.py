"""A callback window named by its time ("domani pomeriggio", "dopo le cinque", "the one at two"),
resolved against the windows actually offered.

The ordinal answers ("la seconda", "the later one") are the menu model's (menus.py); this reads only
what names a day, a part of the day or an hour. A time that fits none of the offered windows, or fits
two equally, is not a choice: the call asks again rather than book a window the caller did not mean.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from ivr.understanding.lexical import normalise
from ivr.understanding.spoken_numbers import TEENS, UNITS, italian_word

DAYS = {"oggi": 0, "stamattina": 0, "stasera": 0, "stamani": 0, "today": 0, "tonight": 0,
        "domani": 1, "domattina": 1, "tomorrow": 1, "dopodomani": 2}
PARTS = {  # part of the day -> (first hour, last hour) a window may start in
    "mattina": (6, 11), "mattino": (6, 11), "stamattina": (6, 11), "domattina": (6, 11), "morning": (6, 11),
    "pranzo": (11, 13), "lunch": (11, 13), "lunchtime": (11, 13), "mezzogiorno": (11, 12), "noon": (11, 12),
    "mattinata": (6, 11), "pomeriggio": (12, 17), "afternoon": (12, 17),
    "sera": (17, 23), "stasera": (17, 23), "serata": (17, 23), "evening": (17, 23), "tonight": (17, 23),
}
AFTER = ("dopo le", "dopo l", "dalle", "dall", "after", "from", "not before", "non prima delle")
BEFORE = ("prima delle", "prima dell", "before", "entro le", "by", "no later than")
AT = ("alle", "all", "verso le", "verso l", "at", "around", "about", "delle", "dell", "le", "l", "tra le", "tra l",
      "fra le", "between")
_HOUR = re.compile(r"\b(?P<prep>" + "|".join(sorted(AFTER + BEFORE + AT, key=len, reverse=True))
                   + r")\s+(?P<hour>\w+)(?:\s+(?P<ampm>am|pm|oclock))?\b|\b(?P<bare>\w+)\s+(?P<clock>pm|am|oclock)\b")
_LUNCH = re.compile(r"\b(?P<prep>dopo|prima di|prima del|after|before)\s+(?:il\s+)?(?:pranzo|lunch)\b")
_SPAN = re.compile(r"\b(?P<start>\w+)\s+(?:till|until|to|e le|e l|alle|all)\s+(?P<end>\w+)\b")
_PM_WORDS = {"pm", "pomeriggio", "afternoon", "sera", "evening"}


@dataclass(frozen=True)
class TimeSaid:
    day: int | None = None            # days from today
    part: tuple[int, int] | None = None
    hour: int | None = None
    relation: str = "at"              # at | after | before

    @property
    def empty(self) -> bool:
        return self.day is None and self.part is None and self.hour is None


def _hour(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    if word in ("mezzogiorno", "noon", "midday"):
        return 12
    value = UNITS.get(word, TEENS.get(word))
    if value is None and italian_word(word) is not None:
        value = int(italian_word(word))
    return value if value is not None and value <= 24 else None


def time_said(text: str) -> TimeSaid:
    """The day, part of the day and hour named in an answer (each None when not said)."""
    words = normalise(text).replace("o clock", "oclock")
    tokens = words.split()
    day = next((DAYS[w] for w in tokens if w in DAYS), None)
    part = next((PARTS[w] for w in tokens if w in PARTS), None)
    hour, relation = None, "at"
    lunch = _LUNCH.search(words)
    if lunch:  # "dopo pranzo", "before lunch": from / until one o'clock
        return TimeSaid(day, None, 13, "after" if lunch["prep"] in AFTER + ("dopo",) else "before")
    span = _SPAN.search(words)  # "one till three", "dalle undici all'una": the window that starts then
    if span and _hour(span["start"]) is not None and _hour(span["end"]) is not None:
        value = _hour(span["start"])
        return TimeSaid(day, part, value + 12 if value < 8 else value, "at")
    for match in _HOUR.finditer(words):
        value = _hour(match["hour"] or match["bare"])
        if value is None:
            continue
        prep, ampm = match["prep"] or "at", match["ampm"] or match["clock"]
        relation = "after" if prep in AFTER else "before" if prep in BEFORE else "at"
        if value < 8 and ampm != "am":  # "alle tre", "after five": the afternoon, not the night
            value += 12
        elif value < 12 and (ampm == "pm" or set(tokens) & _PM_WORDS):
            value += 12
        hour = value
        break
    return TimeSaid(day, part, hour, relation)


def resolve(text: str, windows: list[tuple[datetime, datetime]], now: datetime) -> tuple[bool, int | None]:
    """(a time was named, the index of the one offered window it names, or None)."""
    said = time_said(text)
    if said.empty or not windows:
        return (not said.empty), None
    fits = list(range(len(windows)))
    if said.day is not None:
        fits = [i for i in fits if (windows[i][0].date() - now.date()).days == said.day]
    if said.part is not None:
        first, last = said.part
        fits = ([i for i in fits if first <= windows[i][0].hour <= last]
                or [i for i in fits if windows[i][0].hour < first < windows[i][1].hour])
    if said.hour is not None:
        hour = said.hour
        if said.relation == "after":
            starting = [i for i in fits if windows[i][0].hour >= hour]
            fits = starting[:1] or [i for i in fits if windows[i][0].hour < hour < windows[i][1].hour][:1]
        elif said.relation == "before":
            ending = [i for i in fits if windows[i][1].hour <= hour]
            fits = ending[-1:] or [i for i in fits if windows[i][0].hour < hour][-1:]
        else:
            fits = ([i for i in fits if windows[i][0].hour == hour]
                    or [i for i in fits if windows[i][0].hour < hour < windows[i][1].hour])
    # "domani", "nel pomeriggio": the first window that fits; a time that fits none is not a choice
    return True, fits[0] if fits else None

"""A callback window named by its time ("domani pomeriggio", "dopo le cinque", "the one at two"),
resolved against the windows actually offered.

The ordinal answers ("la seconda", "the later one") are the menu model's (menus.py); this reads only
what names a day, a part of the day or an hour. A time that fits none of the offered windows, or fits
two equally, is not a choice: the call asks again rather than book a window the caller did not mean. A day
refused ("oggi no, domani mattina", "not today") is not the day meant; a day of the week not offered
("mercoledì" when only Tuesday is) fits no window. "Half six", "le sei e mezza" is 18:30, and "late
afternoon", "nel tardo pomeriggio" the window holding half past four.
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
WEEKDAYS = {name: day for day, names in enumerate((("lunedi", "monday"), ("martedi", "tuesday"),
                                                    ("mercoledi", "wednesday"), ("giovedi", "thursday"),
                                                    ("venerdi", "friday"), ("sabato", "saturday"),
                                                    ("domenica", "sunday"))) for name in names}
# a day or part of the day refused: "non oggi", "not in the morning" (before it), "oggi no" (after it)
REFUSING = {"non", "not"}
# "late afternoon", "nel tardo pomeriggio", "early evening": the hour in that part of the day it points at
LEANING = {"late": 1, "tardo": 1, "tarda": 1, "fine": 1, "early": 0, "primo": 0, "prima": 0, "inizio": 0}
LEANING_AFTER = {"tardi": 1, "late": 1, "presto": 0}   # "domani mattina presto", "pomeriggio tardi"
LEAN_HOURS = {(6, 11): (8.5, 11.5), (12, 17): (13.5, 16.5), (17, 23): (17.5, 20.5), (11, 13): (11.5, 13.0)}
_HALF = re.compile(r"\b(?:half past|half)\s+(?P<a>\w+)|\b(?P<b>\w+)\s+(?:e mezza|e mezzo|thirty)\b")
AFTER = ("dopo le", "dopo l", "dalle", "dall", "after", "from", "not before", "non prima delle")
BEFORE = ("prima delle", "prima dell", "before", "entro le", "by", "no later than")
AT = ("alle", "all", "verso le", "verso l", "at", "around", "about", "delle", "dell", "le", "l", "tra le", "tra l",
      "fra le", "between")
_HOUR = re.compile(r"\b(?P<prep>" + "|".join(sorted(AFTER + BEFORE + AT, key=len, reverse=True))
                   + r")\s+(?P<hour>\w+)(?:\s+(?P<ampm>am|pm|oclock))?\b|\b(?P<bare>\w+)\s+(?P<clock>pm|am|oclock)\b")
_LUNCH = re.compile(r"\b(?P<prep>dopo|prima di|prima del|after|before)\s+(?:il\s+)?(?:pranzo|lunch)\b")
_SPAN = re.compile(r"\b(?P<start>\w+)\s+(?:till|until|to|e le|e l|alle|all)\s+(?P<end>\w+)\b")
_PM_WORDS = {"pm", "pomeriggio", "afternoon", "sera", "evening"}
MONTHS = {name: month for month, names in enumerate((
    ("gennaio", "january"), ("febbraio", "february"), ("marzo", "march"), ("aprile", "april"), ("maggio", "may"),
    ("giugno", "june"), ("luglio", "july"), ("agosto", "august"), ("settembre", "september"),
    ("ottobre", "october"), ("novembre", "november"), ("dicembre", "december")), start=1) for name in names}
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
            "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
            "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
            "twentieth": 20, "thirtieth": 30}
# "il quindici", "giorno 15", "lunedì 14": a day of the month after these (never "alle quindici", an hour)
DATE_LEAD = {"il", "giorno", "the", "on"} | set(WEEKDAYS)
PLACE_WORDS = {"one", "ones", "option", "opzione", "choice", "window", "fascia", "slot"}
_NTH = re.compile(r"^(?P<n>\d{1,2})(?:st|nd|rd|th)$")


@dataclass(frozen=True)
class TimeSaid:
    day: int | None = None            # days from today
    part: tuple[int, int] | None = None
    hour: float | None = None         # 18.5: half past six
    relation: str = "at"              # at | after | before
    weekday: int | None = None        # 0 Monday … 6 Sunday, when a day of the week was named
    lean: int | None = None           # 1 late, 0 early in the part of the day
    date: tuple[int, int | None] | None = None  # (day of the month, month or None): "il quindici"

    @property
    def empty(self) -> bool:
        return self.day is None and self.part is None and self.hour is None and self.weekday is None \
            and self.date is None


def _day_number(tokens: list[str], i: int) -> tuple[int | None, int]:
    """The day of the month at tokens[i] ("quindici", "15", "fifteenth", "twenty first", "15th") and how
    many words it takes, or (None, 1); an ordinal says it is a date, a number needs "il" or a month."""
    word, nxt = tokens[i], tokens[i + 1] if i + 1 < len(tokens) else ""
    if word in ("twenty", "thirty") and nxt in ORDINALS and ORDINALS[nxt] < 10:
        return (20 if word == "twenty" else 30) + ORDINALS[nxt], 2
    if word in ORDINALS or _NTH.match(word):
        return (ORDINALS[word] if word in ORDINALS else int(_NTH.match(word)["n"])), 1
    value = int(word) if word.isdigit() and len(word) <= 2 else _hour(word) if not word.isdigit() else None
    return value, 1


def _date(tokens: list[str]) -> tuple[int, int | None] | None:
    """The day of the month named ("il quindici", "the fifteenth", "15 dicembre"), with its month if said.
    The first three ordinals and numbers alone are places in the list or keys ("the second", "il due"), a
    date only with a month."""
    for i in range(len(tokens)):
        day, width = _day_number(tokens, i)
        if day is None or not 1 <= day <= 31:
            continue
        after = tokens[i + width:i + width + 2]
        if after[:1] and after[0] in PLACE_WORDS:  # "the fourth one", "the fifth option": a place in a list
            continue
        month = next((MONTHS[w] for w in after if w in MONTHS), None)
        ordinal = tokens[i] in ORDINALS or _NTH.match(tokens[i]) or width == 2
        led = i > 0 and tokens[i - 1] in DATE_LEAD
        if month is not None or (ordinal and day > 3) or (led and day > 3 and not ordinal):
            return day, month
    return None


def _hour(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    if word in ("mezzogiorno", "noon", "midday"):
        return 12
    value = UNITS.get(word, TEENS.get(word))
    if value is None and italian_word(word) is not None:
        value = int(italian_word(word))
    return value if value is not None and value <= 24 else None


def _said(tokens: list[str], table: dict):
    """The last entry of `table` named and not refused ("oggi no domani" -> domani), or None."""
    found = None
    for i, word in enumerate(tokens):
        if word not in table:
            continue
        before = []
        for back in tokens[max(0, i - 3):i][::-1]:  # back to the previous day or part named
            if back in DAYS or back in PARTS or back in WEEKDAYS:
                break
            before.append(back)
        after = tokens[i + 1] if i + 1 < len(tokens) else ""
        if not (set(before) & REFUSING or after == "no"):
            found = table[word]
    return found


def _lean(tokens: list[str]) -> int | None:
    """1 for "late afternoon", "tardo pomeriggio", "pomeriggio tardi"; 0 for "early", "primo"; else None."""
    for i, word in enumerate(tokens):
        if word in PARTS:
            leaning = [LEANING[w] for w in tokens[max(0, i - 3):i] if w in LEANING]
            leaning += [LEANING_AFTER[w] for w in tokens[i + 1:i + 2] if w in LEANING_AFTER]
            if leaning:
                return leaning[0]
    return None


def time_said(text: str) -> TimeSaid:
    """The day, part of the day and hour named in an answer (each None when not said)."""
    words = normalise(text).replace("o clock", "oclock")
    half = _HALF.search(words)
    minutes, half_hour = 0.0, None
    if half and _hour(half["a"] or half["b"]) is not None:  # "half six", "alle sei e mezza": six, and a half
        minutes, half_hour = 0.5, _hour(half["a"] or half["b"])
        words = words[:half.start()] + (half["a"] or half["b"]) + words[half.end():]
    tokens = words.split()
    date = _date(tokens)
    day, weekday = _said(tokens, DAYS), _said(tokens, WEEKDAYS)
    part = _said(tokens, PARTS)
    lean = _lean(tokens) if part is not None else None
    hour, relation = None, "at"
    lunch = _LUNCH.search(words)
    if lunch:  # "dopo pranzo", "before lunch": from / until one o'clock
        return TimeSaid(day, None, 13, "after" if lunch["prep"] in AFTER + ("dopo",) else "before", weekday,
                        date=date)
    span = _SPAN.search(words)  # "one till three", "dalle undici all'una": the window that starts then
    if span and _hour(span["start"]) is not None and _hour(span["end"]) is not None:
        value = _hour(span["start"])
        return TimeSaid(day, part, value + 12 if value < 8 else value, "at", weekday, date=date)
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
        hour = value + minutes
        break
    if hour is None and half_hour is not None:  # "tomorrow half six": no preposition before it
        hour = half_hour + (12 if half_hour < 8 or (half_hour < 12 and set(tokens) & _PM_WORDS) else 0) + minutes
    return TimeSaid(day, part, hour, relation, weekday, lean, date)


def _hours(moment: datetime) -> float:
    return moment.hour + moment.minute / 60


def resolve(text: str, windows: list[tuple[datetime, datetime]], now: datetime) -> tuple[bool, int | None]:
    """(a time was named, the index of the one offered window it names, or None)."""
    said = time_said(text)
    if said.empty or not windows:
        return (not said.empty), None
    fits = list(range(len(windows)))
    day = said.day
    if said.weekday is not None:  # "mercoledì": a day this week (today included), offered or not
        weekday_day = (said.weekday - now.weekday()) % 7
        if day is not None and day != weekday_day:
            return True, None  # "domani mercoledì" on a Monday: two different days, not a choice
        day = weekday_day
    if day is not None:
        fits = [i for i in fits if (windows[i][0].date() - now.date()).days == day]
    if said.date is not None:  # "il quindici": the window on that date, if one is offered
        date, month = said.date
        fits = [i for i in fits if windows[i][0].day == date and month in (None, windows[i][0].month)]
    start, end = [_hours(w[0]) for w in windows], [_hours(w[1]) for w in windows]
    if said.part is not None:
        first, last = said.part
        fits = ([i for i in fits if first <= start[i] <= last]
                or [i for i in fits if start[i] < first < end[i]])
        if said.lean is not None and said.hour is None and fits:
            point = LEAN_HOURS.get(said.part, (first + 1, last))[said.lean]
            holding = [i for i in fits if start[i] <= point < end[i]]
            fits = holding or (fits[-1:] if said.lean else fits[:1])
    if said.hour is not None:
        hour = said.hour
        if said.relation == "after":
            starting = [i for i in fits if start[i] >= hour]
            fits = starting[:1] or [i for i in fits if start[i] < hour < end[i]][:1]
        elif said.relation == "before":
            ending = [i for i in fits if end[i] <= hour]
            fits = ending[-1:] or [i for i in fits if start[i] < hour][-1:]
        else:
            fits = [i for i in fits if start[i] == hour] or [i for i in fits if start[i] < hour < end[i]]
    # "domani", "nel pomeriggio": the first window that fits; a time that fits none is not a choice
    return True, fits[0] if fits else None

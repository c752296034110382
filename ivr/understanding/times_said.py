"""The day, part of the day, date and hour named in an answer ("domani pomeriggio", "lunedì sette alle
dieci e mezza", "after ten at night"): read into a TimeSaid, resolved against the windows offered in
window_choice.py. "Half six", "le sei e mezza" is 18:30; "late afternoon", "nel tardo pomeriggio" leans late.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ivr.understanding.lexical import normalise
from ivr.understanding.spoken_numbers import TEENS, UNITS, italian_word

DAYS = {"oggi": 0, "stamattina": 0, "stasera": 0, "stamani": 0, "today": 0, "tonight": 0,
        "domani": 1, "domattina": 1, "tomorrow": 1, "dopodomani": 2}
PARTS = {  # part of the day -> (first hour, last hour) a window may start in
    "mattina": (6, 11), "mattino": (6, 11), "stamattina": (6, 11), "domattina": (6, 11), "morning": (6, 11),
    "pranzo": (11, 13), "lunch": (11, 13), "lunchtime": (11, 13), "mezzogiorno": (11, 12), "noon": (11, 12),
    "mattinata": (6, 11), "pomeriggio": (12, 17), "afternoon": (12, 17),
    "sera": (17, 23), "stasera": (17, 23), "serata": (17, 23), "evening": (17, 23), "tonight": (17, 23),
    "notte": (20, 23), "night": (20, 23), "nottata": (20, 23),
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
# "one till three", "dalle undici all'una"; "alle" joins a span only after "dalle" ("lunedì sette alle dieci":
# the seventh, at ten)
_SPAN = re.compile(r"\b(?:(?P<start>\w+)\s+(?:till|until|to|e le|e l)\s+(?P<end>\w+)"
                   r"|(?:dalle|dall|da)\s+(?P<from>\w+)\s+(?:alle|all|a|fino alle|fino a)\s+(?P<to>\w+)"
                   r"|(?:tra le|fra le|tra l|fra l|between)\s+(?P<low>\w+)\s+(?:e le|e l|e|and)\s+(?P<high>\w+))\b")
_DAY_AFTER = re.compile(r"\b(?:the )?day after tomorrow\b")
# "la prima fascia prima di pranzo", "the first slot before lunch": a place among the windows that fit
PLACES = {"first": 0, "earliest": 0, "prima": 0, "primo": 0, "second": 1, "seconda": 1, "secondo": 1,
          "last": -1, "latest": -1, "ultima": -1, "ultimo": -1, "third": 2, "terza": 2, "terzo": 2, "fourth": 3,
          "quarta": 3, "quarto": 3}
PLACE_AFTER = {"one", "option", "opzione", "choice", "window", "fascia", "slot", "disponibile", "available",
               "libera", "free", "orario", "quella", "quello"}
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
CLOCK = {"oclock", "am", "pm"}
# "eight fifteen pm": the hour and its minutes before am/pm
_MINUTES = re.compile(r"\b(?P<h>\w+)\s+(?P<m>fifteen|thirty|forty five|forty|twenty|ten|fifty|five)\s+"
                      r"(?P<ampm>am|pm)\b")
MINUTE_WORDS = {"five": 5, "ten": 10, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "forty five": 45,
                "fifty": 50}
# a reason after the day asked for ("oggi che lunedì lavoro", "today please i work monday"): its days are not
# the one asked for
REASON = {"che", "perche", "poiche", "siccome", "visto", "cause", "because", "since", "cos", "coz", "i",
          "lavoro", "sono", "busy", "work"}
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
    place: int | None = None          # 0 first, 1 second, -1 last among the windows that fit

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
        if after[:1] and after[0] in PLACE_WORDS | CLOCK:  # "the fourth one": a place; "the nine o'clock"
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


def _asked(tokens: list[str]) -> list[str]:
    """The words before a reason that names a day of its own ("domani che oggi lavoro" -> "domani"), when
    a day is named before it; else all the words."""
    days = DAYS.keys() | WEEKDAYS.keys()
    first = next((i for i, w in enumerate(tokens) if w in days), None)
    if first is None:
        return tokens
    cut = next((i for i in range(first + 1, len(tokens)) if tokens[i] in REASON), None)
    if cut is None or not set(tokens[cut:]) & days:
        return tokens
    return tokens[:cut]


def _lean(tokens: list[str]) -> int | None:
    """1 for "late afternoon", "tardo pomeriggio", "pomeriggio tardi"; 0 for "early", "primo"; else None."""
    for i, word in enumerate(tokens):
        if word in PARTS:
            leaning = [LEANING[w] for w in tokens[max(0, i - 3):i] if w in LEANING]
            leaning += [LEANING_AFTER[w] for w in tokens[i + 1:i + 2] if w in LEANING_AFTER]
            if leaning:
                return leaning[0]
    return None


def _place(tokens: list[str]) -> int | None:
    """"the first slot", "l'ultima fascia", "the earliest one": a place said with what it is a place of."""
    for word, after in zip(tokens, tokens[1:]):
        if word in PLACES and after in PLACE_AFTER:
            return PLACES[word]
    return None


def _evening(value: int, ampm: str | None, part: tuple[int, int] | None) -> int:
    """"alle tre", "after five", "ten at night", "alle otto stasera": the hour after noon unless said in
    the morning ("domattina verso le dieci", "seven am"); a part of the day named in a reason elsewhere
    does not count ("il pomeriggio riposo, domattina alle dieci": the part named last)."""
    if ampm == "am" or (ampm != "pm" and part is not None and part[1] <= 11):
        return value
    if value < 8 or (value < 12 and (ampm == "pm" or (part is not None and part[0] >= 12))):
        return value + 12
    return value


def time_said(text: str) -> TimeSaid:
    """The day, part of the day and hour named in an answer (each None when not said)."""
    words = _DAY_AFTER.sub("dopodomani", normalise(text).replace("o clock", "oclock"))
    half = _HALF.search(words)
    minutes, half_hour = 0.0, None
    if half and _hour(half["a"] or half["b"]) is not None:  # "half six", "alle sei e mezza": six, and a half
        minutes, half_hour = 0.5, _hour(half["a"] or half["b"])
        words = words[:half.start()] + (half["a"] or half["b"]) + words[half.end():]
    clock = _MINUTES.search(words)
    if clock and _hour(clock["h"]) is not None and _hour(clock["h"]) <= 12 and half_hour is None:
        minutes = MINUTE_WORDS[clock["m"]] / 60
        words = words[:clock.start()] + f"{clock['h']} {clock['ampm']}" + words[clock.end():]
    tokens = words.split()
    date = _date(tokens)
    head = _asked(tokens)
    day, weekday = _said(head, DAYS), _said(head, WEEKDAYS)
    if weekday is not None:  # "mercoledì alle dieci che oggi lavoro": a day named after it is the reason's
        named = max(i for i, w in enumerate(tokens) if w in WEEKDAYS)
        day = _said(tokens[:named + 2], DAYS)
    part, place = _said(tokens, PARTS), _place(tokens)
    lean = _lean(tokens) if part is not None else None
    hour, relation = None, "at"
    span = _SPAN.search(words)  # "one till three", "dalle undici all'una": the window that starts then
    first, last = (None, None) if not span else (span["start"], span["end"]) if span["start"] \
        else (span["from"], span["to"]) if span["from"] else (span["low"], span["high"])
    if span and _hour(first) is not None and _hour(last) is not None:
        value = _hour(first)
        part = None if {first, last} & PARTS.keys() else part  # "dalle dieci a mezzogiorno": noon an end
        return TimeSaid(day, part, value + 12 if value < 8 else value, "at", weekday, date=date, place=place)
    for match in _HOUR.finditer(words):
        value = _hour(match["hour"] or match["bare"])
        if value is None:
            continue
        prep, ampm = match["prep"] or "at", match["ampm"] or match["clock"]
        relation = "after" if prep in AFTER else "before" if prep in BEFORE else "at"
        hour = _evening(value, ampm, part) + minutes
        break
    if hour is None and half_hour is not None:  # "tomorrow half six": no preposition before it
        hour = _evening(half_hour, None, part) + minutes
    lunch = _LUNCH.search(words)
    if lunch and hour is not None and part == PARTS["pranzo"]:  # "prima di pranzo alle dieci": lunch the
        part = None                                                # reference, the hour the time meant
    if lunch and hour is None:  # "dopo pranzo", "before lunch": from / until one o'clock; an hour said wins
        return TimeSaid(day, None, 13, "after" if lunch["prep"] in AFTER + ("dopo",) else "before", weekday,
                        date=date, place=place)
    return TimeSaid(day, part, hour, relation, weekday, lean, date, place)

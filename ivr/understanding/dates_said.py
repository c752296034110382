"""The days of the week, months and days of the month named in an answer ("il quindici", "the fifteenth",
"lunedì 14", "15 dicembre"), and the number of an hour said in a word: the calendar half of times_said.py.
"""
from __future__ import annotations

import re

from ivr.understanding.spoken_numbers import TEENS, UNITS, italian_word

WEEKDAYS = {name: day for day, names in enumerate((("lunedi", "monday"), ("martedi", "tuesday"),
                                                    ("mercoledi", "wednesday"), ("giovedi", "thursday"),
                                                    ("venerdi", "friday"), ("sabato", "saturday"),
                                                    ("domenica", "sunday"))) for name in names}
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
_NTH = re.compile(r"^(?P<n>\d{1,2})(?:st|nd|rd|th)$")


def _day_number(tokens: list[str], i: int) -> tuple[int | None, int]:
    """The day of the month at tokens[i] ("quindici", "15", "fifteenth", "twenty first", "15th") and how
    many words it takes, or (None, 1); an ordinal says it is a date, a number needs "il" or a month."""
    word, nxt = tokens[i], tokens[i + 1] if i + 1 < len(tokens) else ""
    if word in ("twenty", "thirty") and nxt in ORDINALS and ORDINALS[nxt] < 10:
        return (20 if word == "twenty" else 30) + ORDINALS[nxt], 2
    if word in ORDINALS or _NTH.match(word):
        return (ORDINALS[word] if word in ORDINALS else int(_NTH.match(word)["n"])), 1
    value = int(word) if word.isdigit() and len(word) <= 2 else hour_value(word) if not word.isdigit() else None
    return value, 1


def date_said(tokens: list[str]) -> tuple[int, int | None] | None:
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


def hour_value(word: str) -> int | None:
    """The number of an hour said in a word or digits ("dieci", "ten", "10", "noon"), up to 24, or None."""
    if word.isdigit():
        return int(word)
    if word in ("mezzogiorno", "noon", "midday"):
        return 12
    value = UNITS.get(word, TEENS.get(word))
    if value is None and italian_word(word) is not None:
        value = int(italian_word(word))
    return value if value is not None and value <= 24 else None

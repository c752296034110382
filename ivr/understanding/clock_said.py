"""A clock time said with its minutes in words or digits ("quarter past ten", "twenty past two", "quarter to
twelve", "le dieci e un quarto", "le undici meno un quarto", "10 30" as a recogniser writes 10:30): the hour, and
the minutes as a fraction of it, for times_said.py. "Half six" and "le sei e mezza" are times_said's own.
"""
from __future__ import annotations

import re

from ivr.understanding.dates_said import hour_value

PAST = {"five": 5, "ten": 10, "quarter": 15, "twenty": 20, "twenty five": 25}
# "quarter to twelve" only: "ten to twelve", "five to seven" are as often a span (ten till twelve)
_PAST = re.compile(r"\b(?P<m>twenty five|five|ten|quarter|twenty)\s+past\s+(?P<h>\w+)\b")
_TO = re.compile(r"\bquarter\s+to\s+(?P<h>\w+)\b")
_QUARTER = re.compile(r"\b(?P<h>\w+)\s+(?P<how>e un quarto|e quindici|meno un quarto|e trenta|e quaranta)\b")
ITALIAN = {"e un quarto": 0.25, "e quindici": 0.25, "e trenta": 0.5, "e quaranta": 40 / 60, "meno un quarto": -0.25}
_DIGITS = re.compile(r"\b(?P<h>\d{1,2})\s+(?P<m>[0-5]\d)\b")


def minutes_said(words: str) -> tuple[str, float, int | None]:
    """(the words with the clock time said as its hour alone, the minutes past it as a fraction, the hour), or
    (words, 0.0, None) when no such time is said. "Quarter to twelve" is 11 and three quarters."""
    for pattern in (_PAST, _TO, _QUARTER, _DIGITS):
        found = pattern.search(words)
        hour = hour_value(found["h"]) if found else None
        if hour is None or not 0 <= hour <= 24:
            continue
        if pattern is _PAST:
            minutes = PAST[found["m"]] / 60
        elif pattern is _DIGITS:
            minutes = int(found["m"]) / 60
        else:
            minutes = -0.25 if pattern is _TO else ITALIAN[found["how"]]
        if minutes < 0:
            hour, minutes = hour - 1, 1 + minutes
        return words[:found.start()] + str(hour) + words[found.end():], minutes, hour
    return words, 0.0, None

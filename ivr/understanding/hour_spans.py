"""Hour spans said without "dalle" or "from" at the window menu (brief H21).

Italian: "undici all'una", "le tre alle cinque" are read as "dalle undici all'una", "dalle tre alle cinque" (the
window that starts then, as times_said.py reads every span) when the second hour comes one to four hours after the
first; "lunedì sette alle dieci", "il quindici alle tre", "sabato dodici alle nove" stay a date and an hour.

English: "eleven to one", "eleven till one" were read as spans already. "Ten to one" alone is both a span (ten till
one) and a clock time (12:50): `clock_reading` gives the clock time's words, and window_choice.py books a window only
when both readings pick the same one (else the call asks again).
"""
from __future__ import annotations

import re

from ivr.understanding.dates_said import MONTHS, WEEKDAYS, hour_value

# "le undici all'una", "tre alle cinque": an hour, "alle"/"all", an hour; the word before is checked in `_bare`
_BARE = re.compile(r"\b(?:(?P<article>le|l)\s+)?(?P<first>\w+)\s+(?:alle|all)\s+(?P<last>\w+)\b")
# a word right before the first hour that makes it a date, a key or part of a span already said
NOT_AFTER = set(WEEKDAYS) | {"il", "lo", "giorno", "dalle", "dall", "da", "delle", "dell", "tra", "fra", "verso",
                             "alle", "all", "dopo", "prima", "entro", "fino", "tasto", "numero", "opzione"}
LONGEST = 4   # the longest span read, in hours: "sette alle dieci" yes, "due alle nove" no
# "ten to one": minutes to an hour (quarter to is clock_said.py's), unless "from", "dalle", "between" leads it
_MINUTES_TO = re.compile(r"\b(?P<m>twenty five|twenty|ten|five)\s+to\s+(?P<h>\w+)\b")
MINUTES = {"five": 5, "ten": 10, "twenty": 20, "twenty five": 25}
SPAN_LEADS = ("from", "between", "dalle", "dall", "da")


def _bare(words: str, match: re.Match) -> bool:
    """Whether `match` is a span said without "dalle": two hours of the day one to LONGEST hours apart, not a
    date ("lunedì sette alle dieci") nor a span led already ("dalle tre alle cinque")."""
    first, last = hour_value(match["first"]), hour_value(match["last"])
    if first is None or last is None or not 1 <= (last - first) % 12 <= LONGEST:
        return False
    before = words[:match.start()].split()[-1:]
    after = words[match.end():].split()[:1]
    return not (set(before) & NOT_AFTER or after and after[0] in MONTHS or before and before[0].isdigit())


def spans_led(words: str) -> str:
    """The normalised answer with an Italian span said without "dalle" led by it ("le undici all una" ->
    "dalle undici alle una"); else as said."""
    for match in _BARE.finditer(words):
        if _bare(words, match):
            return words[:match.start()] + f"dalle {match['first']} alle {match['last']}" + words[match.end():]
    return words


def clock_reading(words: str) -> tuple[str, float] | None:
    """("one oclock", the minutes to take off) for "ten to one" said alone, the clock time beside the span; None when
    no such words, or a span is led ("from ten to one")."""
    match = _MINUTES_TO.search(words)
    if match is None or hour_value(match["h"]) is None:
        return None
    if set(words[:match.start()].split()[-1:]) & set(SPAN_LEADS):
        return None
    return words[:match.start()] + f"{match['h']} oclock" + words[match.end():], MINUTES[match["m"]] / 60

"""The day, part of the day, date and hour named in an answer ("domani pomeriggio", "lunedì sette alle
dieci e mezza", "after ten at night"): read into a TimeSaid, resolved against the windows offered in
window_choice.py. "Half six", "le sei e mezza" is 18:30; "late afternoon", "nel tardo pomeriggio" leans late.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ivr.understanding.clock_said import minutes_said
from ivr.understanding.dates_said import MONTHS, WEEKDAYS, date_said, hour_value
from ivr.understanding.hour_spans import spans_led
from ivr.understanding.lexical import normalise
from ivr.understanding.meal_times import plain_times

DAYS = {"oggi": 0, "stamattina": 0, "stasera": 0, "stamani": 0, "today": 0, "tonight": 0,
        "domani": 1, "domattina": 1, "tomorrow": 1, "dopodomani": 2}
PARTS = {  # part of the day -> (first hour, last hour) a window may start in
    "mattina": (6, 11), "mattino": (6, 11), "stamattina": (6, 11), "domattina": (6, 11), "morning": (6, 11),
    "pranzo": (11, 13), "lunch": (11, 13), "lunchtime": (11, 13), "mezzogiorno": (11, 12), "noon": (11, 12),
    "mattinata": (6, 11), "pomeriggio": (12, 17), "afternoon": (12, 17),
    "sera": (17, 23), "stasera": (17, 23), "serata": (17, 23), "evening": (17, 23), "tonight": (17, 23),
    "notte": (20, 23), "night": (20, 23), "nottata": (20, 23),
    "mornings": (6, 11), "afternoons": (12, 17), "evenings": (17, 23),   # "mornings are best": any morning
}
BEFORE_LUNCH = (6, 12)   # the hours a window "before lunch" may start in: it ends by about two
# a day or part of the day refused: "non oggi", "not in the morning" (before it), "oggi no" (after it)
REFUSING = {"non", "not"}
MID = 2   # the lean of "mid morning", "metà pomeriggio": the middle of that part of the day
# where looking back for a refusal stops, besides the days and parts: "not the weekend monday please"
WEEKEND = {"weekend", "settimana", "week", "finesettimana"}
# "fifteen hundred hours", "oh nine hundred": the 24-hour clock
_HUNDRED = re.compile(r"\b(?P<h>\w+)\s+hundred(?:\s+hours)?\b")
# a reason that begins after the time asked for ("half ten i open the shop at noon", "alle dieci che nel
# pomeriggio lavoro"): its hours and parts of the day are not the time asked for. STRONG ones cut after a day
# or part of the day too ("domani perché alle nove lavoro"), the others only after an hour
STRONG = {"che", "perche", "poiche", "siccome", "visto", "cause", "because", "since", "cos", "coz"}
# "late afternoon", "nel tardo pomeriggio", "early evening": the hour in that part of the day it points at
LEANING = {"late": 1, "tardo": 1, "tarda": 1, "fine": 1, "early": 0, "primo": 0, "prima": 0, "inizio": 0,
           "mid": MID, "meta": MID, "middle": MID, "mezza": MID}
LEANING_AFTER = {"tardi": 1, "late": 1, "presto": 0}   # "domani mattina presto", "pomeriggio tardi"
LEAN_HOURS = {(6, 11): (8.5, 11.5, 10.5), (12, 17): (13.5, 16.5, 15.0), (17, 23): (17.5, 20.5, 19.5),
              (11, 13): (11.5, 13.0, 12.0)}   # early, late, middle ("mid morning", "a metà mattina": ~10:30)
_HALF = re.compile(r"\b(?:half past|half)\s+(?P<a>\w+)|\b(?P<b>\w+)\s+(?:e mezza|e mezzo|thirty)\b")
AFTER = ("dopo le", "dopo l", "dalle", "dall", "after", "from", "not before", "non prima delle")
BEFORE = ("prima delle", "prima dell", "before", "entro le", "by", "no later than")
AT = ("alle", "all", "verso le", "verso l", "at", "around", "about", "delle", "dell", "le", "l", "tra le", "tra l",
      "fra le", "between")
_HOUR = re.compile(r"\b(?P<prep>" + "|".join(sorted(AFTER + BEFORE + AT, key=len, reverse=True))
                   + r")\s+(?P<hour>\w+)(?:\s+(?P<ampm>am|pm|oclock))?\b|\b(?P<bare>\w+)\s+(?P<clock>pm|am|oclock)\b")
_LUNCH = re.compile(r"\b(?P<prep>dopo|prima di|prima del|after|before)\s+(?:il\s+|my\s+|the\s+)?"
                    r"(?:pranzo|lunch|lunchtime)\b")
# "one till three", "dalle undici all'una"; "alle" joins a span only after "dalle" ("lunedì sette alle dieci":
# the seventh, at ten)
_SPAN = re.compile(r"\b(?:(?P<start>\w+)\s+(?:till|until|to|e le|e l)\s+(?P<end>\w+)"
                   r"|(?:dalle|dall|da)\s+(?P<from>\w+)\s+(?:alle|all|a|fino alle|fino a)\s+(?P<to>\w+)"
                   r"|(?:tra le|fra le|tra l|fra l|between)\s+(?P<low>\w+)\s+(?:e le|e l|e|and)\s+(?P<high>\w+))\b")
_DAY_AFTER = re.compile(r"\b(?:the )?day after tomorrow\b")
# "la prima fascia prima di pranzo", "the first slot before lunch": a place among the windows that fit
PLACES = {"first": 0, "earliest": 0, "prima": 0, "primo": 0, "second": 1, "seconda": 1, "secondo": 1,
          "last": -1, "latest": -1, "ultima": -1, "ultimo": -1, "third": 2, "terza": 2, "terzo": 2, "fourth": 3,
          "quarta": 3, "quarto": 3, "later": -1, "latter": -1, "earlier": 0}
PLACE_AFTER = {"one", "option", "opzione", "choice", "window", "fascia", "slot", "disponibile", "available",
               "libera", "free", "orario", "quella", "quello"}
PLACE_LEAD = {"la", "il", "lo", "l", "the"}   # "sabato la seconda": an article, then the place
PLACE_OF = {"di", "del", "della", "on", "of", "for", "per", "please", "grazie", "thanks"}
# "eight fifteen pm": the hour and its minutes before am/pm
_MINUTES = re.compile(r"\b(?P<h>\w+)\s+(?P<m>fifteen|thirty|forty five|forty|twenty|ten|fifty|five)\s+"
                      r"(?P<ampm>am|pm)\b")
MINUTE_WORDS = {"five": 5, "ten": 10, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "forty five": 45,
                "fifty": 50}
# a reason after the day asked for ("oggi che lunedì lavoro", "today please i work monday"): its days are not
# the one asked for
REASON = {"che", "perche", "poiche", "siccome", "visto", "cause", "because", "since", "cos", "coz", "i", "im",
          "lavoro", "sono", "busy", "work"}


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


def _said(tokens: list[str], table: dict):
    """The last entry of `table` named and not refused ("oggi no domani" -> domani), or None."""
    found = None
    for i, word in enumerate(tokens):
        if word not in table:
            continue
        before = []
        for back in tokens[max(0, i - 3):i][::-1]:  # back to the previous day or part named
            if back in DAYS or back in PARTS or back in WEEKDAYS or back in WEEKEND:
                break
            before.append(back)
        after = tokens[i + 1:i + 3]  # "oggi no", "today's no good", "today is no use"
        if not (set(before) & REFUSING or after[:1] == ["no"] or after[:1] in (["s"], ["is"]) and after[1:] == ["no"]):
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
    """"the first slot", "l'ultima fascia", "the earliest one": a place said with what it is a place of; "the
    second saturday one", "sabato la seconda", "la seconda di sabato": a place among the windows of that day."""
    for i, word in enumerate(tokens):
        after, then = (tokens[i + 1:i + 3] + ["", ""])[:2]
        led = i > 0 and tokens[i - 1] in PLACE_LEAD
        if word not in PLACES or after in MONTHS or then in MONTHS:
            continue
        if after in PLACE_AFTER or ((after in DAYS or after in WEEKDAYS) and (led or then in PLACE_AFTER)) \
                or (led and (after in PLACE_OF or after in STRONG or not after)):
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
    """The day, part of the day and hour named in an answer (each None when not said); a reason after it
    that names a time of its own is left out (`_asked_first`)."""
    words = _DAY_AFTER.sub("dopodomani", plain_times(normalise(text)).replace("o clock", "oclock").replace(
        "midmorning", "mid morning"))  # "after dinner": the evening (meal_times.py)
    words = spans_led(words)  # "le undici all'una": from eleven (hour_spans.py)
    words = _HUNDRED.sub(lambda m: _clock(m["h"]) or m[0], words)
    first = _asked_first(words.split())
    if first is not None:
        return first
    half = _HALF.search(words)
    minutes, half_hour = 0.0, None
    if half and hour_value(half["a"] or half["b"]) is not None:  # "half six", "alle sei e mezza": six, and a half
        minutes, half_hour = 0.5, hour_value(half["a"] or half["b"])
        words = words[:half.start()] + (half["a"] or half["b"]) + words[half.end():]
    else:  # "quarter past ten", "le dieci e un quarto", "10 30": the hour, and its minutes
        words, minutes, half_hour = minutes_said(words)
    clock = _MINUTES.search(words)
    if clock and hour_value(clock["h"]) is not None and hour_value(clock["h"]) <= 12 and half_hour is None:
        minutes = MINUTE_WORDS[clock["m"]] / 60
        words = words[:clock.start()] + f"{clock['h']} {clock['ampm']}" + words[clock.end():]
    tokens = words.split()
    date = date_said(tokens)
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
    if span and hour_value(first) is not None and hour_value(last) is not None:
        value = hour_value(first)
        date = date_said((words[:span.start()] + words[span.end():]).split())  # "nine till eleven": no 9th
        part = None if {first, last} & PARTS.keys() else part  # "dalle dieci a mezzogiorno": noon an end
        return TimeSaid(day, part, value + 12 if value < 8 else value, "at", weekday, date=date, place=place)
    for match in _HOUR.finditer(words):
        value = hour_value(match["hour"] or match["bare"])
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
    after = lunch and (lunch["prep"] in AFTER + ("dopo",) or words[:lunch.start()].split()[-1:] in (["not"], ["non"]))
    if lunch and hour is None and after:  # "dopo pranzo", "not before lunch": from one; an hour said wins
        return TimeSaid(day, None, 13, "after", weekday, date=date, place=place)
    if lunch and hour is None:  # "before lunch", "prima di pranzo": the soonest window that ends by two (round 10)
        return TimeSaid(day, BEFORE_LUNCH, None, "at", weekday, date=date, place=place)
    return TimeSaid(day, part, hour, relation, weekday, lean, date, place)


def _clock(word: str) -> str | None:
    """"fifteen" of "fifteen hundred hours" as "15 pm", "oh nine" as "9 am"; None when no hour of the day."""
    value = hour_value(word)
    return None if value is None else f"{value} am" if value < 12 else f"{value} pm"


def _asked_first(tokens: list[str]) -> TimeSaid | None:
    """The time named before a reason that names an hour or a part of the day of its own ("half ten would be
    ideal i open the shop at noon" -> half ten), or None when the answer has no such shape."""
    for markers, needs_hour in ((REASON, True), (STRONG, False)):
        cut = next((i for i in range(1, len(tokens)) if tokens[i] in markers), None)
        if cut is None:
            continue
        head, rest = time_said(" ".join(tokens[:cut])), time_said(" ".join(tokens[cut:]))
        if (head.hour is not None or (not needs_hour and (not head.empty or head.place is not None))) \
                and (rest.hour is not None or rest.part is not None):
            return head
    return None

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
from dataclasses import replace
from datetime import datetime, timedelta

from ivr.understanding.dates_said import WEEKDAYS
from ivr.understanding.hour_spans import clock_reading
from ivr.understanding.hours_corrected import hour_corrected
from ivr.understanding.lexical import normalise
from ivr.understanding.meal_times import next_week_named, weekend_named
from ivr.understanding.times_said import LEAN_HOURS, MID, PARTS, PLACE_AFTER, PLACES, REASON, STRONG, time_said

# "the afternoon one", "quella del pomeriggio": one window meant by its part of the day, so it must be the only one
_PART_WORDS = "|".join(sorted(PARTS, key=len, reverse=True))
_DEFINITE = re.compile(rf"\b(?:the|that)\s+(?:{_PART_WORDS})\s+(?:one|slot|window)\b"
                       rf"|\bquella\s+(?:del|della|di|nel|nella)\s+(?:{_PART_WORDS})\b")


# before the place ("ecco l'ultima", "I'll take the last one") and after it ("the last one please")
PLACE_LEADS = {"ecco", "allora", "um", "uh", "er", "ehm", "eh", "well", "ok", "okay", "i", "ll", "take", "prendo",
               "faccio", "scelgo", "direi", "go", "for", "with", "vado", "con", "la", "il", "l", "lo", "the", "that",
               "facciamo", "va", "bene", "mi", "metta", "dia", "give", "me", "let", "s", "do", "have", "can", "could",
               "we", "put", "down", "just", "yeah", "yes", "si", "oh", "ah", "mah", "beh"}
POLITE = {"please", "thanks", "grazie", "per", "favore", "pure", "then", "allora"}
REASONS = REASON | STRONG | {"as", "visto", "dato", "tanto"}
# what a place is a place of ("the last one on the list", "l'ultima delle tre"), and "the final one"
OF_THEM = PLACE_AFTER | POLITE | {"on", "the", "list", "of", "them", "in", "della", "lista", "delle", "tra", "fra",
                                  "quelle", "those", "three", "tre", "offered", "proposte"}
FINAL = {**PLACES, "final": -1, "finale": -1}


def place_before_reason(text: str, count: int) -> int | None:
    """"l'ultima perché martedì e giovedì lavoro", "the last one, I'm at work friday": the window at the place said
    first (among all `count` offered), when a reason naming days or hours of its own follows it; else None."""
    words = normalise(text or "").split()
    at = next((i for i, w in enumerate(words) if w not in PLACE_LEADS), len(words))
    if at == len(words) or words[at] not in FINAL or (words[at] in ("prima", "primo") and words[at - 1:at] not in
                                                       (["la"], ["il"], ["l"], ["quella"], ["quello"])):
        return None  # "prima che …": before, no place
    end = next((i for i in range(at + 1, len(words)) if words[i] not in OF_THEM), len(words))
    days = {w.rstrip("s") for w in words[end:]} & WEEKDAYS.keys()  # "i do mondays": days, whatever time_said reads
    if end == len(words) or words[end] not in REASONS or (time_said(" ".join(words[end:])).empty and not days):
        return None
    place = FINAL[words[at]]
    return place % count if -count <= place < count else None


def _hours(moment: datetime) -> float:
    return moment.hour + moment.minute / 60


def _at_hour(fits: list[int], windows: list[tuple[datetime, datetime]], hour: float) -> bool:
    return any(_hours(windows[i][0]) <= hour < _hours(windows[i][1]) for i in fits)


def resolve(text: str, windows: list[tuple[datetime, datetime]], now: datetime) -> tuple[bool, int | None]:
    """(a time was named, the index of the one offered window it names, or None). "Ten to one" alone names a
    window only when the span (ten till one) and the clock time (12:50) pick the same one (hour_spans.py)."""
    named, index = _resolved(text, windows, now)
    clock = clock_reading(normalise(hour_corrected(text)))
    if clock is None or index is None:
        return named, index
    words, less = clock
    return named, index if _resolved(words, windows, now, less)[1] == index else None


def _resolved(text: str, windows: list[tuple[datetime, datetime]], now: datetime,
              less: float = 0.0) -> tuple[bool, int | None]:
    """`resolve`, the hour said `less` hours earlier ("ten to one": one, less a sixth)."""
    text = normalise(hour_corrected(text))  # "alle sei anzi no alle tre": three
    text, next_week = next_week_named(text)  # "after the weekend", "la settimana prossima"
    text = text if next_week else weekend_named(text, windows)  # "the weekend one": the Saturday window
    said = time_said(text)
    said = replace(said, hour=said.hour - less) if less and said.hour is not None else said
    monday = (now + timedelta(days=7 - now.weekday())).date()
    fits = [i for i, (start, _) in enumerate(windows) if not next_week or start.date() >= monday]
    if next_week and said.empty:  # the first window from Monday on, never one before or during the weekend
        return True, fits[0] if fits else None
    if said.empty or not windows:
        return (not said.empty), None
    day = said.day
    if said.weekday is not None and said.date is not None:  # "lunedì sette": the date, on that weekday
        fits = [i for i in fits if windows[i][0].weekday() == said.weekday]
    elif said.weekday is not None:  # "mercoledì": a day this week (today included), offered or not
        weekday_day = (said.weekday - now.weekday()) % 7
        if day is not None and day != weekday_day:
            return True, None  # "domani mercoledì" on a Monday: two different days, not a choice
        day = weekday_day if weekday_day or any(w[0].date() == now.date() for w in windows) else 7
    if day is not None:  # "lunedì" said on a Monday with no window today: next Monday
        on_day = [i for i in fits if (windows[i][0].date() - now.date()).days == day]
        if said.weekday is not None and said.hour is not None and not _at_hour(on_day, windows, said.hour):
            on_day += [i for i in fits if (windows[i][0].date() - now.date()).days == day + 7]
        fits = on_day  # "tuesday twelve till two": next week's Tuesday when only that one is offered at noon
    if said.date is not None:  # "il quindici": the window on that date, if one is offered
        date, month = said.date
        fits = [i for i in fits if windows[i][0].day == date and month in (None, windows[i][0].month)]
    start, end = [_hours(w[0]) for w in windows], [_hours(w[1]) for w in windows]
    if said.part is not None:
        first, last = said.part
        fits = ([i for i in fits if first <= start[i] <= last]
                or [i for i in fits if start[i] < first < end[i]])
        if said.lean is not None and said.hour is None and said.place is None and fits:
            point = LEAN_HOURS.get(said.part, (first + 1, last, (first + last) / 2))[said.lean]
            holding = [i for i in fits if start[i] <= point < end[i]]
            if said.lean == MID and not holding:
                return True, None  # "mid morning", and no window holds half past ten: asked again
            fits = holding or (fits[-1:] if said.lean else fits[:1])
    if said.hour is not None:
        hour = said.hour
        if said.relation == "after":
            fits = [i for i in fits if start[i] >= hour] or [i for i in fits if start[i] < hour < end[i]]
        elif said.relation == "before":
            fits = [i for i in fits if end[i] <= hour] or [i for i in fits if start[i] < hour]
        else:
            fits = [i for i in fits if start[i] == hour] or [i for i in fits if start[i] < hour < end[i]]
    if not fits:  # a time that fits none of the windows offered is not a choice
        return True, None
    if said.place is not None and said.weekday is not None and said.hour is not None and len(fits) == 1:
        return True, fits[0]  # "the second tuesday twelve to two": the day's ordinal, the one window at that hour
    if said.place is not None:  # "the first slot before lunch": that place among the windows that fit
        at = said.place % len(windows) if -len(windows) <= said.place < len(windows) else None
        if at in fits and (said.relation == "at" if said.hour is not None else said.part is None):
            return True, at  # "la prima, dalle dieci a mezzogiorno", "la seconda, di lunedì": place and time agree
        if -len(fits) <= said.place < len(fits):
            return True, fits[said.place]
        # "la seconda, quella da mezzogiorno alle due": the place among all offered, when the hour agrees;
        # "the third one saturday later on": an ordinal wins over a vaguer time
        return True, at if at in fits or (at is not None and said.hour is None) else None
    if len(fits) > 1 and said.hour is None and said.lean is None and _DEFINITE.search(normalise(text)):
        return True, None  # "the afternoon one" when two are in the afternoon: which is not said
    # "domani", "nel pomeriggio", "after five": the first window that fits; "before two" the last
    return True, fits[-1] if said.hour is not None and said.relation == "before" else fits[0]

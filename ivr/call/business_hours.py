"""Opening hours of the human desk: when it is open, when it opens next, which callback windows to offer."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SEARCH_DAYS = 31  # a desk closed for a whole month is a configuration error, not a schedule
PROMISE_STEP = timedelta(minutes=15)  # a promised span is said in quarters of an hour ("tra le 8 e 30 e le 9 e 15")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


class NoOpening(LookupError):
    """The desk does not open within the search horizon."""


@dataclass(frozen=True)
class Window:
    """A callback window; aware datetimes in the business timezone."""
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Period:
    """One opening period of a weekday; `end` may be 24:00, stored as minutes."""
    start: int
    end: int


def _minutes(text: str, spec: str) -> int:
    match = _TIME.match(text)
    if not match:
        raise ValueError(f"bad time {text!r} in business hours {spec!r}: expected HH:MM")
    hours, minutes = int(match[1]), int(match[2])
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise ValueError(f"bad time {text!r} in business hours {spec!r}")
    return hours * 60 + minutes


def _days(text: str, spec: str) -> list[int]:
    found: list[int] = []
    for part in text.lower().split(","):
        first, _, last = part.strip().partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise ValueError(f"bad day {part.strip()!r} in business hours {spec!r}: use {'/'.join(DAYS)}")
        a, b = DAYS.index(first), DAYS.index(last or first)
        if b < a:
            raise ValueError(f"day range {part.strip()!r} in {spec!r} runs backwards")
        found.extend(range(a, b + 1))
    return found


def _parse(spec: str) -> dict[int, tuple[Period, ...]]:
    week: dict[int, list[Period]] = {day: [] for day in range(7)}
    clauses = [clause.strip() for clause in spec.split(";") if clause.strip()]
    if not clauses:
        raise ValueError("business hours are empty: expected e.g. 'mon-fri 08:30-21:30; sat 09:00-18:00'")
    for clause in clauses:
        days, *ranges = clause.split()
        if not ranges:
            raise ValueError(f"no hours for {days!r} in business hours {spec!r}")
        for text in ranges:
            start_text, sep, end_text = text.partition("-")
            if not sep:
                raise ValueError(f"bad range {text!r} in business hours {spec!r}: expected HH:MM-HH:MM")
            start, end = _minutes(start_text, spec), _minutes(end_text, spec)
            if end <= start:
                # overnight shifts would need periods that span two dates; say so instead of guessing
                raise ValueError(f"range {text!r} in {spec!r} must end after it starts (no overnight ranges)")
            for day in _days(days, spec):
                week[day].append(Period(start, end))
    for day, periods in week.items():
        periods.sort(key=lambda p: p.start)
        for before, after in zip(periods, periods[1:]):
            if after.start < before.end:
                raise ValueError(f"overlapping hours on {DAYS[day]} in business hours {spec!r}")
    return {day: tuple(periods) for day, periods in week.items()}


class BusinessHours:
    """A weekly timetable in one timezone, closed on the public holidays of one country."""

    def __init__(self, week: dict[int, tuple[Period, ...]], timezone: str, holiday_country: str):
        self.week, self.tz = week, ZoneInfo(timezone)
        # the holidays object fills in years lazily as dates are asked for
        self.holidays = holidays.country_holidays(holiday_country)

    @classmethod
    def parse(cls, spec: str, timezone: str = "Europe/Rome", holiday_country: str = "IT") -> "BusinessHours":
        return cls(_parse(spec), timezone, holiday_country)

    def is_holiday(self, day: date) -> bool:
        return day in self.holidays

    def periods_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The opening periods of one local date as aware datetimes; none on holidays."""
        if self.is_holiday(day):
            return []
        return [(self._at(day, p.start), self._at(day, p.end)) for p in self.week[day.weekday()]]

    def _at(self, day: date, minutes: int) -> datetime:
        # wall-clock arithmetic from local midnight (so 24:00 is the next midnight);
        # astimezone normalises the rare time that falls in a DST gap
        moment = datetime.combine(day, time(0), tzinfo=self.tz) + timedelta(minutes=minutes)
        return moment.astimezone(self.tz)

    def _periods_from(self, at: datetime):
        """Every opening period that ends after `at`, in order, for up to SEARCH_DAYS days."""
        local = at.astimezone(self.tz)
        for offset in range(SEARCH_DAYS + 1):
            for start, end in self.periods_on(local.date() + timedelta(days=offset)):
                if end > local:
                    yield start, end

    def is_open(self, at: datetime) -> bool:
        local = at.astimezone(self.tz)
        return any(start <= local < end for start, end in self.periods_on(local.date()))

    def next_opening(self, at: datetime) -> datetime:
        local = at.astimezone(self.tz)
        for start, _end in self._periods_from(local):
            return max(start, local)
        raise NoOpening(f"the desk does not open within {SEARCH_DAYS} days of {local.isoformat()}")

    def open_after(self, start: datetime, seconds: float) -> datetime:
        """The moment `seconds` of opening hours after `start` (closed hours and days do not count)."""
        left = timedelta(seconds=max(0.0, seconds))
        for opens, closes in self._periods_from(start):
            opens = max(opens, start.astimezone(self.tz))
            if left <= closes - opens:
                return opens + left
            left -= closes - opens
        raise NoOpening(f"{seconds:.0f} s of opening hours do not fit within {SEARCH_DAYS} days")

    def promise(self, opening: datetime, earliest: float, latest: float) -> Window:
        """When a customer waiting for `opening` will be called: from `earliest` to `latest` seconds of
        opening hours after it, widened to whole quarters of an hour (never shorter than one quarter).
        """
        start = max(_floor(self._open_after_capped(opening, earliest)), opening.astimezone(self.tz))
        end = _ceil(self._open_after_capped(opening, max(latest, earliest)), self.tz)
        return Window(start, max(end, start + PROMISE_STEP))

    def _open_after_capped(self, start: datetime, seconds: float) -> datetime:
        """open_after, or the last closing within the horizon: a huge backlog must not fail the call."""
        try:
            return self.open_after(start, seconds)
        except NoOpening:
            closings = [closes for _opens, closes in self._periods_from(start)]
            if not closings:
                raise
            return closings[-1]

    def windows(self, at: datetime, length: timedelta, count: int,
                lead: timedelta = timedelta(minutes=30)) -> list[Window]:
        """The next `count` windows starting on whole hours after at+lead; fewer if the horizon runs out."""
        if length <= timedelta(0) or count < 0:
            raise ValueError("windows need a positive length and a non-negative count")
        earliest = (at + lead).astimezone(self.tz)
        found: list[Window] = []
        for start, end in self._periods_from(earliest):
            cursor = _next_whole_hour(max(start, earliest), self.tz)
            while len(found) < count and cursor < end:
                stop = min(cursor + length, end)
                # a stub shorter than half a window is not worth promising to a caller
                if stop - cursor < length / 2:
                    break
                found.append(Window(cursor, stop))
                cursor = _next_whole_hour(stop, self.tz)
            if len(found) >= count:
                break
        return found


def _next_whole_hour(moment: datetime, tz: ZoneInfo) -> datetime:
    """`moment` if it is on the hour, else the next full hour (in absolute time, safe across DST)."""
    if moment.minute == moment.second == moment.microsecond == 0:
        return moment
    floored = moment.replace(minute=0, second=0, microsecond=0)
    return (floored.astimezone(ZoneInfo("UTC")) + timedelta(hours=1)).astimezone(tz)


def _floor(moment: datetime) -> datetime:
    """Down to the quarter of an hour (wall clock; the offsets here are whole hours)."""
    return moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)


def _ceil(moment: datetime, tz: ZoneInfo) -> datetime:
    """Up to the quarter of an hour, in absolute time so it is safe across DST."""
    floored = _floor(moment)
    if floored == moment:
        return moment
    return (floored.astimezone(ZoneInfo("UTC")) + PROMISE_STEP).astimezone(tz)

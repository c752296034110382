"""Opening hours: boundaries, Italian holidays, next opening and callback windows."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from ivr.call.business_hours import BusinessHours, NoOpening, Window

ROME = ZoneInfo("Europe/Rome")
SPEC = "mon-fri 08:30-21:30; sat 09:00-18:00"


def rome(*args) -> datetime:
    return datetime(*args, tzinfo=ROME)


@pytest.fixture
def hours() -> BusinessHours:
    return BusinessHours.parse(SPEC)


@pytest.mark.parametrize("at, expected", [
    (rome(2026, 3, 9, 8, 29, 59), False),    # Monday, just before opening
    (rome(2026, 3, 9, 8, 30), True),
    (rome(2026, 3, 9, 14, 0), True),
    (rome(2026, 3, 9, 21, 29, 59), True),
    (rome(2026, 3, 9, 21, 30), False),       # closing time itself is closed
    (rome(2026, 3, 13, 21, 0), True),        # Friday evening
    (rome(2026, 3, 14, 8, 59), False),       # Saturday opens later
    (rome(2026, 3, 14, 9, 0), True),
    (rome(2026, 3, 14, 17, 59), True),
    (rome(2026, 3, 14, 18, 0), False),
    (rome(2026, 3, 15, 12, 0), False),       # Sunday
    (rome(2026, 3, 10, 3, 0), False),        # night
], ids=str)
def test_open_around_boundaries(hours, at, expected):
    assert hours.is_open(at) is expected


@pytest.mark.parametrize("day, name", [
    ((2026, 12, 25), "Natale"),
    ((2026, 12, 26), "Santo Stefano (a Saturday, normally open)"),
    ((2027, 1, 1), "Capodanno"),
    ((2026, 6, 2), "Festa della Repubblica"),
    ((2027, 3, 29), "Pasquetta"),
    ((2026, 8, 15), "Ferragosto (a Saturday)"),
    ((2026, 4, 25), "Liberazione (a Saturday)"),
    ((2027, 10, 4), "San Francesco, national holiday again from 2026"),
    ((2026, 12, 8), "Immacolata"),
])
def test_closed_on_italian_holidays(hours, day, name):
    assert not hours.is_open(rome(*day, 12, 0)), name


@pytest.mark.parametrize("day", [(2026, 12, 24), (2026, 12, 28), (2027, 3, 30), (2026, 6, 3)])
def test_open_on_the_working_days_around_holidays(hours, day):
    assert hours.is_open(rome(*day, 12, 0))


def test_holiday_country_is_configurable():
    # 2 June is a holiday only in Italy
    french = BusinessHours.parse(SPEC, holiday_country="FR")
    assert french.is_open(rome(2026, 6, 2, 12, 0))


@pytest.mark.parametrize("at, expected", [
    (datetime(2026, 1, 12, 7, 30, tzinfo=timezone.utc), True),   # 08:30 CET
    (datetime(2026, 1, 12, 7, 29, tzinfo=timezone.utc), False),
    (datetime(2026, 7, 13, 6, 30, tzinfo=timezone.utc), True),   # 08:30 CEST
    (datetime(2026, 7, 13, 19, 30, tzinfo=timezone.utc), False),  # 21:30 CEST
])
def test_any_timezone_is_read_in_business_time(hours, at, expected):
    assert hours.is_open(at) is expected


@pytest.mark.parametrize("at, expected", [
    (rome(2026, 3, 7, 19, 0), rome(2026, 3, 9, 8, 30)),      # Saturday evening → Monday
    (rome(2026, 3, 8, 11, 0), rome(2026, 3, 9, 8, 30)),      # Sunday
    (rome(2026, 3, 9, 7, 0), rome(2026, 3, 9, 8, 30)),       # early Monday
    (rome(2026, 3, 13, 22, 0), rome(2026, 3, 14, 9, 0)),     # Friday night → Saturday
    (rome(2026, 12, 24, 22, 0), rome(2026, 12, 28, 8, 30)),  # Christmas, Santo Stefano, Sunday
    (rome(2027, 3, 27, 19, 0), rome(2027, 3, 30, 8, 30)),    # Easter weekend and Pasquetta
    (rome(2026, 12, 31, 22, 0), rome(2027, 1, 2, 9, 0)),     # New Year's Day → Saturday
], ids=str)
def test_next_opening(hours, at, expected):
    opening = hours.next_opening(at)
    assert opening == expected
    assert opening.tzinfo == ROME


def test_next_opening_is_now_when_open(hours):
    now = rome(2026, 3, 9, 10, 17, 3)
    assert hours.next_opening(now) == now
    utc_now = now.astimezone(timezone.utc)
    assert hours.next_opening(utc_now) == now


def test_next_opening_gives_up_when_never_open():
    closed = BusinessHours({day: () for day in range(7)}, "Europe/Rome", "IT")
    with pytest.raises(NoOpening):
        closed.next_opening(rome(2026, 3, 9, 10, 0))


@pytest.mark.parametrize("at, length_h, expected", [
    # Friday afternoon: whole hours after a 30-minute lead; the 21:00-21:30 stub is skipped
    (rome(2026, 3, 13, 14, 10), 2, [(13, 15, 17), (13, 17, 19), (13, 19, 21), (14, 9, 11)]),
    # a lead that lands on a whole hour keeps it
    (rome(2026, 3, 9, 8, 30), 2, [(9, 9, 11), (9, 11, 13), (9, 13, 15), (9, 15, 17)]),
    # Saturday: the last window is trimmed to 17-18 (a full half of the length)
    (rome(2026, 3, 14, 13, 0), 2, [(14, 14, 16), (14, 16, 18), (16, 9, 11), (16, 11, 13)]),
    # Saturday, 3-hour windows: 17:00-18:00 is shorter than half and is skipped
    (rome(2026, 3, 14, 10, 0), 3, [(14, 11, 14), (14, 14, 17), (16, 9, 12), (16, 12, 15)]),
    # Christmas Eve night jumps over two holidays and a Sunday
    (rome(2026, 12, 24, 20, 0), 2, [(28, 9, 11), (28, 11, 13), (28, 13, 15), (28, 15, 17)]),
], ids=["friday", "monday-open", "saturday-trim", "saturday-skip", "christmas"])
def test_windows(hours, at, length_h, expected):
    found = hours.windows(at, timedelta(hours=length_h), 4)
    starts_ends = [(w.start.day, w.start.hour, (w.end.hour if w.end.minute == 0 else w.end.hour + 0.5))
                   for w in found]
    assert starts_ends == expected


@pytest.mark.parametrize("at", [rome(2026, 3, 9, 6, 0) + timedelta(minutes=17 * k) for k in range(0, 700, 37)])
def test_windows_stay_inside_opening_hours(hours, at):
    length = timedelta(hours=2)
    found = hours.windows(at, length, 5)
    assert len(found) == 5
    for window in found:
        assert isinstance(window, Window)
        assert window.start >= at + timedelta(minutes=30)
        assert window.start.minute == window.start.second == 0
        assert length / 2 <= window.end - window.start <= length
        assert hours.is_open(window.start)
        assert hours.is_open(window.end - timedelta(seconds=1))   # never crosses a closing time
        assert window.start.tzinfo == ROME
    assert all(a.end <= b.start for a, b in zip(found, found[1:]))


def test_windows_across_the_dst_switch(hours):
    # clocks go forward in the night of 28-29 March 2026
    found = hours.windows(rome(2026, 3, 28, 17, 0), timedelta(hours=2), 2)
    assert [w.start for w in found] == [rome(2026, 3, 30, 9, 0), rome(2026, 3, 30, 11, 0)]
    assert found[0].start.utcoffset() == timedelta(hours=2)


def test_windows_count_zero_and_bad_length(hours):
    assert hours.windows(rome(2026, 3, 9, 10, 0), timedelta(hours=1), 0) == []
    with pytest.raises(ValueError):
        hours.windows(rome(2026, 3, 9, 10, 0), timedelta(0), 3)


def test_split_days_and_several_ranges():
    hours = BusinessHours.parse("mon,wed 09:00-12:00 14:00-18:00")
    assert hours.is_open(rome(2026, 3, 9, 10, 0))
    assert not hours.is_open(rome(2026, 3, 9, 13, 0))            # lunch break
    assert hours.is_open(rome(2026, 3, 11, 15, 0))
    assert not hours.is_open(rome(2026, 3, 10, 10, 0))           # Tuesday
    assert hours.next_opening(rome(2026, 3, 9, 12, 30)) == rome(2026, 3, 9, 14, 0)
    found = hours.windows(rome(2026, 3, 9, 10, 45), timedelta(hours=2), 3)
    assert [(w.start.hour, w.end.hour) for w in found] == [(14, 16), (16, 18), (9, 11)]


def test_whole_day_until_midnight():
    hours = BusinessHours.parse("mon-sun 00:00-24:00", holiday_country="FR")
    assert hours.is_open(rome(2026, 3, 9, 23, 59))
    assert hours.is_open(rome(2026, 3, 10, 0, 0))


@pytest.mark.parametrize("spec", [
    "", " ; ", "mon-fri", "mon-fri 8:30", "xyz 09:00-10:00", "mon-fri 09:00-25:00",
    "mon 10:00-09:00", "fri-mon 09:00-10:00", "mon 09:00-12:00 11:00-13:00",
    "mon 09:60-10:00", "mon 0900-1000", "mon 09:00-24:30", "monday 09:00-10:00",
    "mon-fri 08:30-21:30 sat 09:00-18:00",
])
def test_bad_spec_is_refused(spec):
    with pytest.raises(ValueError):
        BusinessHours.parse(spec)


def test_bad_spec_message_names_the_problem():
    with pytest.raises(ValueError, match="'xyz'"):
        BusinessHours.parse("xyz 09:00-10:00")


# -- the promise after hours: opening hours after the opening, in quarters of an hour ------------------
@pytest.mark.parametrize("start, seconds, expected", [
    (rome(2026, 3, 10, 8, 30), 0, rome(2026, 3, 10, 8, 30)),
    (rome(2026, 3, 10, 8, 30), 2700, rome(2026, 3, 10, 9, 15)),
    (rome(2026, 3, 13, 21, 0), 3600, rome(2026, 3, 14, 9, 30)),   # Friday 21:00 + 1 h: half an hour on Saturday
    (rome(2026, 3, 14, 17, 30), 3600, rome(2026, 3, 16, 9, 0)),   # Saturday 17:30 + 1 h: Monday, Sunday closed
])
def test_open_after_counts_opening_hours_only(hours, start, seconds, expected):
    assert hours.open_after(start, seconds) == expected


@pytest.mark.parametrize("earliest, latest, start, end", [
    (0, 300, (8, 30), (8, 45)),        # first in line: within the first quarter
    (600, 900, (8, 30), (8, 45)),      # 8:40-8:45
    (2100, 2700, (9, 0), (9, 15)),     # 9:05-9:15
    (1200, 1500, (8, 45), (9, 0)),     # 8:50-8:55
    (0, 0, (8, 30), (8, 45)),          # never shorter than a quarter
])
def test_promise_is_widened_to_quarters(hours, earliest, latest, start, end):
    opening = rome(2026, 3, 10, 8, 30)
    assert hours.promise(opening, earliest, latest) == Window(rome(2026, 3, 10, *start), rome(2026, 3, 10, *end))


def test_a_promise_past_closing_runs_into_the_next_opening(hours):
    promise = hours.promise(rome(2026, 3, 14, 9, 0), 8.5 * 3600, 9.5 * 3600)  # Saturday: 9 hours open
    assert promise == Window(rome(2026, 3, 14, 17, 30), rome(2026, 3, 16, 9, 0))  # Monday opens at 8:30


def test_a_backlog_beyond_the_horizon_is_promised_up_to_its_last_opening_hour(hours):
    opening = rome(2026, 3, 10, 8, 30)
    promise = hours.promise(opening, 400 * 3600, 401 * 3600)  # more open hours than 31 days hold
    assert promise.start == promise.end - timedelta(minutes=15)
    assert promise.end.date() == (opening + timedelta(days=31)).date()

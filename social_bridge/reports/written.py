"""The written channels' figures per day for the reports, read through their own read APIs:
first-response times and the service level from ServiceLevels (social_bridge/chat/service_levels.py),
satisfaction from Satisfaction (social_bridge/customers/satisfaction.py). Each source is a callable
days -> one dict of counters per day, the shape Reports merges with the ledger's."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Callable
from zoneinfo import ZoneInfo


def _midnight(day: str, zone: ZoneInfo) -> float:
    return datetime.combine(date.fromisoformat(day), time(0), zone).timestamp()


def service_level_days(levels, timezone: str) -> Callable[[list[str]], list[dict[str, int]]]:
    """Per day the requests began (the desk's calendar): how many got a first answer, the seconds to it summed,
    and how many of those were answered within the channel's target (the service level's numerator)."""
    zone = ZoneInfo(timezone)

    def days(names: list[str]) -> list[dict[str, int]]:
        if not names:
            return []
        start = _midnight(min(names), zone)
        end = _midnight((date.fromisoformat(max(names)) + timedelta(days=1)).isoformat(), zone)
        counts = {name: {"first_responses": 0, "first_response_seconds": 0, "service_level_met": 0,
                         "service_level_total": 0} for name in names}
        for record in levels.records(start, end):
            day = counts.get(datetime.fromtimestamp(record.started_at, zone).date().isoformat())
            if day is None or not record.first_response_at:
                continue  # a day not asked for, or a request nobody has answered yet
            day["first_responses"] += 1
            day["first_response_seconds"] += round(record.first_response_seconds)
            day["service_level_total"] += 1
            day["service_level_met"] += 0 if record.first_response_breached else 1
        return [counts[name] for name in names]

    return days


def satisfaction_days(satisfaction) -> Callable[[list[str]], list[dict[str, int]]]:
    """Per day answered: how many scores (1-5) came in, and their sum (the average is sum / answers)."""

    def days(names: list[str]) -> list[dict[str, int]]:
        found = []
        for name in names:
            figures = satisfaction.summary(name, name)["all"]
            found.append({"satisfaction_answers": figures["count"],
                          "satisfaction_sum": sum(int(score) * n for score, n in figures["distribution"].items())})
        return found

    return days


def written_sources(service_levels, satisfaction, timezone: str) -> tuple[Callable, ...]:
    """The sources there are (either may be absent in a test's or a tool's Bridge)."""
    return ((service_level_days(service_levels, timezone),) if service_levels is not None else ()) + \
        ((satisfaction_days(satisfaction),) if satisfaction is not None else ())

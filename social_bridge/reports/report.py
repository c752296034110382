"""A report for a date range, per day or per ISO week, built from the ledger and the calls' daily counts.

The figures (docs/reports.md): contacts by channel and intent, containment (calls solved in self-service
/ calls), requests for a human, handled per agent and average handle time, callback attempts reached /
machine / failed, callers who hung up before choosing; first-response time, service level and
satisfaction where their counts are given (the written channels' service levels and satisfaction).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import Callable

from social_bridge.reports.ledger import parse_field

MAX_DAYS = 366
BY = ("day", "week")
CHANNELS = ("voice", "messenger", "whatsapp", "sms", "x")
KINDS = ("callback", "voicemail", "thread")
DIALED = ("reached", "machine", "failed")
# The columns of every row, in order (docs/reports.md); then intent_<name> per intent of the catalog, intent_other.
COLUMNS = ("period", "from", "to", "contacts", *(f"contacts_{c}" for c in CHANNELS), "contacts_other",
           "calls", "contained", "containment_pct", "hung_up_before_choosing", "average_call_seconds",
           *(f"requests_{k}" for k in KINDS), "handled", "average_handle_seconds",
           *(f"callbacks_{o}" for o in DIALED), "first_response_average_seconds", "service_level_pct",
           "satisfaction_average", "satisfaction_answers")


class RangeRefused(ValueError):
    """A date range a report cannot cover; `code` names why (malformed, reversed, too_long, by)."""

    def __init__(self, code: str, message: str, **values):
        super().__init__(message)
        self.code, self.values = code, values


def parse_range(start: str, end: str, by: str = "day") -> tuple[date, date, str]:
    """The range asked for (YYYY-MM-DD, both days included) and the grouping, or RangeRefused with a sentence."""
    try:
        first, last = date.fromisoformat(start.strip()), date.fromisoformat(end.strip())
    except (ValueError, AttributeError):
        raise RangeRefused("malformed", f"dates must look like 2026-12-01 (from={start!r}, to={end!r})",
                           start=start, end=end) from None
    if last < first:
        raise RangeRefused("reversed", f"'to' ({last}) is before 'from' ({first})", start=first, end=last)
    days = (last - first).days + 1
    if days > MAX_DAYS:
        raise RangeRefused("too_long", f"a report covers at most {MAX_DAYS} days; {first} to {last} is {days}",
                           days=days, max=MAX_DAYS)
    if by not in BY:
        raise RangeRefused("by", f"by must be 'day' or 'week', not {by!r}", by=by)
    return first, last, by


def ratio(part: int, whole: int, scale: int = 1, digits: int = 1):
    """part/whole (times scale), rounded; None when there is nothing to divide."""
    return round(scale * part / whole, digits) if whole else None


@dataclass(frozen=True)
class Period:
    """One row: a day or a week (clipped to the range), and the counts summed over its days."""

    label: str
    start: date
    end: date
    counts: dict = field(default_factory=dict)

    @cached_property
    def _by_label(self) -> dict[str, dict[str, int]]:
        """Every labelled counter, parsed once: name -> label value -> count."""
        found: dict[str, dict[str, int]] = {}
        for text, amount in self.counts.items():
            counter, labels = parse_field(text)
            if len(labels) == 1:
                bucket = found.setdefault(counter, {})
                value = next(iter(labels.values()))
                bucket[value] = bucket.get(value, 0) + amount
        return found

    def labelled(self, name: str) -> dict[str, int]:
        """The counts of one labelled counter: label value -> count (contacts by channel, handled by agent…)."""
        return dict(self._by_label.get(name, {}))

    def get(self, name: str) -> int:
        return int(self.counts.get(name, 0))

    def row(self, intents: tuple[str, ...]) -> dict:
        """The period's figures under COLUMNS (and the intent columns); None where nothing can be said."""
        channels, kinds, dialed = self.labelled("contacts"), self.labelled("requests"), self.labelled("callbacks")
        handled, seconds = self.labelled("handled"), self.labelled("handle_seconds")
        calls, contained = self.get("calls"), self.get("contained")
        served = self.get("first_responses")
        row = {"period": self.label, "from": self.start.isoformat(), "to": self.end.isoformat(),
               "contacts": sum(channels.values()),
               **{f"contacts_{c}": channels.get(c, 0) for c in CHANNELS},
               "contacts_other": sum(n for c, n in channels.items() if c not in CHANNELS),
               "calls": calls, "contained": contained, "containment_pct": ratio(contained, calls, 100),
               "hung_up_before_choosing": self.get("before_choosing"),
               "average_call_seconds": ratio(self.get("call_seconds"), calls, digits=0),
               **{f"requests_{k}": kinds.get(k, 0) for k in KINDS},
               "handled": sum(handled.values()),
               "average_handle_seconds": ratio(sum(seconds.values()), sum(handled.values()), digits=0),
               **{f"callbacks_{o}": dialed.get(o, 0) for o in DIALED},
               "first_response_average_seconds": ratio(self.get("first_response_seconds"), served, digits=0),
               "service_level_pct": ratio(self.get("service_level_met"), self.get("service_level_total"), 100),
               "satisfaction_average": ratio(self.get("satisfaction_sum"), self.get("satisfaction_answers"),
                                             digits=2),
               "satisfaction_answers": self.get("satisfaction_answers")}
        by_intent = self.labelled("intent")
        row.update({f"intent_{name}": by_intent.get(name, 0) for name in intents})
        row["intent_other"] = sum(n for name, n in by_intent.items() if name not in intents)
        for key in ("average_call_seconds", "average_handle_seconds", "first_response_average_seconds"):
            row[key] = None if row[key] is None else int(row[key])
        return row


@dataclass(frozen=True)
class Report:
    start: date
    end: date
    by: str
    periods: tuple[Period, ...]
    intents: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return (*COLUMNS, *(f"intent_{name}" for name in self.intents), "intent_other")

    def rows(self) -> list[dict]:
        return [p.row(self.intents) for p in self.periods]

    @property
    def total(self) -> Period:
        """The whole range as one period."""
        summed: dict[str, int] = {}
        for period in self.periods:
            for name, amount in period.counts.items():
                summed[name] = summed.get(name, 0) + amount
        return Period("total", self.start, self.end, summed)

    def agents(self) -> list[dict]:
        """Handled per agent over the range, most handled first: agent id, handled, average handle seconds."""
        total = self.total
        handled, seconds = total.labelled("handled"), total.labelled("handle_seconds")
        rows = [{"agent": agent, "handled": n, "average_handle_seconds": int(ratio(seconds.get(agent, 0), n, digits=0))}
                for agent, n in handled.items() if n]
        return sorted(rows, key=lambda r: (-r["handled"], r["agent"]))

    def as_json(self) -> dict:
        return {"from": self.start.isoformat(), "to": self.end.isoformat(), "by": self.by,
                "columns": list(self.columns), "rows": self.rows(), "total": self.total.row(self.intents),
                "agents": self.agents()}


def periods_of(first: date, last: date, by: str) -> list[tuple[str, date, date]]:
    """(label, start, end) per day, or per ISO week (2026-W49) clipped to the range."""
    if by == "day":
        return [((first + timedelta(n)).isoformat(), first + timedelta(n), first + timedelta(n))
                for n in range((last - first).days + 1)]
    found, monday = [], first - timedelta(first.weekday())
    while monday <= last:
        year, week, _ = monday.isocalendar()
        found.append((f"{year}-W{week:02d}", max(first, monday), min(last, monday + timedelta(6))))
        monday += timedelta(7)
    return found


class Reports:
    """Builds reports from per-day counts: the ledger's, the calls' (DailyStats) and any others given
    (each a callable: list of YYYY-MM-DD -> one dict of counters per day, in that order)."""

    def __init__(self, ledger, calls: Callable[[list[str]], list[dict]] | None = None,
                 intents: tuple[str, ...] = (), others: tuple[Callable, ...] = ()):
        self.ledger, self.intents = ledger, tuple(intents)
        self.sources = (ledger.days, *((calls,) if calls else ()), *others)

    def day_counts(self, days: list[str]) -> list[dict[str, int]]:
        merged: list[dict[str, int]] = [{} for _ in days]
        for source in self.sources:
            for into, counts in zip(merged, source(days)):
                for name, amount in counts.items():
                    into[name] = into.get(name, 0) + int(amount)
        for counts in merged:  # a call is a contact on the voice channel
            if counts.get("calls"):
                counts["contacts|channel=voice"] = counts.get("contacts|channel=voice", 0) + counts["calls"]
        return merged

    def build(self, first: date, last: date, by: str = "day") -> Report:
        days = [(first + timedelta(n)).isoformat() for n in range((last - first).days + 1)]
        per_day = dict(zip(days, self.day_counts(days)))
        periods = []
        for label, start, end in periods_of(first, last, by):
            summed: dict[str, int] = {}
            for n in range((end - start).days + 1):
                for name, amount in per_day[(start + timedelta(n)).isoformat()].items():
                    summed[name] = summed.get(name, 0) + amount
            periods.append(Period(label, start, end, summed))
        return Report(first, last, by, tuple(periods), self.intents)

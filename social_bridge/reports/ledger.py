"""The report ledger: per-day counts and sums written by small calls where things happen (no person in it).

One Redis hash per day (the desk's time zone) holds counter fields named like the metrics' ones,
`name|label=value`: contacts on the written channels and their intent, requests for a human by kind,
items handled and seconds of handling per agent, callback attempts reached / machine / failed.
Calls (count, contained, seconds, intent, hung up before choosing) are counted once, in the voice side's
DailyStats; a report reads both. Nothing here names a customer: agents appear by their console id.
"""
from __future__ import annotations

import time
from datetime import datetime
from typing import Callable
from zoneinfo import ZoneInfo

from social_bridge.reports.keys import ReportKeys

KEEP_DAYS = 400  # a report covers at most 366 days: a year back stays readable
COUNTED_SECONDS = 2 * 86400  # how long "this item's completion is counted" is remembered (a repeat is within it)
# A decided dial attempt (ivr/dialer) as the report shows it; the agent's own misses are not the customer's.
DIALED = {"reached": "reached", "machine": "machine", "customer_missed": "failed", "failed_to_place": "failed"}


def field(name: str, **labels: str) -> str:
    """The hash field for a counter and its labels (the same shape as ivr.runtime.metrics.Metrics.field)."""
    return name + "".join(f"|{k}={v}" for k, v in sorted(labels.items()))


def parse_field(text: str) -> tuple[str, dict[str, str]]:
    name, *pairs = text.split("|")
    return name, dict(p.split("=", 1) for p in pairs if "=" in p)


class Ledger:
    """Writes the day's counts; reads them back per day for report.py."""

    def __init__(self, redis, clock: Callable[[], float] = time.time, timezone: str = "Europe/Rome",
                 keys: ReportKeys | None = None):
        self.redis, self.clock, self.tz, self.keys = redis, clock, ZoneInfo(timezone), keys or ReportKeys()

    def day_of(self, when: float) -> str:
        return datetime.fromtimestamp(when, self.tz).date().isoformat()

    def add(self, counts: dict[str, int], when: float | None = None) -> None:
        """Adds counts (field -> amount) to the day of `when` (default: now) in one round trip."""
        if not counts:
            return
        key = self.keys.day(self.day_of(self.clock() if when is None else when))
        pipe = self.redis.pipeline(transaction=False)
        for name, amount in counts.items():
            pipe.hincrby(key, name, int(amount))
        pipe.expire(key, KEEP_DAYS * 86400)
        pipe.execute()

    # -- the points where things happen ------------------------------------------------------------
    def item_created(self, item) -> None:
        """A new work item (WorkQueue.enqueue): a request for a human of its kind; a thread that does not
        continue a call is also a contact on its channel (a continued call was counted as the call)."""
        counts = {field("requests", kind=item.kind): 1}
        if item.kind == "thread" and not item.call_sid:
            counts[field("contacts", channel=item.channel or "other")] = 1
            counts[field("intent", intent=item.intent or "unknown")] = 1
        self.add(counts)

    def completed(self, item) -> None:
        """An item done (Claims.complete): handled by its holder, with the seconds since the claim.
        A repeated completion (the script answers "ok" again) is counted once."""
        now, agent = self.clock(), item.claimed_by or "unknown"
        if not self.redis.set(self.keys.counted(item.id), "1", nx=True, ex=COUNTED_SECONDS):
            return
        seconds = max(0, round(now - item.claimed_at)) if item.claimed_at else 0
        self.add({field("handled", agent=agent): 1, field("handle_seconds", agent=agent): seconds,
                  field("handled_kind", kind=item.kind): 1}, when=now)

    def dialed(self, state: str) -> None:
        """A decided callback attempt (Dialer.on_decided): reached, a machine, or failed to reach the customer."""
        outcome = DIALED.get(state)
        if outcome is not None:
            self.add({field("callbacks", outcome=outcome): 1})

    # -- reading -------------------------------------------------------------------------------------
    def days(self, days: list[str]) -> list[dict[str, int]]:
        """Each day's counters (field -> int), in the order asked; an empty dict for a day with nothing."""
        pipe = self.redis.pipeline(transaction=False)
        for day in days:
            pipe.hgetall(self.keys.day(day))
        return [{k: int(v) for k, v in h.items()} for h in pipe.execute()]

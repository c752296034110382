"""Counters shared by every process and machine (kept in Redis), exposed for Prometheus.

Increments are gathered in the process and added to Redis in one pipeline about once a second
(and before any read), so a webhook never waits on a round trip for its counters. A process killed
with -9 loses at most its last second of counts; nothing else depends on them.
"""
from __future__ import annotations

import logging
import os
import threading

from ivr.runtime.keys import METRICS as METRICS_KEY, metrics_day

log = logging.getLogger(__name__)


class Metrics:
    def __init__(self, redis, flush_every: float = 1.0):
        self.redis, self.flush_every = redis, flush_every
        self._pending: dict[str, int] = {}
        self._lock = threading.Lock()
        self._flusher_pid: int | None = None  # a thread does not survive fork: one per process
        self._closed = threading.Event()

    @staticmethod
    def field(name: str, **labels: str) -> str:
        """The hash field for a counter and its labels (also what a script increments)."""
        return name + "".join(f"|{k}={v}" for k, v in sorted(labels.items()))

    def incr(self, name: str, amount: int = 1, **labels: str) -> None:
        self.add({self.field(name, **labels): amount})

    def add(self, counts: dict[str, int]) -> None:
        """Counts (hash field → amount) to add; they reach Redis with the next flush."""
        with self._lock:
            for field, amount in counts.items():
                self._pending[field] = self._pending.get(field, 0) + amount
            if self._flusher_pid != os.getpid():
                self._flusher_pid = os.getpid()
                threading.Thread(target=self._flush_forever, name="metrics-flush", daemon=True).start()

    def flush(self) -> None:
        """Adds what this process counted to Redis; on failure the counts are kept for the next try."""
        with self._lock:
            pending, self._pending = self._pending, {}
        if not pending:
            return
        try:
            pipe = self.redis.pipeline(transaction=False)
            for field, amount in pending.items():
                pipe.hincrby(METRICS_KEY, field, amount)
            pipe.execute()
        except Exception:
            with self._lock:
                for field, amount in pending.items():
                    self._pending[field] = self._pending.get(field, 0) + amount
            raise

    def close(self) -> None:
        """Flushes what is left and stops the flushing thread (tests; a process about to exit)."""
        self._closed.set()
        self.flush()

    def _flush_forever(self) -> None:
        while not self._closed.wait(self.flush_every):
            try:
                self.flush()
            except Exception as exc:  # Redis away: keep counting, try again in a second
                log.warning("metrics not flushed yet: %s", exc.__class__.__name__)

    def counters(self) -> dict[str, int]:
        self.flush()
        return {k: int(v) for k, v in self.redis.hgetall(METRICS_KEY).items()}

    def render(self, gauges: dict[str, float]) -> str:
        """Prometheus text exposition: counters as nohold_<name>_total, then gauges."""
        lines, seen = [], set()
        for field, value in sorted(self.counters().items()):
            name, *pairs = field.split("|")
            metric = f"nohold_{name}_total"
            if metric not in seen:
                lines.append(f"# TYPE {metric} counter")
                seen.add(metric)
            labels = ",".join(f'{k}="{v}"' for k, v in (p.split("=", 1) for p in pairs))
            lines.append(f"{metric}{{{labels}}} {value}" if labels else f"{metric} {value}")
        for name, value in sorted(gauges.items()):
            lines.append(f"# TYPE nohold_{name} gauge")
            lines.append(f"nohold_{name} {value}")
        return "\n".join(lines) + "\n"


class DailyStats:
    """Per-day figures for the supervisor's glance (not exported to Prometheus: a label per day would grow forever)."""

    KEEP_DAYS = 400  # the reports (social_bridge/reports/) read a year back; counts only, no person

    def __init__(self, redis):
        self.redis = redis

    @staticmethod
    def _key(day: str) -> str:
        return metrics_day(day)

    def add(self, day: str, **counts: int) -> None:
        pipe = self.redis.pipeline(transaction=False)
        for name, amount in counts.items():
            pipe.hincrby(self._key(day), name, amount)
        pipe.expire(self._key(day), self.KEEP_DAYS * 86400)
        pipe.execute()

    def last(self, days: list[str]) -> list[dict]:
        """For each day (oldest first): calls ended, contained calls, seconds on the line."""
        pipe = self.redis.pipeline(transaction=False)
        for day in days:
            pipe.hgetall(self._key(day))
        return [{"day": day, "calls": int(h.get("calls", 0)), "contained": int(h.get("contained", 0)),
                 "call_seconds": int(h.get("call_seconds", 0))} for day, h in zip(days, pipe.execute())]

    def days(self, days: list[str]) -> list[dict[str, int]]:
        """Every counter of each day (the reports read them all), in the order asked."""
        pipe = self.redis.pipeline(transaction=False)
        for day in days:
            pipe.hgetall(self._key(day))
        return [{k: int(v) for k, v in h.items()} for h in pipe.execute()]

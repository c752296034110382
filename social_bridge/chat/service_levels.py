"""Service levels of the written channels: a first-response and a resolution clock per thread request.

A request is a thread's work item. Its clocks start with the customer's first message of it (`opened`, from
the Inbox); the first response is the first message an agent writes after that (`responded`, from
Delivery.send); it is resolved when the item is completed (`resolved`, Claims' on_complete). Each clock is held
against its channel's target (SLA_FIRST_RESPONSE_SECONDS, SLA_RESOLUTION_SECONDS); one that ends past its target
is a breach, counted once in /metrics (`written_first_response_breaches`, `written_resolution_breaches`, by
channel). Clocks are kept KEEP_DAYS days.

Read API (reports, issue 19; times are epoch seconds, ranges half-open [start, end) on `started_at`):
  records(start, end) -> [ServiceRecord]   requests started in the range, oldest first; each has .channel,
      .agent (who answered first), .started_at, .first_response_at, .resolved_at (0 while the clock runs),
      .first_response_seconds / .resolution_seconds (None while it runs) and .first_response_breached /
      .resolution_breached (the target of that moment)
  first_response_seconds(start, end, channel="") -> [float]   the answered requests' first-response times
  resolution_seconds(start, end, channel="") -> [float]       the resolved requests' resolution times
  live() -> [LiveClock]   running clocks past (state "breach") or near (NEAR of the target, "near") their target
  in_breach() -> int      requests with a running clock past its target now (the /metrics gauge)
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Callable

from social_bridge.channels import CHANNELS
from social_bridge.chat.ports import Counter
from social_bridge.chat.service_level_keys import ServiceLevelKeys
from social_bridge.queue.work_item import FINAL, WorkItem

TARGET_CHANNELS = CHANNELS + ("web",)  # a web chat, when there is one, may have its target set already
NEAR = 0.8          # a running clock at 80 % of its target is shown as near it
KEEP_DAYS = 120
LIVE_SCAN = 500     # running requests read for the live view, oldest first
_PAIR = re.compile(r"^([a-z]+)=(\d+)$")


def parse_targets(raw: str, variable: str) -> dict[str, float]:
    """"messenger=900,sms=1800" -> {"messenger": 900.0, "sms": 1800.0}; ValueError naming `variable` otherwise."""
    targets: dict[str, float] = {}
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        match = _PAIR.match(part.replace(" ", ""))
        if not match:
            raise ValueError(f"{variable}: {part!r} is not channel=seconds (like messenger=900)")
        channel, seconds = match.group(1), int(match.group(2))
        if channel not in TARGET_CHANNELS:
            raise ValueError(f"{variable}: unknown channel {channel!r} (known: {', '.join(TARGET_CHANNELS)})")
        if seconds < 1 or channel in targets:
            raise ValueError(f"{variable}: {channel} needs one target of 1 second or more")
        targets[channel] = float(seconds)
    return targets


@dataclass(frozen=True)
class ServiceRecord:
    item_id: str
    channel: str
    agent: str
    started_at: float
    first_response_at: float
    resolved_at: float
    first_response_breached: bool
    resolution_breached: bool

    @property
    def first_response_seconds(self) -> float | None:
        return self.first_response_at - self.started_at if self.first_response_at else None

    @property
    def resolution_seconds(self) -> float | None:
        return self.resolved_at - self.started_at if self.resolved_at else None


@dataclass(frozen=True)
class LiveClock:
    item_id: str
    channel: str
    clock: str          # "first_response" | "resolution"
    state: str          # "breach" | "near"
    elapsed: float
    target: float
    status: str         # the item's: waiting | claimed | scheduled
    claimed_by: str


class ServiceLevels:
    def __init__(self, redis, queue, first_response: dict[str, float], resolution: dict[str, float],
                 counter: Counter, clock: Callable[[], float] = time.time, keys: ServiceLevelKeys | None = None):
        self.redis, self.queue, self.counter, self.clock = redis, queue, counter, clock
        self.targets = {"first_response": dict(first_response), "resolution": dict(resolution)}
        self.keys = keys or ServiceLevelKeys()

    # -- the clocks ------------------------------------------------------------------------------
    def opened(self, item: WorkItem, started_at: float) -> bool:
        """The customer's first message of a thread request: its clocks start (once; later messages change nothing)."""
        if item.kind != "thread" or not item.id:
            return False
        key = self.keys.clocks(item.id)
        if not self.redis.hsetnx(key, "started_at", repr(float(started_at))):
            return False
        with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, mapping={"item_id": item.id, "channel": item.channel})
            pipe.expire(key, KEEP_DAYS * 86400)
            pipe.zadd(self.keys.started, {item.id: float(started_at)})
            pipe.zadd(self.keys.running, {item.id: float(started_at)})
            pipe.zremrangebyscore(self.keys.started, "-inf", f"({self.clock() - KEEP_DAYS * 86400!r}")
            pipe.execute()
        return True

    def responded(self, item_id: str, agent: str) -> bool:
        """An agent wrote to the customer: the first time, the first-response clock stops (True)."""
        return self._stop(item_id, "first_response", agent)

    def resolved(self, item: WorkItem) -> bool:
        """The item was completed: its resolution clock stops (True the first time)."""
        if item.kind != "thread" or not self._stop(item.id, "resolution", item.claimed_by):
            return False
        self.redis.zrem(self.keys.running, item.id)
        return True

    def _stop(self, item_id: str, clock: str, agent: str) -> bool:
        key, now = self.keys.clocks(item_id), self.clock()
        if not item_id or not self.redis.hexists(key, "started_at"):
            return False  # not a request we started timing (opened before service levels, or not a thread)
        if not self.redis.hsetnx(key, f"{clock}_at", repr(now)):
            return False
        channel, started = self.redis.hmget(key, "channel", "started_at")
        target = self.targets[clock].get(channel)
        breached = target is not None and now - float(started) > target
        fields = {f"{clock}_agent": agent} if agent else {}
        if breached:
            fields[f"{clock}_breached"] = "1"
            self.counter.incr(f"written_{clock}_breaches", channel=channel)
        if fields:
            self.redis.hset(key, mapping=fields)
        return True

    # -- reading ---------------------------------------------------------------------------------
    def records(self, start: float, end: float) -> list[ServiceRecord]:
        ids = self.redis.zrangebyscore(self.keys.started, repr(float(start)), f"({float(end)!r}")
        with self.redis.pipeline(transaction=False) as pipe:
            for item_id in ids:
                pipe.hgetall(self.keys.clocks(item_id))
            hashes = pipe.execute()
        return [_record(h) for h in hashes if h.get("started_at")]

    def first_response_seconds(self, start: float, end: float, channel: str = "") -> list[float]:
        return [r.first_response_seconds for r in self.records(start, end)
                if r.first_response_at and (not channel or r.channel == channel)]

    def resolution_seconds(self, start: float, end: float, channel: str = "") -> list[float]:
        return [r.resolution_seconds for r in self.records(start, end)
                if r.resolved_at and (not channel or r.channel == channel)]

    def live(self) -> list[LiveClock]:
        """Running clocks past or near their target, the latest against its target first. Requests that ended
        without completion (cancelled, solved by self-service, merged into a callback) leave the running set."""
        now, ids = self.clock(), self.redis.zrange(self.keys.running, 0, LIVE_SCAN - 1)
        with self.redis.pipeline(transaction=False) as pipe:
            for item_id in ids:
                pipe.hgetall(self.keys.clocks(item_id))
                pipe.hgetall(self.queue.keys.item(item_id))
            replies = pipe.execute()
        found, ended = [], []
        for item_id, h, item_hash in zip(ids, replies[::2], replies[1::2]):
            item = WorkItem.from_hash(item_hash) if item_hash else None
            if item is None or item.status in FINAL or not h.get("started_at"):
                ended.append(item_id)
                continue
            found += self._running(h, item, now)
        if ended:
            self.redis.zrem(self.keys.running, *ended)
        return sorted(found, key=lambda c: -c.elapsed / c.target)

    def in_breach(self) -> int:
        return len({c.item_id for c in self.live() if c.state == "breach"})

    def _running(self, h: dict, item: WorkItem, now: float) -> list[LiveClock]:
        elapsed, shown = now - float(h["started_at"]), []
        for clock in ("first_response", "resolution"):
            target = self.targets[clock].get(h.get("channel", ""))
            if h.get(f"{clock}_at") or target is None or elapsed < NEAR * target:
                continue
            state = "breach" if elapsed > target else "near"
            shown.append(LiveClock(item.id, h["channel"], clock, state, elapsed, target, item.status, item.claimed_by))
        return shown


def _record(h: dict) -> ServiceRecord:
    return ServiceRecord(item_id=h.get("item_id", ""), channel=h.get("channel", ""),
                         agent=h.get("first_response_agent", ""), started_at=float(h["started_at"]),
                         first_response_at=float(h.get("first_response_at") or 0),
                         resolved_at=float(h.get("resolution_at") or 0),
                         first_response_breached=h.get("first_response_breached") == "1",
                         resolution_breached=h.get("resolution_breached") == "1")

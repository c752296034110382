"""The shared queue of work items, ordered by acquired priority; every transition is one Lua script.

Claiming (leases, fencing tokens, dead letters) lives in claims.py; the scripts in lua/.
"""
from __future__ import annotations

import json
import math
import re
import time
from dataclasses import dataclass, replace
from typing import Callable

from social_bridge.ids import new_id
from social_bridge.queue.keys import QueueKeys
from social_bridge.queue.scripts import QueueScripts
from social_bridge.queue.teams import Teams
from social_bridge.queue.work_item import KINDS, PENDING, WorkItem

HANDLE_TIMES_KEPT = 50
PROMOTE_BATCH = 500  # bounds how long one script blocks Redis; promote_due loops over batches
AHEAD_PAGE = 500  # scheduled items read per run when counting who is ahead at the next opening
ITEM_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # no ':' so an id can never forge another key
# Fields a repeated enqueue may refresh; identity, place and counters are never overwritten.
MERGEABLE = ("not_before", "not_after", "lang", "intent", "summary", "details", "customer",
             "call_sid", "recording_url", "recording_sid", "recording_seconds", "complaint")  # a flag only ever set
_BLANK = WorkItem(id="", kind="", channel="", lang="", acquired_at=0.0, natural_key="").to_hash()


@dataclass(frozen=True)
class Enqueued:
    """What enqueue stored, and whether it is a new item or an existing one merged."""

    item: WorkItem
    created: bool


class WorkQueue:
    """One ordered queue of callbacks, voicemails and threads in Redis."""

    def __init__(self, redis, clock: Callable[[], float] = time.time, keys: QueueKeys | None = None,
                 ledger=None, teams: Teams | None = None):
        self.redis, self.clock, self.keys = redis, clock, keys or QueueKeys()
        self.teams = teams or Teams(redis, self.keys)  # a new item joins the team of its intent
        self._run = QueueScripts(redis, self.keys)
        self.ledger = ledger  # social_bridge.reports.ledger.Ledger: a new item is counted for the reports

    def enqueue(self, item: WorkItem) -> Enqueued:
        """Store the item, or merge it into the pending item with the same natural key."""
        if item.kind not in KINDS or not item.natural_key or item.acquired_at <= 0:
            raise ValueError(f"bad work item: kind={item.kind!r} natural_key={item.natural_key!r}")
        item = replace(item, id=item.id or new_id(), team=item.team or self.teams.team_for(item.intent))
        if not ITEM_ID.fullmatch(item.id):
            raise ValueError(f"bad work item id {item.id!r}")
        fields = item.to_hash()
        updates = {k: fields[k] for k in MERGEABLE if fields[k] != _BLANK[k]}
        reply = self._run("enqueue", self.clock(), item.natural_key, json.dumps(fields), json.dumps(updates))
        if reply[0] == "taken":
            raise ValueError(f"work item id {item.id!r} is already used")
        enqueued = Enqueued(WorkItem.from_hash(dict(zip(reply[1::2], reply[2::2]))), created=reply[0] == "1")
        if enqueued.created and self.ledger is not None:
            self.ledger.item_created(enqueued.item)
        return enqueued

    def get(self, item_id: str) -> WorkItem | None:
        """The item, whatever its status; None when unknown."""
        if not ITEM_ID.fullmatch(item_id):
            return None
        h = self.redis.hgetall(self.keys.item(item_id))
        return WorkItem.from_hash(h) if h else None

    def pending_for(self, natural_key: str) -> WorkItem | None:
        """The waiting, scheduled or claimed item for a natural key."""
        item_id = self.redis.get(self.keys.natural(natural_key))
        item = self.get(item_id) if item_id else None
        return item if item and item.status in PENDING else None

    def promote_due(self) -> int:
        """Move scheduled items whose window has opened into waiting, at their acquired place."""
        moved, n = 0, PROMOTE_BATCH
        while n == PROMOTE_BATCH:
            n = self._run("promote", self.clock(), PROMOTE_BATCH)
            moved += n
        return moved

    def position(self, item_id: str) -> int | None:
        """1-based place among eligible waiting items; None when not waiting."""
        self.promote_due()
        rank = self.redis.zrank(self.keys.items_waiting, item_id)
        return None if rank is None else rank + 1

    def cancel(self, item_id: str, reason: str) -> bool:
        """Withdraw a pending item and free its natural key; False when already final or unknown."""
        if not ITEM_ID.fullmatch(item_id):
            return False
        return bool(self._run("cancel", self.clock(), item_id, reason))

    def reschedule(self, item_id: str, not_before: float, not_after: float = 0.0) -> bool:
        """Move a waiting or scheduled item's window, keeping the place it earned."""
        if not_after and not_after < not_before:
            raise ValueError("not_after is before not_before")
        if not ITEM_ID.fullmatch(item_id):
            return False
        return bool(self._run("reschedule", self.clock(), item_id, repr(float(not_before)), repr(float(not_after))))

    def history(self, item_id: str) -> list[dict]:
        """The item's events, oldest first."""
        return [json.loads(e) for e in self.redis.lrange(self.keys.history(item_id), 0, -1)]

    def depth(self) -> dict[str, int]:
        """Eligible waiting items per kind, plus the count of scheduled ones."""
        self.promote_due()
        flat = self._run("depth", self.clock())
        counts = dict.fromkeys(KINDS, 0)
        for kind, n in zip(flat[::2], flat[1::2]):  # one pair per kind:lang lane
            counts[kind] = counts.get(kind, 0) + int(n)
        return counts

    def oldest_wait(self) -> float:
        """Seconds since the head of the queue first asked for help; 0 when empty."""
        self.promote_due()
        head = self.redis.zrange(self.keys.items_waiting, 0, 0, withscores=True)
        return max(0.0, self.clock() - head[0][1]) if head else 0.0

    def missed_windows(self, limit: int = 100) -> tuple[int, list[WorkItem]]:
        """Waiting items whose window ended before anyone took them: how many, and the first `limit` by end."""
        self.promote_due()
        missed = f"({self.clock()!r}"
        with self.redis.pipeline(transaction=True) as pipe:
            pipe.zcount(self.keys.window_ends, "-inf", missed)
            pipe.zrangebyscore(self.keys.window_ends, "-inf", missed, start=0, num=max(1, limit))
            count, ids = pipe.execute()
        with self.redis.pipeline(transaction=False) as pipe:
            for item_id in ids[:limit]:
                pipe.hgetall(self.keys.item(item_id))
            items = [WorkItem.from_hash(h) for h in pipe.execute() if h]
        return int(count), items

    def ahead_in_language(self, lang: str, before: float, by: float | None = None) -> int:
        """Pending items in `lang` that first asked before `before` and are eligible by `by` (default: now).

        Waiting ones are counted in their kind:lang lanes; with `by` in the future, scheduled ones whose
        window opens by then count too (claimed ones are already with an agent). One script, one round trip.
        """
        self.promote_due()
        now = self.clock()
        before_arg, by_arg = "inf" if math.isinf(before) else repr(float(before)), repr(float(now if by is None else by))
        ahead, offset, read = 0, 0, AHEAD_PAGE
        while read == AHEAD_PAGE:  # the scheduled items due by then, a page per script run
            counted, read = self._run("ahead", now, lang, before_arg, by_arg, offset, AHEAD_PAGE)
            ahead, offset = ahead + int(counted), offset + int(read)
        return ahead

    def record_handle_time(self, seconds: float) -> None:
        """Remember how long an agent took on one item, for wait estimates."""
        if seconds < 0:
            raise ValueError("handle time cannot be negative")
        with self.redis.pipeline(transaction=True) as pipe:
            pipe.lpush(self.keys.handle_times, repr(float(seconds)))
            pipe.ltrim(self.keys.handle_times, 0, HANDLE_TIMES_KEPT - 1).execute()

    def recent_handle_times(self) -> list[float]:
        """The last handle times, newest first."""
        return [float(s) for s in self.redis.lrange(self.keys.handle_times, 0, -1)]

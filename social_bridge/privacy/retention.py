"""Storage limitation: each kind of personal data is kept for its own time, then removed by the sweep.

Defaults (settings RETENTION_*; docs/privacy.md gives the reasons):
  recordings          30 days   long enough to call back and listen again; the Garante asks for the shortest
                                time, and a voice is the most identifying thing kept. Deleted at Twilio too.
  messages and words 365 days   a customer's messages, a call's words (summary) and voicemail transcripts:
                                a year covers the disputes and repeat contacts of one billing cycle
  closed work        730 days   finished items and threads with nothing pending: two years answer complaints
                                to AGCOM and the Corecom (conciliation), whose deadlines run from the contact
  access log         730 days   the same span as the work it audits
Thread message lists are also capped (THREAD_MESSAGES_MAX): the oldest messages beyond it go.

The sweep runs every minute; a pass over every item and thread runs at most once per `every_seconds`.
"""
from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass
from typing import Callable

from redis.exceptions import WatchError

from social_bridge.privacy.erasure import Erasure
from social_bridge.privacy.person import PersonRecords, scan
from social_bridge.queue.work_item import FINAL, PENDING, WorkItem

DAY = 86400.0


@dataclass(frozen=True)
class RetentionPolicy:
    recording_days: float = 30
    message_days: float = 365
    closed_days: float = 730
    access_log_days: float = 730
    thread_messages_max: int = 500
    every_seconds: float = 3600


class Retention:
    def __init__(self, redis, records: PersonRecords, erasure: Erasure, delete_recording: Callable[[str], bool],
                 policy: RetentionPolicy, clock: Callable[[], float] = time.time, trim_log: Callable[[float], int] = None,
                 forget_item: tuple[Callable[[str], int], ...] = ()):
        self.redis, self.records, self.erasure, self.policy, self.clock = redis, records, erasure, policy, clock
        self.delete_recording = delete_recording
        self.trim_log = trim_log  # cutoff -> entries removed (the access log)
        self.forget_item = forget_item  # what other records keep of a removed item (customers: its case)
        self.keys = records.keys
        self.last_run = f"{self.keys.base}:retention:last_run"

    def run_if_due(self) -> dict[str, int]:
        """The sweep's call: a full pass when the last one is older than every_seconds, else nothing."""
        now = self.clock()
        last = self.redis.get(self.last_run)
        if last and now - float(last) < self.policy.every_seconds:
            return {}
        self.redis.set(self.last_run, repr(now))
        return self.run()

    def run(self) -> dict[str, int]:
        now, done = self.clock(), Counter()
        for key in list(scan(self.redis, self.keys.item_prefix + "*")):
            if key.count(":") == self.keys.item_prefix.count(":"):
                self._item(key, now, done)
        thread_prefix = f"{self.keys.base}:thread:"
        for key in list(scan(self.redis, thread_prefix + "*")):
            if not key.endswith(":messages"):
                self._thread(key.removeprefix(thread_prefix), now, done)
        if self.trim_log is not None:
            done["access log entries"] += self.trim_log(now - self.policy.access_log_days * DAY)
        return {kind: n for kind, n in done.items() if n}

    # -- items -----------------------------------------------------------------------------------------
    def _item(self, key: str, now: float, done: Counter) -> None:
        h = self.redis.hgetall(key)
        if not h or "id" not in h:
            return
        item = WorkItem.from_hash(h)
        since = item.created_at or item.acquired_at
        if item.status in FINAL and (item.updated_at or since) < now - self.policy.closed_days * DAY:
            if item.recording_sid and not self.delete_recording(item.recording_sid):
                return  # the item keeps the only pointer to the recording: next pass
            done["closed items"] += 1
            self.erasure.remove_item(item)
            for forget in self.forget_item:
                forget(item.id)
            return
        if item.recording_sid and since < now - self.policy.recording_days * DAY:
            if self.delete_recording(item.recording_sid):
                self._change(key, lambda d: {"recording_url": "", "recording_sid": "",
                                             "details": {**d, "recording_deleted_at": now}})
                done["recordings deleted at Twilio"] += 1
        words = item.summary or item.details.get("transcript")
        if words and since < now - self.policy.message_days * DAY:
            self._change(key, lambda d: {"summary": "", "details": {k: v for k, v in d.items() if k != "transcript"}})
            done["words and transcripts"] += 1

    def _change(self, key: str, change: Callable[[dict], dict]) -> None:
        """Rewrites fields of an item hash unless a queue script changed it meanwhile (then tries again)."""
        with self.redis.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    details = json.loads(pipe.hget(key, "details") or "{}")
                    if not pipe.exists(key):
                        return
                    fields = change(details)
                    fields["details"] = json.dumps(fields["details"], sort_keys=True, separators=(",", ":"))
                    pipe.multi()
                    pipe.hset(key, mapping=fields)
                    pipe.execute()
                    return
                except WatchError:
                    continue

    # -- threads ---------------------------------------------------------------------------------------
    def _thread(self, thread_id: str, now: float, done: Counter) -> None:
        threads = self.records.threads
        thread = threads.get(thread_id)
        if thread is None:
            return
        item = self.records.item(thread.item_id) if thread.item_id else None
        waiting = item is not None and item.status in PENDING
        last = max(thread.created_at, thread.last_inbound_at)
        if not waiting and last < now - self.policy.closed_days * DAY:
            done["closed threads"] += 1
            self.erasure.remove_thread(thread_id)
            return
        listing = f"{self.keys.base}:thread:{thread_id}:messages"
        ids = self.redis.lrange(listing, 0, -1)
        surplus = max(0, len(ids) - self.policy.thread_messages_max)
        old = set(ids[:surplus])
        cutoff = now - self.policy.message_days * DAY
        for message_id in ids[surplus:]:
            at = self.redis.hget(f"{self.keys.base}:message:{message_id}", "at")
            if at is None or float(at) < cutoff:
                old.add(message_id)
        for message_id in old:
            self.redis.lrem(listing, 0, message_id)
            self.redis.delete(f"{self.keys.base}:message:{message_id}")
        done["messages"] += len(old)

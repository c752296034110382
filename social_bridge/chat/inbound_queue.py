"""Webhooks persist what arrived and answer at once; one draining job turns it into threads (inbox.py).

Meta wants an answer within seconds (and may batch 1,000 events in one POST), X within 3 s: the
webhook only verifies, parses and stores the batch — one MULTI/EXEC that also raises the "drain
wanted" flag — and queues the draining job only when the flag was down. The job lowers the flag and
handles every pending batch in the order they arrived, so a customer's messages are handled in
order. Handling is idempotent on provider ids: a batch whose job was lost is handled by the next
drain (the minute sweep queues one when batches wait too long).
"""
from __future__ import annotations

import json
import secrets
import time
from dataclasses import asdict
from typing import Callable

from social_bridge.channels import Inbound

BATCH_TTL = 7 * 86400
FLAG_TTL = 300  # a drain that died frees the flag after this; the sweep queues another meanwhile
BASE = "nohold:{inbox}"
PENDING, ACCEPTED, FLAG = f"{BASE}:pending", f"{BASE}:accepted_at", f"{BASE}:drain_wanted"  # list: arrival order


class InboundQueue:
    def __init__(self, redis, enqueue_drain: Callable[[], None], clock: Callable[[], float] = time.time):
        self.redis, self.enqueue_drain, self.clock = redis, enqueue_drain, clock

    @staticmethod
    def _batch(batch_id: str) -> str:
        return f"{BASE}:batch:{batch_id}"

    def accept(self, inbounds: list[Inbound]) -> str | None:
        """Stores the batch; queues the draining job unless one is already wanted. None when nothing to handle."""
        if not inbounds:
            return None
        batch_id, now = secrets.token_urlsafe(12), self.clock()
        pipe = self.redis.pipeline(transaction=True)
        pipe.rpush(self._batch(batch_id), *(json.dumps(asdict(i.seen_at(now)), ensure_ascii=False) for i in inbounds))
        pipe.expire(self._batch(batch_id), BATCH_TTL)
        pipe.rpush(PENDING, batch_id)
        pipe.hset(ACCEPTED, batch_id, repr(now))
        pipe.set(FLAG, "1", nx=True, ex=FLAG_TTL)
        if pipe.execute()[-1]:
            self.enqueue_drain()
        return batch_id

    def start_draining(self) -> None:
        """The drain begins: batches accepted from now on queue another drain."""
        self.redis.delete(FLAG)

    def pending(self, limit: int = 100) -> list[str]:
        """The oldest batches not handled yet, in the order they arrived."""
        return self.redis.lrange(PENDING, 0, limit - 1)

    def take(self, batch_id: str) -> list[Inbound]:
        return [Inbound(**json.loads(raw)) for raw in self.redis.lrange(self._batch(batch_id), 0, -1)]

    def done(self, batch_id: str) -> None:
        pipe = self.redis.pipeline(transaction=True)
        pipe.delete(self._batch(batch_id))
        pipe.lrem(PENDING, 1, batch_id)
        pipe.hdel(ACCEPTED, batch_id)
        pipe.execute()

    def stale(self, older_than: float = 60.0) -> list[str]:
        """Batches accepted long ago and still not done: their drain was lost."""
        ids = self.redis.lrange(PENDING, 0, 999)
        times = self.redis.hmget(ACCEPTED, ids) if ids else []
        return [batch_id for batch_id, at in zip(ids, times) if float(at or 0) <= self.clock() - older_than]

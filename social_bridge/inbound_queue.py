"""Webhooks persist what arrived and answer at once; a job turns it into threads (inbox.py).

Meta wants an answer within seconds (and may batch 1,000 events in one POST), X within 3 s: the
webhook only verifies, parses and stores the batch in one round trip, then queues a job with the
batch id. Handling is idempotent on provider ids, so a batch whose job was lost is simply handled
again by the sweep.
"""
from __future__ import annotations

import json
import secrets
import time
from dataclasses import asdict
from typing import Callable

from social_bridge.channels import Inbound

BATCH_TTL = 7 * 86400
BASE = "nohold:{inbox}"


class InboundQueue:
    def __init__(self, redis, enqueue_job: Callable[..., None], clock: Callable[[], float] = time.time,
                 job_pipeline: Callable[[], object] | None = None):
        """enqueue_job(batch_id, pipeline=None) queues the job; with `job_pipeline` (a transaction on the
        job queue's connection) batch and job are written in one MULTI/EXEC: one round trip, both or neither."""
        self.redis, self.enqueue_job, self.clock, self.job_pipeline = redis, enqueue_job, clock, job_pipeline

    @staticmethod
    def _batch(batch_id: str) -> str:
        return f"{BASE}:batch:{batch_id}"

    def accept(self, inbounds: list[Inbound]) -> str | None:
        """Stores the batch and queues its job; None when there was nothing to handle."""
        if not inbounds:
            return None
        batch_id = secrets.token_urlsafe(12)
        pipe = self.job_pipeline() if self.job_pipeline else self.redis.pipeline(transaction=True)
        if self.job_pipeline:  # first: the job queue may WATCH before its MULTI
            self.enqueue_job(batch_id, pipeline=pipe)
        pipe.rpush(self._batch(batch_id), *(json.dumps(asdict(i), ensure_ascii=False) for i in inbounds))
        pipe.expire(self._batch(batch_id), BATCH_TTL)
        pipe.zadd(f"{BASE}:pending", {batch_id: self.clock()})
        pipe.execute()
        if not self.job_pipeline:
            self.enqueue_job(batch_id)
        return batch_id

    def take(self, batch_id: str) -> list[Inbound]:
        return [Inbound(**json.loads(raw)) for raw in self.redis.lrange(self._batch(batch_id), 0, -1)]

    def done(self, batch_id: str) -> None:
        pipe = self.redis.pipeline(transaction=True)
        pipe.delete(self._batch(batch_id))
        pipe.zrem(f"{BASE}:pending", batch_id)
        pipe.execute()

    def stale(self, older_than: float = 60.0) -> list[str]:
        """Batches accepted long ago and still not done: their job was lost."""
        return self.redis.zrangebyscore(f"{BASE}:pending", 0, self.clock() - older_than)

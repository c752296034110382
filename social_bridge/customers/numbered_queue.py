"""The work queue every producer is given: a new item gets its case number as it is created.

One place for "every request has a case number", whoever creates it (a call's callback or voice
message, a thread, a "call me" from a chat, a reopening), without each producer knowing about cases.
"""
from __future__ import annotations

import json
import time
from dataclasses import replace
from typing import Callable

from social_bridge.customers import case_numbers
from social_bridge.customers.cases import open_case
from social_bridge.customers.customers import Customers, identity_of_item
from social_bridge.customers.keys import CustomerKeys
from social_bridge.queue.keys import QueueKeys
from social_bridge.queue.work_item import WorkItem
from social_bridge.queue.work_queue import Enqueued, WorkQueue

RESERVE_SECONDS = 300   # a number drawn for an enqueue that merged instead is let go after this


class NumberedQueue(WorkQueue):
    def __init__(self, redis, clock: Callable[[], float] = time.time, keys: QueueKeys | None = None,
                 case_keys: CustomerKeys | None = None, customers: Customers | None = None, ledger=None):
        super().__init__(redis, clock=clock, keys=keys, ledger=ledger)
        self.case_keys = case_keys or CustomerKeys()
        self.customers = customers  # a new case belongs to the customer of the identity it came from

    def enqueue(self, item: WorkItem) -> Enqueued:
        """WorkQueue.enqueue; a new item gets a new case (unless it carries one: a reopening)."""
        number = item.case_number or self._draw()
        enqueued = super().enqueue(replace(item, case_number=number))
        placed = enqueued.item
        if enqueued.created and not item.case_number:
            open_case(self.redis, self.case_keys, number, placed, self.clock(), self._customer_of(placed))
        elif not item.case_number and placed.case_number != number:
            self.redis.delete(self.case_keys.case(number))  # drawn for nothing: a pending item absorbed it
        if placed.case_number and not enqueued.created:  # a new case already lists its channel
            self._add_channel(placed.case_number, item.channel)
        return enqueued

    def _customer_of(self, item: WorkItem) -> str:
        """The customer of the identity a new item came from; a new record when nobody has it yet."""
        identity = identity_of_item(item) if self.customers is not None else None
        return self.customers.ensure(*identity, detail=item.channel).id if identity else ""

    def _draw(self) -> str:
        while True:
            number = case_numbers.new_number()
            if self.redis.hsetnx(self.case_keys.case(number), "number", number):
                self.redis.expire(self.case_keys.case(number), RESERVE_SECONDS)
                return number

    def _add_channel(self, number: str, channel: str) -> None:
        key = self.case_keys.case(number)
        known = json.loads(self.redis.hget(key, "channels") or "[]")
        if channel not in known and self.redis.exists(key):
            self.redis.hset(key, "channels", json.dumps(known + [channel]))

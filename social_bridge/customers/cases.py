"""Cases: the number a customer quotes for one request, its state, and reopening within N days.

Every work item gets a case number when it is created (NumberedQueue, the WorkQueue every producer is
given: a repeat that merges into a pending item keeps that item's number). The state is read from the item the case
points to, so claims, leases and completions need not tell this module anything:
  open (waiting or scheduled) -> in_progress (claimed) -> waiting_customer (set by the agent) -> resolved
  (done, cancelled or dead). A resolved case quoted within `reopen_days` is reopened: a new item with the
same number and the original acquired_at, so the customer is back at the place they first earned.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Callable

from social_bridge.customers import case_numbers
from social_bridge.customers.keys import CustomerKeys
from social_bridge.queue.work_item import FINAL, WorkItem
from social_bridge.queue.work_queue import WorkQueue

STATES = ("open", "in_progress", "waiting_customer", "resolved")


@dataclass(frozen=True)
class Case:
    number: str
    item_id: str
    state: str
    acquired_at: float
    opened_at: float
    resolved_at: float
    customer_id: str
    kind: str
    channel: str
    items: tuple[str, ...]       # every item the case has had, oldest first (one more per reopening)
    channels: tuple[str, ...]    # every channel the customer used for it
    reopened: int = 0
    satisfaction: int = 0        # the customer's 1-5 answer to the question after it was resolved; 0 = none

    @property
    def display(self) -> str:
        return case_numbers.display(self.number)


def open_case(redis, keys: CustomerKeys, number: str, item: WorkItem, now: float, customer_id: str = "") -> None:
    """Writes a new case for a new item (NumberedQueue calls it when an enqueue creates an item)."""
    key = keys.case(number)
    with redis.pipeline(transaction=True) as pipe:
        pipe.hset(key, mapping={"number": number, "item_id": item.id, "items": json.dumps([item.id]),
                                "acquired_at": repr(item.acquired_at), "opened_at": repr(now),
                                "customer_id": customer_id, "kind": item.kind, "channel": item.channel,
                                "channels": json.dumps([item.channel]), "marked": "", "reopened": "0"})
        pipe.persist(key)
        pipe.set(keys.case_of_item(item.id), number)
        if customer_id:
            pipe.zadd(keys.cases_of(customer_id), {number: item.acquired_at})
        pipe.execute()


class Cases:
    def __init__(self, redis, queue: WorkQueue, clock: Callable[[], float] = time.time, reopen_days: float = 7,
                 keys: CustomerKeys | None = None):
        self.redis, self.queue, self.clock = redis, queue, clock
        self.reopen_days, self.keys = float(reopen_days), keys or CustomerKeys()

    # -- reading --------------------------------------------------------------------------------
    def get(self, number: str) -> Case | None:
        """The case, with its state read from its item now; None for an unknown or malformed number."""
        canonical = case_numbers.normalize(number)
        h = self.redis.hgetall(self.keys.case(canonical)) if canonical else {}
        if not h.get("item_id"):
            return None
        item = self.queue.get(h["item_id"])
        state, resolved_at = self._state(h, item)
        return Case(number=canonical, item_id=h["item_id"], state=state, acquired_at=float(h["acquired_at"]),
                    opened_at=float(h["opened_at"]), resolved_at=resolved_at, customer_id=h.get("customer_id", ""),
                    kind=h.get("kind", ""), channel=h.get("channel", ""), items=tuple(json.loads(h["items"])),
                    channels=tuple(json.loads(h.get("channels") or "[]")), reopened=int(h.get("reopened") or 0),
                    satisfaction=int(h.get("satisfaction") or 0))

    def for_item(self, item_id: str) -> Case | None:
        number = self.redis.get(self.keys.case_of_item(item_id))
        return self.get(number) if number else None

    @staticmethod
    def _state(h: dict, item: WorkItem | None) -> tuple[str, float]:
        if item is None or item.status in FINAL:
            return "resolved", item.updated_at if item else float(h["opened_at"])
        if item.status == "claimed":
            return "in_progress", 0.0
        return ("waiting_customer" if h.get("marked") == "waiting_customer" else "open"), 0.0

    def of_customer(self, customer_id: str) -> list[Case]:
        """Every case of a customer, earliest first."""
        numbers = self.redis.zrange(self.keys.cases_of(customer_id), 0, -1)
        return [case for case in (self.get(n) for n in numbers) if case]

    # -- changing -------------------------------------------------------------------------------
    def wait_for_customer(self, number: str) -> bool:
        """The agent asked the customer something: the case waits for them (it keeps its place)."""
        case = self.get(number)
        if case is None or case.state == "resolved":
            return False
        self.redis.hset(self.keys.case(case.number), "marked", "waiting_customer")
        return True

    def customer_answered(self, number: str) -> None:
        """The customer wrote or called about it again: no longer waiting for them."""
        self.redis.hset(self.keys.case(number), "marked", "")

    def rate(self, number: str, score: int) -> bool:
        """The customer's 1-5 answer to the satisfaction question (social_bridge/customers/satisfaction.py)."""
        if not 1 <= score <= 5 or self.get(number) is None:
            return False
        self.redis.hset(self.keys.case(number), mapping={"satisfaction": str(score), "rated_at": repr(self.clock())})
        return True

    def attach_customer(self, number: str, customer_id: str) -> None:
        case = self.get(number)
        if case is None:
            return
        with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(self.keys.case(number), "customer_id", customer_id)
            if case.customer_id and case.customer_id != customer_id:
                pipe.zrem(self.keys.cases_of(case.customer_id), number)
            pipe.zadd(self.keys.cases_of(customer_id), {number: case.acquired_at})
            pipe.execute()

    def may_reopen(self, case: Case) -> bool:
        return case.state == "resolved" and self.clock() - case.resolved_at <= self.reopen_days * 86400

    def reopen(self, number: str) -> Case | None:
        """A resolved case quoted within reopen_days: back in line at its original place, same number.

        None when the case is unknown, still pending (nothing to reopen) or resolved too long ago."""
        case = self.get(number)
        if case is None or not self.may_reopen(case):
            return None
        last = self.queue.get(case.item_id)
        if last is None:
            return None
        again = WorkItem(id="", kind=last.kind, channel=last.channel, lang=last.lang, acquired_at=case.acquired_at,
                         natural_key=last.natural_key, customer=last.customer, intent=last.intent,
                         summary=last.summary, case_number=case.number,
                         details={**last.details, "reopened_from": last.id})
        placed = self.queue.enqueue(again).item
        items = list(case.items) + ([placed.id] if placed.id not in case.items else [])
        with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(self.keys.case(case.number), mapping={"item_id": placed.id, "items": json.dumps(items),
                                                            "marked": "", "reopened": str(case.reopened + 1)})
            pipe.set(self.keys.case_of_item(placed.id), case.number)
            pipe.execute()
        return self.get(case.number)

"""One person, one place in line: a contact from a known customer joins their open request, on any channel.

The Inbox asks here about a written contact: who the sender is, whether a handoff code just proved that
this chat belongs to the person who called, and which pending item the person already has (a new case gets
its customer in NumberedQueue). Joining keeps the earliest acquired time (the queue's merge rule) and lists
the channel on the case, so the agent reads every channel of the request in one timeline.
"""
from __future__ import annotations

from social_bridge.customers.cases import Cases
from social_bridge.customers.customers import Customer, Customers, identity_of
from social_bridge.customers.proofs import Proof
from social_bridge.queue.work_item import PENDING, WorkItem


class Contacts:
    def __init__(self, customers: Customers, cases: Cases):
        self.customers, self.cases, self.queue = customers, cases, cases.queue

    def handoff_proven(self, channel: str, sender_id: str, context: dict) -> Customer | None:
        """A handoff code texted to the caller's number came back from this sender: the sender is that caller."""
        number = str(context.get("caller", ""))
        if not number.startswith("+"):
            return None
        owner = self.customers.ensure("phone", number, detail="call")
        kind, value = identity_of(channel, sender_id)
        if (kind, value) == ("phone", number):
            return owner
        return self.customers.join(owner.id, kind, value, Proof("handoff_code", str(context.get("call_sid", ""))))

    def open_item(self, channel: str, sender_id: str) -> WorkItem | None:
        """The pending item of the sender's customer (their earliest open case), if they are known."""
        customer = self.customers.find(*identity_of(channel, sender_id))
        if customer is None:
            return None
        for case in self.cases.of_customer(customer.id):
            item = self.queue.get(case.item_id) if case.state != "resolved" else None
            if item is not None and item.status in PENDING:
                return item
        return None

    def join(self, item: WorkItem, channel: str, thread_id: str, acquired_at: float) -> WorkItem:
        """A written contact joins the person's pending item: its place (the earliest of the two) and its case."""
        threads = list(item.details.get("thread_ids") or [])
        details = {**item.details, "thread_ids": threads + ([thread_id] if thread_id not in threads else [])}
        details.setdefault("thread_id", thread_id)
        self.queue.enqueue(WorkItem(id="", kind=item.kind, channel=channel, lang="", natural_key=item.natural_key,
                                    acquired_at=min(acquired_at, item.acquired_at), details=details))
        if item.case_number:
            self.cases.customer_answered(item.case_number)
        return self.queue.get(item.id)

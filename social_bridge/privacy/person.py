"""Who a privacy request is about, and every record of theirs the written side and the queue keep.

A person is known by phone numbers (E.164) and by senders on the written channels ((channel, id)).
`PersonRecords.resolve` widens what the request named (a number, an item, a thread) to all of it: the
threads of those senders or linked to a call from those numbers, the work items for those numbers,
threads and calls. Lookups by pseudonym (identity keys, natural keys) come first; the rest is found
by SCAN over the item and thread hashes, which an erasure or an export can afford (a few a month)
and the minute sweep never does.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from social_bridge.chat.threads import PHONE_CHANNELS, Threads
from social_bridge.queue.keys import HISTORY_SUFFIX, QueueKeys
from social_bridge.queue.work_item import WorkItem

SCAN_COUNT = 1000


@dataclass
class Person:
    numbers: set[str] = field(default_factory=set)            # E.164
    senders: set[tuple[str, str]] = field(default_factory=set)  # (channel, sender id)
    thread_ids: set[str] = field(default_factory=set)
    item_ids: set[str] = field(default_factory=set)
    call_sids: set[str] = field(default_factory=set)

    @property
    def contacts(self) -> set[str]:
        """How items and subscriptions name this person: a number, or "<channel>:<id>"."""
        return self.numbers | {f"{channel}:{sender}" for channel, sender in self.senders}

    def describe(self) -> str:
        """For reports and the access log: counts only, never the identifiers."""
        return f"{len(self.numbers)} number(s), {len(self.senders)} sender(s), " \
               f"{len(self.thread_ids)} thread(s), {len(self.item_ids)} item(s)"


def scan(redis, match: str):
    """Key names matching a pattern, on one node or on every primary of a Cluster."""
    return redis.scan_iter(match=match, count=SCAN_COUNT)


class PersonRecords:
    """Finds a person's items and threads (social_bridge's records) from what a request names."""

    def __init__(self, redis, threads: Threads, keys: QueueKeys | None = None, wideners=()):
        self.redis, self.threads, self.keys = redis, threads, keys or QueueKeys()
        self.wideners = list(wideners)  # other records that know more of the person (customers: proven identities)

    # -- what a request names ----------------------------------------------------------------------
    def by_phone(self, e164: str) -> Person:
        return self.resolve(Person(numbers={e164}, senders={(c, e164) for c in PHONE_CHANNELS}))

    def by_thread(self, thread_id: str) -> Person:
        return self.resolve(Person(thread_ids={thread_id}))

    def by_item(self, item_id: str) -> Person:
        return self.resolve(Person(item_ids={item_id}))

    # -- widening ------------------------------------------------------------------------------------
    def resolve(self, person: Person) -> Person:
        """Everything reachable from what is known, until nothing new turns up."""
        while True:
            before = (len(person.numbers), len(person.senders), len(person.thread_ids), len(person.item_ids),
                      len(person.call_sids))
            self._from_items(person)
            self._from_threads(person)
            self._scan_threads(person)
            self._scan_items(person)
            for widen in self.wideners:
                widen(person)
            if before == (len(person.numbers), len(person.senders), len(person.thread_ids), len(person.item_ids),
                          len(person.call_sids)):
                return person

    def _from_items(self, person: Person) -> None:
        for item_id in list(person.item_ids):
            h = self.redis.hgetall(self.keys.item(item_id))
            if not h:
                continue
            item = WorkItem.from_hash(h)
            customer = item.customer
            if customer.startswith("+"):
                person.numbers.add(customer)
                person.senders.update((c, customer) for c in PHONE_CHANNELS)
            elif ":" in customer:
                channel, _, sender = customer.partition(":")
                person.senders.add((channel, sender))
            if item.details.get("thread_id"):
                person.thread_ids.add(str(item.details["thread_id"]))
            if item.call_sid:
                person.call_sids.add(item.call_sid)

    def _from_threads(self, person: Person) -> None:
        for channel, sender in list(person.senders):
            thread = self.threads.for_customer(channel, sender)
            if thread:
                person.thread_ids.add(thread.id)
        for thread_id in list(person.thread_ids):
            thread = self.threads.get(thread_id)
            if thread is None:
                continue
            person.senders.add((thread.channel, thread.sender_id))
            person.numbers.update(thread.phone_numbers())
            if thread.item_id:
                person.item_ids.add(thread.item_id)
            if thread.call_sid:
                person.call_sids.add(thread.call_sid)

    def _scan_threads(self, person: Person) -> None:
        """Threads linked to a call from one of the numbers (Messenger, X: their sender is not the number)."""
        for key in scan(self.redis, self.keys.base + ":thread:*"):
            if key.endswith(":messages"):
                continue
            thread_id, context, call_sid = self.redis.hmget(key, "id", "context", "call_sid")
            caller = str(json.loads(context or "{}").get("caller", ""))
            if thread_id and (caller in person.numbers or (call_sid and call_sid in person.call_sids)):
                person.thread_ids.add(thread_id)

    def _scan_items(self, person: Person) -> None:
        contacts = person.contacts
        for key in scan(self.redis, self.keys.item_prefix + "*"):
            if key.count(":") != self.keys.item_prefix.count(":"):
                continue  # :history, :notes
            item_id, customer, call_sid, details = self.redis.hmget(key, "id", "customer", "call_sid", "details")
            thread_id = str(json.loads(details or "{}").get("thread_id", ""))
            if item_id and (customer in contacts or (call_sid and call_sid in person.call_sids)
                            or (thread_id and thread_id in person.thread_ids)):
                person.item_ids.add(item_id)

    # -- the records and their keys ------------------------------------------------------------------
    def item(self, item_id: str) -> WorkItem | None:
        h = self.redis.hgetall(self.keys.item(item_id))
        return WorkItem.from_hash(h) if h else None

    def item_keys(self, item_id: str) -> list[str]:
        item = self.keys.item(item_id)
        return [item, item + HISTORY_SUFFIX, item + ":notes", f"{self.keys.base}:self_served:{item_id}"]

    def thread_keys(self, thread_id: str) -> list[str]:
        thread = self.threads.get(thread_id)
        prefix = f"{self.keys.base}:thread:{thread_id}"
        messages = self.redis.lrange(prefix + ":messages", 0, -1)
        keys = [prefix, prefix + ":messages"] + [f"{self.keys.base}:message:{m}" for m in messages]
        if thread is not None:
            keys.append(self.threads.identity_key(thread.channel, thread.sender_id))
        return keys

"""Erasure (GDPR art. 17): every record of one person goes, aggregate counters stay.

What goes: their work items (with histories, notes, the queue's indexes and natural keys), threads
(messages, identities), handoff codes that carry their call, outage subscriptions, and what the voice
side keeps (`extra`: outbound SMS, outbox copies, call state, booking-limit entries, dial attempts).
Recordings are deleted at Twilio first: if Twilio refuses, nothing is erased (the item holds the only
pointer to the recording) and the run says so; running it again finishes the job. Running it twice
is harmless: the second run finds nothing.
"""
from __future__ import annotations

import json
from collections import Counter
from typing import Callable, Iterable

from social_bridge.chat.handoff import HASH_TAG as HANDOFF_TAG, texted_key
from social_bridge.outages.outages import OutageKeys
from social_bridge.privacy.inbound_limits import InboundLimits
from social_bridge.privacy.person import Person, PersonRecords, scan
from social_bridge.privacy.pseudonyms import PersonKeys
from social_bridge.queue.keys import QueueKeys

# The voice side's part of a person: counts of what it removed, by kind ("sms", "outbox", "calls"...).
ExtraPart = Callable[[Person, set[str]], dict[str, int]]


class RecordingNotDeleted(RuntimeError):
    """Twilio did not confirm the deletion of a recording: nothing of the person was erased."""


class Erasure:
    def __init__(self, redis, records: PersonRecords, persons: PersonKeys,
                 delete_recording: Callable[[str], bool], extra: Iterable[ExtraPart] = (),
                 keys: QueueKeys | None = None, prefix: str = "nohold"):
        self.redis, self.records, self.persons = redis, records, persons
        self.delete_recording = delete_recording  # RecordingSid -> True once Twilio has it deleted (or never had it)
        self.extra, self.keys, self.prefix = list(extra), keys or QueueKeys(prefix), prefix
        self.outages = OutageKeys(prefix)

    def erase(self, person: Person) -> dict[str, int]:
        """Removes everything of `person` (already resolved); the counts of what went, by kind."""
        removed: Counter = Counter()
        items = [self.records.item(i) for i in sorted(person.item_ids)]
        items = [item for item in items if item is not None]
        for item in items:
            if item.recording_sid:
                if not self.delete_recording(item.recording_sid):
                    raise RecordingNotDeleted(f"item {item.id}: Twilio did not delete its recording; nothing erased")
                removed["recordings deleted at Twilio"] += 1
        for item in items:
            removed["work items"] += 1
            removed["keys"] += self.remove_item(item)
        for thread_id in sorted(person.thread_ids):
            deleted = self.remove_thread(thread_id)
            removed["threads"] += 1 if deleted else 0
            removed["keys"] += deleted
        removed["keys"] += self._handoff(person)
        counters = InboundLimits(self.redis, self.persons, prefix=self.prefix)
        removed["keys"] += sum(self.redis.delete(counters.key(channel, sender)) for channel, sender in person.senders)
        removed["outage subscriptions"] += self._outages(person)
        for part in self.extra:
            removed.update(part(person, person.item_ids))
        return {kind: n for kind, n in removed.items() if n}

    # -- items and threads (retention uses these too) ------------------------------------------------
    def remove_item(self, item) -> int:
        """An item out of every index, its natural key freed if it still points here, its keys deleted."""
        k = self.keys
        for index in (k.items_waiting, k.items_scheduled, k.leases, k.window_ends, k.dead, k.lane(item.kind, item.lang, item.team)):
            self.redis.zrem(index, item.id)
        if item.natural_key and self.redis.get(k.natural(item.natural_key)) == item.id:
            self.redis.delete(k.natural(item.natural_key))
        return self._delete(self.records.item_keys(item.id))

    def remove_thread(self, thread_id: str) -> int:
        thread = self.records.threads.get(thread_id)
        keys = self.records.thread_keys(thread_id)
        if thread is not None:
            natural = self.keys.natural(thread.natural_key)
            if self.redis.get(natural) in ("", thread.item_id) and thread.item_id:
                keys.append(natural)
        return self._delete(keys)

    def _delete(self, keys: list[str]) -> int:
        return sum(self.redis.delete(key) for key in keys)  # one by one: on a Cluster they may span slots

    # -- what else names the person ------------------------------------------------------------------
    def _handoff(self, person: Person) -> int:
        deleted = sum(self.redis.delete(texted_key(self.persons.of(n), self.prefix)) for n in person.numbers)
        for key in scan(self.redis, f"{self.prefix}:{HANDOFF_TAG}:code:*"):
            raw = self.redis.get(key)
            context = json.loads(raw).get("context", {}) if raw else {}
            if context.get("caller") in person.numbers or context.get("call_sid") in person.call_sids:
                deleted += self.redis.delete(key)
        return deleted

    def _outages(self, person: Person) -> int:
        contacts, removed = sorted(person.contacts), 0
        if contacts:
            removed += self.redis.hdel(self.outages.languages, *contacts)
        listed = [*scan(self.redis, self.outages.outage_prefix + "*"), *scan(self.redis, self.outages.notify_prefix + "*")]
        for key in listed:
            kind = self.redis.type(key)
            for contact in contacts:
                if kind == "set":
                    removed += self.redis.srem(key, contact)
                elif kind == "list":
                    removed += self.redis.lrem(key, 0, contact)
        return removed

"""Access (GDPR art. 15): everything kept about one person, as one JSON document.

The same records erasure removes: their work items (with histories and notes), threads with every
message, and what the voice side keeps (`extra`: outbound SMS, outbox copies, calls in progress).
Internal fields that describe agents' work rather than the person (fences, leases) are left out;
agents are named by their id, as the console shows them.
"""
from __future__ import annotations

import json
from dataclasses import asdict
from typing import Callable

from social_bridge.privacy.person import Person, PersonRecords

FORMAT = "nohold-personal-data/1"
INTERNAL = ("fence", "lease_until", "natural_key")


def export_person(records: PersonRecords, person: Person, extra: dict[str, Callable[[Person], dict]] | None = None,
                  now: float = 0.0) -> dict:
    """The document for `person` (resolved); `now` stamps it."""
    items = []
    for item_id in sorted(person.item_ids):
        item = records.item(item_id)
        if item is None:
            continue
        fields = {k: v for k, v in asdict(item).items() if k not in INTERNAL}
        keys = records.item_keys(item_id)
        fields["history"] = [json.loads(e) for e in records.redis.lrange(keys[1], 0, -1)]
        fields["notes"] = [json.loads(n) for n in records.redis.lrange(keys[2], 0, -1)]
        items.append(fields)
    threads = []
    for thread_id in sorted(person.thread_ids):
        thread = records.threads.get(thread_id)
        if thread is None:
            continue
        data = {k: v for k, v in asdict(thread).items() if k != "natural"}
        data["messages"] = [asdict(m) for m in records.threads.messages(thread_id, limit=100_000)]
        threads.append(data)
    document = {"format": FORMAT, "exported_at": now, "phone_numbers": sorted(person.numbers),
                "senders": [{"channel": c, "id": s} for c, s in sorted(person.senders)],
                "work_items": items, "threads": threads}
    for name, part in (extra or {}).items():
        document[name] = part(person)
    return document

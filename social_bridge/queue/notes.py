"""Agents' internal notes on a work item: a capped Redis list beside the item, never sent to the customer."""
from __future__ import annotations

import json
import time
from typing import Callable

from social_bridge.queue.keys import QueueKeys

MAX_NOTE = 500     # characters; a note is a reminder, not a transcript
NOTES_KEPT = 100   # per item; older notes fall off


class Notes:
    """Notes live at nohold:{queue}:item:<id>:notes, in the queue's hash-tag slot."""

    def __init__(self, redis, clock: Callable[[], float] = time.time, keys: QueueKeys | None = None):
        self.redis, self.clock, self.keys = redis, clock, keys or QueueKeys()

    def key(self, item_id: str) -> str:
        return self.keys.item(item_id) + ":notes"

    def add(self, item_id: str, agent_id: str, text: str) -> dict:
        """Append one note; ValueError when empty or too long."""
        text = (text or "").strip()
        if not text:
            raise ValueError("the note is empty")
        if len(text) > MAX_NOTE:
            raise ValueError(f"the note is too long: at most {MAX_NOTE} characters")
        note = {"at": self.clock(), "agent": agent_id, "text": text}
        with self.redis.pipeline(transaction=True) as pipe:
            pipe.rpush(self.key(item_id), json.dumps(note, ensure_ascii=False))
            pipe.ltrim(self.key(item_id), -NOTES_KEPT, -1).execute()
        return note

    def for_item(self, item_id: str) -> list[dict]:
        """The item's notes, oldest first."""
        return [json.loads(raw) for raw in self.redis.lrange(self.key(item_id), 0, -1)]

"""A voicemail's transcript, its intent and its transcription status, kept on the work item itself.

The console shows `details["transcript"]`; `details["transcription"]` says where it stands:
    {"status": "done",        "intent", "confidence", "engine", "audio_seconds", "attempts", "at"}
    {"status": "retrying",    "reason", "detail", "attempts", "at"}   another attempt is scheduled
    {"status": "failed",      "reason", "detail", "attempts", "at"}   given up: the agent listens
    {"status": "unavailable", "reason", "detail", "at"}               not attempted (dev mode, engine off…)
Writes are optimistic transactions on the item hash (WATCH), so a claim or a merge happening at
the same time is never overwritten, and a transcript once stored is never replaced.
"""
from __future__ import annotations

import json
import time

from redis.exceptions import WatchError

from social_bridge.queue.keys import QueueKeys

LOCK_SECONDS = 15 * 60   # longer than any job may run (RQ's timeout below): a crashed worker's lock expires


class TranscriptStore:
    def __init__(self, redis, keys: QueueKeys | None = None, clock=time.time):
        self.redis, self.keys, self.clock = redis, keys or QueueKeys(), clock

    def status(self, item) -> dict:
        return item.details.get("transcription") or {}

    def lock(self, item_id: str) -> bool:
        """Only one run at a time per voicemail (a replayed job waits for nothing and does nothing)."""
        return bool(self.redis.set(self._lock_key(item_id), "1", nx=True, ex=LOCK_SECONDS))

    def unlock(self, item_id: str) -> None:
        self.redis.delete(self._lock_key(item_id))

    def attach(self, item_id: str, transcript: str, intent: str | None, confidence: float, engine: str,
               audio_seconds: float) -> bool:
        """Stores the transcript once; False when one is already there. An item without intent gets this one."""
        def change(details: dict, fields: dict) -> dict | None:
            state = details.get("transcription") or {}
            if state.get("status") == "done":
                return None
            details["transcript"] = transcript
            details["transcription"] = {"status": "done", "intent": intent, "confidence": round(confidence, 3),
                                        "engine": engine, "audio_seconds": round(audio_seconds, 1),
                                        "attempts": state.get("attempts", 0) + 1, "at": self.clock()}
            updates = {"details": _dump(details)}
            if intent and not fields.get("intent"):
                updates["intent"] = intent
            return updates
        return self._update(item_id, change)

    def flag(self, item_id: str, status: str, reason: str, detail: str = "", attempted: bool = True) -> bool:
        """Records a failed or skipped attempt with its reason (never over a stored transcript)."""
        def change(details: dict, fields: dict) -> dict | None:
            state = details.get("transcription") or {}
            if state.get("status") == "done":
                return None
            attempts = state.get("attempts", 0) + (1 if attempted else 0)
            details["transcription"] = {"status": status, "reason": reason, "detail": detail[:120],
                                        "attempts": attempts, "at": self.clock()}
            return {"details": _dump(details)}
        return self._update(item_id, change)

    def _update(self, item_id: str, change) -> bool:
        key = self.keys.item(item_id)
        with self.redis.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    raw, intent = pipe.hmget(key, "details", "intent")
                    if raw is None:
                        pipe.unwatch()
                        return False  # no such item
                    updates = change(json.loads(raw or "{}"), {"intent": intent or ""})
                    if updates is None:
                        pipe.unwatch()
                        return False
                    pipe.multi()
                    pipe.hset(key, mapping=updates)
                    pipe.execute()
                    return True
                except WatchError:
                    continue  # the item changed under us: read it again

    def _lock_key(self, item_id: str) -> str:
        return self.keys.item(item_id) + ":transcribing"


def _dump(details: dict) -> str:
    return json.dumps(details, sort_keys=True, separators=(",", ":"))

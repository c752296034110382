"""Who looked at whose data: an append-only log of reads of customers' words, recordings listened to,
exports and erasures. It holds who, what, when and which record (an item or thread id, or a pseudonym),
never the content; supervisors see it; retention drops entries older than RETENTION_ACCESS_LOG_DAYS.

One sorted set (score = when) under its own hash tag: nothing in the app rewrites or deletes an entry
except the retention pass.
"""
from __future__ import annotations

import json
import time
from typing import Callable

ACTIONS = ("read_words", "listen_recording", "export", "erase", "view_attachment")
HASH_TAG = "{access}"


class AccessLog:
    def __init__(self, redis, clock: Callable[[], float] = time.time, prefix: str = "nohold"):
        self.redis, self.clock = redis, clock
        self.key = f"{prefix}:{HASH_TAG}:log"
        self.sequence = f"{prefix}:{HASH_TAG}:seq"   # orders entries of one instant; unique members

    def record(self, who: str, action: str, subject: str, detail: str = "") -> None:
        """One entry; `detail` is a count or a reason, never a customer's words."""
        if action not in ACTIONS:
            raise ValueError(f"unknown access action {action!r}")
        at = self.clock()
        entry = {"at": at, "who": who, "action": action, "subject": subject, "detail": detail,
                 "seq": int(self.redis.incr(self.sequence))}
        # members of one instant sort by their zero-padded sequence number: newest first, even when cut by a limit
        self.redis.zadd(self.key, {f"{entry['seq']:015d} {json.dumps(entry, sort_keys=True)}": at})

    def entries(self, limit: int = 50) -> list[dict]:
        """Newest first."""
        return [json.loads(raw.split(" ", 1)[1]) for raw in self.redis.zrevrange(self.key, 0, max(0, limit - 1))]

    def trim(self, older_than: float) -> int:
        """Retention: entries before `older_than` go."""
        return int(self.redis.zremrangebyscore(self.key, "-inf", f"({older_than!r}"))

"""Who changed which agent, how and when (issue 19): the audit list under the agents page. Never a password or a
token, only what was done ("token_issued", the token's id); the newest AUDIT_KEPT entries are kept."""
from __future__ import annotations

import json
import time
from typing import Callable

AUDIT_ACTIONS = ("add", "disable", "enable", "password", "token_issued", "token_revoked", "edit")
AUDIT_KEPT = 1000


class AgentAudit:
    def __init__(self, redis, clock: Callable[[], float] = time.time, prefix: str = "nohold"):
        self.redis, self.clock = redis, clock
        self.key = f"{prefix}:{{agents}}:audit"  # beside the agents, under their hash tag

    def record(self, who: str, action: str, whom: str, detail: str = "") -> dict:
        if action not in AUDIT_ACTIONS:
            raise ValueError(f"unknown agent audit action {action!r}")
        entry = {"at": self.clock(), "who": who, "action": action, "whom": whom, "detail": detail}
        with self.redis.pipeline(transaction=True) as pipe:
            pipe.lpush(self.key, json.dumps(entry, sort_keys=True))
            pipe.ltrim(self.key, 0, AUDIT_KEPT - 1).execute()
        return entry

    def entries(self, limit: int = 50) -> list[dict]:
        """Newest first."""
        return [json.loads(raw) for raw in self.redis.lrange(self.key, 0, max(0, limit - 1))]

"""Runs the queue's Lua scripts (social_bridge/queue/lua/) with the keys and clock each one expects."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from social_bridge.queue.keys import QueueKeys

LUA_DIR = Path(__file__).with_name("lua")
PRELUDE = "common"


@lru_cache(maxsize=None)
def lua_sources() -> dict[str, str]:
    """Each script with the shared prelude (keys, place, leases...) in front, by file stem."""
    prelude = (LUA_DIR / f"{PRELUDE}.lua").read_text()
    return {path.stem: prelude + "\n" + path.read_text()
            for path in sorted(LUA_DIR.glob("*.lua")) if path.stem != PRELUDE}


class QueueScripts:
    """Every transition of the queue is one script: atomic, so no client ever sees half a move."""

    def __init__(self, redis, keys: QueueKeys):
        connection_kwargs = getattr(redis, "get_connection_kwargs", None)
        if connection_kwargs and not connection_kwargs().get("decode_responses"):
            raise ValueError("the work queue needs a Redis client with decode_responses=True")
        self.keys = keys
        self._keys = keys.script_keys()
        self._prefixes = keys.script_prefixes()
        self._scripts = {name: redis.register_script(src) for name, src in lua_sources().items()}

    def __call__(self, name: str, now: float, *args: str | int):
        """Run one script at `now`; args become A[1], A[2]... inside it."""
        return self._scripts[name](keys=self._keys, args=[repr(float(now)), *self._prefixes, *args])

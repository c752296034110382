"""Each call's state in Redis, keyed by CallSid, and the reply given at each step (for replays)."""
from __future__ import annotations

import time
from contextlib import contextmanager

from ivr.call_state import CallState


def _state_key(sid: str) -> str:
    return f"nohold:{{call:{sid}}}"


def _replies_key(sid: str) -> str:
    return f"nohold:{{call:{sid}}}:replies"


def _lock_key(sid: str) -> str:
    return f"nohold:{{call:{sid}}}:lock"


class CallBusy(RuntimeError):
    """Another process is answering the same step and did not finish in time."""


class CallStore:
    def __init__(self, redis, ttl_seconds: int = 4 * 3600):
        self.redis, self.ttl = redis, ttl_seconds

    def load(self, sid: str) -> CallState | None:
        raw = self.redis.get(_state_key(sid))
        return CallState.from_json(raw) if raw else None

    def reply_for(self, sid: str, seq: int) -> str | None:
        return self.redis.hget(_replies_key(sid), str(seq))

    def commit(self, state: CallState, answered_seq: int, twiml: str) -> None:
        """Saves the new state and the reply to step `answered_seq` together."""
        pipe = self.redis.pipeline(transaction=True)
        pipe.set(_state_key(state.sid), state.to_json(), ex=self.ttl)
        pipe.hset(_replies_key(state.sid), str(answered_seq), twiml)
        pipe.expire(_replies_key(state.sid), self.ttl)
        pipe.execute()

    def update(self, state: CallState) -> None:
        self.redis.set(_state_key(state.sid), state.to_json(), ex=self.ttl)

    @contextmanager
    def locked(self, sid: str, wait_seconds: float = 8.0, hold_ms: int = 12000):
        """Serialises work on one call: a duplicate delivery waits for the first one's reply."""
        token = str(time.monotonic_ns())
        deadline = time.monotonic() + wait_seconds
        while not self.redis.set(_lock_key(sid), token, nx=True, px=hold_ms):
            if time.monotonic() > deadline:
                raise CallBusy(sid)
            time.sleep(0.02)
        try:
            yield
        finally:
            self.redis.eval("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
                            1, _lock_key(sid), token)

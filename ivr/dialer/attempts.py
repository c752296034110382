"""Dial attempts: persisted before any call is placed, moved between states by compare-and-set only."""
from __future__ import annotations

import json
import re
import secrets
import time
from dataclasses import dataclass, fields
from typing import Callable

TTL_SECONDS = 30 * 86400
ATTEMPT_ID = re.compile(r"DA[0-9a-f]{16}")  # always fullmatch: "$" alone lets a trailing newline through
# created → dialing → agent_ringing → agent_answered → customer_dialing (→ customer_ended: the answered leg
# is over, an AMD verdict may still come): the call is still being made
LIVE = ("created", "dialing", "agent_ringing", "agent_answered", "customer_dialing", "customer_ended")
# how far a leg got; a callback never moves a leg backwards (Twilio may deliver them out of order)
LEG_RANK = {"queued": 1, "initiated": 1, "ringing": 2, "in-progress": 3, "answered": 3,
            "completed": 4, "busy": 4, "failed": 4, "no-answer": 4, "canceled": 4}

# KEYS attempt; ARGV ttl, fields (json). Never overwrites: a twin racing to create it changes nothing.
_CREATE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
for k, v in pairs(cjson.decode(ARGV[2])) do redis.call('HSET', KEYS[1], k, v) end
redis.call('EXPIRE', KEYS[1], ARGV[1])
return 1
"""
# KEYS attempt; ARGV fields (json): each written only where the attempt has none yet
_NOTE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
for k, v in pairs(cjson.decode(ARGV[1])) do
  local cur = redis.call('HGET', KEYS[1], k)
  if not cur or cur == '' then redis.call('HSET', KEYS[1], k, v) end
end
return 1
"""
# KEYS attempt, transitions log; ARGV allowed states (json), new state, now, fields (json)
_MOVE = """
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {'missing', ''} end
for _, allowed in ipairs(cjson.decode(ARGV[1])) do
  if allowed == state then
    redis.call('HSET', KEYS[1], 'state', ARGV[2], 'updated_at', ARGV[3])
    for k, v in pairs(cjson.decode(ARGV[4])) do redis.call('HSET', KEYS[1], k, v) end
    redis.call('RPUSH', KEYS[2], cjson.encode({at = tonumber(ARGV[3]), from = state, to = ARGV[2]}))
    redis.call('EXPIRE', KEYS[2], ARGV[5])
    return {'moved', state}
  end
end
return {'kept', state}
"""
# KEYS attempt, seen set, transitions log; ARGV leg, status, rank, call sid, now, ttl
_LEG = """
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if redis.call('SADD', KEYS[2], ARGV[1] .. '|' .. ARGV[2] .. '|' .. ARGV[4]) == 0 then return 0 end
redis.call('EXPIRE', KEYS[2], ARGV[6])
local rank = tonumber(redis.call('HGET', KEYS[1], ARGV[1] .. '_rank') or '0')
if tonumber(ARGV[3]) > rank then
  redis.call('HSET', KEYS[1], ARGV[1] .. '_status', ARGV[2], ARGV[1] .. '_rank', ARGV[3])
end
local sid = redis.call('HGET', KEYS[1], ARGV[1] .. '_call_sid')
if ARGV[4] ~= '' and (not sid or sid == '') then redis.call('HSET', KEYS[1], ARGV[1] .. '_call_sid', ARGV[4]) end
redis.call('RPUSH', KEYS[3], cjson.encode({at = tonumber(ARGV[5]), leg = ARGV[1], status = ARGV[2]}))
return 1
"""


@dataclass
class Attempt:
    """One try at an agent-first callback: ring the agent, then (on 1) the customer."""

    id: str
    item_id: str
    fence: int
    agent_id: str
    agent_phone: str
    agent_lang: str
    customer: str
    lang: str
    state: str = "created"
    created_at: float = 0.0
    updated_at: float = 0.0
    dialing_at: float = 0.0
    agent_call_sid: str = ""
    customer_call_sid: str = ""
    agent_status: str = ""
    customer_status: str = ""
    asks: int = 0
    error: str = ""
    outcome: str = ""
    settled: int = 0
    check: str = ""        # CALLBACK_CUSTOMER_CHECK when the customer was dialed (ivr/dialer/customer_check.py)
    answered_by: str = ""  # Twilio's first AnsweredBy for the customer leg
    confirmed: str = ""    # the customer's answer to "prema 1": "1" or "none"
    machine_by: str = ""   # how a machine was told: amd_<AnsweredBy> or no_key

    @classmethod
    def from_hash(cls, h: dict) -> "Attempt":
        kinds = {f.name: f.type for f in fields(cls)}
        convert = {"int": lambda v: int(float(v)), "float": float, "str": str}
        return cls(**{name: convert[kinds[name]](h[name]) for name in kinds if name in h})


class DialAttempts:
    """Attempts in Redis: one hash each, an index per item (fence → attempt), the open ones."""

    def __init__(self, redis, clock: Callable[[], float] = time.time, prefix: str = "nohold"):
        self.redis, self.clock, self.prefix = redis, clock, prefix
        self._create = redis.register_script(_CREATE)
        self._move = redis.register_script(_MOVE)
        self._note = redis.register_script(_NOTE)
        self._leg = redis.register_script(_LEG)

    # -- keys: each attempt is its own hash tag; indexes live in their own slots ---------------
    def key(self, attempt_id: str) -> str:
        return f"{self.prefix}:{{dial:{attempt_id}}}"

    def _for_item(self, item_id: str) -> str:
        return f"{self.prefix}:{{dialitem:{item_id}}}"

    @property
    def _open(self) -> str:
        return f"{self.prefix}:{{dials}}:open"

    @property
    def _review(self) -> str:
        return f"{self.prefix}:{{dials}}:review"

    def create(self, item_id: str, fence: int, agent_id: str, agent_phone: str, agent_lang: str,
               customer: str, lang: str) -> tuple[Attempt, bool]:
        """The attempt for this claim (item + fence): a new one, or the one already made for it."""
        new_id = "DA" + secrets.token_hex(8)
        # the index is written first: a second start for the same claim finds it, even after a crash
        self.redis.hsetnx(self._for_item(item_id), str(fence), new_id)
        attempt_id = self.redis.hget(self._for_item(item_id), str(fence))
        self.redis.expire(self._for_item(item_id), TTL_SECONDS)
        existing = self.get(attempt_id)
        if existing is not None:
            return existing, False
        now = self.clock()
        attempt = Attempt(attempt_id, item_id, int(fence), agent_id, agent_phone, agent_lang, customer, lang,
                          created_at=now, updated_at=now)
        self.redis.zadd(self._open, {attempt_id: now}, nx=True)
        values = {f.name: str(getattr(attempt, f.name)) for f in fields(Attempt)}
        if not self._create(keys=[self.key(attempt_id)], args=[TTL_SECONDS, json.dumps(values)]):
            return self.get(attempt_id), False
        return attempt, True

    def get(self, attempt_id: str | None) -> Attempt | None:
        if not attempt_id or not ATTEMPT_ID.fullmatch(attempt_id):
            return None
        h = self.redis.hgetall(self.key(attempt_id))
        return Attempt.from_hash(h) if h else None

    def move(self, attempt_id: str, from_states: tuple[str, ...], to_state: str, **values) -> tuple[bool, str]:
        """(moved, state before): to_state only from one of from_states, atomically."""
        flag, before = self._move(
            keys=[self.key(attempt_id), self.key(attempt_id) + ":log"],
            args=[json.dumps(list(from_states)), to_state, repr(self.clock()),
                  json.dumps({k: str(v) for k, v in values.items()}), TTL_SECONDS])
        return flag == "moved", before

    def note(self, attempt_id: str, **values) -> None:
        """Fields only written if empty (a call sid learnt late never overwrites one known)."""
        values = {k: str(v) for k, v in values.items() if v}
        if values:
            self._note(keys=[self.key(attempt_id)], args=[json.dumps(values)])

    def set(self, attempt_id: str, **values) -> None:
        self.redis.hset(self.key(attempt_id), mapping={k: str(v) for k, v in values.items()})

    def once(self, attempt_id: str, what: str, by: str) -> bool:
        """True when `what` is done by `by` for this attempt (first come, and that one's repeats), else False."""
        key = f"{self.key(attempt_id)}:{what}"
        return bool(self.redis.set(key, by, nx=True, ex=TTL_SECONDS)) or self.redis.get(key) == by

    def ask_again(self, attempt_id: str) -> int:
        return int(self.redis.hincrby(self.key(attempt_id), "asks", 1))

    def record_leg(self, attempt_id: str, leg: str, status: str, call_sid: str) -> bool:
        """Remembers one leg status callback; False for a repeat (or an unknown attempt)."""
        key = self.key(attempt_id)
        return self._leg(keys=[key, key + ":seen", key + ":log"],
                         args=[leg, status, LEG_RANK.get(status, 0), call_sid, repr(self.clock()), TTL_SECONDS]) == 1

    def log(self, attempt_id: str) -> list[dict]:
        return [json.loads(e) for e in self.redis.lrange(self.key(attempt_id) + ":log", 0, -1)]

    def mark_settled(self, attempt_id: str, **values) -> None:
        """Its consequences for the item are done: no sweep looks at it again."""
        self.set(attempt_id, settled=1, **values)
        self.redis.zrem(self._open, attempt_id)

    def open_ids(self, created_before: float | None = None) -> list[str]:
        """Attempts not settled yet, oldest first (optionally only those created before a time)."""
        top = "+inf" if created_before is None else repr(created_before)
        return self.redis.zrangebyscore(self._open, "-inf", top)

    def for_item(self, item_id: str) -> list[Attempt]:
        ids = self.redis.hvals(self._for_item(item_id))
        return sorted((a for a in map(self.get, ids) if a), key=lambda a: a.created_at)

    def flag_for_review(self, attempt_id: str) -> None:
        self.redis.zadd(self._review, {attempt_id: self.clock()})

    def to_review(self) -> list[str]:
        """Attempts a supervisor should look at (a call may or may not have been placed)."""
        return self.redis.zrange(self._review, 0, -1)

"""Inbound abuse: how much one sender may write, so a stranger cannot fill Redis (or the agents' queue).

Per sender and channel, a minute and a day window of the app's clock (one hash named by the sender's
pseudonym, expiring a day after their last message); a message over MESSAGE_MAX_CHARS is cut to it. A refused message is not stored:
the provider has it, and the sender's next message within the limits is answered as usual.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from social_bridge.privacy.pseudonyms import PersonKeys

MINUTE, DAY = 60, 86400


@dataclass(frozen=True)
class Limits:
    per_minute: int = 10
    per_day: int = 200
    max_chars: int = 2000


# KEYS: the sender's counters. ARGV: minute index, day index, ttl. Returns {in this minute, in this day}.
_COUNT = """
if redis.call('HGET', KEYS[1], 'minute') ~= ARGV[1] then redis.call('HSET', KEYS[1], 'minute', ARGV[1], 'in_minute', 0) end
if redis.call('HGET', KEYS[1], 'day') ~= ARGV[2] then redis.call('HSET', KEYS[1], 'day', ARGV[2], 'in_day', 0) end
local minute = redis.call('HINCRBY', KEYS[1], 'in_minute', 1)
local day = redis.call('HINCRBY', KEYS[1], 'in_day', 1)
redis.call('EXPIRE', KEYS[1], ARGV[3])
return {minute, day}
"""


class InboundLimits:
    def __init__(self, redis, persons: PersonKeys, limits: Limits = Limits(), prefix: str = "nohold",
                 clock: Callable[[], float] = time.time):
        self.redis, self.persons, self.limits, self.prefix, self.clock = redis, persons, limits, prefix, clock
        self._count = redis.register_script(_COUNT)

    def key(self, channel: str, sender_id: str) -> str:
        """Hash: one sender's counters on one channel (this minute, this day), named by the sender's pseudonym."""
        return f"{self.prefix}:{{inlimit:{self.persons.of(sender_id)}}}:{channel}"

    def refusal(self, channel: str, sender_id: str) -> str | None:
        """Counts one message; "minute" or "day" when it is over that limit, else None."""
        now = self.clock()
        in_minute, in_day = self._count(keys=[self.key(channel, sender_id)],
                                        args=[int(now // MINUTE), int(now // DAY), DAY + MINUTE])
        if in_minute > self.limits.per_minute:
            return "minute"
        if in_day > self.limits.per_day:
            return "day"
        return None

    def cut(self, text: str) -> str:
        return text if len(text) <= self.limits.max_chars else text[:self.limits.max_chars]

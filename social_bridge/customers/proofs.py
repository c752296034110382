"""Proofs that an identity belongs to a person, and the one-time codes that make one.

An identity joins a customer only with a Proof: a handoff code that was texted to that number and came back
on another channel, a one-time code texted to the number on file and typed back, or the customer backend's
confirmation. A typed claim ("my number is 347…") is never one. One-time codes are 6 digits, stored only as
an HMAC under the person's pseudonym, single use, a few tries, a few minutes.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Callable

from social_bridge.customers.keys import CustomerKeys
from social_bridge.privacy.pseudonyms import PersonKeys

KINDS = ("contact", "handoff_code", "one_time_code", "backend")  # contact: the channel's own sender of a new record
CODE_DIGITS = 6
CODE_SECONDS = 600
CODE_TRIES = 5


@dataclass(frozen=True)
class Proof:
    kind: str          # one of KINDS
    detail: str = ""   # what was proven with (a call sid, "sms", a backend name): never the code itself

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"not a kind of proof: {self.kind!r}")


class OneTimeCodes:
    """6-digit codes texted to a number on file and typed back; one pending per purpose and person."""

    def __init__(self, redis, persons: PersonKeys, clock: Callable[[], float] = time.time,
                 keys: CustomerKeys | None = None, seconds: int = CODE_SECONDS, tries: int = CODE_TRIES):
        self.redis, self.persons, self.clock, self.keys = redis, persons, clock, keys or CustomerKeys()
        self.seconds, self.tries = int(seconds), int(tries)

    def _key(self, purpose: str, identifier: str) -> str:
        return self.keys.one_time_code(purpose, self.persons.of(identifier))

    def _digest(self, identifier: str, code: str) -> str:
        return hmac.new(self.persons.of(identifier).encode(), code.encode(), hashlib.sha256).hexdigest()

    def issue(self, purpose: str, identifier: str) -> str:
        """A new code for `identifier` (replacing any pending one); the caller texts it to that number."""
        code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
        key = self._key(purpose, identifier)
        with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, mapping={"digest": self._digest(identifier, code), "tries": self.tries,
                                    "expires_at": repr(self.clock() + self.seconds)})
            pipe.expire(key, self.seconds)
            pipe.execute()
        return code

    def pending(self, purpose: str, identifier: str) -> bool:
        """A code is out for this person and purpose (not used, not expired, tries left)."""
        return bool(self.redis.exists(self._key(purpose, identifier)))

    def verify(self, purpose: str, identifier: str, typed: str) -> bool:
        """True once for the right code in time; every wrong try counts, and the code dies after the last."""
        key = self._key(purpose, identifier)
        code = "".join(ch for ch in (typed or "") if ch.isdigit())[:CODE_DIGITS + 1]
        stored = self.redis.hgetall(key)
        if not stored or self.clock() > float(stored["expires_at"]):
            return False
        if len(code) == CODE_DIGITS and hmac.compare_digest(stored["digest"], self._digest(identifier, code)):
            return bool(self.redis.delete(key))  # single use: a concurrent second verify finds nothing
        if self.redis.hincrby(key, "tries", -1) <= 0:
            self.redis.delete(key)
        return False

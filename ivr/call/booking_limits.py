"""Callback bookings per number and per block of adjacent numbers: the brakes on toll-fraud pumping.

A number may book BOOKINGS_PER_NUMBER_PER_DAY callbacks in 24 hours. A burst of bookings from one
block (a number without its last two digits) trips a breaker that refuses the whole block for a
while and raises an alert. Times come from the app's clock; Redis TTLs only clean up.
"""
from __future__ import annotations

import logging
import secrets
import time

from ivr.call.callback_policy import mask
from ivr.runtime.keys import BOOKINGS
from ivr.runtime.metrics import METRICS_KEY, Metrics
from social_bridge.privacy.pseudonyms import PersonKeys

BASE = BOOKINGS   # one slot: a booking's counters change in one pipeline on Redis Cluster
DAY = 24 * 3600
BREAKER_TRIPS = "abuse_breaker_trips"   # /metrics: nohold_abuse_breaker_trips_total

log = logging.getLogger(__name__)


def block_of(e164: str) -> str:
    """The number without its last two digits: a hundred adjacent numbers share it."""
    return e164[:-2]




class BookingLimits:
    def __init__(self, redis, per_day: int = 3, breaker_bookings: int = 20, breaker_window_minutes: int = 10,
                 breaker_minutes: int = 60, clock=time.time, *, persons: PersonKeys):
        self.redis, self.per_day, self.clock = redis, per_day, clock
        # keys name no phone number (a keyed HMAC, not a bare hash anyone could reverse by trying every number)
        self.persons = persons
        self.breaker_bookings, self.breaker_window = breaker_bookings, breaker_window_minutes * 60
        self.breaker_seconds = breaker_minutes * 60

    @classmethod
    def from_settings(cls, redis, settings, clock=time.time) -> "BookingLimits":
        return cls(redis, settings.bookings_per_number_per_day, settings.booking_breaker_bookings,
                   settings.booking_breaker_window_minutes, settings.booking_breaker_minutes, clock,
                   persons=PersonKeys(settings.person_key_secret))

    def number_key(self, e164: str) -> str:
        """Zset: this number's recent bookings (erasure removes it; the block's counts name nobody)."""
        return self._keys(e164)[0]

    def _keys(self, e164: str) -> tuple[str, str, str]:
        block = self.persons.of("block:" + block_of(e164))
        return f"{BASE}:number:{self.persons.of(e164)}", f"{BASE}:block:{block}", f"{BASE}:breaker:{block}"

    def refusal(self, e164: str) -> str | None:
        """Why a new booking for `e164` is refused now ("breaker", "daily"), or None."""
        number_key, _, breaker_key = self._keys(e164)
        now = self.clock()
        with self.redis.pipeline(transaction=False) as pipe:
            pipe.get(breaker_key)
            pipe.zcount(number_key, now - DAY, "+inf")
            tripped_until, booked_today = pipe.execute()
        if tripped_until and float(tripped_until) > now:
            return "breaker"
        if booked_today >= self.per_day:
            return "daily"
        return None

    def record(self, e164: str) -> None:
        """Counts one new booking; the booking that makes a block's burst too big trips its breaker."""
        number_key, block_key, breaker_key = self._keys(e164)
        now, member = self.clock(), f"{self.clock()!r}:{secrets.token_hex(4)}"
        with self.redis.pipeline(transaction=True) as pipe:
            pipe.zadd(number_key, {member: now}).zremrangebyscore(number_key, "-inf", now - DAY).expire(number_key, DAY)
            pipe.zadd(block_key, {member: now}).zremrangebyscore(block_key, "-inf", now - self.breaker_window)
            pipe.expire(block_key, self.breaker_window).zcard(block_key)
            burst = pipe.execute()[-1]
        if burst <= self.breaker_bookings:
            return
        tripped_until = self.redis.get(breaker_key)
        if tripped_until and float(tripped_until) > now:
            return  # already refusing this block: one alert per trip
        self.redis.set(breaker_key, repr(now + self.breaker_seconds), ex=self.breaker_seconds)
        self.redis.hincrby(METRICS_KEY, Metrics.field(BREAKER_TRIPS), 1)  # another slot: not in the same MULTI
        log.error("booking breaker tripped: %d callbacks booked from the numbers %sxx in %d minutes; "
                  "that block is refused for %d minutes", burst, mask(block_of(e164)),
                  self.breaker_window // 60, self.breaker_seconds // 60)

"""Known outages: supervisors declare them per area, callers hear them first and may ask to be told of the fix."""
from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass
from typing import Callable

from social_bridge.queue.agents import E164

# The caller hears one sentence per cause, from prompts/.
CAUSES = ("exchange_fault", "network_fault", "planned_works", "weather", "power_cut")
HASH_TAG = "{outages}"
AREA = re.compile(r"^[A-Z0-9-]{2,32}$")
CONTACT = re.compile(r"^[a-z][a-z0-9_]{0,31}:\S{1,128}$")  # "<channel>:<id>", e.g. "messenger:4412…"
OUTAGE_ID = re.compile(r"^[0-9a-f]{12}$")
BUCKET_SECONDS = 600             # internet_down reports are counted per 10 minutes and area
REPORTS_KEPT = 3600              # seconds of reports kept: the longest window suggestions may look back
MAX_FIX_AHEAD = 30 * 86400       # a fix time further out is a typo, not an outage
RESOLVED_KEPT = 30 * 86400       # a resolved outage, and who asked to hear of it, stays readable this long

# KEYS active, new outage; ARGV outage prefix, area, new id, cause, fix at, now, agent.
# Declaring an area that already has an active outage updates that one: never two per area.
_DECLARE = """
local current = redis.call('HGET', KEYS[1], ARGV[2])
if current then
  redis.call('HSET', ARGV[1] .. current, 'cause', ARGV[4], 'expected_fix_at', ARGV[5])
  return current
end
redis.call('HSET', KEYS[2], 'id', ARGV[3], 'area', ARGV[2], 'cause', ARGV[4], 'expected_fix_at', ARGV[5],
           'declared_at', ARGV[6], 'declared_by', ARGV[7], 'resolved_at', '0', 'resolved_by', '')
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
return ARGV[3]
"""

# KEYS active, outage, subscribers; ARGV id, now, agent, seconds kept. Only the first call sees '0'.
_RESOLVE = """
if redis.call('HGET', KEYS[2], 'resolved_at') ~= '0' then return {} end
redis.call('HSET', KEYS[2], 'resolved_at', ARGV[2], 'resolved_by', ARGV[3])
local area = redis.call('HGET', KEYS[2], 'area')
if redis.call('HGET', KEYS[1], area) == ARGV[1] then redis.call('HDEL', KEYS[1], area) end
redis.call('EXPIRE', KEYS[2], ARGV[4])
redis.call('EXPIRE', KEYS[3], ARGV[4])
return redis.call('SMEMBERS', KEYS[3])
"""

# KEYS outage, subscribers; ARGV contact. Atomic with _RESOLVE: nobody joins after the list was handed out.
_SUBSCRIBE = """
if redis.call('HGET', KEYS[1], 'resolved_at') ~= '0' then return 0 end
redis.call('SADD', KEYS[2], ARGV[1])
return 1
"""


class OutageRefused(ValueError):
    """A declaration or subscription we do not accept; .reason names it for the console's labels."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


@dataclass
class Outage:
    id: str
    area: str
    cause: str
    expected_fix_at: float
    declared_at: float
    declared_by: str
    resolved_at: float = 0.0
    resolved_by: str = ""
    subscribers: int = 0


class OutageKeys:
    """Names every key of known outages, all in one Redis Cluster slot."""

    def __init__(self, prefix: str = "nohold") -> None:
        if "{" in prefix or "}" in prefix:
            raise ValueError("prefix must not contain braces: the hash tag is added here")
        base = f"{prefix}:{HASH_TAG}"
        self.active = f"{base}:active"              # hash area -> id of its active outage
        self.outage_prefix = f"{base}:outage:"      # + id: hash of one Outage
        self.reports_prefix = f"{base}:reports:"    # + bucket number: hash area -> reports
        self.languages = f"{base}:languages"        # hash contact -> the language they subscribed in
        self.notify_prefix = f"{base}:notify:"      # + id: list of contacts still to tell of the fix

    def outage(self, outage_id: str) -> str:
        return self.outage_prefix + outage_id

    def subscribers(self, outage_id: str) -> str:
        """Set of contacts to tell when the outage is fixed."""
        return self.outage(outage_id) + ":subscribers"

    def reports(self, bucket: int) -> str:
        return f"{self.reports_prefix}{bucket}"

    def to_notify(self, outage_id: str) -> str:
        """List of the resolved outage's subscribers not yet told it is fixed."""
        return self.notify_prefix + outage_id

    def notified(self, outage_id: str) -> str:
        """Set of the subscribers already told: a job run again never texts anyone twice."""
        return self.to_notify(outage_id) + ":done"


def normal_area(area: str) -> str:
    """The stored form of an area or exchange code: "mi-nord " -> "MI-NORD"; OutageRefused when not one."""
    code = (area or "").strip().upper()
    if not AREA.match(code):
        raise OutageRefused("bad_area", f"an area is 2 to 32 letters, digits or dashes, not {area!r}")
    return code


class Outages:
    """Declared outages, their subscribers, and the internet_down reports that may reveal the next one."""

    def __init__(self, redis, clock: Callable[[], float] = time.time, keys: OutageKeys | None = None):
        self.redis, self.clock, self.keys = redis, clock, keys or OutageKeys()
        self._declare = redis.register_script(_DECLARE)
        self._resolve = redis.register_script(_RESOLVE)
        self._subscribe = redis.register_script(_SUBSCRIBE)

    def declare(self, area: str, cause: str, expected_fix_at: float, agent_id: str) -> Outage:
        """The area's active outage, new or with this cause and fix time; OutageRefused on bad input."""
        area, now = normal_area(area), self.clock()
        if cause not in CAUSES:
            raise OutageRefused("bad_cause", f"cause must be one of {', '.join(CAUSES)}, not {cause!r}")
        if expected_fix_at <= now:
            raise OutageRefused("fix_past", "the expected fix time must be in the future")
        if expected_fix_at > now + MAX_FIX_AHEAD:
            raise OutageRefused("fix_far", f"the expected fix time must be within {MAX_FIX_AHEAD // 86400} days")
        new_id = secrets.token_hex(6)
        outage_id = self._declare(keys=[self.keys.active, self.keys.outage(new_id)],
                                  args=[self.keys.outage_prefix, area, new_id, cause, repr(float(expected_fix_at)),
                                        repr(float(now)), agent_id])
        return self.get(outage_id)

    def resolve(self, outage_id: str, agent_id: str) -> list[str]:
        """Who to notify of the fix: everyone subscribed, to the first call only; [] afterwards."""
        if not OUTAGE_ID.match(outage_id or ""):
            return []
        return sorted(self._resolve(
            keys=[self.keys.active, self.keys.outage(outage_id), self.keys.subscribers(outage_id)],
            args=[outage_id, repr(float(self.clock())), agent_id, RESOLVED_KEPT]))

    def get(self, outage_id: str) -> Outage | None:
        if not OUTAGE_ID.match(outage_id or ""):
            return None
        return self._load([outage_id])[0]

    def active(self) -> list[Outage]:
        """Every outage not yet resolved, the oldest first."""
        found = self._load(list(self.redis.hgetall(self.keys.active).values()))
        return sorted((o for o in found if o), key=lambda o: (o.declared_at, o.area))

    def active_for(self, area: str) -> Outage | None:
        """The outage a caller from `area` should hear of; None for an unknown or malformed area."""
        try:
            outage_id = self.redis.hget(self.keys.active, normal_area(area))
        except OutageRefused:
            return None
        return self.get(outage_id) if outage_id else None

    def subscribe(self, outage_id: str, contact: str) -> bool:
        """Tell `contact` (E.164 or "<channel>:<id>") of the fix; False when the outage is over or unknown."""
        contact = (contact or "").strip()
        if not (E164.match(contact) or CONTACT.match(contact)):
            raise OutageRefused("bad_contact", "a contact is an E.164 number or <channel>:<id>")
        if not OUTAGE_ID.match(outage_id or ""):
            return False
        return bool(self._subscribe(keys=[self.keys.outage(outage_id), self.keys.subscribers(outage_id)],
                                    args=[contact]))

    def report(self, area: str) -> int:
        """Count one internet_down report (a call or a chat) from `area`; the reports of the last 10 minutes.

        Like active_for, lenient: the call flow passes whatever area the customer records hold, and a
        malformed one (0, nothing counted) must not break the call.
        """
        try:
            area, now = normal_area(area), self.clock()
        except OutageRefused:
            return 0
        bucket = int(now // BUCKET_SECONDS)
        with self.redis.pipeline(transaction=True) as pipe:
            pipe.hincrby(self.keys.reports(bucket), area, 1)
            pipe.expire(self.keys.reports(bucket), REPORTS_KEPT + BUCKET_SECONDS)
            pipe.hget(self.keys.reports(bucket - 1), area)
            current, _, previous = pipe.execute()
        return recent({bucket: current, bucket - 1: int(previous or 0)}, now, BUCKET_SECONDS)

    def suggestions(self, threshold: int = 5, window: float = 600) -> list[tuple[str, int]]:
        """Areas with at least `threshold` reports in the last `window` seconds and no active outage, most first."""
        if threshold < 1 or not 0 < window <= REPORTS_KEPT:
            raise ValueError(f"threshold must be at least 1 and window within (0, {REPORTS_KEPT}] seconds")
        now = self.clock()
        buckets = range(int((now - window) // BUCKET_SECONDS), int(now // BUCKET_SECONDS) + 1)
        with self.redis.pipeline(transaction=True) as pipe:
            for bucket in buckets:
                pipe.hgetall(self.keys.reports(bucket))
            pipe.hkeys(self.keys.active)
            *counts, declared = pipe.execute()
        per_area: dict[str, dict[int, int]] = {}
        for bucket, by_area in zip(buckets, counts):
            for area, count in by_area.items():
                per_area.setdefault(area, {})[bucket] = int(count)
        totals = [(area, recent(by_bucket, now, window)) for area, by_bucket in per_area.items()
                  if area not in declared]
        return sorted(((a, n) for a, n in totals if n >= threshold), key=lambda row: (-row[1], row[0]))

    def _load(self, ids: list[str]) -> list[Outage | None]:
        with self.redis.pipeline(transaction=False) as pipe:
            for outage_id in ids:
                pipe.hgetall(self.keys.outage(outage_id))
                pipe.scard(self.keys.subscribers(outage_id))
            replies = pipe.execute()
        return [_outage(h, subscribers) if h else None for h, subscribers in zip(replies[::2], replies[1::2])]


def recent(counts: dict[int, int], now: float, window: float) -> int:
    """Reports in the last `window` seconds from 10-minute buckets.

    A bucket only partly inside the window counts for the part inside, as if its reports were spread
    evenly: a spike across a bucket boundary still adds up, and old reports fade instead of dropping at once.
    """
    total = 0.0
    for bucket, count in counts.items():
        start = bucket * BUCKET_SECONDS
        end = min(start + BUCKET_SECONDS, now)
        inside = end - max(start, now - window)
        total += count if end <= start else count * max(0.0, min(1.0, inside / (end - start)))
    return int(total + 1e-9)


def _outage(h: dict, subscribers: int) -> Outage:
    return Outage(id=h["id"], area=h["area"], cause=h["cause"], expected_fix_at=float(h["expected_fix_at"]),
                  declared_at=float(h["declared_at"]), declared_by=h["declared_by"],
                  resolved_at=float(h["resolved_at"]), resolved_by=h["resolved_by"], subscribers=subscribers)

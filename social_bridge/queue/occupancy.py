"""Occupancy per agent and day: time handling items / time logged in (any state but away).

Presence reports it (Presence(occupancy=...)): every state change and every heartbeat (an open console
beats every 30 s) is an observation. The time since the agent's previous observation is added to the
day's totals as the agent was then — logged in unless away, paused in a pause reason, handling while
holding a claim (from the claim's claimed_at when it began in between). A gap longer than the
heartbeat TTL counts only up to the TTL: past it the agent is away. So the figures are exact to one
heartbeat. One script per observation, so two tabs beating at once never count a second twice.
"""
from __future__ import annotations

import time
from datetime import date, datetime
from typing import Callable
from zoneinfo import ZoneInfo

from social_bridge.queue.keys import QueueKeys
from social_bridge.queue.presence import Presence

PAUSES = Presence.PAUSES
KEPT_DAYS = 40  # a day's totals are kept this long
MEASURES = ("logged", "handling", "paused")

# KEYS marks hash, day hash; ARGV agent, now, ttl, day ttl, logged, handling_since, paused (the new mark).
# The previous mark "at|logged|holding|paused" says how the agent spent the time since it.
_OBSERVE = """
local prev = redis.call('HGET', KEYS[1], ARGV[1])
local now, ttl = tonumber(ARGV[2]), tonumber(ARGV[3])
if prev then
  local at, logged, holding, paused = string.match(prev, '^([^|]+)|(%d)|(%d)|(%d)$')
  local elapsed = math.min(now - tonumber(at), ttl)
  if elapsed > 0 and logged == '1' then
    redis.call('HINCRBYFLOAT', KEYS[2], 'logged:' .. ARGV[1], elapsed)
    local since, handled = tonumber(ARGV[6]), 0
    if holding == '1' then handled = elapsed elseif since > 0 then handled = math.max(0, math.min(elapsed, now - since)) end
    if handled > 0 then redis.call('HINCRBYFLOAT', KEYS[2], 'handling:' .. ARGV[1], handled) end
    if paused == '1' then redis.call('HINCRBYFLOAT', KEYS[2], 'paused:' .. ARGV[1], elapsed) end
    redis.call('EXPIRE', KEYS[2], tonumber(ARGV[4]))
  end
end
local holding_now = '0'
if tonumber(ARGV[6]) > 0 then holding_now = '1' end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. '|' .. ARGV[5] .. '|' .. holding_now .. '|' .. ARGV[7])
return 1
"""


class Occupancy:
    """claims: social_bridge.queue.claims.Claims (only claimed_by is used: who holds what now)."""

    def __init__(self, redis, claims, clock: Callable[[], float] = time.time, keys: QueueKeys | None = None,
                 timezone: str = "Europe/Rome", heartbeat_ttl: float = 90):
        self.redis, self.claims, self.clock, self.keys = redis, claims, clock, keys or QueueKeys()
        self.zone, self.heartbeat_ttl = ZoneInfo(timezone), heartbeat_ttl
        self._observe = redis.register_script(_OBSERVE)

    def today(self) -> str:
        return self._day_of(self.clock())

    def _day_of(self, moment: float) -> str:
        return datetime.fromtimestamp(moment, self.zone).date().isoformat()

    def observe(self, agent_id: str, state: str) -> None:
        """The agent is in `state` now (a state change or a heartbeat)."""
        now = self.clock()
        held = self.claims.claimed_by(agent_id)
        since = min((c.item.claimed_at for c in held), default=0.0) or (now if held else 0.0)
        mark = self.redis.hget(self.keys.occupancy_marks(), agent_id)  # the time since it counts on its day
        began = float(mark.split("|", 1)[0]) if mark else now
        self._observe(keys=[self.keys.occupancy_marks(), self.keys.occupancy_day(self._day_of(began))],
                      args=[agent_id, repr(now), repr(float(self.heartbeat_ttl)), KEPT_DAYS * 86400,
                            "0" if state == "away" else "1", repr(float(since)), "1" if state in PAUSES else "0"])

    def day(self, on: date | str | None = None) -> list[dict]:
        """Every agent logged in that day: seconds logged in, handling, paused, and occupancy (None: no time)."""
        day = on.isoformat() if isinstance(on, date) else (on or self.today())
        totals: dict[str, dict[str, float]] = {}
        for field, seconds in self.redis.hgetall(self.keys.occupancy_day(day)).items():
            measure, _, agent_id = field.partition(":")
            if measure in MEASURES:
                totals.setdefault(agent_id, dict.fromkeys(MEASURES, 0.0))[measure] = float(seconds)
        return [{"agent_id": agent_id, "day": day, "logged_seconds": round(t["logged"]),
                 "handling_seconds": round(t["handling"]), "paused_seconds": round(t["paused"]),
                 "occupancy": round(t["handling"] / t["logged"], 3) if t["logged"] else None}
                for agent_id, t in sorted(totals.items())]

"""Which agents are on shift right now: the state each chose, kept alive by heartbeats."""
from __future__ import annotations

import time
from typing import Callable

from social_bridge.queue.keys import QueueKeys


class Presence:
    """Agent states in Redis; an agent whose console stopped beating counts as away."""

    PAUSES = ("pausa", "formazione", "back-office")  # logged in but off the queue: take nothing, not staffing
    STATES = ("available", "busy", "away") + PAUSES
    DEFAULT_STATE = "available"  # heartbeats without a chosen state: the console is open, so working

    def __init__(self, redis, clock: Callable[[], float] = time.time, keys: QueueKeys | None = None,
                 heartbeat_ttl: float = 90, occupancy=None):
        if heartbeat_ttl <= 0:
            raise ValueError("heartbeat_ttl must be positive")
        self.redis, self.clock, self.keys, self.heartbeat_ttl = redis, clock, keys or QueueKeys(), heartbeat_ttl
        self.occupancy = occupancy  # social_bridge.queue.occupancy.Occupancy: every report is an observation

    def set_state(self, agent_id: str, state: str) -> None:
        """Record the agent's chosen state; also counts as a heartbeat."""
        if state not in self.STATES:
            raise ValueError(f"state must be one of {self.STATES}, not {state!r}")
        _check_agent(agent_id)
        with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(self.keys.presence_states, agent_id, state)
            pipe.zadd(self.keys.presence_seen, {agent_id: self.clock()}).execute()
        if self.occupancy is not None:
            self.occupancy.observe(agent_id, state)

    def heartbeat(self, agent_id: str) -> None:
        """The agent's console is still open."""
        _check_agent(agent_id)
        self.redis.zadd(self.keys.presence_seen, {agent_id: self.clock()})
        if self.occupancy is not None:  # the time since the last report counts as the agent was then
            self.occupancy.observe(agent_id, self.state(agent_id))

    def state(self, agent_id: str) -> str:
        """The chosen state, or "away" when the last heartbeat is older than heartbeat_ttl."""
        with self.redis.pipeline(transaction=False) as pipe:
            pipe.hget(self.keys.presence_states, agent_id)
            pipe.zscore(self.keys.presence_seen, agent_id)
            chosen, seen = pipe.execute()
        return self._live_state(chosen, seen)

    def agents(self) -> list[dict]:
        """Every agent that ever reported, with the state that holds now: [{agent_id, state, last_seen}]."""
        with self.redis.pipeline(transaction=True) as pipe:  # one snapshot of both keys
            pipe.zrange(self.keys.presence_seen, 0, -1, withscores=True)
            pipe.hgetall(self.keys.presence_states)
            seen, chosen = pipe.execute()
        return [{"agent_id": agent, "state": self._live_state(chosen.get(agent), last), "last_seen": last}
                for agent, last in sorted(seen)]

    def counts(self) -> dict[str, int]:
        """Agents per live state: available, busy and away always, a pause reason when someone is in it."""
        counts = dict.fromkeys(self.STATES[:3], 0)
        for agent in self.agents():
            counts[agent["state"]] = counts.get(agent["state"], 0) + 1
        return counts

    def paused(self, agent_id: str) -> bool:
        """The agent chose a pause reason (and is still here): they take nothing."""
        return self.state(agent_id) in self.PAUSES

    def available_count(self) -> int:
        """Agents ready to take work now."""
        return self.counts()["available"]

    def known(self) -> bool:
        """Whether any agent ever reported presence (until then, callers fall back to defaults)."""
        return bool(self.redis.exists(self.keys.presence_seen))

    def _live_state(self, chosen: str | None, last_seen: float | None) -> str:
        if last_seen is None or self.clock() - last_seen > self.heartbeat_ttl:
            return "away"
        return chosen or self.DEFAULT_STATE


def _check_agent(agent_id: str) -> None:
    if not agent_id or len(agent_id) > 128:
        raise ValueError(f"bad agent id {agent_id!r}")

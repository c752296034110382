"""Honest wait estimates from queue position, agents and recent handle times, per language lane."""
from __future__ import annotations

import copy
import functools
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from social_bridge.queue.capacity import WRITTEN  # served several at once by one agent
from social_bridge.queue.presence import Presence
from social_bridge.queue.work_item import WorkItem
from social_bridge.queue.work_queue import WorkQueue

MIN_SAMPLES = 5  # below this a median swings on one odd call; use the default instead
WORKING = ("available", "busy")  # pauses (Presence.PAUSES) and away are not staffing


@dataclass(frozen=True)
class WaitEstimate:
    """Roughly how long until a human takes the item at this position.

    seconds is the end of the round of handle time the item falls in; earliest its start. away: agents
    report presence and none is working, so no wait can honestly be given (say so instead).
    """

    seconds: float
    position: int
    agents: int
    handle_seconds: float = field(default=0.0, compare=False)
    away: bool = field(default=False, compare=False)

    @property
    def earliest(self) -> float:
        return max(0.0, self.seconds - self.handle_seconds)


class EtaEstimator:
    """Estimates waits as rounds of handle time: ceil(position / agents) * handle.

    Per lane: with a language, the position counts the items in that language ahead, and the agents
    are those working now who speak it (every working agent when `agents` cannot tell languages) and,
    for an item of a team, who belong to it. A written item (a thread) is served by agents who each hold
    up to `threads_per_agent` threads at once (AGENT_MAX_THREADS); a voice item by one agent at a time.
    """

    def __init__(self, queue: WorkQueue, default_agents: int = 3, default_handle_seconds: float = 300.0,
                 presence: Presence | None = None, cache_seconds: float = 2.0,
                 clock: Callable[[], float] = time.monotonic, agents=None, threads_per_agent: int = 1):
        self.queue = queue
        # for_newcomer costs several Redis round trips per greeting, and a wait spoken in minutes does not
        # change meaningfully within a couple of seconds: each process reuses its last answer that long.
        self.cache_seconds = cache_seconds
        self.clock = clock
        self._newcomer: dict[str | None, tuple[float, WaitEstimate]] = {}
        self.default_agents = default_agents  # also the staffing assumed when the desk opens
        self.default_handle_seconds = default_handle_seconds
        self.presence = presence
        self.agents = agents  # social_bridge.queue.agents.AgentDirectory: who speaks which language
        if threads_per_agent < 1:
            raise ValueError("threads_per_agent must be at least 1")
        self.threads_per_agent = threads_per_agent  # written threads one agent serves at once (capacity.py)

    def agents_available(self, lang: str | None = None, team: str | None = None) -> int:
        """Agents working the queue now (available plus busy), who speak `lang` when given and known, and
        belong to `team` when given (an agent in no team works every team's items).

        Busy agents count because the estimate already is rounds of handle time: an agent busy on
        one item takes the next when done. Away agents (or silent consoles) do not count. Until any
        agent reports presence, the configured default.
        """
        if self.presence is None or not self.presence.known():
            return self.default_agents
        working = [a["agent_id"] for a in self.presence.agents() if a["state"] in WORKING]
        if (lang is None and not team) or self.agents is None:
            return len(working)
        return sum(1 for agent_id in working if self._serves(agent_id, lang, team))

    def snapshot(self) -> EtaEstimator:
        """A copy for one pass over many items (the pushed waits' sweep): staffing and handle time are read
        once per language and team instead of once per item."""
        frozen = copy.copy(self)
        frozen.agents_available = functools.lru_cache(maxsize=None)(self.agents_available)
        frozen.handle_seconds = functools.lru_cache(maxsize=None)(self.handle_seconds)
        return frozen

    def nobody_working(self) -> bool:
        """Agents report presence and every one of them is away."""
        return self.presence is not None and self.presence.known() and self.agents_available() == 0

    def _serves(self, agent_id: str, lang: str | None, team: str | None) -> bool:
        agent = self.agents.get(agent_id)
        if agent is None:
            return True  # an agent we cannot look up is not left out
        teams = getattr(agent, "teams", ())  # Agent.teams (issue 19's teams); none: every team's items
        return (lang is None or lang in agent.languages) and (not team or not teams or team in teams)

    def handle_seconds(self) -> float:
        """Median recent handle time, or the default while there are too few samples."""
        recent = self.queue.recent_handle_times()
        return statistics.median(recent) if len(recent) >= MIN_SAMPLES else self.default_handle_seconds

    def for_position(self, position: int, lang: str | None = None, kind: str = "", team: str = "") -> WaitEstimate:
        """Estimate for the item at this 1-based position (of its language lane, when lang is given); a
        written `kind` counts each agent as threads_per_agent servers; `team` counts that team's agents."""
        if position < 1:
            raise ValueError("position is 1-based")
        agents = self.agents_available(lang, team) if team else self.agents_available(lang)
        away = agents == 0 and self.nobody_working()
        per_agent = self.threads_per_agent if kind in WRITTEN else 1
        return self._rounds(position, max(1, agents), away, per_agent)  # nobody on shift: still not / 0

    def for_item(self, item: WorkItem) -> WaitEstimate:
        """A waiting item's wait in its language lane: the items in its language that asked before it."""
        return self.for_position(self.queue.ahead_in_language(item.lang, item.acquired_at) + 1, item.lang,
                                 item.kind, getattr(item, "team", ""))

    def at_opening(self, lang: str, acquired_at: float, opening: float) -> WaitEstimate:
        """The wait counted from the next opening, for someone who asked at acquired_at.

        Position: the items in its language that will be waiting then and asked before it (waiting
        now, or scheduled to open by then); staffing: the agents expected on shift (default_agents),
        since presence tells only who is here now.
        """
        position = self.queue.ahead_in_language(lang, acquired_at, by=opening) + 1
        return self._rounds(position, max(1, self.default_agents), False)

    def _rounds(self, position: int, agents: int, away: bool, per_agent: int = 1) -> WaitEstimate:
        handle = self.handle_seconds()
        return WaitEstimate(math.ceil(position / (agents * per_agent)) * handle, position, agents, handle, away)

    def for_newcomer(self, lang: str | None = None) -> WaitEstimate:
        """Estimate for someone joining now, behind every eligible waiting item (of the lane), cached briefly."""
        if self.cache_seconds > 0:
            now, cached = self.clock(), self._newcomer.get(lang)
            if cached is not None and 0 <= now - cached[0] < self.cache_seconds:
                return cached[1]
            estimate = self._for_newcomer_now(lang)
            self._newcomer[lang] = (now, estimate)
            return estimate
        return self._for_newcomer_now(lang)

    def _for_newcomer_now(self, lang: str | None) -> WaitEstimate:
        if lang is not None:
            return self.for_position(self.queue.ahead_in_language(lang, math.inf) + 1, lang)
        depth = self.queue.depth()
        waiting = sum(n for kind, n in depth.items() if kind != "scheduled")
        return self.for_position(waiting + 1)

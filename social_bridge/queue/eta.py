"""Honest wait estimates from queue position, agents and recent handle times."""
from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from social_bridge.queue.presence import Presence
from social_bridge.queue.work_queue import WorkQueue

MIN_SAMPLES = 5  # below this a median swings on one odd call; use the default instead


@dataclass(frozen=True)
class WaitEstimate:
    """Roughly how long until a human takes the item at this position."""

    seconds: float
    position: int
    agents: int


class EtaEstimator:
    """Estimates waits as rounds of handle time: ceil(position / agents) * handle."""

    def __init__(self, queue: WorkQueue, default_agents: int = 3, default_handle_seconds: float = 300.0,
                 presence: Presence | None = None, cache_seconds: float = 2.0,
                 clock: Callable[[], float] = time.monotonic):
        self.queue = queue
        # for_newcomer costs several Redis round trips per greeting, and a wait spoken in minutes does not
        # change meaningfully within a couple of seconds: each process reuses its last answer that long.
        self.cache_seconds = cache_seconds
        self.clock = clock
        self._newcomer: tuple[float, WaitEstimate] | None = None
        self.default_agents = default_agents
        self.default_handle_seconds = default_handle_seconds
        self.presence = presence

    def agents_available(self) -> int:
        """Agents working the queue now: available plus busy; the default until any agent reports presence.

        Busy agents count because the estimate already is rounds of handle time: an agent busy on
        one item takes the next when done. Away agents (or silent consoles) do not count.
        """
        if self.presence is None or not self.presence.known():
            return self.default_agents
        counts = self.presence.counts()
        return counts["available"] + counts["busy"]

    def handle_seconds(self) -> float:
        """Median recent handle time, or the default while there are too few samples."""
        recent = self.queue.recent_handle_times()
        return statistics.median(recent) if len(recent) >= MIN_SAMPLES else self.default_handle_seconds

    def for_position(self, position: int) -> WaitEstimate:
        """Estimate for the item at this 1-based position."""
        if position < 1:
            raise ValueError("position is 1-based")
        agents = max(1, self.agents_available())  # nobody on shift still must not divide by zero
        return WaitEstimate(math.ceil(position / agents) * self.handle_seconds(), position, agents)

    def for_newcomer(self) -> WaitEstimate:
        """Estimate for someone joining the queue now, behind every eligible waiting item (cached briefly)."""
        if self.cache_seconds > 0:
            now, cached = self.clock(), self._newcomer
            if cached is not None and 0 <= now - cached[0] < self.cache_seconds:
                return cached[1]
            estimate = self._for_newcomer_now()
            self._newcomer = (now, estimate)
            return estimate
        return self._for_newcomer_now()

    def _for_newcomer_now(self) -> WaitEstimate:
        depth = self.queue.depth()
        waiting = sum(n for kind, n in depth.items() if kind != "scheduled")
        return self.for_position(waiting + 1)

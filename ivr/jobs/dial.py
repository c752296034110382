"""Job of agent-first callbacks: ring the agent for one attempt (ids only; at most once)."""
from __future__ import annotations

from ivr.jobs.runtime import services


def place_agent_leg(attempt_id: str) -> str:
    return services().dialer.place(attempt_id)


def end_machine_leg(attempt_id: str) -> str:
    return services().dialer.end_machine_leg(attempt_id)

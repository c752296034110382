"""Wait estimates: rounds of handle time per agent, median of recent handle times."""
from __future__ import annotations

import pytest

from social_bridge.queue.eta import EtaEstimator, WaitEstimate
from social_bridge.queue.presence import Presence
from social_bridge.queue.work_item import WorkItem
from social_bridge.queue.work_queue import WorkQueue

T0 = 1_700_000_000.0


@pytest.fixture
def queue(redis_client):
    return WorkQueue(redis_client, clock=lambda: T0)


@pytest.mark.parametrize(
    "position, agents, handle_times, seconds",
    [
        (1, 3, [], 300.0),
        (3, 3, [], 300.0),
        (4, 3, [], 600.0),
        (7, 2, [], 1200.0),
        (1, 1, [], 300.0),
        (4, 3, [100, 200, 300, 400], 600.0),  # four samples: still the default
        (4, 3, [60, 60, 120, 600, 900], 240.0),  # five: median 120, two rounds
        (5, 2, [100, 200, 300, 400, 500, 600], 1050.0),  # even count: median 350, three rounds
    ],
)
def test_for_position(queue, position, agents, handle_times, seconds):
    for s in handle_times:
        queue.record_handle_time(s)
    eta = EtaEstimator(queue, default_agents=agents)
    assert eta.for_position(position) == WaitEstimate(seconds=seconds, position=position, agents=agents)


def test_for_newcomer_counts_eligible_waiting_items_only(queue):
    for n, (kind, not_before) in enumerate([("callback", 0.0), ("voicemail", 0.0), ("callback", T0 + 60)]):
        queue.enqueue(WorkItem(id="", kind=kind, channel="voice", lang="it", acquired_at=T0 - n,
                               natural_key=f"call:CA{n}", not_before=not_before))
    estimate = EtaEstimator(queue, default_agents=2, default_handle_seconds=180).for_newcomer()
    assert estimate == WaitEstimate(seconds=360.0, position=3, agents=2)


def test_empty_queue_newcomer_is_first(queue):
    assert EtaEstimator(queue).for_newcomer() == WaitEstimate(seconds=300.0, position=1, agents=3)


def test_agents_available_is_the_presence_hook(queue):
    class OnShift(EtaEstimator):
        def agents_available(self) -> int:
            return 0

    assert OnShift(queue).for_position(3) == WaitEstimate(seconds=900.0, position=3, agents=1)


def test_position_is_one_based(queue):
    with pytest.raises(ValueError):
        EtaEstimator(queue).for_position(0)


@pytest.mark.parametrize("states, silent, agents", [
    ({}, [], 3),  # nobody ever reported: the configured default
    ({"anna": "available"}, [], 1),
    ({"anna": "available", "bruno": "busy"}, [], 2),  # busy agents free up and take the next item
    ({"anna": "available", "bruno": "busy", "carla": "away"}, [], 2),
    ({"anna": "available", "bruno": "available"}, ["bruno"], 1),  # a silent console is away
    ({"anna": "away"}, [], 0),
])
def test_agents_available_from_presence(redis_client, queue, states, silent, agents):
    clock = {"now": T0 - 200}
    presence = Presence(redis_client, clock=lambda: clock["now"], heartbeat_ttl=90)
    for agent in silent:
        presence.set_state(agent, states[agent])
    clock["now"] = T0
    for agent, state in states.items():
        if agent not in silent:
            presence.set_state(agent, state)
    eta = EtaEstimator(queue, default_agents=3, default_handle_seconds=300, presence=presence)
    assert eta.agents_available() == agents


def test_nobody_on_shift_still_estimates_as_one_agent(redis_client, queue):
    presence = Presence(redis_client, clock=lambda: T0)
    presence.set_state("anna", "away")
    assert EtaEstimator(queue, presence=presence).for_position(2) == WaitEstimate(seconds=600.0, position=2, agents=1)

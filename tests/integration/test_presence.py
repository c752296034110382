"""Agent presence on a real Redis: chosen states, heartbeats that expire, the live view."""
from __future__ import annotations

import re

import pytest

from social_bridge.queue.presence import Presence
from tests.support.clock import Clock

T0 = 1_700_000_000.0
TTL = 90


@pytest.fixture
def clock():
    return Clock(T0)


@pytest.fixture
def presence(redis_client, clock):
    return Presence(redis_client, clock=clock, heartbeat_ttl=TTL)


def test_nobody_has_reported_yet(presence):
    assert not presence.known()
    assert presence.agents() == []
    assert presence.available_count() == 0
    assert presence.state("anna") == "away"


@pytest.mark.parametrize("chosen", Presence.STATES)
def test_the_chosen_state_holds_while_heartbeats_arrive(presence, clock, chosen):
    presence.set_state("anna", chosen)
    clock.now += TTL
    assert presence.state("anna") == chosen
    presence.heartbeat("anna")
    clock.now += TTL
    assert presence.state("anna") == chosen
    assert presence.known()


@pytest.mark.parametrize("silent_for, state", [(0, "available"), (TTL, "available"), (TTL + 0.5, "away"),
                                               (3600, "away")])
def test_a_silent_console_expires_to_away(presence, clock, silent_for, state):
    presence.set_state("anna", "available")
    clock.now += silent_for
    assert presence.state("anna") == state
    assert presence.available_count() == (state == "available")


def test_set_state_is_a_heartbeat_and_a_bare_heartbeat_means_available(presence, clock):
    presence.set_state("anna", "away")
    clock.now += TTL + 1
    presence.set_state("anna", "busy")
    assert presence.state("anna") == "busy"
    presence.heartbeat("bruno")
    assert presence.state("bruno") == "available"


def test_agents_is_the_live_view(presence, clock):
    presence.set_state("carla", "busy")
    presence.set_state("anna", "available")
    clock.now += 60
    presence.heartbeat("anna")
    presence.set_state("bruno", "available")
    clock.now += 60  # carla's last heartbeat is now 120 s old
    assert presence.agents() == [
        {"agent_id": "anna", "state": "available", "last_seen": T0 + 60},
        {"agent_id": "bruno", "state": "available", "last_seen": T0 + 60},
        {"agent_id": "carla", "state": "away", "last_seen": T0},
    ]
    assert presence.available_count() == 2
    assert presence.counts() == {"available": 2, "busy": 0, "away": 1}


@pytest.mark.parametrize("agent, state", [("anna", "lunch"), ("", "available"), ("x" * 129, "available")])
def test_bad_input_is_refused(presence, agent, state):
    with pytest.raises(ValueError):
        presence.set_state(agent, state)


def test_presence_keys_share_the_hash_tag(presence, redis_client):
    presence.set_state("anna", "available")
    presence.heartbeat("bruno")
    assert all(re.match(r"^nohold:\{queue\}:presence:", k) for k in redis_client.keys("*"))

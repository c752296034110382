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
        def agents_available(self, lang: str | None = None) -> int:
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


# -- per language lane, everyone away, the wait from the next opening ---------------------------------
def enqueue(queue, n: int, lang: str, acquired_at: float = T0 - 600, **kw) -> None:
    for i in range(n):
        queue.enqueue(WorkItem(id="", kind="callback", channel="voice", lang=lang, acquired_at=acquired_at + i,
                               natural_key=f"call:{lang}{acquired_at}{i}", **kw))


@pytest.fixture
def team(redis_client):
    """Anna speaks Italian, Bruno Italian and English, Carla English; all available (handle 300 s)."""
    from social_bridge.queue.agents import AgentDirectory

    directory, presence = AgentDirectory(redis_client, clock=lambda: T0), Presence(redis_client, clock=lambda: T0)
    for name, languages in (("anna", ("it",)), ("bruno", ("it", "en")), ("carla", ("en",))):
        directory.create(name, "a long enough password 1", languages=languages)
        presence.set_state(name, "available")
    return directory, presence


def test_the_newcomer_wait_counts_the_lane_only(queue, team):
    directory, presence = team
    enqueue(queue, 6, "en")
    enqueue(queue, 2, "it")
    eta = EtaEstimator(queue, presence=presence, agents=directory, cache_seconds=0)
    italian, english = eta.for_newcomer("it"), eta.for_newcomer("en")
    assert italian == WaitEstimate(seconds=600.0, position=3, agents=2)  # ceil(3 / anna+bruno) rounds
    assert english == WaitEstimate(seconds=1200.0, position=7, agents=2)  # ceil(7 / bruno+carla)
    assert eta.for_newcomer() == WaitEstimate(seconds=900.0, position=9, agents=3)  # no language: the whole queue


def test_an_item_waits_behind_its_own_language_only(queue, team):
    directory, presence = team
    enqueue(queue, 5, "en", acquired_at=T0 - 900)
    enqueue(queue, 2, "it", acquired_at=T0 - 600)
    mine = queue.enqueue(WorkItem(id="", kind="voicemail", channel="voice", lang="it", acquired_at=T0 - 10,
                                  natural_key="voicemail:RE1")).item
    assert queue.position(mine.id) == 8
    assert EtaEstimator(queue, presence=presence, agents=directory).for_item(mine).position == 3


def test_without_agent_languages_every_working_agent_counts(queue, team):
    _, presence = team
    assert EtaEstimator(queue, presence=presence, cache_seconds=0).for_newcomer("it").agents == 3


def test_everyone_away_during_open_hours_says_so(redis_client, queue):
    presence = Presence(redis_client, clock=lambda: T0)
    presence.set_state("anna", "away")
    eta = EtaEstimator(queue, presence=presence, cache_seconds=0)
    assert eta.nobody_working()
    assert eta.for_newcomer("it").away


def test_nobody_reporting_yet_is_not_everyone_away(queue):
    eta = EtaEstimator(queue, cache_seconds=0)
    assert not eta.nobody_working()
    assert not eta.for_newcomer("it").away


def test_one_agent_working_is_not_everyone_away(queue, team):
    _, presence = team
    for name in ("anna", "bruno"):
        presence.set_state(name, "away")
    assert not EtaEstimator(queue, presence=presence, cache_seconds=0).for_newcomer("en").away


def test_at_opening_counts_the_lane_waiting_then_and_the_staffing_then(queue, team):
    _, presence = team
    opening = T0 + 36000
    enqueue(queue, 4, "it", acquired_at=T0 - 3600, not_before=opening)  # booked after hours, before us
    enqueue(queue, 2, "it", acquired_at=T0 - 7200)  # waiting since before closing
    enqueue(queue, 3, "it", acquired_at=T0 - 1800, not_before=opening + 3600)  # a later window: not ahead
    enqueue(queue, 5, "en", acquired_at=T0 - 3600, not_before=opening)  # another lane
    for name in ("anna", "bruno", "carla"):
        presence.set_state(name, "away")  # nobody here at night: the staffing at opening is the setting
    estimate = EtaEstimator(queue, default_agents=2, presence=presence).at_opening("it", T0, opening)
    assert estimate == WaitEstimate(seconds=1200.0, position=7, agents=2)
    assert estimate.earliest == 900.0


def test_at_opening_leaves_out_those_who_asked_later(queue):
    opening = T0 + 36000
    enqueue(queue, 4, "it", acquired_at=T0 + 60, not_before=opening)
    assert EtaEstimator(queue, default_agents=2).at_opening("it", T0, opening).position == 1

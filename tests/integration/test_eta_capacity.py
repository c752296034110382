"""The wait estimate with capacity and teams (issue 19), on a real Redis with an injected clock: an agent
serves up to AGENT_MAX_THREADS threads at once but one voice item; an item of a team counts that team's
agents; a pause is not staffing."""
from __future__ import annotations

import pytest

from social_bridge.queue.agents import AgentDirectory
from social_bridge.queue.eta import EtaEstimator
from social_bridge.queue.presence import Presence
from social_bridge.queue.work_item import WorkItem
from social_bridge.queue.work_queue import WorkQueue

HANDLE = 300.0
PASSWORD = "a long enough password 1"


@pytest.fixture
def queue(redis_client, clock):
    return WorkQueue(redis_client, clock=clock)


@pytest.fixture
def staff(redis_client, clock):
    """Anna and Bruno, Italian, both available."""
    directory, presence = AgentDirectory(redis_client, clock=clock), Presence(redis_client, clock=clock)
    for name in ("anna", "bruno"):
        directory.create(name, PASSWORD)
        presence.set_state(name, "available")
    return directory, presence


def line_up(queue, clock, kind: str, n: int, team: str = "") -> WorkItem:
    """n items of a kind, oldest first; returns the last (position n in its lane)."""
    channel = "messenger" if kind == "thread" else "voice"
    for i in range(n):
        last = queue.enqueue(WorkItem(id="", kind=kind, channel=channel, lang="it", acquired_at=clock() - 600 + i,
                                      natural_key=f"{kind}:{team}:{i}", team=team)).item
    return last


def estimator(queue, staff, threads_per_agent: int = 3) -> EtaEstimator:
    directory, presence = staff
    return EtaEstimator(queue, default_handle_seconds=HANDLE, presence=presence, agents=directory, cache_seconds=0,
                        threads_per_agent=threads_per_agent)


def test_a_thread_counts_each_agent_as_several_servers(queue, clock, staff):
    sixth = line_up(queue, clock, "thread", 6)
    estimate = estimator(queue, staff).for_item(sixth)
    assert estimate.seconds == HANDLE  # ceil(6 / (2 agents x 3 threads)) = one round


def test_the_seventh_thread_waits_a_second_round(queue, clock, staff):
    seventh = line_up(queue, clock, "thread", 7)
    assert estimator(queue, staff).for_item(seventh).seconds == 2 * HANDLE


def test_a_voice_item_still_counts_one_agent_one_item(queue, clock, staff):
    sixth = line_up(queue, clock, "callback", 6)
    assert estimator(queue, staff).for_item(sixth).seconds == 3 * HANDLE  # ceil(6 / 2)


def test_one_thread_per_agent_is_the_old_estimate(queue, clock, staff):
    sixth = line_up(queue, clock, "thread", 6)
    assert estimator(queue, staff, threads_per_agent=1).for_item(sixth).seconds == 3 * HANDLE


def test_a_paused_agent_is_not_staffing(queue, clock, staff):
    _, presence = staff
    presence.set_state("bruno", "formazione")
    fourth = line_up(queue, clock, "callback", 4)
    estimate = estimator(queue, staff).for_item(fourth)
    assert (estimate.agents, estimate.seconds) == (1, 4 * HANDLE)


def test_a_teams_item_counts_the_agents_of_that_team(queue, clock, staff):
    directory, _ = staff
    directory.update("anna", teams=("amministrativo",))
    directory.update("bruno", teams=("tecnico",))
    second = line_up(queue, clock, "callback", 2, team="tecnico")
    estimate = estimator(queue, staff).for_item(second)
    assert (estimate.agents, estimate.seconds) == (1, 2 * HANDLE)


def test_an_agent_in_no_team_serves_every_team(queue, clock, staff):
    directory, _ = staff
    directory.update("bruno", teams=("tecnico",))  # anna is in no team: she takes anything
    second = line_up(queue, clock, "callback", 2, team="tecnico")
    assert estimator(queue, staff).for_item(second).agents == 2


def test_the_estimate_moves_with_the_clock_as_consoles_go_silent(queue, clock, staff):
    _, presence = staff
    second = line_up(queue, clock, "callback", 2)
    clock.advance(60)
    presence.heartbeat("anna")
    clock.advance(60)  # bruno's last beat is 120 s old: away
    assert estimator(queue, staff).for_item(second).seconds == 2 * HANDLE


def test_threads_per_agent_must_be_positive(queue):
    with pytest.raises(ValueError):
        EtaEstimator(queue, threads_per_agent=0)


def test_a_snapshot_reads_staffing_once_for_a_whole_pass(queue, clock, staff):
    _, presence = staff
    second = line_up(queue, clock, "callback", 2)
    live = estimator(queue, staff)
    frozen = live.snapshot()
    assert frozen.for_item(second).agents == 2
    presence.set_state("bruno", "pausa")
    assert (frozen.for_item(second).agents, live.for_item(second).agents) == (2, 1)

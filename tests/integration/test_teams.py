"""Teams on a real Redis: the defaults, a supervisor's edits, agents' teams, an item's team from its intent."""
from __future__ import annotations

from pathlib import Path

import pytest

from ivr.understanding.catalog import load_catalog
from social_bridge.queue.agents import AgentDirectory, UnknownAgent
from social_bridge.queue.teams import DEFAULT_TEAMS, FALLBACK_TEAM, Teams
from social_bridge.queue.work_item import WorkItem
from social_bridge.queue.work_queue import WorkQueue
from tests.integration.test_work_queue import T0, clock  # noqa: F401 (the hand clock)

PASSWORD = "correct horse battery"
INTENTS = load_catalog(Path("prompts/intents.yaml")).names


@pytest.fixture
def teams(redis_client):
    return Teams(redis_client, intents=INTENTS)


@pytest.fixture
def agents(redis_client, clock):
    return AgentDirectory(redis_client, clock=clock)


def test_three_teams_exist_from_the_start(teams):
    assert [t.id for t in teams.all()] == ["tecnico", "amministrativo", "commerciale"]
    assert teams.get("amministrativo").name == "Amministrativo"


@pytest.mark.parametrize("intent, team", [("internet_down", "tecnico"), ("account_access", "tecnico"),
                                          ("billing", "amministrativo"), ("change_plan", "commerciale"),
                                          ("cancel_contract", "commerciale"), ("complaint", FALLBACK_TEAM),
                                          ("", FALLBACK_TEAM), ("no_such_intent", FALLBACK_TEAM)])
def test_an_intent_goes_to_its_team_or_to_tecnico(teams, intent, team):
    assert teams.team_for(intent) == team


def test_default_intents_are_real_intents_of_the_catalog():
    names = set(load_catalog(Path("prompts/intents.yaml")).names)
    listed = {i for _, intents in DEFAULT_TEAMS.values() for i in intents}
    assert listed - names == set()


def test_a_supervisor_adds_renames_and_moves_intents(teams):
    added = teams.add("Back office", ["complaint"])
    assert added.id == "back-office"
    assert teams.team_for("complaint") == "back-office"
    teams.rename("back-office", "Reclami")
    assert teams.get("back-office").name == "Reclami"
    teams.set_intents("back-office", ["complaint", "billing"])
    assert teams.team_for("billing") == "back-office"
    assert "billing" not in teams.get("amministrativo").intents  # an intent has one team
    assert [t.id for t in teams.all()][-1] == "back-office"


@pytest.mark.parametrize("call, message", [
    (lambda t: t.add("  "), "needs a name"),
    (lambda t: t.add("Tecnico"), "exists already"),
    (lambda t: t.add("x" * 41), "too long"),
    (lambda t: t.rename("nobody", "X"), "unknown team 'nobody'"),
    (lambda t: t.set_intents("tecnico", ["no_such_intent"]), "unknown intent 'no_such_intent'"),
])
def test_bad_team_edits_say_why_and_change_nothing(teams, redis_client, call, message):
    before = teams.all()
    with pytest.raises(ValueError, match=message):
        call(teams)
    assert teams.all() == before


def test_agents_belong_to_existing_teams_only(agents):
    agents.create("Anna", PASSWORD)
    assert agents.get("anna").teams == ()
    assert agents.update("anna", teams=["tecnico", "commerciale"]).teams == ("tecnico", "commerciale")
    assert agents.update("anna", teams="amministrativo").teams == ("amministrativo",)
    with pytest.raises(ValueError, match="unknown team 'vendite'; the teams are tecnico, amministrativo"):
        agents.update("anna", teams=["tecnico", "vendite"])
    assert agents.get("anna").teams == ("amministrativo",)


def test_team_members_are_edited_through_the_agents(teams, agents):
    for name in ("Anna", "Bruno", "Carla"):
        agents.create(name, PASSWORD)
    agents.update("carla", teams=["commerciale"])
    members = teams.set_members("tecnico", ["anna", "bruno"], agents)
    assert [a.id for a in members] == ["anna", "bruno"]
    teams.set_members("tecnico", ["bruno"], agents)
    assert agents.get("anna").teams == ()
    assert agents.get("carla").teams == ("commerciale",)
    with pytest.raises(ValueError, match="no agent with id 'zeno'"):
        teams.set_members("tecnico", ["anna", "zeno"], agents)
    assert [a.id for a in teams.members("tecnico", agents.all())] == ["bruno"]


def test_unknown_agent_is_still_unknown_before_teams_are_checked(agents):
    with pytest.raises(UnknownAgent):
        agents.update("nobody", teams=["tecnico"])


def test_an_item_gets_its_team_from_its_intent_when_enqueued(redis_client, clock, teams):
    queue = WorkQueue(redis_client, clock=clock, teams=teams)
    bill = queue.enqueue(WorkItem("", "callback", "voice", "it", T0, "call:CA1", intent="billing")).item
    other = queue.enqueue(WorkItem("", "thread", "messenger", "en", T0, "messenger:1")).item
    given = queue.enqueue(WorkItem("", "callback", "voice", "it", T0, "call:CA2", intent="billing",
                                   team="commerciale")).item
    assert (bill.team, other.team, given.team) == ("amministrativo", "tecnico", "commerciale")
    assert queue.get(bill.id).team == "amministrativo"
    assert redis_client.zrange(queue.keys.lane("callback", "it", "amministrativo"), 0, -1) == [bill.id]


def test_an_item_stored_before_teams_waits_in_its_old_lane(redis_client, clock, teams):
    queue = WorkQueue(redis_client, clock=clock, teams=teams)
    old = queue.enqueue(WorkItem("", "callback", "voice", "it", T0, "call:CA1", intent="billing")).item
    redis_client.hdel(queue.keys.item(old.id), "team")  # as an item written by the code before teams
    queue.reschedule(old.id, T0)  # placed again
    assert queue.get(old.id).team == ""
    assert redis_client.zrange(queue.keys.lane("callback", "it"), 0, -1) == [old.id]
    assert queue.ahead_in_language("it", T0 + 1) == 1

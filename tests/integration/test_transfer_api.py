"""POST /api/items/<id>/transfer and /assign, GET /api/teams on a real Redis: moves, refusals that change nothing."""
from __future__ import annotations

from pathlib import Path

import pytest

from ivr.understanding.catalog import load_catalog
from social_bridge.queue.handovers import Handovers
from social_bridge.queue.notes import Notes
from social_bridge.queue.teams import Teams
from tests.integration.test_api import PASSWORD, enqueue
from tests.integration.test_console import build_api_only, build_bridge
from tests.integration.test_handovers import snapshot
from tests.support.agent_api import caller


@pytest.fixture
def bridge(redis_client, clock):
    teams = Teams(redis_client, intents=load_catalog(Path("prompts/intents.yaml")).names)
    b = build_bridge(redis_client, clock, teams=teams)
    b.handovers = Handovers(b.claims, b.agents, Notes(redis_client, clock), teams)
    for name, role in (("Maria", "agent"), ("Luca", "agent"), ("Sara", "supervisor")):
        b.agents.create(name, PASSWORD, role=role)
    return b


@pytest.fixture
def call(bridge):
    tokens = {n: bridge.agents.issue_token(n) for n in ("maria", "luca", "sara")}
    return caller(build_api_only(bridge, testing=True).test_client(), tokens)


@pytest.fixture
def held(bridge):
    item = enqueue(bridge, "callback:1", intent="internet_down")
    bridge.claims.claim(item.id, "maria")
    return item


def test_the_holder_transfers_to_a_colleague(call, bridge, held):
    response = call("POST", f"/api/items/{held.id}/transfer", body={"to_agent": "luca", "note": "serve un tecnico"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json["item"]["id"] == held.id
    assert bridge.queue.get(held.id).claimed_by == "luca"
    assert Notes(bridge.redis).for_item(held.id)[-1]["text"] == "serve un tecnico"


def test_the_holder_transfers_to_a_team_and_the_item_waits_at_its_place(call, bridge, held):
    response = call("POST", f"/api/items/{held.id}/transfer", body={"to_team": "amministrativo"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json["item"]["team"] == "amministrativo"
    moved = bridge.queue.get(held.id)
    assert (moved.status, moved.team, moved.acquired_at) == ("waiting", "amministrativo", held.acquired_at)


def test_a_supervisor_assigns_a_waiting_item(call, bridge):
    waiting = enqueue(bridge, "callback:2")
    response = call("POST", f"/api/items/{waiting.id}/assign", "sara", body={"agent": "luca", "note": "VIP"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert bridge.queue.get(waiting.id).claimed_by == "luca"


def test_teams_are_listed_with_their_members(call, bridge):
    bridge.agents.update("luca", teams=["commerciale"])
    teams = {t["id"]: t for t in call("GET", "/api/teams").json["teams"]}
    assert list(teams) == ["tecnico", "amministrativo", "commerciale"]
    assert teams["commerciale"]["members"] == ["luca"]
    assert "billing" in teams["amministrativo"]["intents"]


@pytest.mark.parametrize("who, path, body, status, error", [
    ("maria", "transfer", {"to_agent": "zeno"}, 400, "unknown_agent"),
    ("maria", "transfer", {"to_team": "vendite"}, 400, "unknown_team"),
    ("maria", "transfer", {}, 400, "no_target"),
    ("maria", "transfer", {"to_agent": 7}, 400, "bad_request"),
    ("maria", "transfer", {"to_agent": "luca", "fence": 999999}, 409, "stale_fence"),
    ("luca", "transfer", {"to_agent": "sara"}, 403, "not_holder"),
    ("maria", "assign", {"agent": "luca"}, 403, "not_supervisor"),
    ("sara", "assign", {"agent": "zeno"}, 400, "unknown_agent"),
])
def test_bad_requests_get_a_sentence_and_change_nothing(call, bridge, held, who, path, body, status, error):
    before = snapshot(bridge.redis)
    response = call("POST", f"/api/items/{held.id}/{path}", who, body=body)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.json["error"] == error
    assert response.json["message"].strip()
    assert snapshot(bridge.redis) == before


def test_a_finished_item_cannot_be_handed_over(call, bridge, held):
    bridge.claims.complete(held.id, bridge.queue.get(held.id).fence, "resolved")
    response = call("POST", f"/api/items/{held.id}/assign", "sara", body={"agent": "luca"})
    assert response.status_code == 409
    assert response.json["error"] == "final"


def test_a_supervisor_adds_a_team_then_renames_it_and_sets_intents_and_members(call, bridge):
    added = call("POST", "/api/teams", "sara", body={"name": "Reclami", "intents": ["complaint"]})
    assert added.status_code == 201, added.get_data(as_text=True)
    assert added.json["team"] == {"id": "reclami", "name": "Reclami", "intents": ["complaint"], "members": []}
    edited = call("PATCH", "/api/teams/reclami", "sara",
                  body={"name": "Reclami e rimborsi", "intents": ["complaint", "billing"], "members": ["luca"]})
    assert edited.status_code == 200, edited.get_data(as_text=True)
    assert edited.json["team"]["name"] == "Reclami e rimborsi"
    assert edited.json["team"]["members"] == ["luca"]
    assert bridge.agents.get("luca").teams == ("reclami",)
    assert "billing" not in bridge.teams.get("amministrativo").intents
    assert enqueue(bridge, "callback:9", intent="billing").team == "reclami"  # new items follow the new map


@pytest.mark.parametrize("who, method, path, body, status", [
    ("maria", "POST", "/api/teams", {"name": "Vendite"}, 403),
    ("sara", "POST", "/api/teams", {"name": "Tecnico"}, 400),
    ("sara", "POST", "/api/teams", {"name": "Vendite", "intents": ["nope"]}, 400),
    ("sara", "POST", "/api/teams", {"name": 5}, 400),
    ("sara", "PATCH", "/api/teams/nessuno", {"name": "X"}, 404),
    ("sara", "PATCH", "/api/teams/tecnico", {"name": "Rete", "members": ["zeno"]}, 400),
    ("sara", "PATCH", "/api/teams/tecnico", {"name": "Rete", "intents": "billing"}, 400),
    ("sara", "PATCH", "/api/teams/tecnico", {"name": "Rete", "intents": ["nope"]}, 400),
])
def test_bad_team_edits_say_why_and_change_nothing(call, bridge, who, method, path, body, status):
    before = snapshot(bridge.redis)
    response = call(method, path, who, body=body)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.json["message"].strip()
    assert snapshot(bridge.redis) == before


@pytest.mark.parametrize("method, path", [("POST", "/api/teams"), ("PATCH", "/api/teams/tecnico"),
                                          ("POST", "/api/items/x/transfer"), ("POST", "/api/items/x/assign")])
def test_a_body_nested_too_deeply_is_a_400_before_anything_else(call, method, path):
    response = call(method, path, "maria", body={"note": [[[[[[[[[["x"]]]]]]]]]]})
    assert response.status_code == 400
    assert response.json["error"] == "bad_request"

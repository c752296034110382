"""The item page's transfer form and the supervisor's assign control, on a real Redis and real Flask."""
from __future__ import annotations

import json

import pytest

from social_bridge.queue.handovers import Handovers
from social_bridge.queue.notes import Notes
from social_bridge.queue.teams import Teams
from social_bridge.web.console.live import snapshot as queue_snapshot
from tests.integration.test_console import (build_app, build_bridge, enqueue, post, seed_agents, signed_in,
                                            token)
from tests.integration.test_handovers import snapshot


@pytest.fixture
def bridge(redis_client, clock):
    teams = Teams(redis_client)
    b = build_bridge(redis_client, clock, teams=teams)
    b.handovers = Handovers(b.claims, b.agents, Notes(redis_client, clock, b.queue.keys), teams)
    seed_agents(b)  # maria, luca (agents), sara (supervisor)
    return b


@pytest.fixture
def app(bridge):
    return build_app(bridge)


@pytest.fixture
def held(bridge):
    item = enqueue(bridge, "callback:1")
    bridge.claims.claim(item.id, "maria")
    return item


def queue_state(bridge) -> dict:
    """Every queue key and its content (sign-ins write elsewhere)."""
    return {k: v for k, v in snapshot(bridge.redis).items() if "{queue}" in k}


def page(client, item_id: str) -> str:
    return client.get(f"/console/items/{item_id}").get_data(as_text=True)


def test_the_holder_sees_the_form_with_colleagues_and_teams(app, held):
    html = page(signed_in(app, "maria"), held.id)
    assert 'id="transfer-to"' in html
    assert 'value="agent:luca"' in html
    assert 'value="agent:maria"' not in html  # not to oneself
    assert 'value="team:amministrativo"' in html
    assert 'id="item-team">Tecnico<' in html
    assert 'id="assign-to"' not in html  # agents do not assign


def test_someone_who_does_not_hold_it_gets_no_transfer_form(app, held):
    assert 'id="transfer-to"' not in page(signed_in(app, "luca"), held.id)


def test_a_transfer_to_a_colleague_from_the_form(app, bridge, held):
    maria = signed_in(app, "maria")
    response = post(maria, f"/console/items/{held.id}/transfer", to="agent:luca", note="linea muta")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/console/")
    assert bridge.queue.get(held.id).claimed_by == "luca"
    assert "Trasferito a Luca." in maria.get("/console/").get_data(as_text=True)
    shown = queue_snapshot(bridge)["handovers"]
    assert shown == [{"item_id": held.id, "to": "luca", "by": "maria", "by_name": "Maria", "note": "linea muta",
                      "at": bridge.clock()}]


def test_a_transfer_to_a_team_from_the_form(app, bridge, held):
    post(signed_in(app, "maria"), f"/console/items/{held.id}/transfer", to="team:commerciale", note="")
    moved = bridge.queue.get(held.id)
    assert (moved.status, moved.team) == ("waiting", "commerciale")
    assert queue_snapshot(bridge)["handovers"] == []  # nobody holds it: no one to tell


def test_a_supervisor_assigns_from_the_item_page(app, bridge):
    waiting = enqueue(bridge, "callback:2")
    sara = signed_in(app, "sara")
    assert 'id="assign-to"' in page(sara, waiting.id)
    response = post(sara, f"/console/items/{waiting.id}/assign", agent="luca", note="cliente VIP")
    assert response.status_code == 302
    assert bridge.queue.get(waiting.id).claimed_by == "luca"
    assert "Assegnato a Luca." in page(sara, waiting.id)


@pytest.mark.parametrize("who, path, fields, sentence", [
    ("maria", "transfer", {"to": "agent:zeno"}, "Questo collega non esiste"),
    ("maria", "transfer", {"to": "team:vendite"}, "Questo team non esiste."),
    ("maria", "transfer", {"to": ""}, "Scegli un collega oppure un team."),
    ("maria", "transfer", {"to": "agent:luca", "note": "x" * 501}, "La nota è troppo lunga"),
    ("luca", "transfer", {"to": "agent:sara"}, "Solo chi ha in carico la richiesta può trasferirla."),
    ("sara", "assign", {"agent": "zeno"}, "Questo collega non esiste"),
])
def test_bad_input_shows_a_sentence_and_changes_nothing(app, bridge, held, who, path, fields, sentence):
    client = signed_in(app, who)
    before = queue_state(bridge)
    response = post(client, f"/console/items/{held.id}/{path}", **fields)
    assert response.status_code == 302
    assert sentence in client.get(response.headers["Location"]).get_data(as_text=True)
    assert queue_state(bridge) == before


def test_an_agent_cannot_assign(app, held):
    response = post(signed_in(app, "maria"), f"/console/items/{held.id}/assign", agent="luca")
    assert response.status_code == 403


def test_a_fetch_gets_the_status_and_the_sentence(app, bridge, held):
    maria = signed_in(app, "maria")
    response = maria.post(f"/console/items/{held.id}/transfer", data={"to": "team:nessuno"},
                          headers={"X-Requested-With": "fetch", "X-CSRF-Token": token(maria)})
    assert response.status_code == 400
    assert json.loads(response.get_data(as_text=True))["message"] == "Questo team non esiste."


# -- the supervisors' teams page ---------------------------------------------------------------------------
def test_the_teams_page_lists_teams_intents_and_members(app, bridge):
    bridge.agents.update("luca", teams=["commerciale"])
    html = signed_in(app, "sara").get("/console/teams").get_data(as_text=True)
    assert 'id="team-commerciale"' in html
    assert 'name="members" value="luca" checked' in html
    assert 'name="intents" value="billing" checked' in html


def test_a_supervisor_edits_a_team_from_the_page(app, bridge):
    sara = signed_in(app, "sara")
    response = post_many(sara, "/console/teams/amministrativo", name="Amministrazione",
                         intents=["billing", "change_plan"], members=["maria", "luca"])
    assert response.status_code == 302
    team = bridge.teams.get("amministrativo")
    assert (team.name, team.intents) == ("Amministrazione", ("billing", "change_plan"))
    assert "change_plan" not in bridge.teams.get("commerciale").intents
    assert [a.id for a in bridge.teams.members("amministrativo", bridge.agents.all())] == ["luca", "maria"]
    assert "Team salvato." in sara.get("/console/teams").get_data(as_text=True)


def test_a_supervisor_adds_a_team_and_a_taken_name_is_refused(app, bridge):
    sara = signed_in(app, "sara")
    post_many(sara, "/console/teams", name="Reclami", intents=["complaint"])
    assert bridge.teams.team_for("complaint") == "reclami"
    before = queue_state(bridge)
    post_many(sara, "/console/teams", name="Reclami")
    assert "Esiste già un team che si chiama «Reclami»." in sara.get("/console/teams").get_data(as_text=True)
    assert queue_state(bridge) == before


def test_a_bad_member_changes_nothing(app, bridge):
    sara = signed_in(app, "sara")
    before = queue_state(bridge)
    post_many(sara, "/console/teams/tecnico", name="Rete", intents=["internet_down"], members=["zeno"])
    assert "Agente sconosciuto: zeno." in sara.get("/console/teams").get_data(as_text=True)
    assert queue_state(bridge) == before


def test_agents_cannot_open_the_teams_page(app):
    assert signed_in(app, "maria").get("/console/teams").status_code == 403


def post_many(client, path: str, **fields):
    return client.post(path, data={"csrf_token": token(client), **fields})

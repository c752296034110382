"""Agent management in the API (issue 19) on the whole app and a real Redis: every operation, every refusal (with
nothing changed), supervisors' tokens only, and a disabled agent's token refused at its next call."""
from __future__ import annotations

import pytest

from social_bridge.queue.work_item import WorkItem

PASSWORD = "long enough secret"


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def tokens(nohold):
    agents = nohold.bridge.agents
    agents.create("Sara", PASSWORD, role="supervisor", languages=("it", "en"))
    agents.create("Maria", PASSWORD, phone="+393471234567")
    return {name: agents.issue_token(name) for name in ("sara", "maria")}


@pytest.fixture
def call(client, tokens):
    def request(method: str, path: str, who: str = "sara", body=None, token: str | None = None):
        bearer = token or tokens[who]
        response = client.open(path, method=method, headers={"Authorization": f"Bearer {bearer}"}, json=body)
        return response.status_code, response.get_json()
    return request


def state(call) -> tuple:
    """Everything a refused request must leave as it was: the agents, their tokens, the audit list."""
    _, body = call("GET", "/api/agents")
    return body["agents"], body["audit"]


def test_the_list_masks_phones_and_names_tokens_by_id(call):
    status, body = call("GET", "/api/agents")
    assert status == 200
    maria = next(a for a in body["agents"] if a["id"] == "maria")
    assert maria["phone"].startswith("+39")
    assert "3471234567" not in maria["phone"]
    assert maria["enabled"] is True
    assert len(maria["tokens"]) == 1
    assert len(maria["tokens"][0]["id"]) == 12


def test_a_supervisor_adds_an_agent_with_a_generated_password_shown_once(call, nohold):
    status, body = call("POST", "/api/agents", body={"name": "Luca Verdi", "languages": ["it", "en"]})
    assert status == 201
    assert body["agent"]["id"] == "luca-verdi"
    assert nohold.bridge.agents.authenticate("luca-verdi", body["password"]).id == "luca-verdi"
    _, listed = call("GET", "/api/agents")
    assert body["password"] not in str(listed)
    assert listed["audit"][0]["who"] == "sara"
    assert (listed["audit"][0]["action"], listed["audit"][0]["whom"]) == ("add", "luca-verdi")


def test_a_chosen_password_is_not_echoed(call, nohold):
    status, body = call("POST", "/api/agents", body={"name": "Luca", "password": "another long one"})
    assert status == 201
    assert "password" not in body
    assert nohold.bridge.agents.authenticate("luca", "another long one") is not None


@pytest.mark.parametrize("body, status, error", [
    ({"name": "Maria"}, 409, "duplicate_name"),
    ({"name": "Luca", "password": "short"}, 400, "short_password"),
    ({"name": "Luca", "languages": ["it", "fr"]}, 400, "unknown_language"),
    ({"name": "Luca", "teams": ["astronauti"]}, 400, "unknown_team"),
    ({"name": "Luca", "role": "admin"}, 400, "bad_role"),
    ({"name": "  ?!  "}, 400, "bad_name"),
])
def test_bad_input_to_add_is_a_clear_sentence_and_changes_nothing(call, nohold, body, status, error):
    before = state(call)
    answer_status, answer = call("POST", "/api/agents", body=body)
    assert (answer_status, answer["error"]) == (status, error)
    assert answer["message"].endswith(".")
    assert state(call) == before


def test_agents_tokens_get_403_on_every_route(call, tokens):
    for method, path in [("GET", "/api/agents"), ("POST", "/api/agents"), ("PATCH", "/api/agents/sara"),
                         ("POST", "/api/agents/sara/disable"), ("POST", "/api/agents/sara/enable"),
                         ("POST", "/api/agents/sara/password"), ("POST", "/api/agents/sara/tokens"),
                         ("DELETE", "/api/agents/sara/tokens/abcdefabcdef")]:
        assert call(method, path, who="maria", body={"name": "Maria Two"} if method == "POST" else None)[0] == 403
    assert call("GET", "/api/agents/me", who="maria")[0] == 200


def test_a_disabled_agents_token_gets_401_at_the_next_call_and_their_claims_go_back(call, nohold, clock):
    item = WorkItem(id="", kind="callback", channel="voice", lang="it", acquired_at=clock() - 60,
                    natural_key="callback:test-disable", customer="+393471112223", call_sid="CA" + "3" * 32)
    item = nohold.queue.enqueue(item).item
    nohold.bridge.claims.claim(item.id, "maria")
    assert call("GET", "/api/agents/me", who="maria")[0] == 200
    status, body = call("POST", "/api/agents/maria/disable")
    assert (status, body["released_items"], body["agent"]["enabled"]) == (200, 1, False)
    assert call("GET", "/api/agents/me", who="maria")[0] == 401
    assert nohold.queue.get(item.id).status == "waiting"
    assert nohold.bridge.presence.state("maria") == "away"
    assert nohold.bridge.agents.authenticate("maria", PASSWORD) is None
    assert call("POST", "/api/agents/maria/enable")[1]["agent"]["enabled"] is True
    assert call("GET", "/api/agents/me", who="maria")[0] == 200
    assert [e["action"] for e in state(call)[1]] == ["enable", "disable"]


def test_a_supervisor_cannot_disable_themselves_or_remove_the_last_supervisor(call):
    before = state(call)
    assert call("POST", "/api/agents/sara/disable")[1]["error"] == "self_disable"
    status, body = call("PATCH", "/api/agents/sara", body={"role": "agent"})
    assert (status, body["error"]) == (409, "last_supervisor")
    assert state(call) == before


def test_with_a_second_supervisor_one_may_step_down(call):
    call("POST", "/api/agents", body={"name": "Gianni", "role": "supervisor"})
    status, body = call("PATCH", "/api/agents/sara", body={"role": "agent"})
    assert (status, body["agent"]["role"]) == (200, "agent")


def test_a_password_reset_is_shown_once_and_the_old_one_stops(call, nohold):
    status, body = call("POST", "/api/agents/maria/password")
    assert status == 200
    assert nohold.bridge.agents.authenticate("maria", PASSWORD) is None
    assert nohold.bridge.agents.authenticate("maria", body["password"]) is not None
    assert call("POST", "/api/agents/maria/password", body={"password": "brand new secret"})[1].get("password") is None
    assert nohold.bridge.agents.authenticate("maria", "brand new secret") is not None


def test_a_short_password_changes_nothing(call, nohold):
    status, body = call("POST", "/api/agents/maria/password", body={"password": "1234567"})
    assert (status, body["error"]) == (400, "short_password")
    assert nohold.bridge.agents.authenticate("maria", PASSWORD) is not None


def test_tokens_are_issued_once_and_revoked_one_by_one(call, nohold):
    status, issued = call("POST", "/api/agents/maria/tokens")
    assert status == 201
    assert issued["token"].startswith("nh_")
    assert call("GET", "/api/agents/me", token=issued["token"])[0] == 200
    _, listed = call("GET", "/api/agents")
    assert issued["id"] in [t["id"] for a in listed["agents"] for t in a["tokens"]]
    assert issued["token"] not in str(listed)
    assert call("DELETE", f"/api/agents/maria/tokens/{issued['id']}")[0] == 204
    assert call("GET", "/api/agents/me", token=issued["token"])[0] == 401
    assert call("GET", "/api/agents/me", who="maria")[0] == 200  # her other token still works
    status, body = call("DELETE", f"/api/agents/maria/tokens/{issued['id']}")
    assert (status, body["error"]) == (404, "unknown_token")


@pytest.mark.parametrize("method, path", [("PATCH", "/api/agents/nobody"), ("POST", "/api/agents/nobody/disable"),
                                          ("POST", "/api/agents/nobody/enable"),
                                          ("POST", "/api/agents/nobody/password"),
                                          ("POST", "/api/agents/nobody/tokens"),
                                          ("DELETE", "/api/agents/nobody/tokens/abcdefabcdef")])
def test_an_unknown_agent_is_a_404_and_changes_nothing(call, method, path):
    before = state(call)
    status, body = call(method, path, body={"languages": ["it"]} if method == "PATCH" else None)
    assert (status, body["error"]) == (404, "unknown_agent")
    assert "nobody" in body["message"]
    assert state(call) == before


def test_languages_and_teams_are_edited_and_audited(call, nohold):
    status, body = call("PATCH", "/api/agents/maria", body={"languages": ["en", "it"], "teams": ["tecnico"]})
    assert status == 200
    assert (body["agent"]["languages"], body["agent"]["teams"]) == (["en", "it"], ["tecnico"])
    assert nohold.bridge.agents.get("maria").teams == ("tecnico",)
    entry = state(call)[1][0]
    assert (entry["action"], entry["whom"], entry["detail"]) == ("edit", "maria", "languages en,it; teams tecnico")


@pytest.mark.parametrize("body, error", [
    ({"languages": ["de"]}, "unknown_language"), ({"teams": ["tecnico", "nessuno"]}, "unknown_team"),
    ({"languages": []}, "unknown_language"), ({"password": "x" * 12}, "bad_request"), ({}, "bad_request"),
    ({"phone": "347 123"}, "bad_phone"), ({"languages": ["en"], "teams": ["nessuno"]}, "unknown_team"),
])
def test_bad_edits_change_nothing(call, body, error):
    before = state(call)
    status, answer = call("PATCH", "/api/agents/maria", body=body)
    assert (status, answer["error"]) == (400, error)
    assert state(call) == before


@pytest.mark.parametrize("raw", ["not json", "[1, 2]", "null", '"x"', '{"name": 7}',
                                 '{"name": "Luca", "languages": "it,fr"}', '{"languages": {"it": 1}}',
                                 '{"teams": [[]]}', '{"password": 12345678}',
                                 '{"name": "Luca", "role": ["supervisor"]}', '{"phone": 393471234567}'])
def test_malformed_bodies_are_400_and_change_nothing(client, call, tokens, raw):
    before = state(call)
    routes = [("POST", "/api/agents"), ("PATCH", "/api/agents/maria"), ("POST", "/api/agents/maria/password")]
    for method, path in routes:
        response = client.open(path, method=method, data=raw, content_type="application/json",
                               headers={"Authorization": f"Bearer {tokens['sara']}"})
        assert response.status_code == 400, (path, raw)
        assert response.is_json, (path, raw)
    assert state(call) == before

"""Console and API security (issue 7), swept over every route of the real app's url_map: nothing without
a login, CSRF on every state-changing console form, no acting on another agent's lease (API side; the
console side is test_console.py's), and a login delay that follows the name and ends (test_login_limits.py
has the per-address cap and the proxy)."""
from __future__ import annotations

import re

import pytest

from social_bridge.queue.work_item import WorkItem
from tests.integration.test_console import csrf_of

PASSWORD = "a long enough password"
OPEN = {"/console/login", "/console/static/<path:filename>"}


@pytest.fixture
def bridge(app):
    bridge = app.extensions["social_bridge"]
    bridge.agents.create("Maria", PASSWORD)
    bridge.agents.create("Luca", PASSWORD)
    return bridge


@pytest.fixture
def item(bridge, clock):
    return bridge.queue.enqueue(WorkItem(id="", kind="callback", channel="voice", lang="it",
                                         acquired_at=clock() - 60, natural_key="callback:+393471234567",
                                         customer="+393471234567", summary="internet giù")).item


def routes(app, prefix: str) -> list[tuple[str, str]]:
    return sorted((method, rule.rule) for rule in app.url_map.iter_rules()
                  if rule.rule.startswith(prefix) and rule.rule not in OPEN
                  for method in rule.methods - {"HEAD", "OPTIONS"})


def url(rule: str, item_id: str = "x") -> str:
    return re.sub(r"<[^>]+>", item_id, rule)


def snapshot(redis_client) -> dict:
    return {key: redis_client.dump(key) for key in sorted(redis_client.keys("*")) if key != "nohold:{metrics}"}


def sign_in(app, name: str, addr: str = "127.0.0.1"):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = addr
    response = client.post("/console/login", data={"name": name, "password": PASSWORD, "csrf_token": csrf_of(client)})
    assert response.status_code == 302
    return client


def test_the_sweep_sees_every_route(app):
    assert len(routes(app, "/console/")) >= 25
    assert len(routes(app, "/api/")) >= 15


def test_nothing_without_a_login(app, bridge, item, redis_client):
    before = snapshot(redis_client)
    for method, rule in routes(app, "/console/") + routes(app, "/api/"):
        for target in {url(rule, item.id), url(rule)}:
            client = app.test_client()
            csrf = csrf_of(client)  # a visitor's own session token does not stand in for a login
            response = client.open(target, method=method, data={"csrf_token": csrf}, headers={"X-CSRF-Token": csrf})
            if rule.startswith("/console/") and method == "GET" and response.status_code == 302:
                assert response.headers["Location"].startswith("/console/login"), (method, target)
            else:
                assert response.status_code in (302, 401), (method, target, response.status_code)
            api = client.open(target, method=method, headers={"Authorization": "Bearer nh_not-a-token"}, json={})
            assert api.status_code in (302, 401, 403), (method, target, api.status_code)
    assert snapshot(redis_client) == before
    assert bridge.queue.get(item.id).status == "waiting"


@pytest.mark.parametrize("csrf", [None, "", "forged"])
def test_every_console_form_needs_the_csrf_token(app, bridge, item, redis_client, csrf):
    maria = sign_in(app, "maria")
    before = snapshot(redis_client)
    posts = [rule for method, rule in routes(app, "/console/") if method == "POST"]
    assert "/console/logout" in posts
    assert "/console/items/<item_id>/complete" in posts
    for rule in posts:
        data = {"fence": "1", "outcome": "resolved", "state": "away", "text": "ciao"}
        if csrf is not None:
            data["csrf_token"] = csrf
        response = maria.post(url(rule, item.id), data=data)
        assert response.status_code == 403, (rule, response.status_code)
    assert snapshot(redis_client) == before
    assert maria.get("/console/").status_code == 200  # logout refused too: still signed in


API_ACTIONS = [("complete", {"outcome": "resolved"}), ("release", {}), ("renew", {}), ("reply", {"text": "ciao"}),
               ("reschedule", {"not_before": "2026-12-02T15:30:00+01:00"}), ("cancel", {"reason": "other"}),
               ("callback", {})]


@pytest.mark.parametrize("action, body", API_ACTIONS, ids=[a for a, _ in API_ACTIONS])
def test_the_api_refuses_acting_on_another_agents_lease(app, bridge, item, action, body):
    maria, luca = bridge.agents.issue_token("maria"), bridge.agents.issue_token("luca")
    client = app.test_client()
    claimed = client.post("/api/claims/next", headers={"Authorization": f"Bearer {maria}"})
    assert claimed.status_code == 200
    assert claimed.json["item"]["id"] == item.id
    fence = claimed.json["fence"]
    response = client.post(f"/api/items/{item.id}/{action}", json={"fence": fence, **body},
                           headers={"Authorization": f"Bearer {luca}"})
    assert response.status_code in (403, 409, 501), response.json
    assert response.status_code != 501 or action in ("reply", "callback")  # not configured in dev: refused anyway
    still = bridge.queue.get(item.id)
    assert (still.status, still.claimed_by, still.fence) == ("claimed", "maria", fence)


def failed_login(app, name: str, addr: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = addr
    return client.post("/console/login", data={"name": name, "password": "guess", "csrf_token": csrf_of(client)})


def test_login_delay_follows_the_name_says_when_and_ends(app, bridge, clock, redis_client):
    for _ in range(4):
        assert failed_login(app, "maria", "203.0.113.7").status_code == 401
    limited = failed_login(app, "maria", "203.0.113.7")
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "1"
    assert "Troppi tentativi: riprova tra 1 secondi" in limited.text
    assert "guess" not in limited.text          # the typed password is never echoed
    clock.advance(0.5)
    again = failed_login(app, "maria", "198.51.100.4")  # the name is what waits, from any address
    assert again.status_code == 429
    assert again.headers["Retry-After"] == "1"  # and a refused try adds no wait
    sign_in(app, "luca", "203.0.113.7")        # another agent behind the same address does not wait
    clock.advance(0.5)
    sign_in(app, "maria", "203.0.113.7")       # the right password once the wait is over
    for _ in range(4):                          # and the success forgot the failures
        assert failed_login(app, "maria", "203.0.113.7").status_code == 401

"""The API keeps the console's rules (issue 13, item 7): who picks which item, the outcome and reason sets,
and bodies no parser should be asked to walk. One app serves both, on a real Redis."""
from __future__ import annotations

import re

import pytest

from tests.integration.test_console import build_api_app, build_bridge, enqueue, post, seed_agents, signed_in

FREE_TEXT = "the customer said the modem light is red"


@pytest.fixture
def bridge(redis_client, clock):
    b = build_bridge(redis_client, clock)
    seed_agents(b)
    return b


@pytest.fixture
def app(bridge):
    return build_api_app(bridge)


@pytest.fixture
def call(app, bridge):
    client, tokens = app.test_client(), {}

    def request(method: str, path: str, who: str = "maria", body=None, raw: str | None = None):
        token = tokens.setdefault(who, bridge.agents.issue_token(who))
        headers = {"Authorization": f"Bearer {token}"}
        if raw is not None:
            return client.open(path, method=method, headers=headers, data=raw, content_type="application/json")
        return client.open(path, method=method, headers=headers, json=body)
    return request


def refused(response, status: int, error: str) -> str:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.json["error"] == error
    return response.json["message"]


def select_values(page: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return [value for value in re.findall(r'<option value="([^"]*)"', select) if value]


def test_a_plain_agent_takes_the_next_item_and_only_a_supervisor_picks_one(app, bridge, call):
    older = enqueue(bridge, "callback:older", ago=600)
    chosen = enqueue(bridge, "callback:chosen", ago=60, customer="+393330000011")
    message = refused(call("POST", f"/api/items/{chosen.id}/claim", "maria"), 403, "forbidden")
    assert "/api/claims/next" in message
    assert bridge.queue.get(chosen.id).status == "waiting"
    assert bridge.claims.claimed_by("maria") == []
    # the console says the same
    assert post(signed_in(app, "luca"), f"/console/items/{chosen.id}/claim").status_code == 403
    assert bridge.queue.get(chosen.id).status == "waiting"

    assert call("POST", "/api/claims/next", "maria").json["item"]["id"] == older.id
    response = call("POST", f"/api/items/{chosen.id}/claim", "sara")
    assert response.status_code == 200
    assert response.json["item"]["claimed_by"] == "sara"


def test_outcomes_and_reasons_are_the_consoles_and_never_free_text(app, bridge, call):
    probe = enqueue(bridge, "callback:probe")
    bridge.claims.claim(probe.id, "maria")
    page = signed_in(app, "maria").get(f"/console/items/{probe.id}").get_data(as_text=True)
    outcomes, reasons = select_values(page, "outcome"), select_values(page, "reason")
    assert outcomes
    assert reasons

    for field, action, values in (("outcome", "complete", outcomes), ("reason", "cancel", reasons)):
        item = enqueue(bridge, f"callback:{action}")
        fence = bridge.claims.claim(item.id, "maria").fence
        for bad in (FREE_TEXT, "", "Resolved", ["resolved"], 7, None):
            message = refused(call("POST", f"/api/items/{item.id}/{action}", body={"fence": fence, field: bad}),
                              400, "bad_request")
            assert all(value in message for value in values), message
        assert bridge.queue.get(item.id).status == "claimed"
        for value in values:  # every value the console offers is accepted
            other = enqueue(bridge, f"callback:{action}:{value}")
            other_fence = bridge.claims.claim(other.id, "maria").fence
            response = call("POST", f"/api/items/{other.id}/{action}", body={"fence": other_fence, field: value})
            assert response.status_code == 200, response.json
            assert bridge.queue.history(other.id)[-1][field] == value
    assert all(FREE_TEXT not in str(event) for key in bridge.redis.keys("*history*") for event in
               bridge.redis.lrange(key, 0, -1))


def nested(depth: int, opener: str = "[") -> str:
    inner = "1"
    if opener == "[":
        return "[" * depth + inner + "]" * depth
    return '{"a": ' * depth + inner + "}" * depth


@pytest.mark.parametrize("raw", [nested(100_000), nested(100_000, "{"), nested(5_000),
                                 '{"fence": 1, "kinds": ' + nested(9) + "}",
                                 '{"state": "available", "x": ' + nested(50, "{") + "}"])
def test_deeply_nested_json_is_a_400_on_every_route(app, bridge, call, raw):
    item = enqueue(bridge, "callback:1")
    fence = bridge.claims.claim(item.id, "maria").fence
    routes = [(method, rule.rule) for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")
              for method in sorted(rule.methods & {"POST", "PATCH"})]
    assert len(routes) >= 12
    for method, rule in routes:
        path = rule.replace("<item_id>", item.id)
        if rule.endswith(("/claim", "/requeue")):  # these take no body and read none
            assert call(method, path, "sara", raw=raw).status_code == 409  # claimed: not claimable, not dead
            continue
        message = refused(call(method, path, raw=raw), 400, "bad_request")
        assert "nested too deeply" in message, (path, message)
    held = bridge.queue.get(item.id)
    assert (held.status, held.claimed_by, held.fence) == ("claimed", "maria", fence)


def test_a_body_as_deep_as_ours_may_be_is_read(call, bridge):
    item = enqueue(bridge, "callback:1")
    fence = bridge.claims.claim(item.id, "maria").fence
    eight_levels = {"fence": fence, "note": [[[[[[["ok"]]]]]]]}  # the object, then seven lists
    response = call("POST", f"/api/items/{item.id}/renew", body=eight_levels)
    assert response.status_code == 200
    assert response.json["fence"] == fence

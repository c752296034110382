"""The agent JSON API on a real Redis: auth, roles, claims with fences, errors that are always JSON."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from social_bridge.queue.agents import AgentDirectory
from social_bridge.web.bridge import Bridge
from social_bridge.queue.claims import Claims
from social_bridge.queue.eta import EtaEstimator
from social_bridge.queue.presence import Presence
from social_bridge.queue.work_item import WorkItem
from social_bridge.queue.work_queue import WorkQueue
from tests.integration.test_console import Recorder, build_api_only

DOCS = Path(__file__).resolve().parent.parent.parent / "docs"
NUMBER = "+393471234567"
RECORDING_URL = "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE123"
PASSWORD = "long enough secret"


@pytest.fixture
def bridge(redis_client, clock):
    queue = WorkQueue(redis_client, clock=clock)
    presence = Presence(redis_client, clock=clock)
    return Bridge(redis=redis_client, queue=queue, claims=Claims(redis_client, clock=clock, max_attempts=2),
                  presence=presence, agents=AgentDirectory(redis_client, clock=clock),
                  eta=EtaEstimator(queue, presence=presence), clock=clock, target_wait_seconds=150)


@pytest.fixture
def client(bridge):
    return build_api_only(bridge, testing=True).test_client()


@pytest.fixture
def tokens(bridge):
    bridge.agents.create("Maria", PASSWORD)
    bridge.agents.create("Luca", PASSWORD, languages=("it", "en"))
    bridge.agents.create("Sara", PASSWORD, role="supervisor", languages=("it", "en"))
    return {name: bridge.agents.issue_token(name) for name in ("maria", "luca", "sara")}


@pytest.fixture
def call(client, tokens, bridge):
    def request(method: str, path: str, who: str | None = "maria", body=None, raw: str | None = None):
        headers = {"Authorization": f"Bearer {tokens[who]}"} if who else {}
        if raw is not None:
            return client.open(path, method=method, headers=headers, data=raw, content_type="application/json")
        return client.open(path, method=method, headers=headers, json=body)

    request.bridge = bridge
    return request


def enqueue(bridge, key: str, ago: float = 60, kind: str = "callback", channel: str = "voice", lang: str = "it",
            **fields) -> WorkItem:
    fields.setdefault("customer", NUMBER)
    item = WorkItem(id="", kind=kind, channel=channel, lang=lang, acquired_at=bridge.clock() - ago,
                    natural_key=key, summary="internet down since this morning", **fields)
    return bridge.queue.enqueue(item).item


@pytest.fixture
def item(bridge):
    return enqueue(bridge, "callback:1", recording_url=RECORDING_URL, recording_sid="RE123")


def claimed(call, item, who="maria") -> int:
    """`who` holds the item (a plain agent could not pick it through the API: see test_claim_a_specific_item)."""
    return call.bridge.claims.claim(item.id, who).fence


def assert_error(response, status: int, error: str | None = None):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    assert set(response.json) == {"error", "message"}
    assert response.json["message"].strip()
    if error:
        assert response.json["error"] == error


def api_routes(client):
    for rule in client.application.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield method, rule.rule


def test_every_endpoint_refuses_without_a_valid_token(call, client, tokens, bridge, item):
    bridge.agents.revoke_tokens("luca")
    headers = [{}, {"Authorization": "Basic bWFyaWE6eA=="}, {"Authorization": "Bearer nh_made_up"},
               {"Authorization": f"Bearer {tokens['luca']}"}, {"Authorization": tokens["maria"]}]
    routes = list(api_routes(client))
    assert len(routes) >= 16
    for method, rule in routes:
        path = re.sub(r"<\w+>", item.id, rule)
        for header in headers:
            response = client.open(path, method=method, headers=header, json={"fence": 1})
            assert_error(response, 401, "unauthorized")
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert bridge.queue.get(item.id).status == "waiting"


def test_queue_lists_waiting_then_scheduled_without_whole_numbers(call, bridge, clock, item):
    older = enqueue(bridge, "voicemail:1", ago=600, kind="voicemail", customer="+393339876543")
    thread = enqueue(bridge, "thread:1", ago=30, kind="thread", channel="messenger", customer="2871635498812")
    later = enqueue(bridge, "callback:2", ago=900, not_before=clock() + 3600, customer="+447700900123")
    response = call("GET", "/api/queue")
    assert response.status_code == 200
    body = response.json
    assert [i["id"] for i in body["items"]] == [older.id, item.id, thread.id, later.id]
    assert [i["position"] for i in body["items"]] == [1, 2, 3, None]
    assert [i["status"] for i in body["items"]] == ["waiting"] * 3 + ["scheduled"]
    assert body["depth"] == {"callback": 1, "voicemail": 1, "thread": 1, "scheduled": 1}
    assert body["oldest_wait"] == 600
    first = body["items"][1]
    assert first["customer_masked"] == "+39******67"
    assert first["has_recording"] is True
    assert first["acquired_at"].endswith("Z")
    assert first["waited_seconds"] == 60
    assert body["items"][2]["customer_masked"] == "******12"
    assert body["items"][3]["not_before"] is not None
    text = response.get_data(as_text=True)
    for secret in (NUMBER, "3471234567", "+393339876543", "+447700900123", "2871635498812", RECORDING_URL, "RE123"):
        assert secret not in text
    assert "fence" not in first
    assert "customer" not in first


def test_claim_next_gives_the_oldest_item_with_its_fence(call, bridge, item):
    response = call("POST", "/api/claims/next")
    assert response.status_code == 200
    assert response.json["item"]["id"] == item.id
    assert response.json["item"]["status"] == "claimed"
    assert response.json["item"]["customer"] == NUMBER  # the holder needs the number to call
    assert response.json["item"]["fence"] == response.json["fence"] > 0
    assert response.json["lease_until"].endswith("Z")
    assert response.json["item"]["history"][0]["event"] == "created"
    assert call("POST", "/api/claims/next", "luca").status_code == 204


def test_claim_next_filters_by_kind_and_validates_it(call, bridge, item):
    voicemail = enqueue(bridge, "voicemail:1", ago=10, kind="voicemail")
    response = call("POST", "/api/claims/next", body={"kinds": ["voicemail"]})
    assert response.json["item"]["id"] == voicemail.id
    assert call("POST", "/api/claims/next", "luca", body={"kinds": ["thread"]}).status_code == 204
    for bad in ({"kinds": ["fax"]}, {"kinds": []}, {"kinds": "callback"}):
        assert_error(call("POST", "/api/claims/next", "luca", body=bad), 400, "bad_request")


def test_claim_next_serves_the_agents_languages_first(call, bridge, clock):
    english = enqueue(bridge, "callback:en", ago=60, lang="en")
    assert call("POST", "/api/claims/next", "maria").status_code == 204  # Maria speaks Italian only
    assert call("POST", "/api/claims/next", "luca").json["item"]["id"] == english.id


def test_claim_a_specific_item(call, bridge, item):
    """Supervisors pick a given item; agents take the next one, as in the console (social_bridge/web/rules.py)."""
    assert_error(call("POST", f"/api/items/{item.id}/claim", "maria"), 403, "forbidden")
    assert bridge.queue.get(item.id).status == "waiting"
    response = call("POST", f"/api/items/{item.id}/claim", "sara")
    assert response.status_code == 200
    assert response.json["item"]["claimed_by"] == "sara"
    assert_error(call("POST", f"/api/items/{item.id}/claim", "sara"), 409, "not_claimable")
    assert_error(call("POST", "/api/items/nope/claim", "sara"), 404, "not_found")


def test_detail_shows_the_whole_number_only_to_the_holder_and_supervisors(call, bridge, item):
    fence = claimed(call, item, "maria")
    mine = call("GET", f"/api/items/{item.id}", "maria").json
    other = call("GET", f"/api/items/{item.id}", "luca").json
    boss = call("GET", f"/api/items/{item.id}", "sara").json
    assert (mine["customer"], mine["fence"]) == (NUMBER, fence)
    assert (other["customer"], other["fence"]) == (None, None)
    assert (boss["customer"], boss["fence"]) == (NUMBER, None)
    assert NUMBER not in json.dumps(other)
    assert RECORDING_URL not in json.dumps(mine)
    assert [e["event"] for e in mine["history"]] == ["created", "claimed"]
    assert_error(call("GET", "/api/items/unknown"), 404, "not_found")


def test_renew_extends_the_lease(call, clock, item):
    fence = claimed(call, item)
    first = call("GET", f"/api/items/{item.id}").json["lease_until"]
    clock.advance(100)
    response = call("POST", f"/api/items/{item.id}/renew", body={"fence": fence})
    assert response.status_code == 200
    assert response.json["fence"] == fence
    assert response.json["lease_until"] > first


def test_another_agent_gets_403_even_with_the_right_fence(call, bridge, item):
    fence = claimed(call, item, "maria")
    for action, body in (("renew", {}), ("release", {}), ("complete", {"outcome": "solved"}),
                         ("cancel", {"reason": "duplicate"}), ("reschedule", {"not_before": bridge.clock() + 60})):
        assert_error(call("POST", f"/api/items/{item.id}/{action}", "luca", body={"fence": fence, **body}),
                     403, "forbidden")
    assert_error(call("POST", f"/api/items/{item.id}/complete", "sara", body={"fence": fence, "outcome": "x"}), 403)
    assert bridge.queue.get(item.id).status == "claimed"


def test_stale_fence_is_409(call, bridge, clock, item):
    fence = claimed(call, item, "maria")
    assert_error(call("POST", f"/api/items/{item.id}/renew", body={"fence": fence + 1}), 409, "stale_fence")
    clock.advance(121)  # the lease runs out; Luca takes the item over
    assert call("POST", "/api/claims/next", "luca").json["item"]["id"] == item.id
    assert_error(call("POST", f"/api/items/{item.id}/complete", body={"fence": fence, "outcome": "resolved"}), 403)
    luca_fence = call("GET", f"/api/items/{item.id}", "luca").json["fence"]
    call("POST", f"/api/items/{item.id}/release", "luca", body={"fence": luca_fence})
    # back in line: Maria's old fence is worthless, Luca's too
    assert_error(call("POST", f"/api/items/{item.id}/complete", body={"fence": fence, "outcome": "resolved"}),
                 409, "stale_fence")
    assert_error(call("POST", f"/api/items/{item.id}/renew", "luca", body={"fence": luca_fence}), 409)


def test_release_puts_the_item_back_at_its_place(call, bridge, item):
    fence = claimed(call, item)
    response = call("POST", f"/api/items/{item.id}/release", body={"fence": fence})
    assert response.status_code == 200
    assert response.json["item"]["status"] == "waiting"
    assert response.json["item"]["position"] == 1


def test_complete_records_the_outcome(call, bridge, item):
    fence = claimed(call, item)
    assert_error(call("POST", f"/api/items/{item.id}/complete", body={"fence": fence}), 400, "bad_request")
    assert_error(call("POST", f"/api/items/{item.id}/complete", body={"fence": fence, "outcome": "modem replaced"}),
                 400, "bad_request")  # the console's outcomes only (social_bridge/web/rules.py)
    response = call("POST", f"/api/items/{item.id}/complete", body={"fence": fence, "outcome": "resolved"})
    assert response.status_code == 200
    assert response.json["item"]["status"] == "done"
    assert response.json["item"]["outcome"] == "resolved"
    assert bridge.queue.depth()["callback"] == 0


@pytest.mark.parametrize("not_before, expected", [
    ("2026-12-02T15:00:00+01:00", "2026-12-02T14:00:00Z"),
    ("2026-12-02T14:00:00Z", "2026-12-02T14:00:00Z"),
    (1796220000, "2026-12-02T14:00:00Z"),
])
def test_reschedule_takes_iso_or_epoch(call, bridge, item, not_before, expected):
    fence = claimed(call, item)
    response = call("POST", f"/api/items/{item.id}/reschedule",
                    body={"fence": fence, "not_before": not_before, "not_after": "2026-12-02T16:00:00+01:00"})
    assert response.status_code == 200, response.json
    assert response.json["item"]["status"] == "scheduled"
    assert response.json["item"]["not_before"] == expected
    assert response.json["item"]["not_after"] == "2026-12-02T15:00:00Z"


@pytest.mark.parametrize("body", [
    {}, {"not_before": "tomorrow"}, {"not_before": "2026-12-02T15:00:00"}, {"not_before": True},
    {"not_before": -5}, {"not_before": "2026-12-02T15:00:00Z", "not_after": "2026-12-02T14:00:00Z"},
])
def test_reschedule_refuses_unclear_times(call, bridge, item, body):
    fence = claimed(call, item)
    assert_error(call("POST", f"/api/items/{item.id}/reschedule", body={"fence": fence, **body}), 400, "bad_request")
    assert bridge.queue.get(item.id).status == "claimed"


def test_cancel_needs_a_reason(call, bridge, item):
    fence = claimed(call, item)
    assert_error(call("POST", f"/api/items/{item.id}/cancel", body={"fence": fence, "reason": "  "}), 400)
    assert_error(call("POST", f"/api/items/{item.id}/cancel", body={"fence": fence, "reason": "solved by SMS"}), 400)
    response = call("POST", f"/api/items/{item.id}/cancel", body={"fence": fence, "reason": "solved_elsewhere"})
    assert response.status_code == 200
    assert response.json["item"]["status"] == "cancelled"


@pytest.mark.parametrize("raw", ["not json", "[1, 2]", "null", '"fence"', '{"fence": "1"}', '{"fence": true}',
                                 '{"fence": 1.5}', '{"fence": -3}', '{"fence": 999999, "outcome": 7, "reason": []}',
                                 '{"kinds": {"a": 1}, "state": 3, "text": null}', "{\"fence\": 1e999}"])
def test_malformed_bodies_are_400_never_500(call, client, bridge, item, raw):
    bridge.reply, bridge.dial = Recorder("SM1"), Recorder("att-1")
    claimed(call, item)
    for method, rule in api_routes(client):
        if method != "POST":
            continue
        path = re.sub(r"<\w+>", item.id, rule)
        response = call(method, path, "sara" if "/dead/" in rule else "maria", raw=raw)
        assert response.status_code < 500, (path, raw)
        assert response.status_code != 200 or rule.endswith(("/claim", "/next")), (path, raw)
        if response.status_code != 204:
            assert response.is_json, (path, raw)
    assert bridge.reply.calls == bridge.dial.calls == []


def test_reply_and_callback_are_501_when_not_configured(call, bridge, item):
    fence = claimed(call, item)
    assert_error(call("POST", f"/api/items/{item.id}/reply", body={"fence": fence, "text": "Ciao"}),
                 501, "not_implemented")
    assert_error(call("POST", f"/api/items/{item.id}/callback", body={"fence": fence}), 501)
    assert_error(call("GET", f"/api/items/{item.id}/recording"), 501)


def test_reply_sends_through_the_bridge(call, bridge, clock, item):
    bridge.reply = Recorder("SM123")
    fence = claimed(call, item)
    assert_error(call("POST", f"/api/items/{item.id}/reply", body={"fence": fence}), 400)
    assert_error(call("POST", f"/api/items/{item.id}/reply", body={"fence": fence, "text": "x" * 1601}), 400)
    assert_error(call("POST", f"/api/items/{item.id}/reply", "luca", body={"fence": fence, "text": "hi"}), 403)
    assert_error(call("POST", f"/api/items/{item.id}/reply", body={"fence": fence + 9, "text": "hi"}), 409)
    assert bridge.reply.calls == []
    clock.advance(100)
    response = call("POST", f"/api/items/{item.id}/reply", body={"fence": fence, "text": " Il tecnico arriva domani "})
    assert response.status_code == 202
    assert response.json == {"message_id": "SM123"}
    [(sent_item, text, agent)] = bridge.reply.calls
    assert (sent_item.id, text, agent.id) == (item.id, "Il tecnico arriva domani", "maria")
    assert bridge.queue.get(item.id).lease_until == clock() + 120  # sending counts as working on it


def test_callback_dials_through_the_bridge(call, bridge, item):
    bridge.dial = Recorder("att-1")
    fence = claimed(call, item)
    assert_error(call("POST", f"/api/items/{item.id}/callback", "luca", body={"fence": fence}), 403)
    response = call("POST", f"/api/items/{item.id}/callback", body={"fence": fence})
    assert response.status_code == 202
    assert response.json == {"attempt_id": "att-1"}
    [(dialed, claim, agent)] = bridge.dial.calls
    assert dialed.id == item.id
    assert claim.fence == fence
    assert claim.item.customer == NUMBER
    assert agent.id == "maria"


def test_recording_only_for_holder_or_supervisor(call, bridge, item):
    bridge.recording = Recorder((b"RIFF....WAVE", "audio/wav"))
    assert_error(call("GET", f"/api/items/{item.id}/recording"), 403)
    claimed(call, item)
    response = call("GET", f"/api/items/{item.id}/recording")
    assert response.status_code == 200
    assert response.data == b"RIFF....WAVE"
    assert response.mimetype == "audio/wav"
    assert response.headers["Cache-Control"] == "no-store"
    assert call("GET", f"/api/items/{item.id}/recording", "sara").status_code == 200
    assert_error(call("GET", f"/api/items/{item.id}/recording", "luca"), 403)
    plain = enqueue(bridge, "callback:2")
    assert_error(call("GET", f"/api/items/{plain.id}/recording", "sara"), 404)


def test_presence_and_me(call, bridge, clock, item):
    assert call("GET", "/api/agents/me").json["state"] == "away"
    response = call("POST", "/api/presence", body={"state": "available"})
    assert response.json == {"agent_id": "maria", "state": "available", "offered_item": None}
    assert_error(call("POST", "/api/presence", body={"state": "asleep"}), 400)
    fence = claimed(call, item)
    me = call("GET", "/api/agents/me").json
    assert (me["id"], me["name"], me["role"], me["languages"], me["state"]) == ("maria", "Maria", "agent", ["it"],
                                                                                "available")
    assert [(c["item"]["id"], c["fence"]) for c in me["claims"]] == [(item.id, fence)]
    assert bridge.eta.agents_available() == 1
    clock.advance(91)  # no heartbeat: away again
    assert call("GET", "/api/agents/me").json["state"] == "away"


def test_supervisor_overview(call, bridge, clock, item):
    assert_error(call("GET", "/api/supervisor", "maria"), 403, "forbidden")
    enqueue(bridge, "thread:1", ago=30, kind="thread", channel="x", customer="1234567890")
    dead = enqueue(bridge, "callback:dead", ago=10, customer="+393330000001")
    for _ in range(2):
        bridge.claims.fail_attempt(dead.id, None, "no answer", clock() + 600)
    clock.advance(100)  # the callback has now waited 160 s, past the 150 s target
    call("POST", "/api/presence", "luca", body={"state": "busy"})
    body = call("GET", "/api/supervisor", "sara").json
    assert body["depth"] == {"callback": 1, "voicemail": 0, "thread": 1, "scheduled": 0}
    assert body["oldest_wait"] == {"all": 160.0, "by_kind": {"callback": 160, "thread": 130},
                                   "by_channel": {"voice": 160, "x": 130}}
    assert [i["id"] for i in body["breaching"]] == [item.id]
    assert body["breaching_count"] == 1
    assert [i["id"] for i in body["dead_letters"]] == [dead.id]
    states = {a["id"]: a["state"] for a in body["agents"]}
    assert states == {"luca": "busy", "maria": "away", "sara": "away"}
    text = json.dumps(body)
    assert NUMBER not in text
    assert "+393330000001" not in text


def test_requeue_dead_letter(call, bridge, clock, item):
    for _ in range(2):
        bridge.claims.fail_attempt(item.id, None, "no answer", clock() + 600)
    assert_error(call("POST", f"/api/dead/{item.id}/requeue", "maria"), 403)
    response = call("POST", f"/api/dead/{item.id}/requeue", "sara")
    assert response.status_code == 200
    assert response.json["item"]["status"] == "waiting"
    assert response.json["item"]["position"] == 1
    assert response.json["item"]["attempts"] == 0
    assert_error(call("POST", f"/api/dead/{item.id}/requeue", "sara"), 409, "not_dead")
    assert_error(call("POST", "/api/dead/nope/requeue", "sara"), 404)


def test_openapi_documents_every_route(client):
    spec = yaml.safe_load((DOCS / "openapi.yaml").read_text())
    documented = {(method.upper(), path) for path, ops in spec["paths"].items() for method in ops
                  if method in ("get", "post", "put", "patch", "delete") and path.startswith("/api/")}
    served = {(method, re.sub(r"<(\w+)>", r"{\1}", rule)) for method, rule in api_routes(client)}
    assert documented == served
    guide = (DOCS / "api.md").read_text()
    for _, path in served:
        assert path in guide, f"docs/api.md does not describe {path}"


def test_requeue_refused_when_the_customer_came_back(call, bridge, clock, item):
    for _ in range(2):
        bridge.claims.fail_attempt(item.id, None, "no answer", clock() + 600)
    newer = enqueue(bridge, "callback:1", ago=5)  # same natural key: the customer booked again
    assert newer.id != item.id
    assert_error(call("POST", f"/api/dead/{item.id}/requeue", "sara"), 409, "not_claimable")



def test_a_refused_callback_is_a_409_with_the_reason(call, bridge, item):
    def closed(item, claim, agent):
        raise ValueError("the desk is closed until Monday 08:30")

    bridge.dial = closed
    fence = claimed(call, item)
    response = call("POST", f"/api/items/{item.id}/callback", body={"fence": fence})
    assert_error(response, 409, "not_dialable")
    assert "closed until Monday" in response.json["message"]

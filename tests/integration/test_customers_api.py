"""Customers and cases in the JSON API, on the whole app: search, one person, history, cases, merge with proof."""
from __future__ import annotations

import pytest

from social_bridge.queue.work_item import WorkItem
from tests.support.agent_api import tokens  # noqa: F401 (fixture)
from tests.support.apps import client  # noqa: F401 (fixture)

CALLER = "+393471234567"
PSID = "6543210987654321"
SAID = "la fibra non va da ieri sera"


@pytest.fixture
def call(client, tokens):
    def request(method: str, path: str, who: str = "maria", body=None):
        response = client.open(path, method=method, headers={"Authorization": f"Bearer {tokens[who]}"}, json=body)
        return response.status_code, response.get_json()
    return request


@pytest.fixture
def booked(nohold, clock):
    item = WorkItem(id="", kind="callback", channel="voice", lang="it", acquired_at=clock() - 300,
                    natural_key="callback:test-booked", customer=CALLER, intent="internet_down", summary=SAID,
                    call_sid="CA" + "1" * 32, details={"tried": [{"step": "line_test", "result": "fault"}]})
    return nohold.queue.enqueue(item).item


def test_search_by_phone_or_case_number_finds_the_person(call, booked, nohold):
    person = nohold.customers.find("phone", CALLER)
    for query in ("+39 347 123 4567", "3471234567", f"{booked.case_number[:4]} {booked.case_number[4:]}"):
        status, body = call("GET", f"/api/customers?q={query}")
        assert status == 200
        assert [c["id"] for c in body["customers"]] == [person.id]


def test_a_search_needs_a_query_and_a_token(client, call):
    assert call("GET", "/api/customers?q=")[0] == 400
    assert client.get("/api/customers?q=x").status_code == 401


def test_the_customer_and_their_history_words_only_for_supervisors(call, booked, nohold):
    person = nohold.customers.find("phone", CALLER)
    status, body = call("GET", f"/api/customers/{person.id}")
    assert status == 200
    assert [c["number"] for c in body["open_cases"]] == [booked.case_number]
    _, plain = call("GET", f"/api/customers/{person.id}/history")
    kinds = {(e["type"], e["event"]) for e in plain["timeline"]}
    assert {("item", "created"), ("call", "call"), ("self_service", "line_test")} <= kinds
    assert SAID not in str(plain)
    _, supervised = call("GET", f"/api/customers/{person.id}/history", who="sara")
    assert SAID in str(supervised)


def test_cases_by_number_and_a_mistyped_one(call, booked):
    status, body = call("GET", f"/api/cases/{booked.case_number}")
    assert (status, body["case"]["state"]) == (200, "open")
    typo = booked.case_number[:7] + str((int(booked.case_number[7]) + 1) % 10)
    assert call("GET", f"/api/cases/{typo}")[0] == 404


def test_waiting_for_the_customer_only_by_the_holder_or_a_supervisor(call, booked):
    assert call("POST", f"/api/cases/{booked.case_number}/waiting")[0] == 403
    status, body = call("POST", f"/api/cases/{booked.case_number}/waiting", who="sara")
    assert (status, body["case"]["state"]) == (200, "waiting_customer")


def test_merging_needs_a_proof(call, nohold):
    caller = nohold.customers.ensure("phone", CALLER)
    chatter = nohold.customers.ensure("messenger", PSID)
    assert call("POST", f"/api/customers/{chatter.id}/merge", body={"other": caller.id})[0] == 403
    assert call("POST", f"/api/customers/{chatter.id}/merge", body={"other": caller.id, "code": "000000"})[0] == 403
    assert call("POST", f"/api/customers/{chatter.id}/merge-code", body={"other": caller.id})[0] == 202
    [key] = nohold.redis.keys("nohold:{msgkey:merge-code:*")
    message = nohold.messages.get(nohold.redis.get(key))
    assert message["to"] == CALLER
    code = next(w.strip(".") for w in message["body"].split() if w.strip(".").isdigit())
    status, body = call("POST", f"/api/customers/{chatter.id}/merge", body={"other": caller.id, "code": code})
    assert status == 200
    assert body["customer"]["identities"] == [f"messenger:{PSID}", f"phone:{CALLER}"]
    assert nohold.customers.find("phone", CALLER).id == chatter.id


def test_the_same_backend_customer_code_is_proof_enough(call, nohold):
    one, two = nohold.customers.ensure("phone", CALLER), nohold.customers.ensure("messenger", PSID)
    nohold.customers.set_account(one.id, customer_code="C-100231")
    nohold.customers.set_account(two.id, customer_code="C-100231")
    assert call("POST", f"/api/customers/{one.id}/merge", body={"other": two.id})[0] == 200

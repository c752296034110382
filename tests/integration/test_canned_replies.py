"""Canned replies (issue 19) on the whole app and a real Redis: the API's CRUD and who may write, the console page,
placeholders filled from a real item, an unknown placeholder refused with a clear sentence."""
from __future__ import annotations

import re

import pytest

from social_bridge.queue.work_item import WorkItem
from tests.support.agent_api import PASSWORD, tokens  # noqa: F401 (fixture)
from tests.support.apps import client  # noqa: F401 (fixture)

CALLER = "+393471234567"
GREETING = "Ciao {name}, ho preso in carico la richiesta {case_number}: hai atteso {wait}. Ecco il link: {reset_link}"


@pytest.fixture
def call(client, tokens):
    def request(method: str, path: str, who: str = "sara", body=None):
        response = client.open(path, method=method, headers={"Authorization": f"Bearer {tokens[who]}"}, json=body)
        return response.status_code, response.get_json()
    return request


@pytest.fixture
def held(nohold, clock, tokens):
    """A callback of Giulia Bianchi's, waiting 7 minutes, claimed by Maria."""
    item = WorkItem(id="", kind="callback", channel="voice", lang="it", acquired_at=clock() - 420,
                    natural_key="callback:test-canned", customer=CALLER, intent="login_problem",
                    call_sid="CA" + "2" * 32)
    item = nohold.queue.enqueue(item).item
    nohold.customers.set_account(nohold.customers.find("phone", CALLER).id, name="Giulia Bianchi")
    nohold.bridge.claims.claim(item.id, "maria")
    return item


def test_a_supervisor_creates_edits_lists_and_deletes(call):
    status, body = call("POST", "/api/canned", body={"lang": "it", "title": "Saluto", "text": "Ciao {name}!"})
    assert status == 201
    reply_id = body["reply"]["id"]
    call("POST", "/api/canned", body={"lang": "en", "title": "Hello", "text": "Hi {name}!"})
    status, body = call("PUT", f"/api/canned/{reply_id}", body={"lang": "it", "title": "Saluto", "text": "Buongiorno {name}"})
    assert (status, body["reply"]["text"]) == (200, "Buongiorno {name}")
    _, listed = call("GET", "/api/canned?lang=it", who="maria")
    assert [r["text"] for r in listed["replies"]] == ["Buongiorno {name}"]
    assert call("DELETE", f"/api/canned/{reply_id}")[0] == 204
    assert call("GET", f"/api/canned/{reply_id}")[0] == 404
    _, left = call("GET", "/api/canned")
    assert [r["lang"] for r in left["replies"]] == ["en"]


def test_an_agent_reads_but_may_not_write(call):
    _, body = call("POST", "/api/canned", body={"lang": "it", "title": "Saluto", "text": "Ciao"})
    reply_id = body["reply"]["id"]
    assert call("POST", "/api/canned", who="maria", body={"lang": "it", "title": "Mio", "text": "Ciao"})[0] == 403
    assert call("PUT", f"/api/canned/{reply_id}", who="maria", body={"lang": "it", "title": "x", "text": "y"})[0] == 403
    assert call("DELETE", f"/api/canned/{reply_id}", who="maria")[0] == 403
    _, listed = call("GET", "/api/canned", who="maria")
    assert [r["title"] for r in listed["replies"]] == ["Saluto"]


def test_an_unknown_placeholder_is_refused_with_the_ones_available(call):
    status, body = call("POST", "/api/canned", body={"lang": "it", "title": "Saluto", "text": "Ciao {nome}"})
    assert status == 400
    assert "{nome}" in body["message"]
    assert "{name}" in body["message"]
    assert call("GET", "/api/canned")[1]["replies"] == []


def test_placeholders_filled_from_the_item_for_its_holder(call, held):
    _, body = call("POST", "/api/canned", body={"lang": "it", "title": "Presa in carico", "text": GREETING})
    reply_id = body["reply"]["id"]
    status, filled = call("GET", f"/api/canned/{reply_id}?item={held.id}", who="maria")
    shown = f"{held.case_number[:4]} {held.case_number[4:]}"
    assert status == 200
    assert filled["filled"] == (f"Ciao Giulia Bianchi, ho preso in carico la richiesta {shown}: hai atteso 7 min. "
                                "Ecco il link: {reset_link}")


def test_only_the_holder_or_a_supervisor_gets_it_filled(call, client, held, nohold):
    nohold.bridge.agents.create("Luca", PASSWORD)
    luca = {"Authorization": f"Bearer {nohold.bridge.agents.issue_token('luca')}"}
    _, body = call("POST", "/api/canned", body={"lang": "it", "title": "Nome", "text": "Ciao {name}"})
    path = f"/api/canned/{body['reply']['id']}?item={held.id}"
    assert client.get(path, headers=luca).status_code == 403
    assert call("GET", path)[1]["filled"] == "Ciao Giulia Bianchi"


def sign_in(client, name: str) -> str:
    page = client.get("/console/login").data.decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/console/login", data={"name": name, "password": PASSWORD, "csrf_token": token}).status_code == 302
    return re.search(r'data-csrf="([^"]+)"', client.get("/console/canned").data.decode()).group(1)


def test_the_console_page_supervisor_edits_agent_reads(app, tokens, held):
    sara, maria = app.test_client(), app.test_client()
    csrf = sign_in(sara, "sara")
    added = sara.post("/console/canned", data={"csrf_token": csrf, "lang": "it", "title": "Attesa",
                                               "text": "Grazie dell'attesa ({wait}), {name}."}, follow_redirects=True)
    assert "Grazie dell&#39;attesa ({wait}), {name}." in added.data.decode()
    refused = sara.post("/console/canned", data={"csrf_token": csrf, "lang": "it", "title": "Rotto",
                                                 "text": "Ciao {cliente}"}, follow_redirects=True).data.decode()
    assert "Segnaposto sconosciuto: {cliente}" in refused
    assert "Rotto" not in refused
    maria_csrf = sign_in(maria, "maria")
    page = maria.get("/console/canned").data.decode()
    assert 'id="canned-add"' not in page
    assert maria.post("/console/canned", data={"csrf_token": maria_csrf, "lang": "it", "title": "x",
                                               "text": "y"}).status_code == 403
    filled = maria.get(f"/console/items/{held.id}/canned.json").get_json()
    assert [r["text"] for r in filled["replies"]] == ["Grazie dell'attesa (7 min), Giulia Bianchi."]


def test_the_console_page_edits_and_deletes(app, tokens, nohold):
    sara = app.test_client()
    csrf = sign_in(sara, "sara")
    reply = nohold.bridge.canned.create("en", "Hello", "Hello {name}", "sara")
    edited = sara.post(f"/console/canned/{reply.id}", data={"csrf_token": csrf, "lang": "en", "title": "Hello",
                                                            "text": "Hello {name}, thanks for waiting {wait}."})
    assert edited.status_code == 302
    assert nohold.bridge.canned.get(reply.id).text == "Hello {name}, thanks for waiting {wait}."
    refused = sara.post(f"/console/canned/{reply.id}", data={"csrf_token": csrf, "lang": "en", "title": "Hello",
                                                             "text": "Hello {first_name}"}, follow_redirects=True)
    assert "{first_name}" in refused.data.decode()
    assert nohold.bridge.canned.get(reply.id).text == "Hello {name}, thanks for waiting {wait}."
    assert sara.post(f"/console/canned/{reply.id}/delete", data={"csrf_token": csrf}).status_code == 302
    assert nohold.bridge.canned.get(reply.id) is None


def test_a_deleted_reply_is_not_brought_back_by_an_edit(call):
    _, body = call("POST", "/api/canned", body={"lang": "it", "title": "Saluto", "text": "Ciao"})
    reply_id = body["reply"]["id"]
    assert call("DELETE", f"/api/canned/{reply_id}")[0] == 204
    assert call("PUT", f"/api/canned/{reply_id}", body={"lang": "it", "title": "Saluto", "text": "Ciao!"})[0] == 404
    assert call("GET", "/api/canned?lang=fr")[0] == 400
    assert call("GET", "/api/canned")[1]["replies"] == []


def test_the_store_does_not_recreate_a_deleted_reply(nohold):
    canned = nohold.bridge.canned
    reply = canned.create("it", "Saluto", "Ciao {name}", "sara")
    assert canned.update(reply.id, "it", "Saluto", "Buongiorno {name}", "sara").text == "Buongiorno {name}"
    assert canned.delete(reply.id)
    assert canned.update(reply.id, "it", "Saluto", "Ciao!", "sara") is None
    assert canned.get(reply.id) is None

"""The complaint flag end to end (issue 16): the call and the chat carry it to the queue, agents see it.

Real Redis, the real app and its default intent model (the flag is its second output), real Flask.
"""
from __future__ import annotations

import re

import pytest

from social_bridge.channels import Inbound
from social_bridge.queue.work_item import WorkItem

CALLER = "+393471239876"
PASSWORD = "long enough secret"
GRIEVANCE = "quarta volta che chiamo, internet non funziona proprio, mi avete stufato"
CALM = "buongiorno internet non funziona da stamattina"


def book_by_phone(phone, said: str) -> str:
    result = phone.run_script({"from": CALLER, "answers": [
        {"say": said, "expect": "motivo della chiamata"},
        {"digits": "1", "expect": "richiamare appena"},
        {"digits": "1", "expect": "finisce con 9 8 7 6"}]})
    assert result.ok, result.error
    return result.call_sid


def signed_in(app, name: str = "maria"):
    app.extensions["social_bridge"].agents.create(name.capitalize(), PASSWORD, languages=("it", "en"))
    client = app.test_client()
    page = client.get("/console/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/console/login", data={"name": name, "password": PASSWORD, "csrf_token": csrf}).status_code == 302
    return client


def test_a_grievance_on_the_call_flags_the_callback(phone, nohold):
    call = nohold.calls.load(book_by_phone(phone, GRIEVANCE))
    item = nohold.queue.get(call.item_id)
    assert call.complaint is True
    assert item.intent == "internet_down"
    assert item.complaint is True


def test_a_calm_call_books_an_unflagged_callback(phone, nohold):
    item = nohold.queue.get(nohold.calls.load(book_by_phone(phone, CALM)).item_id)
    assert item.intent == "internet_down"
    assert item.complaint is False


@pytest.mark.parametrize("text, flagged", [
    ("terza volta che vi scrivo per la bolletta sbagliata, mi avete proprio stufato 😡", True),
    ("ciao, volevo sapere quando scade la mia offerta, grazie", False),
])
def test_the_chat_inbox_flags_the_thread_it_places(nohold, social_jobs, text, flagged):
    nohold.social.inbound.accept([Inbound("sms", CALLER, "SM" + "1" * 32, text=text, sent_at=nohold.clock())])
    social_jobs()
    item = nohold.queue.get(nohold.social.threads.for_customer("sms", CALLER).item_id)
    assert item.complaint is flagged


def test_the_flag_survives_redis_and_a_merge_never_clears_it(nohold):
    first = nohold.queue.enqueue(WorkItem(id="", kind="callback", channel="voice", lang="it",
                                          acquired_at=nohold.clock() - 60, natural_key="callback:flag",
                                          customer=CALLER, intent="billing", complaint=True)).item
    again = nohold.queue.enqueue(WorkItem(id="", kind="callback", channel="voice", lang="it",
                                          acquired_at=nohold.clock(), natural_key="callback:flag",
                                          customer=CALLER, intent="billing")).item
    assert again.id == first.id
    assert nohold.queue.get(first.id).complaint is True


def test_a_later_grievance_flags_the_pending_item(nohold):
    calm = WorkItem(id="", kind="callback", channel="voice", lang="it", acquired_at=nohold.clock() - 60,
                    natural_key="callback:later", customer=CALLER, intent="billing")
    item = nohold.queue.enqueue(calm).item
    assert item.complaint is False
    nohold.queue.enqueue(WorkItem(id="", kind="callback", channel="voice", lang="it", acquired_at=nohold.clock(),
                                  natural_key="callback:later", customer=CALLER, intent="billing", complaint=True))
    assert nohold.queue.get(item.id).complaint is True


def test_the_console_and_the_api_show_the_flag(app, phone, nohold):
    flagged = nohold.queue.get(nohold.calls.load(book_by_phone(phone, GRIEVANCE)).item_id)
    calm = nohold.queue.enqueue(WorkItem(id="", kind="callback", channel="voice", lang="it",
                                         acquired_at=nohold.clock(), natural_key="callback:calm",
                                         customer="+393471230000", intent="billing")).item
    client = signed_in(app)
    page = client.get(f"/console/items/{flagged.id}").get_data(as_text=True)
    assert 'id="complaint-flag"' in page
    assert "Scontento" in page
    assert 'id="complaint-flag"' not in client.get(f"/console/items/{calm.id}").get_data(as_text=True)
    bridge = app.extensions["social_bridge"]
    token = bridge.agents.issue_token("maria")
    views = client.get("/api/queue", headers={"Authorization": f"Bearer {token}"}).json["items"]
    assert {v["id"]: v["complaint"] for v in views} == {flagged.id: True, calm.id: False}

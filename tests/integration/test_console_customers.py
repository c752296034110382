"""The console's customer pages on the whole app: search, one person's page, a case number opens its customer."""
from __future__ import annotations

import re

import pytest

from social_bridge.channels import Inbound
from social_bridge.queue.work_item import WorkItem

CALLER = "+393471234567"
PASSWORD = "long enough secret"
SAID = "la fibra non va da ieri sera"


@pytest.fixture
def client(app, nohold):
    nohold.bridge.agents.create("Maria", PASSWORD)
    nohold.bridge.agents.create("Sara", PASSWORD, role="supervisor", languages=("it", "en"))
    return app.test_client()


def sign_in(client, name: str) -> None:
    page = client.get("/console/login").data.decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/console/login", data={"name": name, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302


@pytest.fixture
def booked(nohold, clock):
    item = WorkItem(id="", kind="callback", channel="voice", lang="it", acquired_at=clock() - 300,
                    natural_key="callback:test-booked", customer=CALLER, intent="internet_down", summary=SAID,
                    call_sid="CA" + "1" * 32)
    return nohold.queue.enqueue(item).item


def test_one_hit_opens_the_customer_and_the_page_lists_identities_and_cases(client, booked, nohold):
    sign_in(client, "maria")
    response = client.get("/console/customers?q=347 123 4567")
    person = nohold.customers.find("phone", CALLER)
    assert response.headers["Location"].endswith(f"/console/customers/{person.id}")
    page = client.get(f"/console/customers/{person.id}").data.decode()
    assert CALLER in page
    assert f'data-case="{booked.case_number}"' in page
    assert SAID not in page  # a plain agent not holding the request sees the topic, not the words


def test_a_supervisor_reads_the_words_and_the_reading_is_logged(client, booked, nohold):
    sign_in(client, "sara")
    person = nohold.customers.find("phone", CALLER)
    assert SAID in client.get(f"/console/customers/{person.id}").data.decode()


def test_a_case_number_as_quoted_opens_its_customer(client, booked, nohold):
    sign_in(client, "maria")
    shown = f"{booked.case_number[:4]} {booked.case_number[4:]}"
    response = client.get(f"/console/cases/{shown}")
    person = nohold.customers.find("phone", CALLER)
    assert f"/console/customers/{person.id}" in response.headers["Location"]
    typo = booked.case_number[:7] + str((int(booked.case_number[7]) + 1) % 10)
    assert client.get(f"/console/cases/{typo}").status_code == 404


def test_no_hit_says_so_and_the_pages_need_a_sign_in(client, nohold):
    assert client.get("/console/customers?q=nessuno").status_code == 302
    sign_in(client, "maria")
    assert 'id="no-results"' in client.get("/console/customers?q=nessuno").data.decode()


def test_the_timeline_shows_every_channel(client, booked, nohold, social_jobs):
    nohold.social.inbound.accept([Inbound("sms", CALLER, "SM" + "9" * 32, text="aggiungo: il modem è rosso",
                                          sent_at=nohold.clock())])
    social_jobs()
    sign_in(client, "sara")
    person = nohold.customers.find("phone", CALLER)
    page = client.get(f"/console/customers/{person.id}").data.decode()
    assert 'data-type="call"' in page
    assert 'data-type="message" data-channel="sms"' in page
    assert "il modem è rosso" in page


def test_an_item_page_shows_its_case_number_which_opens_the_customer(client, booked):
    sign_in(client, "maria")
    page = client.get(f"/console/items/{booked.id}").data.decode()
    assert f'href="/console/cases/{booked.case_number}"' in page
    assert f"{booked.case_number[:4]} {booked.case_number[4:]}" in page

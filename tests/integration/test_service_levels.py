"""Written channels' service levels with the app's services on a real Redis: the clocks, breaches in /metrics
(counted once), the live list, the read API the reports use."""
from __future__ import annotations

import re

import pytest

from tests.integration.test_console import login
from tests.support import inbound
from tests.support.agent_api import PASSWORD, api  # noqa: F401 (fixture)

CUSTOMER = "+393471234567"
MINUTE = 60


def write(nohold, text: str, sender: str = CUSTOMER, channel: str = "sms") -> None:
    inbound.write(nohold, text, sender, channel)


@pytest.fixture
def settings(settings):
    """A 15-minute first-response target on SMS, an hour to resolve."""
    return settings.with_overrides(sla_first_response_seconds="sms=900,messenger=900",
                                   sla_resolution_seconds="sms=3600")


@pytest.fixture
def item(nohold, social_jobs):
    write(nohold, "buongiorno, internet non funziona da stamattina")
    social_jobs()
    return nohold.queue.get(nohold.social.threads.for_customer("sms", CUSTOMER).item_id)


def claim(api, item) -> int:
    answer = api("POST", "/api/claims/next", body={})
    assert answer.get_json()["item"]["id"] == item.id
    return answer.get_json()["fence"]


def reply(api, item, fence: int, text: str = "Ciao, controllo subito la tua linea") -> None:
    assert api("POST", f"/api/items/{item.id}/reply", body={"fence": fence, "text": text}).status_code == 202


def metric(app, name: str) -> float | None:
    body = app.test_client().get("/metrics").get_data(as_text=True)
    found = re.search(rf"^nohold_{re.escape(name)} (\S+)$", body, re.M)
    return float(found.group(1)) if found else None


def test_an_answer_after_20_minutes_on_a_15_minute_target_is_one_breach(app, api, item, clock):
    clock.advance(20 * MINUTE)
    fence = claim(api, item)
    reply(api, item, fence)
    reply(api, item, fence, "Ho riavviato la porta in centrale, prova ora")  # a second answer: no second breach
    assert metric(app, 'written_first_response_breaches_total{channel="sms"}') == 1


def test_an_answer_by_sms_to_the_callers_number_stops_the_clock_too(app, nohold, api, item, clock):
    thread = nohold.social.threads.for_customer("sms", CUSTOMER)
    nohold.social.threads.update(thread.id, context={"caller": CUSTOMER})  # the thread continues a call
    clock.advance(20 * MINUTE)
    fence = claim(api, item)
    body = {"fence": fence, "text": "Ti scrivo per SMS", "via": "sms"}
    assert api("POST", f"/api/items/{item.id}/reply", body=body).status_code == 202
    assert metric(app, 'written_first_response_breaches_total{channel="sms"}') == 1


def test_an_answer_within_the_target_is_no_breach(app, api, item, clock):
    clock.advance(10 * MINUTE)
    reply(api, item, claim(api, item))
    assert metric(app, 'written_first_response_breaches_total{channel="sms"}') is None


def test_the_first_response_time_is_read_by_the_reports(nohold, api, item, clock):
    started = clock()
    clock.advance(20 * MINUTE)
    reply(api, item, claim(api, item))
    [record] = nohold.service_levels.records(started - 1, started + 1)
    assert record.first_response_seconds == 20 * MINUTE
    assert record.agent == "maria"
    assert record.first_response_breached


def test_a_waiting_thread_past_its_target_is_in_the_live_list_and_the_gauge(app, nohold, item, clock):
    clock.advance(16 * MINUTE)
    assert [(c.item_id, c.clock, c.state) for c in nohold.service_levels.live()] == [
        (item.id, "first_response", "breach")]
    assert metric(app, "written_threads_in_breach") == 1


def test_a_thread_near_its_target_is_listed_as_near(nohold, item, clock):
    clock.advance(13 * MINUTE)
    assert [c.state for c in nohold.service_levels.live()] == ["near"]


def test_an_answered_thread_leaves_the_first_response_list(nohold, api, item, clock):
    clock.advance(16 * MINUTE)
    reply(api, item, claim(api, item))
    assert [c.clock for c in nohold.service_levels.live()] == []


def test_completion_after_the_resolution_target_is_one_resolution_breach(app, nohold, api, item, clock):
    clock.advance(70 * MINUTE)
    fence = claim(api, item)
    reply(api, item, fence)
    done = api("POST", f"/api/items/{item.id}/complete", body={"fence": fence, "outcome": "resolved"})
    assert done.status_code == 200
    assert metric(app, 'written_resolution_breaches_total{channel="sms"}') == 1
    assert nohold.service_levels.resolution_seconds(item.created_at - 1, clock()) == [70 * MINUTE]


def test_a_cancelled_request_leaves_the_live_list(app, nohold, item, clock, social_jobs):
    write(nohold, "annulla")
    social_jobs()
    clock.advance(16 * MINUTE)
    assert metric(app, "written_threads_in_breach") == 0


def test_the_supervisor_page_lists_the_breaching_thread(app, nohold, item, clock):
    nohold.bridge.agents.create("Sara", PASSWORD, role="supervisor")
    clock.advance(16 * MINUTE)
    client = app.test_client()
    login(client, "sara", PASSWORD)
    data = client.get("/console/supervisor.json").get_json()
    assert [(row["id"], row["clock"], row["state"]) for row in data["written"]["clocks"]] == [
        (item.id, "first_response", "breach")]

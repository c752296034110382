"""Auto-dial: a free agent who turned it on is offered the next callback without a click.

Real Redis, Flask, the twilio library and RQ; Twilio's cloud is the fake server of test_dialer.
"""
from __future__ import annotations

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from social_bridge.queue.work_item import WorkItem
from tests.conftest import CLOSED_TIME, ROME
from tests.integration.test_dialer import CUSTOMER, agent_leg, dialer, fake, live_settings, nohold  # noqa: F401 (fixtures)
from tests.support.twiml_helpers import said

PASSWORD = "correct horse battery"


@pytest.fixture
def bridge(nohold):  # noqa: F811
    return nohold.app.extensions["social_bridge"]


@pytest.fixture
def giulia(bridge):
    agent = bridge.agents.create("Giulia", PASSWORD, languages=("it",), phone="+393331112222")
    bridge.agents.update(agent.id, auto_dial=True)
    bridge.presence.set_state(agent.id, "available")
    return bridge.agents.get(agent.id)


def enqueue(nohold, clock, kind="callback", customer=CUSTOMER, waited=600, lang="it"):  # noqa: F811
    return nohold.queue.enqueue(WorkItem(
        id="", kind=kind, channel="voice", lang=lang, acquired_at=clock() - waited,
        natural_key=f"{kind}:{customer}", customer=customer, intent="internet_down", summary="internet non va",
        recording_url="https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1" if kind == "voicemail" else "",
    )).item


def test_the_next_callback_rings_the_agent_without_a_click(nohold, bridge, giulia, fake, run_jobs, clock):  # noqa: F811
    voicemail = enqueue(nohold, clock, kind="voicemail", customer="+393470000001", waited=900)
    later = enqueue(nohold, clock, customer="+393470000002", waited=60)
    first = enqueue(nohold, clock, waited=600)
    assert bridge.offer(giulia.id) == first.id  # the earliest callback; a voicemail is not dialed
    run_jobs()
    [attempt] = nohold.dialer.attempts.for_item(first.id)
    assert agent_leg(fake, attempt.id)["to"] == giulia.phone
    whisper = fake.answer(agent_leg(fake, attempt.id)["sid"])
    assert "Premi 1 per chiamare" in said(whisper)
    assert nohold.queue.get(voicemail.id).status == "waiting"
    assert nohold.queue.get(later.id).status == "waiting"


@pytest.mark.parametrize("why", ["auto_dial off", "busy", "away", "no phone", "holding an item", "closed"])
def test_no_offer_to_an_agent_who_is_not_free(nohold, bridge, giulia, clock, why):  # noqa: F811
    item = enqueue(nohold, clock)
    if why == "auto_dial off":
        bridge.agents.update(giulia.id, auto_dial=False)
    elif why in ("busy", "away"):
        bridge.presence.set_state(giulia.id, why)
    elif why == "no phone":
        bridge.agents.update(giulia.id, phone="")
    elif why == "holding an item":
        bridge.claims.claim(enqueue(nohold, clock, kind="voicemail", customer="+393470000001").id, giulia.id)
    else:
        clock.set(datetime(*CLOSED_TIME, tzinfo=ZoneInfo(ROME)))
    assert bridge.offer(giulia.id) is None
    assert nohold.queue.get(item.id).status in ("waiting", "scheduled")
    assert not nohold.redis.keys("nohold:{dials}:*")


def test_offers_racing_for_one_agent_ring_once(nohold, bridge, giulia, clock):  # noqa: F811
    for n in range(5):
        enqueue(nohold, clock, customer=f"+39347000001{n}", waited=600 - n)
    barrier, offered = threading.Barrier(8), []

    def offer():
        barrier.wait()
        offered.append(bridge.offer(giulia.id))
    threads = [threading.Thread(target=offer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len([o for o in offered if o]) == 1
    assert len(bridge.claims.claimed_by(giulia.id)) == 1


def test_wrap_up_time_after_an_offered_callback_ends(nohold, bridge, giulia, fake, run_jobs, clock):  # noqa: F811
    first, second = enqueue(nohold, clock, waited=600), enqueue(nohold, clock, customer="+393470000002", waited=300)
    assert bridge.offer(giulia.id) == first.id
    [claim] = bridge.claims.claimed_by(giulia.id)
    bridge.claims.complete(first.id, claim.fence, "resolved")
    clock.advance(10)
    assert bridge.offer(giulia.id) is None  # still writing notes: 30 s of wrap-up by default
    clock.advance(25)
    assert bridge.offer(giulia.id) == second.id


def test_a_number_nobody_may_call_goes_to_supervisors_not_round_and_round(nohold, bridge, giulia, clock):  # noqa: F811
    premium = enqueue(nohold, clock, customer="+39899123456", waited=900)
    good = enqueue(nohold, clock, waited=600)
    assert bridge.offer(giulia.id) is None
    assert nohold.queue.get(premium.id).status == "dead"
    assert [d.id for d in bridge.claims.dead_letters()] == [premium.id]
    assert bridge.offer(giulia.id) == good.id


def test_console_switch_heartbeat_and_presence_offer(nohold, bridge, giulia, clock):  # noqa: F811
    from tests.integration.test_console import csrf_of, login  # the console's own helpers
    client = nohold.app.test_client()
    assert login(client, "giulia", PASSWORD).status_code == 302
    csrf = csrf_of(client)
    headers = {"X-CSRF-Token": csrf, "X-Requested-With": "fetch"}
    off = client.post("/console/auto-dial", data={"on": "0"}, headers=headers)
    assert off.json == {"auto_dial": False, "offer": None}
    assert not bridge.agents.get(giulia.id).auto_dial
    item = enqueue(nohold, clock)
    assert client.post("/console/heartbeat", headers=headers).json["offer"] is None
    on = client.post("/console/auto-dial", data={"on": "1"}, headers=headers)
    assert on.json == {"auto_dial": True, "offer": f"/console/items/{item.id}"}
    page = client.get(f"/console/items/{item.id}").get_data(as_text=True)
    assert 'aria-pressed="true"' in page
    assert "Chiamata auto" in page
    bridge.claims.release(item.id, bridge.claims.claimed_by(giulia.id)[0].fence)
    clock.advance(3600)
    assert client.post("/console/presence", data={"state": "available"}, headers=headers).json["offer"] \
        == f"/console/items/{item.id}"


def test_api_agent_turns_auto_dial_on_and_is_offered(nohold, bridge, giulia, clock):  # noqa: F811
    bridge.agents.update(giulia.id, auto_dial=False)
    token = bridge.agents.issue_token(giulia.id)
    auth = {"Authorization": f"Bearer {token}"}
    client = nohold.app.test_client()
    item = enqueue(nohold, clock)
    assert client.patch("/api/agents/me", json={"auto_dial": "yes"}, headers=auth).status_code == 400
    assert client.patch("/api/agents/me", json={"role": "supervisor"}, headers=auth).status_code == 400
    me = client.patch("/api/agents/me", json={"auto_dial": True}, headers=auth).json
    assert me["auto_dial"] is True
    assert [c["item"]["id"] for c in me["claims"]] == [item.id]

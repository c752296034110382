"""Pushed waits (issue 20) through the app's services on a real Redis with an injected clock: a big change of
the wait sends one update, small changes none, at most PUSHED_WAITS_MAX per request, none at night,
STOP AGGIORNAMENTI / NO UPDATES stops them, "you're next" when the place becomes first."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from ivr.jobs.sweep import sweep
from social_bridge.channels import Inbound
from social_bridge.queue.work_item import WorkItem
from tests.support.apps import graph  # noqa: F401 (fixture)
from tests.support.twilio_requests import sms_replies

CUSTOMER = "+393471234567"
_n = iter(range(10_000))


def booked(nohold, clock, number: str = CUSTOMER, lang: str = "it", ago: float = 300) -> WorkItem:
    item = WorkItem(id="", kind="callback", channel="voice", lang=lang, acquired_at=clock() - ago,
                    natural_key=nohold.desk.callback_key(number), customer=number, intent="billing")
    return nohold.queue.enqueue(item).item


def ahead(nohold, clock, n: int) -> None:
    """n callbacks that asked before everyone else (earlier acquired_at): each pushes the others back."""
    for _ in range(n):
        k = next(_n)
        nohold.queue.enqueue(WorkItem(id="", kind="callback", channel="voice", lang="it",
                                      acquired_at=clock() - 7200 - k, natural_key=f"call:ahead{k}",
                                      customer=f"+3934700{k:05d}"))


def served(nohold, n: int, lang: str = "it") -> None:
    for _ in range(n):
        assert nohold.claims.claim_next("anna", (lang,)) is not None


def handle_times(nohold, seconds: float, n: int = 5) -> None:
    for _ in range(n):
        nohold.queue.record_handle_time(seconds)


def texts_to(nohold, social_jobs, number: str = CUSTOMER) -> list[str]:
    social_jobs()  # the SMS jobs: the dev outbox then holds what went out
    return [e["body"] for e in nohold.outbox.entries() if e["to"] == number][::-1]


def test_a_wait_twenty_minutes_longer_sends_one_update(nohold, clock, social_jobs):
    booked(nohold, clock)
    assert nohold.pushed_waits.run()["updates"] == 0  # the first look remembers the 5 minutes just told
    handle_times(nohold, 1500)  # one round is now 25 minutes
    clock.advance(60)
    assert nohold.pushed_waits.run()["updates"] == 1
    clock.advance(60)
    assert nohold.pushed_waits.run()["updates"] == 0  # told already: no change since
    [update] = texts_to(nohold, social_jobs)
    assert "l'attesa si è allungata, ora è di circa 25 minuti" in update
    assert "STOP AGGIORNAMENTI" in update


@pytest.mark.parametrize("first, then, samples", [
    (300, 420, 5),     # +2 minutes
    (300, 840, 5),     # +9 minutes: under the 10 the setting asks for, however large the share
    (3600, 4500, 7),   # +15 minutes on an hour: under half of it
])
def test_small_changes_send_nothing(nohold, clock, social_jobs, first, then, samples):
    handle_times(nohold, first)
    booked(nohold, clock)
    nohold.pushed_waits.run()
    handle_times(nohold, then, samples)
    clock.advance(60)
    assert nohold.pushed_waits.run()["updates"] == 0
    assert texts_to(nohold, social_jobs) == []


def test_small_changes_add_up_against_what_was_told(nohold, clock, social_jobs):
    booked(nohold, clock)
    nohold.pushed_waits.run()  # told 5 minutes
    for seconds, samples in ((540, 5), (900, 10)):  # +4 minutes (nothing), then +10 against the 5 told: an update
        handle_times(nohold, seconds, samples)
        clock.advance(60)
        nohold.pushed_waits.run()
    assert len(texts_to(nohold, social_jobs)) == 1


def test_you_are_next_when_the_place_becomes_first(nohold, clock, social_jobs):
    booked(nohold, clock, number="+393470000001", ago=600)
    booked(nohold, clock)
    nohold.pushed_waits.run()
    served(nohold, 1)
    clock.advance(60)
    assert nohold.pushed_waits.run()["next"] == 1
    [next_up] = texts_to(nohold, social_jobs)
    assert "ora tocca a te, tra poco ti chiamiamo" in next_up


def test_you_are_next_in_english(nohold, clock, social_jobs):
    booked(nohold, clock, number="+447700900001", lang="en", ago=600)
    booked(nohold, clock, number="+447700900002", lang="en")
    nohold.pushed_waits.run()
    served(nohold, 1, "en")
    nohold.pushed_waits.run()
    assert texts_to(nohold, social_jobs, "+447700900002") == [
        "You're next: we'll ring you shortly, so keep your phone handy."]


def test_the_fourth_update_is_never_sent(nohold, clock, social_jobs):
    booked(nohold, clock)
    nohold.pushed_waits.run()
    for _ in range(2):  # four big changes: six callers jump ahead (+10 min), then are served (next)
        ahead(nohold, clock, 6)
        clock.advance(60)
        nohold.pushed_waits.run()
        served(nohold, 6)
        clock.advance(60)
        nohold.pushed_waits.run()
    assert len(texts_to(nohold, social_jobs)) == 3


def test_none_at_night(nohold, clock, social_jobs):
    booked(nohold, clock)
    nohold.pushed_waits.run()
    handle_times(nohold, 1500)
    clock.set(datetime(2026, 12, 2, 23, 0, tzinfo=ZoneInfo("Europe/Rome")))
    assert nohold.pushed_waits.run()["checked"] == 0
    assert texts_to(nohold, social_jobs) == []


def test_stop_aggiornamenti_by_sms_stops_them(app, settings, nohold, clock, social_jobs):
    item = booked(nohold, clock)
    nohold.pushed_waits.run()
    [reply] = sms_replies(app.test_client(), settings, "STOP AGGIORNAMENTI", "SM" + "7" * 32, CUSTOMER)
    assert "non ti mandiamo altri aggiornamenti" in reply
    handle_times(nohold, 1500)
    assert nohold.pushed_waits.run()["updates"] == 0
    assert nohold.pushed_waits.told(item.id)["stopped"] == "1"


def write(nohold, text: str, sender: str = CUSTOMER) -> None:
    nohold.social.inbound.accept([Inbound("sms", sender, f"SM{next(_n):032d}", text=text, sent_at=nohold.clock())])


def test_a_chat_gets_the_update_as_an_automated_message(nohold, clock, social_jobs):
    write(nohold, "buongiorno non mi funziona internet")
    social_jobs()
    nohold.pushed_waits.run()
    handle_times(nohold, 1500)
    assert nohold.pushed_waits.run()["updates"] == 1
    social_jobs()
    thread = nohold.social.threads.for_customer("sms", CUSTOMER)
    [update] = [m for m in nohold.social.threads.messages(thread.id) if "si è allungata" in m.text]
    assert update.kind == "auto"  # automated: Delivery never puts a human agent's tag on it


def test_a_chat_that_becomes_first_is_told_an_agent_replies_shortly(nohold, clock, social_jobs):
    write(nohold, "buongiorno la bolletta è sbagliata", sender="+393470000001")
    clock.advance(60)
    write(nohold, "buongiorno non mi funziona internet")
    social_jobs()
    nohold.pushed_waits.run()
    served(nohold, 1)
    assert nohold.pushed_waits.run()["next"] == 1
    social_jobs()
    thread = nohold.social.threads.for_customer("sms", CUSTOMER)
    assert any("tra poco un operatore ti risponde qui" in m.text for m in nohold.social.threads.messages(thread.id))


def test_no_updates_in_a_chat_stops_them(nohold, clock, social_jobs):
    write(nohold, "hello my internet is down")
    social_jobs()
    nohold.pushed_waits.run()
    write(nohold, "NO UPDATES")
    social_jobs()
    handle_times(nohold, 1500)
    assert nohold.pushed_waits.run()["updates"] == 0
    assert "no more updates" in nohold.outbox.entries()[0]["body"]


def test_the_minute_sweep_runs_them(nohold, clock, social_jobs):
    booked(nohold, clock)
    sweep()
    handle_times(nohold, 1500)
    assert sweep()["pushed_waits"]["updates"] == 1


# --- Messenger: an automated message, never under HUMAN_AGENT -----------------------------------------
PSID = "7788990011"


@pytest.fixture
def messenger(settings, clock, redis_client, graph):
    """The app's services with Messenger configured against the local fake Graph."""
    from ivr import create_app

    configured = settings.with_overrides(messenger_app_secret="secret", messenger_verify_token="verify",
                                         messenger_page_token="page-token", messenger_page_id="1122",
                                         graph_api_base=graph.base_url)
    app = create_app({"SETTINGS": configured, "CLOCK": clock})
    yield app.extensions["nohold"]
    app.extensions["nohold"].metrics.close()


def sent_to_graph(graph) -> list[dict]:
    return [request["json"] for request in graph.requests if request["method"] == "POST"]


def messenger_request(nohold, job_services, run_jobs, clock):
    job_services.install(nohold)
    nohold.social.inbound.accept([Inbound("messenger", PSID, "mid.1", text="internet non va", sent_at=clock())])
    run_jobs()
    nohold.pushed_waits.run()
    handle_times(nohold, 1500)


def test_on_messenger_the_update_goes_untagged_within_the_window(messenger, graph, job_services, run_jobs, clock):
    messenger_request(messenger, job_services, run_jobs, clock)
    clock.advance(3600)
    assert messenger.pushed_waits.run()["updates"] == 1
    run_jobs()
    [update] = [body for body in sent_to_graph(graph) if "si è allungata" in body["message"]["text"]]
    assert update["messaging_type"] == "RESPONSE"
    assert "tag" not in update


def test_on_messenger_past_the_window_it_is_never_tagged(messenger, graph, job_services, run_jobs, clock):
    messenger_request(messenger, job_services, run_jobs, clock)
    before = len(sent_to_graph(graph))
    clock.advance(25 * 3600)  # Thursday 11:00: the desk is open, Messenger's 24 hours are over
    assert messenger.pushed_waits.run()["not_sent"] == 1  # no number on the thread: nothing may carry it
    run_jobs()
    assert len(sent_to_graph(graph)) == before
    thread = messenger.social.threads.for_customer("messenger", PSID)
    [update] = [m for m in messenger.social.threads.messages(thread.id) if "si è allungata" in m.text]
    assert (update.state, update.tag) == ("skipped", "")

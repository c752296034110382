"""Solving it on the first call: scripted calls against the app, the demo customers and real Redis."""
from __future__ import annotations

import math
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import CLOSED_TIME, ROME
from tests.e2e.test_call_scenarios import play, voice_steps
from tests.support.twiml_helpers import said

ON_FILE_IT, ON_FILE_EN, FAULTY = "+393488800472", "+393389876543", "+393488800231"


def sms_to(nohold, run_jobs, number: str) -> list[str]:
    run_jobs()
    return [e["body"] for e in nohold.outbox.entries() if e["to"] == number]


@pytest.mark.parametrize("name,intent", [("it_self_slow_line.yaml", "internet_slow"),
                                         ("it_self_reset_link.yaml", "account_access"),
                                         ("en_self_line_test.yaml", "internet_down"),
                                         ("en_self_bill.yaml", "billing"),
                                         ("en_self_reset_link.yaml", "account_access")])
def test_contained_calls_end_without_a_queue_and_are_counted(phone, nohold, name, intent):
    result = play(phone, name)
    state = nohold.calls.load(result.call_sid)
    assert state.outcome == "contained"
    assert state.item_id == ""
    assert nohold.queue.depth()["callback"] == 0
    assert nohold.metrics.counters()[f"contained|intent={intent}"] == 1
    assert state.tried[-1] == {"step": "helpful", "result": "yes"}


@pytest.mark.parametrize("name,number,lang", [("it_self_reset_link.yaml", ON_FILE_IT, "it"),
                                              ("en_self_reset_link.yaml", ON_FILE_EN, "en")])
def test_the_reset_link_goes_to_the_number_on_file_only(phone, nohold, run_jobs, name, number, lang):
    play(phone, name)
    [text] = sms_to(nohold, run_jobs, number)
    assert "https://" in text
    assert "password" in text
    assert all(e["to"] == number for e in nohold.outbox.entries())


def test_a_caller_whose_number_is_not_on_file_gets_no_link_but_the_human_path(phone, nohold, run_jobs):
    result = phone.run_script({"from": "+393401234567", "answers": [
        {"say": "non riesco ad entrare nell'area clienti"}, {"digits": "1", "expect": "richiamare appena"},
        {"digits": "1"}]})
    assert result.ok, result.error
    assert all("password" not in body for body in sms_to(nohold, run_jobs, "+393401234567"))


def test_a_line_test_then_a_human_carries_the_result_to_the_agent(phone, nohold):
    result = play(phone, "it_self_line_test.yaml")
    item = nohold.queue.get(nohold.calls.load(result.call_sid).item_id)
    assert item.kind == "callback"
    assert item.intent == "internet_down"
    assert item.details["tried"][0] == {"step": "line_test", "result": "fault", "detail": "no_sync"}
    assert item.details["tried"][1] == {"step": "helpful", "result": "no"}


def test_the_bill_is_read_with_amount_and_due_date_then_a_human(phone, nohold):
    result = play(phone, "it_self_bill.yaml")
    bill = said(voice_steps(result)[1].body)
    assert "34 euro e 90 centesimi" in bill
    assert "non risulta ancora pagata" in bill
    assert nohold.calls.load(result.call_sid).outcome == "booked_callback"


@pytest.mark.parametrize("lang,script", [
    ("it", {"from": FAULTY, "answers": [{"say": "internet non funziona", "expect": "motivo"},
                                        {"digits": "1", "expect": ["disservizio già segnalato", "centrale", "SMS"]}],
            "expect_end": "Arrivederci"}),
    ("en", {"from": ON_FILE_EN, "answers": [{"digits": "9"}, {"say": "my internet is down"},
                                             {"digits": "1", "expect": ["fault in your area", "exchange", "text you"]}],
            "expect_end": "Goodbye"}),
])
def test_a_known_outage_is_heard_first_and_the_caller_subscribes(phone, nohold, clock, lang, script):
    outage = nohold.outages.declare("MI-NORD", "exchange_fault", clock() + 3 * 3600, "sara")
    result = phone.run_script(script)
    assert result.ok, result.error
    state = nohold.calls.load(result.call_sid)
    assert state.outcome == "contained"
    assert state.tried[0]["step"] == "known_outage"
    subscribers = nohold.outages.resolve(outage.id, "sara")
    assert subscribers == [script["from"]]


def test_resolving_an_outage_texts_every_subscriber_once_in_their_language(phone, nohold, clock, run_jobs):
    notices = nohold.notices
    outage = nohold.outages.declare("MI-NORD", "weather", clock() + 3600, "sara")
    for caller, lang in ((FAULTY, "it"), (ON_FILE_EN, "en")):
        nohold.outages.subscribe(outage.id, caller)
        notices.remember_language(caller, lang)
    subscribers = nohold.outages.resolve(outage.id, "sara")
    queued = []
    assert notices.schedule(queued.append, outage.id, subscribers) == 2
    for _ in range(2):  # a job run twice texts nobody twice
        notices.notify(outage.id, sleep=lambda s: None)
    assert sms_to(nohold, run_jobs, FAULTY) == [nohold.prompts.text("it", "self_service.outage_fixed_sms")]
    assert sms_to(nohold, run_jobs, ON_FILE_EN) == [nohold.prompts.text("en", "self_service.outage_fixed_sms")]
    assert nohold.outages.resolve(outage.id, "sara") == []


def test_a_slow_backend_offers_a_human_within_3_seconds(phone, nohold):
    started = time.monotonic()
    result = play(phone, "it_self_backend_down.yaml")  # the slow answer is one step; the others take ms
    assert time.monotonic() - started < 3.0
    steps = voice_steps(result)
    assert "non riesco a verificare" in said(steps[1].body)
    item = nohold.queue.get(nohold.calls.load(result.call_sid).item_id)
    assert item.details["tried"] == [{"step": "internet_down", "result": "backend_unavailable"}]


def test_a_contained_call_counts_in_the_days_figures_when_it_ends(phone, nohold, app):
    result = play(phone, "it_self_reset_link.yaml")  # the phone posts Twilio's final status callback
    [today] = app.extensions["social_bridge"].daily_stats(1)
    assert (today["calls"], today["contained"]) == (1, 1)
    assert today["call_seconds"] == math.ceil(result.caller_seconds)


def test_after_hours_self_service_works_as_by_day(phone, nohold, clock):
    clock.set(datetime(*CLOSED_TIME, tzinfo=ZoneInfo(ROME)))
    result = play(phone, "it_self_reset_link.yaml")
    assert "tornano" in said(voice_steps(result)[0].body)
    assert nohold.calls.load(result.call_sid).outcome == "contained"

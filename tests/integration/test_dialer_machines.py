"""A machine answering a callback is never `reached`: press-1 confirmation and Twilio's answering-machine detection.

Real Redis, Flask, twilio's TwiML builder and validator; Twilio's cloud is the fake server, which sends every
AnsweredBy value, repeated and out of order against the <Dial> action. TwiML is parsed, and checked against
Twilio's own grammar and value sets (../shared/reference/twiml), never compared as strings.
"""
from __future__ import annotations

import json
import logging
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from ivr.app.settings import SettingsError, load_settings
from social_bridge.channels import Inbound
from social_bridge.chat.handoff import find_code
from tests.integration.test_dialer import (  # noqa: F401  (fixtures, found by name)
    BASE, COMPANY, CUSTOMER, dialer, fake, item, nohold, ring_and_accept, sms_for)
from tests.support.twiml_helpers import said, verbs

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "twiml"
MACHINES = ["machine_start", "machine_end_beep", "machine_end_silence", "machine_end_other", "fax"]


@pytest.fixture
def check_mode():
    return "press1"


@pytest.fixture
def machine_message():
    return "on"


@pytest.fixture
def live_settings(redis_url, tmp_path, fake, monkeypatch, check_mode, machine_message):
    env = {"REDIS_URL": redis_url, "NOHOLD_VAR_DIR": str(tmp_path / "var"), "PUBLIC_BASE_URL": BASE,
           "TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_AUTH_TOKEN": "secret", "TWILIO_NUMBER": COMPANY,
           "TWILIO_API_BASE": fake.base_url, "SECRET_KEY": "k" * 32, "CALLBACK_CUSTOMER_CHECK": check_mode,
           "CALLBACK_MACHINE_MESSAGE": machine_message}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return load_settings(environ=env)


@pytest.fixture(scope="module")
def grammar():
    return json.loads((REFERENCE / "twiml_voice_grammar.twilio-python.json").read_text())["elements"]


@pytest.fixture(scope="module")
def enums():
    return json.loads((REFERENCE / "twiml_enums.twilio-node.json").read_text())["enums"]


def number_of(connect: str) -> ET.Element:
    return ET.fromstring(connect).find("Dial").find("Number")


def counters(nohold) -> dict:
    return nohold.metrics.counters()


def history(nohold, item_id: str) -> list[str]:
    return [e["event"] for e in nohold.queue.history(item_id)]


def assert_machine_settled(nohold, item, attempt_id: str, how: str) -> None:
    """One machine outcome: a retry at the same place, one SMS, one count; never reached."""
    after = nohold.queue.get(item.id)
    attempt = nohold.dialer.attempts.get(attempt_id)
    assert attempt.state == "machine"
    assert attempt.outcome == "machine"
    assert attempt.machine_by == how
    assert after.status == "scheduled"
    assert after.acquired_at == item.acquired_at
    assert after.attempts == 1
    assert history(nohold, item.id).count("attempt_failed") == 1
    assert "completed" not in history(nohold, item.id)
    assert len(nohold.redis.keys("nohold:{msgkey:dial-missed:*")) == 1
    assert counters(nohold)["callback_attempts|result=machine"] == 1
    assert counters(nohold)[f"callback_machines|how={how}"] == 1
    assert "callback_attempts|result=reached" not in counters(nohold)


def assert_reached(nohold, item, attempt_id: str) -> None:
    done = nohold.queue.get(item.id)
    assert nohold.dialer.attempts.get(attempt_id).state == "reached"
    assert done.status == "done"
    assert history(nohold, item.id).count("completed") == 1
    assert counters(nohold)["callback_attempts|result=reached"] == 1
    assert "callback_attempts|result=machine" not in counters(nohold)


# -- the TwiML is Twilio's -------------------------------------------------------------------------------
@pytest.mark.parametrize("check_mode", ["press1", "amd", "both", "off"])
def test_the_number_carries_the_check_in_twilios_grammar(nohold, dialer, item, fake, run_jobs, grammar, enums,
                                                         check_mode):
    attempt_id, sid, connect = ring_and_accept(fake, run_jobs, dialer, item)
    number = number_of(connect)
    allowed = grammar["Dial"]["allowed_children"]["Number"]["attributes"]
    assert set(number.attrib) <= set(allowed)
    assert set(number.get("statusCallbackEvent").split()) <= set(enums["NumberEvent"])
    if check_mode == "off":
        assert number.get("url") is None
        return
    assert number.get("url") == f"{BASE}/voice/dial/customer?attempt={attempt_id}"
    if check_mode == "press1":
        assert number.get("machineDetection") is None
    else:
        assert number.get("machineDetection") == "DetectMessageEnd"  # Twilio's docs: Enable or DetectMessageEnd
        assert number.get("amdStatusCallback") == f"{BASE}/voice/dial/amd?attempt={attempt_id}"
        assert number.get("amdStatusCallbackMethod") == "POST"


def test_the_question_is_a_one_key_gather_in_twilios_grammar(nohold, dialer, item, fake, run_jobs, grammar, enums):
    attempt_id, sid, connect = ring_and_accept(fake, run_jobs, dialer, item)
    child = fake.dial_start(sid, connect)
    question = fake.whisper(child["sid"])
    [gather] = verbs(question)
    assert gather.tag == "Gather"
    assert set(gather.attrib) <= set(grammar["Response"]["allowed_children"]["Gather"]["attributes"])
    assert gather.get("input") in enums["GatherInput"]
    assert gather.get("numDigits") == "1"
    assert gather.get("actionOnEmptyResult") == "true"  # silence (a machine) still reaches the app
    assert gather.get("action") == f"/voice/dial/customer-key?attempt={attempt_id}"
    [say] = gather.iter("Say")
    assert say.get("language") in enums["SayLanguage"]
    assert say.get("voice") in enums["SayVoice"]
    assert "per parlare con l'operatore prema 1" in say.text


# -- press 1 ---------------------------------------------------------------------------------------------
def test_a_person_pressing_1_is_connected_and_reached(nohold, dialer, item, fake, run_jobs):
    attempt_id, sid, connect = ring_and_accept(fake, run_jobs, dialer, item)
    child = fake.dial_start(sid, connect)
    question = fake.whisper(child["sid"])
    assert dialer.attempts.get(attempt_id).state == "customer_dialing"  # picked up is not reached yet
    connected = fake.press(child["sid"], question, "1")
    assert [v.tag for v in verbs(connected)] == ["Say"]  # then the whisper ends and Twilio bridges
    assert "operatore" in said(connected)
    for status in ("in-progress", "completed"):
        fake.status(child["sid"], status)
    ended = fake.dial_end(sid, connect, child["sid"], "completed")
    assert [v.tag for v in verbs(ended)] == ["Hangup"]
    assert_reached(nohold, item, attempt_id)


def test_an_agent_who_hung_up_during_the_question_releases_the_item_at_its_place(nohold, dialer, item, fake,
                                                                                  run_jobs):
    attempt_id, sid, connect = ring_and_accept(fake, run_jobs, dialer, item)
    child = fake.dial_start(sid, connect)
    question = fake.whisper(child["sid"])
    fake.status(sid, "completed")  # the agent's phone hangs up while the customer listens
    said_then = fake.press(child["sid"], question, "1")
    assert [v.tag for v in verbs(said_then)] == ["Hangup"]
    back = nohold.queue.get(item.id)
    assert dialer.attempts.get(attempt_id).state == "agent_hung_up"
    assert back.status == "waiting"
    assert back.attempts == 0  # not the customer's doing: no attempt counted
    assert back.acquired_at == item.acquired_at


@pytest.mark.parametrize("digits", ["", "2", "#"])
def test_no_key_is_a_machine_that_hears_a_message_and_keeps_its_place(nohold, dialer, item, fake, run_jobs, digits):
    attempt_id, sid, connect = ring_and_accept(fake, run_jobs, dialer, item)
    child = fake.dial_start(sid, connect)
    question = fake.whisper(child["sid"])
    message = fake.press(child["sid"], question, digits)
    assert [v.tag for v in verbs(message)] == ["Say", "Hangup"]
    text = said(message)
    assert "Riproveremo più tardi" in text
    assert "SMS" in text
    for private in (CUSTOMER[-4:], "4 5 6 7", "internet"):  # anyone may play the tape back
        assert private not in text
    for status in ("completed", "in-progress", "completed"):
        fake.status(child["sid"], status)
    told = fake.dial_end(sid, connect, child["sid"], "completed")
    assert "segreteria" in said(told)  # the agent is told, then released
    assert verbs(told)[-1].tag == "Hangup"
    fake.press(child["sid"], question, digits)  # Twilio retrying the key, the <Dial> action, the status
    fake.dial_end(sid, connect, child["sid"], "completed")
    fake.status(child["sid"], "completed")
    assert_machine_settled(nohold, item, attempt_id, "no_key")
    assert "abbiamo provato a richiamarti" in sms_for(nohold, f"dial-missed:{attempt_id}")["body"]
    exposed = nohold.app.test_client().get("/metrics").get_data(as_text=True)
    assert 'nohold_callback_machines_total{how="no_key"} 1' in exposed
    assert 'nohold_callback_attempts_total{result="machine"} 1' in exposed


@pytest.mark.parametrize("check_mode", ["both"])
def test_no_phone_number_is_logged_whole_on_the_machine_path(nohold, dialer, item, fake, run_jobs, caplog,
                                                             check_mode):
    caplog.set_level(logging.DEBUG)
    attempt_id, sid, connect = ring_and_accept(fake, run_jobs, dialer, item)
    child = fake.dial_start(sid, connect)
    fake.press(child["sid"], fake.whisper(child["sid"], answered_by="human"), "")
    fake.amd(child["sid"], "machine_end_beep")
    fake.dial_end(sid, connect, child["sid"], "completed")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert attempt_id in logged
    assert "judged machine" in logged
    for number in (CUSTOMER, CUSTOMER[3:], CUSTOMER[-7:]):
        assert number not in logged


@pytest.mark.parametrize("machine_message", ["off"])
def test_the_message_on_the_machine_is_optional(nohold, dialer, item, fake, run_jobs, machine_message):
    attempt_id, sid, connect = ring_and_accept(fake, run_jobs, dialer, item)
    child = fake.dial_start(sid, connect)
    hung_up = fake.press(child["sid"], fake.whisper(child["sid"]), "")
    assert [v.tag for v in verbs(hung_up)] == ["Hangup"]
    assert dialer.attempts.get(attempt_id).state == "machine"


def test_hanging_up_on_the_question_is_not_reached(nohold, dialer, item, fake, run_jobs):
    attempt_id, sid, connect = ring_and_accept(fake, run_jobs, dialer, item)
    child = fake.dial_start(sid, connect)
    fake.whisper(child["sid"])  # the question plays; the line drops before any key
    fake.status(child["sid"], "completed")
    fake.dial_end(sid, connect, child["sid"], "completed")
    assert_machine_settled(nohold, item, attempt_id, "no_key")


# -- answering-machine detection: every AnsweredBy, repeated, before and after the <Dial> action ----------
@pytest.mark.parametrize("check_mode", ["amd"])
@pytest.mark.parametrize("order", ["verdict_first", "verdict_last", "verdict_both_sides"])
@pytest.mark.parametrize("answered_by", ["human", "unknown", *MACHINES])
def test_amd_verdicts_in_any_order_decide_once(nohold, dialer, item, fake, run_jobs, check_mode, order, answered_by):
    attempt_id, sid, connect = ring_and_accept(fake, run_jobs, dialer, item)
    child = fake.dial_start(sid, connect)
    whispered = fake.whisper(child["sid"])  # async: the whisper is fetched before the verdict
    assert verbs(whispered) == []  # nothing to say: the agent is bridged at once
    if order != "verdict_last":
        for _ in range(2):
            assert fake.amd(child["sid"], answered_by)[0] == 204
    for status in ("completed", "in-progress", "ringing", "completed"):
        fake.status(child["sid"], status)
    fake.dial_end(sid, connect, child["sid"], "completed")
    if order == "verdict_last":
        assert dialer.attempts.get(attempt_id).state == "customer_ended"  # waiting for the verdict
        assert nohold.queue.get(item.id).status == "claimed"
    if order != "verdict_first":
        for _ in range(2):
            fake.amd(child["sid"], answered_by)
    fake.dial_end(sid, connect, child["sid"], "completed")  # Twilio retrying the <Dial> action
    if answered_by in MACHINES:
        assert_machine_settled(nohold, item, attempt_id, f"amd_{answered_by}")
    else:
        assert_reached(nohold, item, attempt_id)
    assert dialer.attempts.get(attempt_id).answered_by == answered_by


@pytest.mark.parametrize("check_mode", ["amd"])
@pytest.mark.parametrize("answered_by", ["machine_start", "machine_end_beep", "fax"])
def test_a_machine_found_after_the_bridge_hears_the_message_once_and_frees_the_agent(
        nohold, dialer, item, fake, run_jobs, check_mode, answered_by):
    attempt_id, sid, connect = ring_and_accept(fake, run_jobs, dialer, item)
    child = fake.dial_start(sid, connect)
    fake.whisper(child["sid"])  # bridged: the agent hears the greeting
    for _ in range(3):
        fake.amd(child["sid"], answered_by)
    run_jobs()  # the job gives the customer's leg new TwiML through the REST API
    dialer.end_machine_leg(attempt_id)  # RQ running it again
    [update] = child["updates"]
    assert [v.tag for v in verbs(update)] == ["Say", "Hangup"]
    assert "Riproveremo più tardi" in said(update)
    fake.status(child["sid"], "completed")  # the leg leaves the bridge; the <Dial> ends for the agent
    told = fake.dial_end(sid, connect, child["sid"], "completed")
    assert "segreteria" in said(told)
    assert_machine_settled(nohold, item, attempt_id, f"amd_{answered_by}")


@pytest.mark.parametrize("check_mode", ["amd"])
def test_a_machine_leg_that_ended_before_the_job_is_left_alone(nohold, dialer, item, fake, run_jobs, check_mode):
    attempt_id, sid, connect = ring_and_accept(fake, run_jobs, dialer, item)
    child = fake.dial_start(sid, connect)
    fake.whisper(child["sid"])
    fake.amd(child["sid"], "machine_end_silence")
    fake.status(child["sid"], "completed")  # the tape hung up first
    fake.dial_end(sid, connect, child["sid"], "completed")
    assert dialer.end_machine_leg(attempt_id) == "over"  # Twilio's 21220: nothing to redirect
    assert "updates" not in child
    assert_machine_settled(nohold, item, attempt_id, "amd_machine_end_silence")


@pytest.mark.parametrize("check_mode", ["amd"])
def test_a_verdict_that_never_comes_is_settled_by_the_sweep(nohold, dialer, item, fake, run_jobs, clock, check_mode):
    attempt_id, sid, connect = ring_and_accept(fake, run_jobs, dialer, item)
    fake.dial(sid, connect, "completed")
    assert dialer.attempts.get(attempt_id).state == "customer_ended"
    clock.advance(30)
    assert dialer.sweep(grace=0) == {"live": 1}
    clock.advance(16)
    assert dialer.sweep(grace=0) == {"reached": 1}
    [child] = [c for c in fake.calls.values() if c["parent_call_sid"] == sid]
    fake.amd(child["sid"], "machine_start")  # far too late: the verdict is made
    assert_reached(nohold, item, attempt_id)


@pytest.mark.parametrize("check_mode", ["amd"])
def test_a_verdict_for_another_value_is_ignored(nohold, dialer, item, fake, run_jobs, check_mode):
    attempt_id, sid, connect = ring_and_accept(fake, run_jobs, dialer, item)
    child = fake.dial_start(sid, connect)
    fake.whisper(child["sid"])
    fake.amd(child["sid"], "machine")  # not one of Twilio's values
    assert dialer.attempts.get(attempt_id).answered_by == ""
    assert dialer.attempts.get(attempt_id).state == "customer_dialing"


# -- both: the key decides; a machine AMD recognised at pick-up skips the question ----------------------
@pytest.mark.parametrize("check_mode", ["both"])
@pytest.mark.parametrize("answered_by", ["machine_end_beep", "fax"])
def test_both_a_machine_known_at_pickup_hears_the_message_at_once(nohold, dialer, item, fake, run_jobs, check_mode,
                                                                  answered_by):
    attempt_id, sid, connect = ring_and_accept(fake, run_jobs, dialer, item)
    child = fake.dial_start(sid, connect)
    message = fake.whisper(child["sid"], answered_by=answered_by)
    assert [v.tag for v in verbs(message)] == ["Say", "Hangup"]
    replayed = fake.whisper(child["sid"], answered_by=answered_by)  # Twilio retrying the fetch: the same answer
    assert [v.tag for v in verbs(replayed)] == ["Say", "Hangup"]
    assert said(replayed) == said(message)
    assert dialer.end_machine_leg(attempt_id) == "done"  # a job never leaves it a second time
    fake.amd(child["sid"], answered_by)
    fake.status(child["sid"], "completed")
    fake.dial_end(sid, connect, child["sid"], "completed")
    assert_machine_settled(nohold, item, attempt_id, f"amd_{answered_by}")


@pytest.mark.parametrize("check_mode", ["both"])
@pytest.mark.parametrize("late", MACHINES)
def test_both_a_person_who_pressed_1_stays_reached_whatever_amd_says_later(
        nohold, dialer, item, fake, run_jobs, check_mode, late):
    attempt_id, sid, connect = ring_and_accept(fake, run_jobs, dialer, item)
    child = fake.dial_start(sid, connect)
    question = fake.whisper(child["sid"], answered_by="human")
    assert verbs(question)[0].tag == "Gather"
    fake.amd(child["sid"], late)  # a second, contradicting verdict: the first is kept, and the key decides
    fake.press(child["sid"], question, "1")
    fake.status(child["sid"], "completed")
    fake.dial_end(sid, connect, child["sid"], "completed")
    assert_reached(nohold, item, attempt_id)
    assert dialer.attempts.get(attempt_id).answered_by == "human"


# -- the SMS after the last failed attempt keeps the place ------------------------------------------------
def test_the_last_machine_gets_a_handoff_code_and_a_reply_keeps_the_place(
        nohold, dialer, item, fake, run_jobs, clock, social_jobs):
    for attempt_number in (1, 2, 3):
        attempt_id, sid, connect = ring_and_accept(fake, run_jobs, dialer, nohold.queue.get(item.id))
        child = fake.dial_start(sid, connect)
        message = fake.press(child["sid"], fake.whisper(child["sid"]), "")
        told = fake.dial_end(sid, connect, child["sid"], "completed")
        if attempt_number < 3:
            clock.advance(nohold.queue.get(item.id).not_before - clock())
    assert "non siamo riusciti a parlarle" in said(message)
    assert "di nuovo la segreteria" in said(told)
    assert nohold.queue.get(item.id).status == "dead"
    assert dialer.attempts.get(attempt_id).outcome == "gave_up"
    body = sms_for(nohold, f"dial-gave-up:{attempt_id}")["body"]
    code = find_code(body)
    assert code is not None
    assert "vale 24 ore" in body
    settle_again = dialer.outcomes.notices.handoff_code(dialer.attempts.get(attempt_id), nohold.queue.get(item.id))
    assert settle_again == code  # one code per attempt, whatever reruns
    clock.advance(3600)
    nohold.social.inbound.accept([Inbound("sms", CUSTOMER, "SM" + "7" * 32, text="mi serve ancora aiuto",
                                          sent_at=clock())])  # a plain reply: no code typed
    social_jobs()
    thread = nohold.social.threads.for_customer("sms", CUSTOMER)
    assert nohold.queue.get(thread.item_id).acquired_at == item.acquired_at


@pytest.mark.parametrize("name, value", [("CALLBACK_CUSTOMER_CHECK", "maybe"), ("CALLBACK_CUSTOMER_CHECK", "AMD"),
                                         ("CALLBACK_MACHINE_MESSAGE", "yes")])
def test_unknown_check_settings_are_refused_at_start(tmp_path, name, value):
    with pytest.raises(SettingsError, match=name):
        load_settings(environ={"NOHOLD_VAR_DIR": str(tmp_path), name: value}, dotenv=False)


def test_unsigned_customer_webhooks_are_refused(nohold):
    client = nohold.app.test_client()
    for path in ("/voice/dial/customer", "/voice/dial/customer-key", "/voice/dial/amd"):
        response = client.post(f"{path}?attempt=DA0123456789abcdef", data={"CallSid": "CA1", "AnsweredBy": "human"})
        assert response.status_code == 403

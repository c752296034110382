"""Agent-first callbacks end to end: real Redis, Flask, twilio lib and RQ; Twilio's cloud is the fake server."""
from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import redis as redis_lib
from rq import Queue

from ivr import create_app
from ivr.jobs import dial as dial_jobs
from ivr.jobs import sweep as sweep_jobs
from ivr.dialer.dialer import NotDialable, QuietHours
from ivr.jobs.messages import QUEUE_NAME
from ivr.app.settings import load_settings
from ivr.simulate import FlaskTransport
from social_bridge.queue.agents import Agent
from social_bridge.queue.work_item import WorkItem
from tests.conftest import CLOSED_TIME, ROME
from tests.support.fake_twilio import FakeTwilio
from tests.support.twiml_helpers import said, verbs

BASE = "https://nohold.example.it"
COMPANY = "+390212345678"
CUSTOMER = "+393471234567"
GIULIA = Agent("giulia", "Giulia", "agent", ("it",), "+393331112222")


@pytest.fixture
def fake():
    server = FakeTwilio(auth_token="secret").start()
    yield server
    server.stop()


@pytest.fixture
def live_settings(redis_url, tmp_path, fake, monkeypatch):
    env = {"REDIS_URL": redis_url, "NOHOLD_VAR_DIR": str(tmp_path / "var"), "PUBLIC_BASE_URL": BASE,
           "TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_AUTH_TOKEN": "secret", "TWILIO_NUMBER": COMPANY,
           "TWILIO_API_BASE": fake.base_url, "SECRET_KEY": "k" * 32}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return load_settings(environ=env)


@pytest.fixture
def nohold(live_settings, clock, redis_client, fake, monkeypatch, job_services):
    app = create_app({"SETTINGS": live_settings, "CLOCK": clock})
    app.testing = True
    services = app.extensions["nohold"]
    fake.app, fake.clock = FlaskTransport(app), clock
    job_services.install(services)  # the RQ jobs get the app's services (and its clock)
    services.app = app
    yield services
    services.metrics.close()  # its counts must not reach the next test's Redis


@pytest.fixture
def dialer(nohold):
    return nohold.dialer


@pytest.fixture
def item(nohold, clock):
    return nohold.queue.enqueue(WorkItem(
        id="", kind="callback", channel="voice", lang="it", acquired_at=clock() - 12 * 60,
        natural_key=f"callback:{CUSTOMER}", customer=CUSTOMER, intent="internet_down",
        summary="internet non va", call_sid="CAcaller")).item


def start(dialer, item, agent=GIULIA):
    claim = dialer.claims.claim(item.id, agent.id)
    return dialer.start(claim.item, claim, agent), claim


def agent_leg(fake, attempt_id: str) -> dict:
    [call] = [c for c in fake.created_calls() if f"attempt={attempt_id}" in c["url"]]
    return call


def ring_and_accept(fake, run_jobs, dialer, item, agent=GIULIA):
    """Claim, start, run the job, the agent answers and presses 1: returns (attempt id, agent call sid, TwiML)."""
    attempt_id, _ = start(dialer, item, agent)
    run_jobs()
    sid = agent_leg(fake, attempt_id)["sid"]
    fake.status(sid, "initiated")
    fake.status(sid, "ringing")
    whisper = fake.answer(sid)
    return attempt_id, sid, fake.press(sid, whisper, "1")


def sms_for(nohold, key: str) -> dict | None:
    message_id = nohold.redis.get(f"nohold:{{msgkey:{key}}}")
    return nohold.messages.get(message_id) if message_id else None


def test_happy_path_agent_first_then_customer_then_done(nohold, dialer, item, fake, run_jobs, clock):
    attempt_id, claim = start(dialer, item)
    run_jobs()
    [created] = [r for r in fake.requests if r["path"].endswith("/Calls.json") and r["method"] == "POST"]
    form = created["form"]
    assert (form["To"], form["From"]) == (GIULIA.phone, COMPANY)
    assert form["Url"] == f"{BASE}/voice/dial/agent?attempt={attempt_id}"
    assert form["StatusCallback"] == f"{BASE}/voice/dial/status?attempt={attempt_id}&leg=agent"
    assert agent_leg(fake, attempt_id)["status_callback_event"] == ["initiated", "ringing", "answered", "completed"]
    assert "MachineDetection" not in form
    assert dialer.attempts.get(attempt_id).state == "agent_ringing"

    sid = agent_leg(fake, attempt_id)["sid"]
    fake.status(sid, "ringing")
    whisper = fake.answer(sid)
    gather = verbs(whisper)[0]
    assert gather.tag == "Gather"
    assert (gather.get("numDigits"), gather.get("input")) == ("1", "dtmf")
    assert gather.get("action") == f"/voice/dial/agent-answer?attempt={attempt_id}"
    text = said(whisper)
    assert "finisce con 4 5 6 7" in text
    assert "linea internet guasta" in text
    assert "circa 10 minuti" in text
    assert "Premi 1 per chiamare, 2 per rinunciare" in text
    assert all(say.get("language") == "it-IT" for say in ET.fromstring(whisper).iter("Say"))

    connect = fake.press(sid, whisper, "1")
    dial = [v for v in verbs(connect) if v.tag == "Dial"][0]
    assert dial.get("callerId") == COMPANY
    assert dial.get("action") == f"{BASE}/voice/dial/customer-done?attempt={attempt_id}"
    assert dial.get("timeout") == "25"
    number = dial.find("Number")
    assert number.text == CUSTOMER
    assert number.get("statusCallback") == f"{BASE}/voice/dial/status?attempt={attempt_id}&leg=customer"
    assert number.get("statusCallbackEvent") == "initiated ringing answered completed"

    ended = fake.dial(sid, connect, "completed")
    assert [v.tag for v in verbs(ended)] == ["Hangup"]
    fake.status(sid, "completed")
    done = nohold.queue.get(item.id)
    assert (done.status, done.outcome) == ("done", "reached")
    attempt = dialer.attempts.get(attempt_id)
    assert (attempt.state, attempt.settled) == ("reached", 1)
    assert attempt.agent_call_sid == sid
    assert attempt.customer_call_sid.startswith("CA")
    assert len(fake.created_calls()) == 1  # the customer leg is the <Dial>, never a REST call
    assert nohold.metrics.counters()["callback_attempts|result=reached"] == 1  # callbacks reached, for /metrics


def test_the_customer_is_dialed_only_after_the_agent_pressed_1(nohold, dialer, item, fake, run_jobs):
    attempt_id, _ = start(dialer, item)
    run_jobs()
    sid = agent_leg(fake, attempt_id)["sid"]
    whisper = fake.answer(sid)
    assert not list(ET.fromstring(whisper).iter("Dial"))
    assert dialer.attempts.get(attempt_id).state == "agent_answered"
    assert all(c["to"] != CUSTOMER for c in fake.calls.values())


def test_customer_no_answer_retries_keeping_the_place_then_gives_up_with_a_chat_offer(
        nohold, dialer, item, fake, run_jobs, clock):
    delays = []
    for attempt_number in (1, 2, 3):
        before = clock()
        attempt_id, sid, connect = ring_and_accept(fake, run_jobs, dialer, nohold.queue.get(item.id))
        ended = fake.dial(sid, connect, "no-answer")
        after = nohold.queue.get(item.id)
        assert after.acquired_at == item.acquired_at
        assert after.attempts == attempt_number
        if attempt_number < 3:
            assert after.status == "scheduled"
            delays.append(after.not_before - before)
            assert "non ha risposto" in said(ended)
            assert "riproveremo" in said(ended)
            body = sms_for(nohold, f"dial-missed:{attempt_id}")["body"]
            assert "abbiamo provato a richiamarti" in body
            assert "STATO" in body
            assert "ANNULLA" in body
            assert "4567" in body
            assert "oggi alle" in body
            assert dialer.attempts.get(attempt_id).state == "retried"
            clock.advance(after.not_before - clock())
        else:
            assert after.status == "dead"
            assert "neanche questa volta" in said(ended)
            body = sms_for(nohold, f"dial-gave-up:{attempt_id}")["body"]
            assert "rispondi a questo SMS" in body
            assert dialer.attempts.get(attempt_id).state == "gave_up"
            assert sms_for(nohold, f"dial-missed:{attempt_id}") is None
    assert delays == [600, 1800]


def test_a_retry_that_would_fall_after_closing_waits_for_the_next_opening(nohold, dialer, item, fake, run_jobs, clock):
    clock.set(datetime(2026, 12, 2, 21, 25, tzinfo=ZoneInfo(ROME)))  # closes at 21:30
    attempt_id, sid, connect = ring_and_accept(fake, run_jobs, dialer, item)
    fake.dial(sid, connect, "busy")
    retry = datetime.fromtimestamp(nohold.queue.get(item.id).not_before, ZoneInfo(ROME))
    assert (retry.day, retry.hour, retry.minute) == (3, 8, 30)
    assert "domani alle 8 e 30" in sms_for(nohold, f"dial-missed:{attempt_id}")["body"]


def test_quiet_hours_refuse_to_dial(nohold, dialer, item, clock, redis_url):
    claim = dialer.claims.claim(item.id, GIULIA.id)
    clock.set(datetime(*CLOSED_TIME, tzinfo=ZoneInfo(ROME)))
    with pytest.raises(QuietHours, match="closed until Thu 03 Dec 08:30"):
        dialer.start(claim.item, claim, GIULIA)
    assert Queue(QUEUE_NAME, connection=redis_lib.Redis.from_url(redis_url)).count == 0
    assert dialer.attempts.for_item(item.id) == []


def test_a_job_that_runs_after_closing_dials_nobody_and_gives_the_item_back(
        nohold, dialer, item, fake, run_jobs, clock):
    attempt_id, _ = start(dialer, item)
    clock.set(datetime(*CLOSED_TIME, tzinfo=ZoneInfo(ROME)))
    run_jobs()
    assert fake.created_calls() == []
    assert dialer.attempts.get(attempt_id).state == "quiet_hours"
    assert nohold.queue.get(item.id).status == "waiting"


@pytest.mark.parametrize("agent, reason", [
    (Agent("marco", "Marco", "agent", ("it",), ""), "no phone"),
    (GIULIA, "premium"),
])
def test_refuses_without_an_agent_phone_or_a_callable_customer(nohold, dialer, clock, agent, reason):
    customer = "+39899123456" if reason == "premium" else CUSTOMER
    item = nohold.queue.enqueue(WorkItem(id="", kind="callback", channel="voice", lang="it",
                                         acquired_at=clock(), natural_key=f"callback:{customer}",
                                         customer=customer)).item
    claim = dialer.claims.claim(item.id, agent.id)
    with pytest.raises(NotDialable, match=reason):
        dialer.start(claim.item, claim, agent)


@pytest.mark.parametrize("digits", ["2", ""])
def test_agent_declines_or_stays_silent_and_the_item_returns_to_its_old_place(
        nohold, dialer, item, fake, run_jobs, clock, digits):
    newer = nohold.queue.enqueue(WorkItem(id="", kind="callback", channel="voice", lang="it",
                                          acquired_at=clock() - 60, natural_key="callback:+393479999999",
                                          customer="+393479999999")).item
    attempt_id, _ = start(dialer, item)
    run_jobs()
    sid = agent_leg(fake, attempt_id)["sid"]
    ended = fake.press(sid, fake.answer(sid), digits)
    assert [v.tag for v in verbs(ended)] == ["Say", "Hangup"]
    assert "torna in coda" in said(ended)
    fake.status(sid, "completed")
    back = nohold.queue.get(item.id)
    assert (back.status, back.attempts, back.acquired_at) == ("waiting", 0, item.acquired_at)
    assert nohold.queue.position(item.id) == 1
    assert nohold.queue.position(newer.id) == 2
    assert dialer.attempts.get(attempt_id).state == "declined"
    assert all(c["to"] != CUSTOMER for c in fake.calls.values())


def test_a_wrong_key_asks_once_more_then_declines(nohold, dialer, item, fake, run_jobs):
    attempt_id, _ = start(dialer, item)
    run_jobs()
    sid = agent_leg(fake, attempt_id)["sid"]
    again = fake.press(sid, fake.answer(sid), "7")
    assert said(again).startswith("Non ho capito")
    assert verbs(again)[-1].tag == "Gather"
    assert "torna in coda" in said(fake.press(sid, again, "9"))
    assert nohold.queue.get(item.id).status == "waiting"


@pytest.mark.parametrize("status", ["no-answer", "busy", "failed"])
def test_agent_not_answering_releases_the_item_without_counting_an_attempt(
        nohold, dialer, item, fake, run_jobs, status):
    attempt_id, _ = start(dialer, item)
    run_jobs()
    sid = agent_leg(fake, attempt_id)["sid"]
    for call_status in (status, "ringing", status, "initiated", status):  # late and repeated deliveries
        fake.status(sid, call_status)
    back = nohold.queue.get(item.id)
    assert (back.status, back.attempts) == ("waiting", 0)
    assert [e["event"] for e in nohold.queue.history(item.id)].count("released") == 1
    assert dialer.attempts.get(attempt_id).state == "agent_missed"
    assert sms_for(nohold, f"dial-missed:{attempt_id}") is None


def test_english_agent_hears_english_and_learns_the_customer_speaks_italian(nohold, dialer, item, fake, run_jobs):
    amy = Agent("amy", "Amy", "agent", ("en", "it"), "+393331113333")
    attempt_id, _ = start(dialer, item, amy)
    run_jobs()
    whisper = fake.answer(agent_leg(fake, attempt_id)["sid"])
    text = said(whisper)
    assert "ends in 4 5 6 7" in text
    assert "internet line down" in text
    assert "The customer speaks Italian" in text
    assert all(say.get("language") == "en-GB" for say in ET.fromstring(whisper).iter("Say"))


@pytest.mark.parametrize("outcome, order", [
    ("completed", ["completed", "completed", "completed", "ringing", "ringing", "ringing", "in-progress",
                   "initiated", "in-progress"]),
    ("no-answer", ["no-answer", "ringing", "no-answer", "initiated", "ringing", "no-answer", "ringing"]),
])
def test_duplicated_and_out_of_order_callbacks_have_one_outcome(
        nohold, dialer, item, fake, run_jobs, outcome, order):
    attempt_id, sid, connect = ring_and_accept(fake, run_jobs, dialer, item)
    fake.dial(sid, connect, outcome, statuses=order)
    parent = fake.calls[sid]
    dial_params = parent["events"][-1]["request"]["parameters"]
    for _ in range(2):  # Twilio retrying the <Dial> action
        fake.webhook(parent, parent["events"][-1]["request"]["url"], dial_params)
    for _ in range(3):
        fake.status(sid, "completed")
    fake.status(sid, "ringing")
    events = [e["event"] for e in nohold.queue.history(item.id)]
    after = nohold.queue.get(item.id)
    attempt = dialer.attempts.get(attempt_id)
    if outcome == "completed":
        assert (after.status, attempt.state) == ("done", "reached")
        assert events.count("completed") == 1
    else:
        assert (after.status, attempt.state, after.attempts) == ("scheduled", "retried", 1)
        assert events.count("attempt_failed") == 1
    assert events.count("attempt") == 1
    sms_keys = nohold.redis.keys("nohold:{msgkey:dial-*")
    assert len(sms_keys) == (0 if outcome == "completed" else 1)
    assert attempt.customer_status == outcome


def test_placing_job_run_twice_dials_once(nohold, dialer, item, fake, run_jobs, redis_url):
    attempt_id, _ = start(dialer, item)
    queue = Queue(QUEUE_NAME, connection=redis_lib.Redis.from_url(redis_url))
    assert [job.args for job in queue.jobs] == [(attempt_id,)]
    assert not queue.jobs[0].kwargs
    run_jobs()
    queue.enqueue(dial_jobs.place_agent_leg, attempt_id)  # a retried or duplicated job
    run_jobs()
    assert dialer.place(attempt_id) == "agent_ringing"
    assert len(fake.created_calls()) == 1


def test_the_same_claim_started_twice_is_one_attempt(nohold, dialer, item, fake, run_jobs):
    claim = dialer.claims.claim(item.id, GIULIA.id)
    first = dialer.start(claim.item, claim, GIULIA)
    assert dialer.start(claim.item, claim, GIULIA) == first
    run_jobs()
    assert len(fake.created_calls()) == 1


def test_twilio_refusing_the_call_fails_the_attempt_with_backoff(nohold, dialer, item, fake, run_jobs, clock):
    attempt_id, _ = start(dialer, item)
    fake.fail_next = 1
    run_jobs()
    attempt = dialer.attempts.get(attempt_id)
    assert (attempt.state, attempt.outcome) == ("failed_to_place", "retried")
    after = nohold.queue.get(item.id)
    assert (after.status, after.attempts, after.not_before) == ("scheduled", 1, clock() + 600)
    assert sms_for(nohold, f"dial-missed:{attempt_id}") is None  # nobody rang the customer: nothing to tell


def test_reconcile_adopts_the_call_a_dead_worker_placed(nohold, dialer, item, fake, run_jobs):
    other_id, _ = start(dialer, nohold.queue.enqueue(WorkItem(
        id="", kind="callback", channel="voice", lang="it", acquired_at=item.acquired_at + 1,
        natural_key="callback:+393470000001", customer="+393470000001")).item)
    run_jobs()  # another attempt rang the same agent phone: its call must not be adopted
    attempt_id, _ = start(dialer, item)
    # the worker moved the attempt to dialing, Twilio accepted the call, then the worker died
    dialer.attempts.move(attempt_id, ("created",), "dialing", dialing_at=dialer.clock())
    placed = fake.created_calls()
    dialer.calls.create(to=GIULIA.phone, from_=COMPANY, url=f"{BASE}/voice/dial/agent?attempt={attempt_id}",
                        status_callback=f"{BASE}/voice/dial/status?attempt={attempt_id}&leg=agent")
    sid = [c for c in fake.created_calls() if c not in placed][0]["sid"]
    assert dialer.reconcile(attempt_id) == "adopted"
    attempt = dialer.attempts.get(attempt_id)
    assert (attempt.state, attempt.agent_call_sid) == ("agent_ringing", sid)
    run_jobs()  # the dead worker's job, run again by RQ: still one call
    assert len(fake.created_calls()) == 2


def test_a_timeout_after_twilio_accepted_leaves_the_attempt_for_reconcile(nohold, dialer, item, fake, monkeypatch):
    import requests

    attempt_id, _ = start(dialer, item)
    placed = dialer.calls.create

    def accepted_then_timed_out(**kwargs):
        placed(**kwargs)
        raise requests.ReadTimeout("no answer from Twilio in time")

    monkeypatch.setattr(dialer.calls, "create", accepted_then_timed_out)
    with pytest.raises(requests.ReadTimeout):
        dialer.place(attempt_id)  # the job fails loudly; nothing is retried blindly
    assert dialer.attempts.get(attempt_id).state == "dialing"
    assert dialer.place(attempt_id) == "dialing"  # RQ running it again changes nothing
    assert dialer.reconcile(attempt_id) == "adopted"
    assert len(fake.created_calls()) == 1


def test_reconcile_without_a_call_flags_for_review_and_never_redials(nohold, dialer, item, fake, run_jobs):
    attempt_id, _ = start(dialer, item)
    dialer.attempts.move(attempt_id, ("created",), "dialing", dialing_at=dialer.clock())
    assert dialer.reconcile(attempt_id) == "needs_review"
    run_jobs()
    assert fake.created_calls() == []
    assert attempt_id in dialer.attempts.to_review()
    assert nohold.queue.get(item.id).status == "waiting"  # back at its place for the next agent


def test_sweep_requeues_lost_jobs_and_leaves_young_attempts_alone(nohold, dialer, item, fake, run_jobs, clock,
                                                                  redis_url):
    attempt_id, _ = start(dialer, item)
    queue = Queue(QUEUE_NAME, connection=redis_lib.Redis.from_url(redis_url))
    assert dialer.sweep() == {}
    clock.advance(61)
    dialer.sweep()
    assert queue.count == 1  # still waiting in the queue: not lost, not queued twice
    queue.empty()  # now it is lost (its worker died with it)
    assert dialer.sweep() == {"requeued": 1}
    assert queue.count == 1
    run_jobs()
    assert dialer.attempts.get(attempt_id).state == "agent_ringing"
    assert dialer.sweep() == {"live": 1}


def test_an_agent_answering_after_the_claim_ended_hears_it_is_gone(nohold, dialer, item, fake, run_jobs, clock):
    attempt_id, _ = start(dialer, item)
    run_jobs()
    clock.advance(nohold.settings.lease_seconds + 1)
    nohold.dialer.claims.reap_expired()
    whisper = fake.answer(agent_leg(fake, attempt_id)["sid"])
    assert "non è più tua" in said(whisper)
    assert verbs(whisper)[-1].tag == "Hangup"
    assert dialer.attempts.get(attempt_id).state == "stale"


def test_unsigned_dial_webhooks_are_refused(nohold):
    client = nohold.app.test_client()
    for path in ("/voice/dial/agent", "/voice/dial/agent-answer", "/voice/dial/customer-done", "/voice/dial/status"):
        assert client.post(f"{path}?attempt=DA0123456789abcdef", data={"CallSid": "CA1"}).status_code == 403


def test_dev_mode_puts_the_agent_leg_in_the_outbox(app, clock):
    services = app.extensions["nohold"]
    dialer = services.dialer
    item = services.queue.enqueue(WorkItem(id="", kind="callback", channel="voice", lang="it", acquired_at=clock(),
                                           natural_key=f"callback:{CUSTOMER}", customer=CUSTOMER)).item
    claim = dialer.claims.claim(item.id, GIULIA.id)
    attempt_id = dialer.start(claim.item, claim, GIULIA)
    assert dialer.place(attempt_id) == "agent_ringing"
    [entry] = services.outbox.entries()
    assert entry["kind"] == "call"
    assert f"attempt={attempt_id}" in entry["url"]


def test_no_phone_number_is_logged_whole(nohold, dialer, item, fake, run_jobs, caplog):
    caplog.set_level(logging.DEBUG)
    attempt_id, sid, connect = ring_and_accept(fake, run_jobs, dialer, item)
    fake.dial(sid, connect, "no-answer")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert attempt_id in logged
    for number in (CUSTOMER, GIULIA.phone, CUSTOMER[3:], GIULIA.phone[3:]):
        assert number not in logged


def test_sweeps_keep_one_schedule_and_the_command_prints_what_it_did(nohold, dialer, item, redis_url, capsys):
    from rq.registry import ScheduledJobRegistry

    queue = Queue(QUEUE_NAME, connection=redis_lib.Redis.from_url(redis_url))
    sweep_jobs.on_worker_start(nohold)  # warms the clients, queues a sweep now
    assert [job.func_name for job in queue.jobs] == ["ivr.jobs.sweep.sweep"]
    for _ in range(3):  # several workers starting, each sweep rescheduling itself
        sweep_jobs.sweep()
    assert ScheduledJobRegistry(queue=queue).count == 1
    attempt_id, _ = start(dialer, item)
    dialer.attempts.move(attempt_id, ("created",), "dialing", dialing_at=dialer.clock())
    assert sweep_jobs.reconcile_command(grace=0) == 0
    out = capsys.readouterr().out
    assert "needs_review 1" in out
    assert attempt_id in out

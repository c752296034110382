"""Outbound SMS: persisted, sent by a job at most once, to Twilio (a local double) or the dev outbox."""
from __future__ import annotations

import pytest
import redis as redis_lib
from rq import Queue

from ivr.jobs import messages as jobs
from ivr.call.messaging import DevOutbox, Messages, TwilioSms, deliver
from ivr.runtime.metrics import METRICS_KEY
from ivr.app.settings import load_settings
from ivr.runtime.twilio_rest import make_twilio_client
from tests.support.clock import Clock
from tests.support.fake_twilio import FakeTwilio

T0 = 1_800_000_000.0  # the clock the sweep tests start from


@pytest.fixture
def fake_twilio():
    server = FakeTwilio().start()
    yield server
    server.stop()


@pytest.fixture
def live_settings(redis_url, tmp_path, fake_twilio):
    return load_settings(environ={"REDIS_URL": redis_url, "NOHOLD_VAR_DIR": str(tmp_path),
                                  "TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_AUTH_TOKEN": "secret",
                                  "TWILIO_NUMBER": "+390212345678", "SECRET_KEY": "k" * 32,
                                  "PUBLIC_BASE_URL": "https://nohold.example.it",
                                  "TWILIO_API_BASE": fake_twilio.base_url})


def test_live_mode_sends_through_twilio_rest_at_the_configured_base(redis_client, live_settings, fake_twilio):
    messages = Messages(redis_client, enqueue_job=lambda mid: None)
    message_id = messages.send_sms("+393471234567", "Ti richiameremo", key="receipt:1")
    sender = TwilioSms(make_twilio_client(live_settings))
    assert deliver(messages, sender, message_id, live_settings.twilio_number) == "sent"
    assert fake_twilio.messages() == [{"To": "+393471234567", "From": "+390212345678", "Body": "Ti richiameremo"}]
    assert fake_twilio.requests[0]["auth"] == live_settings.twilio_account_sid
    assert messages.get(message_id)["provider_id"].startswith("SM")


def test_a_message_is_sent_once_however_often_the_job_runs(redis_client, live_settings, fake_twilio):
    messages = Messages(redis_client, enqueue_job=lambda mid: None)
    message_id = messages.send_sms("+393471234567", "x", key="receipt:2")
    assert messages.send_sms("+393471234567", "x", key="receipt:2") == message_id
    sender = TwilioSms(make_twilio_client(live_settings))
    for _ in range(3):
        deliver(messages, sender, message_id, live_settings.twilio_number)
    assert len(fake_twilio.messages()) == 1


def test_provider_failure_leaves_the_message_queued_for_a_retry(redis_client, live_settings, fake_twilio):
    messages = Messages(redis_client, enqueue_job=lambda mid: None)
    message_id = messages.send_sms("+393471234567", "x", key="receipt:3")
    sender = TwilioSms(make_twilio_client(live_settings))
    fake_twilio.fail_next = 1
    with pytest.raises(Exception):
        deliver(messages, sender, message_id, live_settings.twilio_number)
    assert messages.get(message_id)["status"] == "queued"
    assert deliver(messages, sender, message_id, live_settings.twilio_number) == "sent"


def test_dev_mode_job_writes_to_the_outbox_and_never_calls_twilio(redis_client, settings, run_jobs, redis_url):
    assert settings.dev_mode
    assert make_twilio_client(settings) is None
    queue = Queue(jobs.QUEUE_NAME, connection=redis_lib.Redis.from_url(redis_url))
    messages = Messages(redis_client, enqueue_job=jobs.sms_enqueuer(queue))
    message_id = messages.send_sms("+393471234567", "Ciao", key="dev:1")
    run_jobs()
    assert messages.get(message_id)["status"] == "sent"
    assert DevOutbox(redis_client).entries()[0]["body"] == "Ciao"


def test_jobs_carry_only_the_message_id(redis_client, redis_url):
    queue = Queue(jobs.QUEUE_NAME, connection=redis_lib.Redis.from_url(redis_url))
    messages = Messages(redis_client, enqueue_job=jobs.sms_enqueuer(queue))
    message_id = messages.send_sms("+393471234567", "riservato", key="ids:1")
    job = queue.jobs[0]
    assert job.args == (message_id,)
    assert not job.kwargs


def test_a_message_whose_job_was_lost_is_queued_again_by_the_sweep_and_sent_once(redis_client, redis_url, run_jobs,
                                                                                 settings):
    """A worker killed with the job in hand (or a web process killed between storing the message and
    queueing its job) leaves a message queued with no job: the minute sweep gives it a new one."""
    clock, lost = Clock(T0), []
    messages = Messages(redis_client, enqueue_job=lost.append, clock=clock)  # the job never reaches RQ
    message_id = messages.send_sms("+393471234567", "Ti richiameremo", key="receipt:lost")
    queue = Queue(jobs.QUEUE_NAME, connection=redis_lib.Redis.from_url(redis_url))
    sweeping = Messages(redis_client, enqueue_job=jobs.sms_enqueuer(queue), clock=clock)
    assert jobs.sweep_messages(sweeping, queue) == {"requeued": 0, "failed": 0, "unknown": 0}  # too recent
    clock.now += jobs.MESSAGE_STUCK_AFTER + 1
    assert jobs.sweep_messages(sweeping, queue)["requeued"] == 1
    assert jobs.sweep_messages(sweeping, queue)["requeued"] == 0  # its new job is waiting: not twice
    run_jobs()
    assert messages.get(message_id)["status"] == "sent"
    assert [e["body"] for e in DevOutbox(redis_client).entries()] == ["Ti richiameremo"]
    clock.now += jobs.MESSAGE_STUCK_AFTER + 1
    assert jobs.sweep_messages(sweeping, queue) == {"requeued": 0, "failed": 0, "unknown": 0}
    assert messages.pending(older_than=0) == []


def test_a_message_left_sending_is_never_sent_again_but_marked_unknown(redis_client, redis_url):
    """Claimed, then the worker died: whether the provider got it is unknown, and at most once wins."""
    clock = Clock(T0)
    messages = Messages(redis_client, enqueue_job=lambda mid: None, clock=clock)
    message_id = messages.send_sms("+393471234567", "x", key="receipt:sending")
    assert messages.claim_for_sending(message_id)
    queue = Queue(jobs.QUEUE_NAME, connection=redis_lib.Redis.from_url(redis_url))
    clock.now += jobs.MESSAGE_STUCK_AFTER + 1
    assert jobs.sweep_messages(messages, queue)["requeued"] == 0
    clock.now += jobs.MESSAGE_SENDING_UNKNOWN_AFTER
    assert jobs.sweep_messages(messages, queue)["unknown"] == 1
    assert messages.get(message_id)["status"] == "unknown"
    assert messages.pending(older_than=0) == []
    assert queue.count == 0


def test_a_message_the_provider_keeps_refusing_ends_failed_not_retried_forever(redis_client, redis_url,
                                                                             live_settings, fake_twilio):
    clock = Clock(T0)
    queue = Queue(jobs.QUEUE_NAME, connection=redis_lib.Redis.from_url(redis_url))
    messages = Messages(redis_client, enqueue_job=lambda mid: None, clock=clock)
    message_id = messages.send_sms("+393471234567", "x", key="receipt:refused")
    sender = TwilioSms(make_twilio_client(live_settings))
    fake_twilio.fail_next = 100
    for _ in range(jobs.SMS_RETRY.max + 1):  # the job and its retries, all refused
        with pytest.raises(Exception):
            deliver(messages, sender, message_id, live_settings.twilio_number)
    clock.now += jobs.MESSAGE_STUCK_AFTER + 1
    assert jobs.sweep_messages(messages, queue) == {"requeued": 0, "failed": 1, "unknown": 0}
    assert messages.get(message_id)["status"] == "failed"
    assert redis_client.hget(METRICS_KEY, "messages_swept|outcome=failed") == "1"  # an alert can watch it
    assert len(fake_twilio.messages()) == jobs.SMS_RETRY.max + 1  # the refused tries, none after


def test_a_job_taken_off_the_list_by_a_worker_killed_mid_dequeue_is_not_alive(redis_client, redis_url):
    """RQ's job hash still says queued, but no list holds its id: the sweep queues it again."""
    clock = Clock(T0)
    queue = Queue(jobs.QUEUE_NAME, connection=redis_lib.Redis.from_url(redis_url))
    messages = Messages(redis_client, enqueue_job=jobs.sms_enqueuer(queue), clock=clock)
    message_id = messages.send_sms("+393471234567", "x", key="receipt:limbo")
    clock.now += jobs.MESSAGE_STUCK_AFTER + 1
    assert jobs.sweep_messages(messages, queue)["requeued"] == 0  # waiting in the list: alive
    queue.connection.lrem(queue.key, 0, f"send-{message_id}")
    assert jobs.sweep_messages(messages, queue)["requeued"] == 1
    assert queue.job_ids == [f"send-{message_id}"]

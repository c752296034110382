"""Outbound SMS: persisted, sent by a job at most once, to Twilio (a local double) or the dev outbox."""
from __future__ import annotations

import pytest
import redis as redis_lib
from rq import Queue

from ivr import jobs
from ivr.messaging import DevOutbox, Messages, TwilioSms, deliver
from ivr.settings import load_settings
from ivr.twilio_rest import make_twilio_client
from tests.fake_twilio import FakeTwilio


@pytest.fixture
def fake_twilio():
    server = FakeTwilio().start()
    yield server
    server.stop()


@pytest.fixture
def live_settings(redis_url, tmp_path, fake_twilio):
    return load_settings(environ={"REDIS_URL": redis_url, "NOHOLD_VAR_DIR": str(tmp_path),
                                  "TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_AUTH_TOKEN": "secret",
                                  "TWILIO_NUMBER": "+390212345678", "SECRET_KEY": "k",
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
    assert settings.dev_mode and make_twilio_client(settings) is None
    queue = Queue(jobs.QUEUE_NAME, connection=redis_lib.Redis.from_url(redis_url))
    messages = Messages(redis_client, enqueue_job=jobs.enqueuer(queue))
    message_id = messages.send_sms("+393471234567", "Ciao", key="dev:1")
    run_jobs()
    assert messages.get(message_id)["status"] == "sent"
    assert DevOutbox(redis_client).entries()[0]["body"] == "Ciao"


def test_jobs_carry_only_the_message_id(redis_client, redis_url):
    queue = Queue(jobs.QUEUE_NAME, connection=redis_lib.Redis.from_url(redis_url))
    messages = Messages(redis_client, enqueue_job=jobs.enqueuer(queue))
    message_id = messages.send_sms("+393471234567", "riservato", key="ids:1")
    job = queue.jobs[0]
    assert job.args == (message_id,) and not job.kwargs

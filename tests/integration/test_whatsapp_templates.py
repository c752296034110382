"""WhatsApp outside its 24-hour session: automated messages go through approved templates (Twilio Content API:
ContentSid + ContentVariables, no Body), or by SMS without one; inside the session a plain Body. Against the
local fake Twilio, through the channels build_social wires from settings."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from ivr.app.settings import load_settings
from ivr.app.social_services import build_social
from ivr.call.messaging import Messages, TwilioSms, deliver
from ivr.runtime.twilio_rest import make_twilio_client
from ivr.speech.prompts import PromptBook
from social_bridge.channels import Inbound
from social_bridge.chat.delivery import ReplyRefused
from social_bridge.outages.notices import OutageNotices
from social_bridge.privacy.pseudonyms import PersonKeys
from tests.support.fake_twilio import FakeTwilio

CUSTOMER, OURS, WHATSAPP = "+393471234567", "+390212345678", "+390298765432"
RECEIPT, NOTICE = "HX" + "a" * 32, "HX" + "b" * 32
FIXED = "Il guasto nella tua zona è risolto: la linea dovrebbe funzionare di nuovo."
DAY = 86400


@pytest.fixture
def fake_twilio():
    server = FakeTwilio().start()
    yield server
    server.stop()


def world(redis_client, clock, fake_twilio, tmp_path, templates: bool):
    env = {"TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_AUTH_TOKEN": "secret", "TWILIO_NUMBER": OURS,
           "SECRET_KEY": "k" * 32, "PUBLIC_BASE_URL": "https://nohold.example.it", "NOHOLD_VAR_DIR": str(tmp_path),
           "TWILIO_API_BASE": fake_twilio.base_url, "WHATSAPP_NUMBER": WHATSAPP}
    if templates:
        env |= {"WHATSAPP_TEMPLATE_RECEIPT": RECEIPT, "WHATSAPP_TEMPLATE_NOTICE": NOTICE}
    settings = load_settings(environ=env)
    sms_jobs, jobs = [], []
    messages = Messages(redis_client, sms_jobs.append, clock=clock)
    social = build_social(settings, redis_client, messages, jobs.append, lambda *_: None, clock,
                          persons=PersonKeys("test person keys"))
    sender = TwilioSms(make_twilio_client(settings))
    thread = social.threads.record_inbound(Inbound("whatsapp", CUSTOMER, "SM1", text="ciao", sent_at=clock()),
                                           "it").thread

    def run_jobs() -> None:
        for message_id in jobs:
            social.delivery.deliver(message_id)
        for message_id in sms_jobs:
            deliver(messages, sender, message_id, OURS, WHATSAPP)
    run_jobs.messages = messages
    return social, thread, run_jobs


@pytest.fixture
def templated(redis_client, clock, fake_twilio, tmp_path):
    return world(redis_client, clock, fake_twilio, tmp_path, templates=True)


@pytest.fixture
def untemplated(redis_client, clock, fake_twilio, tmp_path):
    return world(redis_client, clock, fake_twilio, tmp_path, templates=False)


def test_a_notice_outside_the_session_goes_as_the_notice_template(templated, fake_twilio, clock):
    social, thread, run_jobs = templated
    clock.advance(2 * DAY)
    social.delivery.send(social.threads.get(thread.id), FIXED, auto=True, template="notice")
    run_jobs()
    [form] = fake_twilio.messages()
    assert form["ContentSid"] == NOTICE
    assert json.loads(form["ContentVariables"]) == {"1": FIXED}
    assert "Body" not in form
    assert form["To"] == f"whatsapp:{CUSTOMER}"
    assert form["From"] == f"whatsapp:{WHATSAPP}"


def test_a_receipt_outside_the_session_goes_as_the_receipt_template(templated, fake_twilio, clock):
    social, thread, run_jobs = templated
    clock.advance(2 * DAY)
    social.delivery.send(social.threads.get(thread.id), "Pratica 1234 5678: ti richiamiamo.", auto=True,
                         template="receipt")
    run_jobs()
    [form] = fake_twilio.messages()
    assert form["ContentSid"] == RECEIPT


def test_inside_the_session_a_plain_body(templated, fake_twilio, clock):
    social, thread, run_jobs = templated
    clock.advance(23 * 3600)
    social.delivery.send(social.threads.get(thread.id), FIXED, auto=True, template="notice")
    run_jobs()
    [form] = fake_twilio.messages()
    assert form["Body"] == FIXED
    assert "ContentSid" not in form


def test_without_a_template_the_notice_goes_by_sms_to_the_same_number(untemplated, fake_twilio, clock):
    social, thread, run_jobs = untemplated
    clock.advance(2 * DAY)
    message = social.delivery.send(social.threads.get(thread.id), FIXED, auto=True, template="notice")
    run_jobs()
    [form] = fake_twilio.messages()
    assert form["To"] == CUSTOMER
    assert form["From"] == OURS
    assert form["Body"] == FIXED
    assert message.state == "by_sms"


def test_an_agents_own_reply_outside_the_session_is_still_refused(templated, fake_twilio, clock):
    social, thread, run_jobs = templated
    clock.advance(2 * DAY)
    with pytest.raises(ReplyRefused):
        social.delivery.send(social.threads.get(thread.id), "Ciao, sono Giulia", agent="giulia")
    run_jobs()
    assert fake_twilio.messages() == []


def test_the_outage_fixed_notice_two_days_later_goes_as_the_notice_template(templated, fake_twilio, clock,
                                                                             redis_client):
    social, thread, run_jobs = templated
    prompts = PromptBook.load(Path(__file__).resolve().parents[2] / "prompts")
    notices = OutageNotices(redis_client, run_jobs.messages, prompts, social.threads, social.delivery)
    clock.advance(2 * DAY)
    notices.schedule(lambda _: None, "OUT1", [f"thread:{thread.id}"])
    assert notices.notify("OUT1", sleep=lambda _: None) == 1
    run_jobs()
    [form] = fake_twilio.messages()
    assert form["ContentSid"] == NOTICE
    assert json.loads(form["ContentVariables"]) == {"1": prompts.text("it", "self_service.outage_fixed_sms")}

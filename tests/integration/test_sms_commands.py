"""SMS commands about a pending callback, in both languages, idempotent on MessageSid."""
from __future__ import annotations


import pytest

from social_bridge.queue.work_item import WorkItem
from tests.support.twilio_requests import sms_replies

CUSTOMER = "+393471234567"


def sms(client, settings, body: str, sid: str = "SM" + "1" * 32, sender: str = CUSTOMER) -> list[str]:
    return sms_replies(client, settings, body, sid, sender)


@pytest.fixture
def booked(nohold, clock):
    item = WorkItem(id="", kind="callback", channel="voice", lang="it", acquired_at=clock() - 300,
                    natural_key=nohold.desk.callback_key(CUSTOMER), customer=CUSTOMER, intent="billing")
    return nohold.queue.enqueue(item).item


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.mark.parametrize("body", ["ANNULLA", "annulla", " Annulla! ", "CANCEL"])
def test_cancel_words_cancel_the_pending_callback(client, settings, nohold, booked, body):
    reply = sms(client, settings, body)
    assert nohold.queue.get(booked.id).status == "cancelled"
    assert ("annullata" in reply[0]) if body.strip(" !").lower() == "annulla" else ("cancelled" in reply[0])


def test_status_tells_position_and_wait(client, settings, booked):
    reply = sms(client, settings, "STATO")
    assert "al primo posto in coda" in reply[0]
    assert "ANNULLA" in reply[0]


def test_redelivered_message_is_answered_once(client, settings, nohold, booked):
    first = sms(client, settings, "ANNULLA")
    again = sms(client, settings, "ANNULLA")
    assert first == again
    assert "annullata" in again[0]


def sent_texts(nohold) -> list[str]:
    return [entry["body"] for entry in nohold.outbox.entries()]


def test_a_command_with_no_callback_is_a_conversation_the_inbox_answers(client, settings, nohold, social_jobs):
    assert sms(client, settings, "ANNULLA", sid="SM" + "2" * 32) == []  # nothing in the TwiML: the inbox answers
    social_jobs()
    assert sent_texts(nohold) == ["Non c'è nessuna richiesta da annullare."]


def test_other_text_joins_the_pending_callback_of_that_number(client, settings, nohold, booked, social_jobs):
    """One person, one place in line (issue 17): the conversation is the same request, not a second item."""
    assert sms(client, settings, "ciao volevo sapere una cosa sulla bolletta") == []
    social_jobs()
    thread = nohold.social.threads.for_customer("sms", CUSTOMER)
    assert thread.item_id == booked.id
    assert nohold.queue.get(booked.id).status == "waiting"
    [ack] = sent_texts(nohold)
    assert "in coda" in ack
    assert "Numero della tua richiesta" in ack


def test_status_without_anything_open(client, settings, nohold, social_jobs):
    assert sms(client, settings, "STATUS", sender="+447400123456") == []
    social_jobs()
    assert sent_texts(nohold) == ["You have nothing open with us: just write here what you need."]


def test_status_of_a_callback_booked_in_a_window(client, settings, nohold, clock):
    start = clock() + 86400
    item = WorkItem(id="", kind="callback", channel="voice", lang="it", acquired_at=clock() - 60,
                    natural_key=nohold.desk.callback_key(CUSTOMER), customer=CUSTOMER, not_before=start, not_after=start + 7200)
    nohold.queue.enqueue(item)
    assert sms(client, settings, "STATO")[0].startswith("Ti richiameremo domani tra le 10 e mezzogiorno")

"""One person, one place in line: a known customer's new contact joins their open request, on any channel,
only once an identity is proven (a handoff code texted to the caller's number); a typed number proves nothing."""
from __future__ import annotations

import pytest
from twilio.request_validator import RequestValidator

from social_bridge.channels import Inbound
from social_bridge.customers import case_numbers

CALLER = "+393471234567"
PSID = "6543210987654321"
SID = "CA" + "1" * 32
_n = iter(range(10_000))


def call(client, settings, path: str, **form):
    form = {"CallSid": SID, "From": CALLER, "To": "+390200000000", **form}
    signature = RequestValidator(settings.signing_token).compute_signature(settings.url(path), form)
    assert client.post(path, data=form, headers={"X-Twilio-Signature": signature}).status_code == 200


@pytest.fixture
def booked(app, settings, nohold):
    """A call that booked a callback as soon as possible; its pending item."""
    client = app.test_client()
    for path, digits in (("/voice/incoming", None), ("/voice/step?seq=1", "1"), ("/voice/step?seq=2", "1"),
                         ("/voice/step?seq=3", "1")):
        call(client, settings, path, **({"Digits": digits} if digits else {}))
    ids = nohold.redis.zrange(nohold.queue.keys.items_waiting, 0, -1)
    return next(item for item in map(nohold.queue.get, ids) if item.customer == CALLER)


def write(nohold, text: str, sender: str = PSID, channel: str = "messenger", ref: str = "") -> None:
    nohold.social.inbound.accept([Inbound(channel, sender, f"mid.{next(_n)}", text=text, sent_at=nohold.clock(),
                                          ref=ref)])


def handoff_code(nohold, item) -> str:
    """The code FrontDesk texts to the caller's number (its context: the call, its place, the number)."""
    return nohold.codes.issue({"call_sid": SID, "acquired_at": item.acquired_at, "lang": "it", "intent": "fault",
                               "summary": "", "caller": CALLER, "tried": []})


def test_a_handoff_code_joins_messenger_to_the_callers_request(nohold, booked, social_jobs, clock):
    clock.advance(120)
    write(nohold, "eccomi su messenger", ref=handoff_code(nohold, booked))
    social_jobs()
    thread = nohold.social.threads.for_customer("messenger", PSID)
    assert thread.item_id == booked.id
    assert sum(nohold.queue.depth().values()) == 1
    case = nohold.cases.get(booked.case_number)
    assert case.channels == ("voice", "messenger")
    person = nohold.customers.find("messenger", PSID)
    assert person.id == nohold.customers.find("phone", CALLER).id == case.customer_id
    assert person.identities[f"messenger:{PSID}"]["proof"] == "handoff_code"
    assert nohold.queue.get(booked.id).acquired_at == booked.acquired_at


def test_later_messages_from_the_joined_sender_stay_with_the_same_request(nohold, booked, social_jobs, clock):
    write(nohold, "eccomi", ref=handoff_code(nohold, booked))
    social_jobs()
    clock.advance(60)
    write(nohold, "aggiungo che il modem lampeggia")
    social_jobs()
    assert nohold.social.threads.for_customer("messenger", PSID).item_id == booked.id
    assert sum(nohold.queue.depth().values()) == 1


def test_a_typed_number_joins_nothing(nohold, booked, social_jobs):
    write(nohold, f"sono io, il mio numero è {CALLER}, fatemi passare avanti")
    social_jobs()
    thread = nohold.social.threads.for_customer("messenger", PSID)
    assert thread.item_id != booked.id
    assert nohold.customers.find("messenger", PSID).id != nohold.customers.find("phone", CALLER).id


def test_an_sms_conversation_from_the_callers_number_joins_the_request(nohold, booked, social_jobs):
    write(nohold, "volevo aggiungere una cosa sulla linea", sender=CALLER, channel="sms")
    social_jobs()
    assert nohold.social.threads.for_customer("sms", CALLER).item_id == booked.id
    [ack] = [e["body"] for e in nohold.outbox.entries() if "Numero della tua richiesta" in e["body"]]
    assert case_numbers.display(booked.case_number) in ack


def test_call_me_from_a_chat_joined_to_the_callback_keeps_the_callback(nohold, booked, social_jobs):
    write(nohold, "eccomi", ref=handoff_code(nohold, booked))
    social_jobs()
    write(nohold, "chiamami")
    social_jobs()
    assert nohold.queue.get(booked.id).status == "waiting"
    assert sum(nohold.queue.depth().values()) == 1

"""Case numbers where customers meet them: said and texted at booking, keyed at the first question,
STATO 12345678 by SMS and in a chat; a resolved case quoted again within CASE_REOPEN_DAYS is reopened."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from twilio.request_validator import RequestValidator

from social_bridge.customers import case_numbers
from social_bridge.queue.claims import Claims
from social_bridge.queue.work_item import WorkItem
from tests.support.twiml_helpers import gather, said, verbs

CALLER = "+393471234567"
SID = "CA" + "1" * 32
DAY = 86400


def call(client, settings, path: str, sid: str = SID, caller: str = CALLER, **form):
    form = {"CallSid": sid, "From": caller, "To": "+390200000000", **form}
    signature = RequestValidator(settings.signing_token).compute_signature(settings.url(path), form)
    response = client.post(path, data=form, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200
    return response.data.decode()


def sms(client, settings, body: str, sid: str, sender: str = CALLER) -> list[str]:
    form = {"MessageSid": sid, "From": sender, "To": "+390200000000", "Body": body}
    signature = RequestValidator(settings.signing_token).compute_signature(settings.url("/sms/incoming"), form)
    response = client.post("/sms/incoming", data=form, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200
    return [m.text for m in ET.fromstring(response.data).iter("Message")]


@pytest.fixture
def client(app):
    return app.test_client()


def book(client, settings, sid: str = SID) -> str:
    """A call that books a callback as soon as possible on the caller's own number; the last TwiML."""
    call(client, settings, "/voice/incoming", sid=sid)
    call(client, settings, "/voice/step?seq=1", sid=sid, Digits="1")
    call(client, settings, "/voice/step?seq=2", sid=sid, Digits="1")
    return call(client, settings, "/voice/step?seq=3", sid=sid, Digits="1")


def booked_item(nohold) -> WorkItem | None:
    """The caller's pending callback (found by its customer, whatever its natural key is named by)."""
    ids = nohold.redis.zrange(nohold.queue.keys.items_waiting, 0, -1)
    return next((item for item in map(nohold.queue.get, ids) if item.customer == CALLER), None)


def resolve(nohold, item_id: str) -> None:
    claims = Claims(nohold.redis, clock=nohold.clock)
    claims.complete(item_id, claims.claim(item_id, "anna").fence, "resolved")


def spoken(number: str) -> str:
    return f"{' '.join(number[:4])}, {' '.join(number[4:])}"


def test_booking_says_the_case_number_digit_by_digit_and_the_receipt_prints_it(client, settings, nohold):
    twiml = book(client, settings)
    item = booked_item(nohold)
    assert case_numbers.is_valid(item.case_number)
    assert spoken(item.case_number) in said(twiml)
    message_id = nohold.redis.get(f"nohold:{{msgkey:receipt:{item.id}:{SID}}}")
    assert case_numbers.display(item.case_number) in nohold.messages.get(message_id)["body"]


def test_star_and_the_case_number_at_the_first_question_say_its_place(client, settings, nohold):
    book(client, settings)
    number = booked_item(nohold).case_number
    other = "CA" + "2" * 32
    call(client, settings, "/voice/incoming", sid=other, caller="anonymous")
    twiml = call(client, settings, "/voice/step?seq=1", sid=other, caller="anonymous", Digits="*" + number)
    assert f"La sua richiesta {spoken(number)} è in coda al primo posto" in said(twiml)
    assert "Prema 1 per mantenerla" in said(twiml)


def test_star_alone_asks_for_the_number_and_a_mistyped_one_is_asked_again(client, settings, nohold):
    book(client, settings)
    number = booked_item(nohold).case_number
    other = "CA" + "3" * 32
    call(client, settings, "/voice/incoming", sid=other, caller="anonymous")
    asked = call(client, settings, "/voice/step?seq=1", sid=other, caller="anonymous", Digits="*")
    assert gather(asked).get("numDigits") == "8"
    typo = number[:7] + str((int(number[7]) + 1) % 10)   # one digit wrong: the check digit catches it
    again = call(client, settings, "/voice/step?seq=2", sid=other, caller="anonymous", Digits=typo)
    assert "Non ho trovato un numero di richiesta valido" in said(again)
    found = call(client, settings, "/voice/step?seq=3", sid=other, caller="anonymous", Digits=number)
    assert "è in coda al primo posto" in said(found)


def test_a_resolved_case_keyed_two_days_later_is_reopened_at_its_place(client, settings, nohold, clock):
    book(client, settings)
    first = booked_item(nohold)
    resolve(nohold, first.id)
    clock.advance(2 * DAY)
    nohold.queue.enqueue(WorkItem(id="", kind="callback", channel="voice", lang="it", acquired_at=clock() - 60,
                                  natural_key="callback:someone-else", customer="+393479999999"))
    other = "CA" + "4" * 32
    call(client, settings, "/voice/incoming", sid=other, caller="anonymous")
    twiml = call(client, settings, "/voice/step?seq=1", sid=other, caller="anonymous", Digits="*" + first.case_number)
    assert "l'ho riaperta" in said(twiml)
    assert "Hangup" in [v.tag for v in verbs(twiml)]
    again = booked_item(nohold)
    assert (again.case_number, again.acquired_at) == (first.case_number, first.acquired_at)
    assert nohold.queue.position(again.id) == 1


def test_a_case_resolved_too_long_ago_is_not_reopened_and_the_call_goes_on(client, settings, nohold, clock):
    book(client, settings)
    first = booked_item(nohold)
    resolve(nohold, first.id)
    clock.advance(8 * DAY)
    other = "CA" + "5" * 32
    call(client, settings, "/voice/incoming", sid=other, caller="anonymous")
    twiml = call(client, settings, "/voice/step?seq=1", sid=other, caller="anonymous", Digits="*" + first.case_number)
    assert "non posso riaprirla" in said(twiml)
    assert gather(twiml) is not None
    assert booked_item(nohold) is None


def test_stato_with_a_case_number_by_sms_answers_for_that_case(client, settings, nohold):
    book(client, settings)
    number = booked_item(nohold).case_number
    [answer] = sms(client, settings, f"STATO {number[:4]} {number[4:]}", sid="SM" + "1" * 32, sender="+393331112222")
    assert answer.startswith(f"Richiesta {case_numbers.display(number)}: è al primo posto in coda")


def test_stato_with_a_mistyped_number_finds_nothing(client, settings, nohold):
    book(client, settings)
    number = booked_item(nohold).case_number
    typo = number[:7] + str((int(number[7]) + 1) % 10)
    [answer] = sms(client, settings, f"STATO {typo}", sid="SM" + "2" * 32)
    assert answer.startswith("Non troviamo nessuna richiesta")


def test_a_chat_acknowledgement_prints_the_case_and_stato_in_a_chat_answers(client, settings, nohold, social_jobs):
    assert sms(client, settings, "buongiorno, la fibra non va da ieri", sid="SM" + "3" * 32,
               sender="+393335556666") == []
    social_jobs()
    thread = nohold.social.threads.for_customer("sms", "+393335556666")
    number = nohold.queue.get(thread.item_id).case_number
    [ack] = [e["body"] for e in nohold.outbox.entries()]
    assert f"Numero della tua richiesta: {case_numbers.display(number)}." in ack
    assert sms(client, settings, f"stato {number}", sid="SM" + "4" * 32, sender="+393335556666") != []

"""Issue 17's "Done means", as one journey through the real app (signed Twilio and Meta webhooks, real Redis,
the RQ jobs run in process, the API with a bearer token):

a call books a callback (the case number said and in the SMS) -> the same person writes on Messenger with the
handoff code from that SMS -> one item, one case, both channels in the timeline -> an agent resolves it -> two
days later the customer calls and keys the case number -> reopened with the original place. A stranger keying
someone's customer code hears no account data, and no Redis key name holds a phone number.
"""
from __future__ import annotations

import json
import re

import pytest
from twilio.request_validator import RequestValidator

from social_bridge.customers import case_numbers
from tests.support.apps import built, graph  # noqa: F401 (fixture)
from tests.support.fake_social import meta_signature
from tests.support.twiml_helpers import said

CALLER, OTHER, STRANGER = "+393471234567", "+393355550142", "+393479990000"
MARCO = "+393331230472"               # on file (data/demo_customers.yaml): customer C-100472, bill 34,90 unpaid
PSID, PAGE, APP_SECRET = "6543210987654321", "1122334455", "meta-app-secret"
PASSWORD = "long enough secret"
DAY = 86400
_sid = iter(range(1, 1000))


@pytest.fixture
def app(settings, clock, redis_client, graph):
    """Messenger configured, so the callback receipt offers it with the call's handoff code."""
    configured = settings.with_overrides(messenger_app_secret=APP_SECRET, messenger_verify_token="verify",
                                         messenger_page_token="page-token", messenger_page_id=PAGE,
                                         graph_api_base=graph.base_url + "/v21.0", channels=("sms", "messenger"))
    with built(configured, clock) as application:
        yield application


class Call:
    """One phone call through the signed voice webhooks."""

    def __init__(self, client, settings, caller: str):
        self.client, self.settings, self.caller = client, settings, caller
        self.sid, self.seq = f"CA{next(_sid):032d}", 0

    def __call__(self, digits: str | None = None) -> str:
        self.seq += digits is not None
        path = "/voice/incoming" if digits is None else f"/voice/step?seq={self.seq}"
        form = {"CallSid": self.sid, "From": self.caller, "To": "+390200000000",
                **({"Digits": digits} if digits is not None else {})}
        signature = RequestValidator(self.settings.signing_token).compute_signature(self.settings.url(path), form)
        response = self.client.post(path, data=form, headers={"X-Twilio-Signature": signature})
        assert response.status_code == 200
        return said(response.data.decode())


def messenger(client, clock, event: dict) -> None:
    body = json.dumps({"object": "page", "entry": [{"id": PAGE, "time": int(clock() * 1000), "messaging": [
        {"sender": {"id": PSID}, "recipient": {"id": PAGE}, "timestamp": int(clock() * 1000), **event}]}]}).encode()
    response = client.post("/social/messenger", data=body, content_type="application/json",
                           headers={"X-Hub-Signature-256": meta_signature(APP_SECRET, body)})
    assert response.status_code == 200


def sms_to(nohold, number: str, key_prefix: str) -> list[str]:
    bodies = []
    for key in nohold.redis.keys(f"nohold:{{msgkey:{key_prefix}*"):
        message = nohold.messages.get(nohold.redis.get(key))
        if message["to"] == number:
            bodies.append(message["body"])
    return bodies


def book_asap(client, settings, caller: str) -> str:
    call = Call(client, settings, caller)
    call()
    call("1")                  # internet, keyed at the first question
    call("1")                  # a callback as soon as possible
    return call("1")           # on this number


def test_the_journey_of_issue_17(app, settings, nohold, clock, social_jobs):
    client = app.test_client()
    # 1. a call books a callback: the case number is said digit by digit, and printed in the SMS receipt
    goodbye = book_asap(client, settings, CALLER)
    [item_id] = [i for i in nohold.redis.zrange(nohold.queue.keys.items_waiting, 0, -1)]
    booked = nohold.queue.get(item_id)
    number = booked.case_number
    assert case_numbers.is_valid(number)
    assert f"{' '.join(number[:4])}, {' '.join(number[4:])}" in goodbye
    [receipt] = sms_to(nohold, CALLER, "receipt:")
    assert case_numbers.display(number) in receipt
    code = re.search(r"m\.me/\d+\?ref=([A-Z0-9-]+)", receipt).group(1)

    # someone else calls an hour later: they are behind our customer, now and after the reopening
    clock.advance(3600)
    book_asap(client, settings, OTHER)

    # 2. the same person writes on Messenger with the handoff code of that SMS, then writes again
    messenger(client, clock, {"referral": {"ref": code, "source": "SHORTLINK", "type": "OPEN_THREAD"}})
    messenger(client, clock, {"message": {"mid": "m_journey_1", "text": "la fibra continua a non andare"}})
    social_jobs()
    thread = nohold.social.threads.for_customer("messenger", PSID)
    assert thread.item_id == booked.id                                     # one item
    assert sum(nohold.queue.depth().values()) == 2                         # ours and the other caller's
    case = nohold.cases.get(number)
    assert case.channels == ("voice", "messenger")                         # one case, both channels
    person = nohold.customers.find("phone", CALLER)
    assert nohold.customers.find("messenger", PSID).id == person.id == case.customer_id
    nohold.bridge.agents.create("Anna", PASSWORD, role="supervisor")
    auth = {"Authorization": f"Bearer {nohold.bridge.agents.issue_token('anna')}"}
    timeline = client.get(f"/api/customers/{person.id}/history", headers=auth).get_json()["timeline"]
    assert {("call", "voice"), ("message", "messenger")} <= {(e["type"], e["channel"]) for e in timeline}
    assert "la fibra continua a non andare" in json.dumps(timeline)

    # 3. an agent resolves it
    fence = client.post(f"/api/items/{booked.id}/claim", headers=auth).get_json()["fence"]
    done = client.post(f"/api/items/{booked.id}/complete", headers=auth, json={"fence": fence, "outcome": "resolved"})
    assert done.status_code == 200
    assert nohold.cases.get(number).state == "resolved"

    # 4. two days later the customer calls and keys the case number: reopened, with the original place
    clock.advance(2 * DAY)
    call = Call(client, settings, CALLER)
    call()
    heard = call("*" + number)
    assert "l'ho riaperta" in heard
    assert "al primo posto in coda" in heard
    reopened = nohold.cases.get(number)
    again = nohold.queue.get(reopened.item_id)
    assert (reopened.state, again.acquired_at, again.case_number) == ("open", booked.acquired_at, number)
    assert nohold.queue.position(again.id) == 1

    # 5. a stranger keying someone's customer code hears no account data
    stranger = Call(client, settings, STRANGER)
    stranger()
    heard = stranger("3")                                                  # the bill
    heard += stranger("100472#")                                           # Marco's customer code
    [texted] = sms_to(nohold, MARCO, "identify:")                         # the code goes to Marco's phone only
    right = re.search(r"\b(\d{6})\b", texted).group(1)
    for _ in range(6):
        heard += stranger(f"{(int(right) + 1) % 1_000_000:06d}")
    assert "non posso leggerle i dati del contratto" in heard
    assert "ultima bolletta" not in heard
    assert "euro" not in heard

    # 6. no key name holds a phone number (in any of its forms: the last 9 digits)
    names = nohold.redis.keys("*")
    for secret in (CALLER, OTHER, STRANGER, MARCO):
        assert [name for name in names if secret.lstrip("+")[-9:] in name] == [], secret

"""Identification before account data: a caller not on file (or anyone, by setting) keys the customer code or
line number and types back a one-time code texted to the number on file; a stranger hears no account data."""
from __future__ import annotations

import pytest
from twilio.request_validator import RequestValidator

from tests.support.twiml_helpers import gather, said

STRANGER = "+393479990000"          # not on file
MARCO = "+393331230472"             # on file: customer C-100472, last bill 34,90 unpaid (data/demo_customers.yaml)
BILL = "La sua ultima bolletta"
_sid = iter(range(1, 10_000))


class Call:
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
        return response.data.decode()


def texted_codes(nohold) -> list[tuple[str, str]]:
    """(to, body) of the verification codes sent so far."""
    found = []
    for key in nohold.redis.keys("nohold:{msgkey:identify:*"):
        message = nohold.messages.get(nohold.redis.get(key))
        found.append((message["to"], message["body"]))
    return found


def code_in(body: str) -> str:
    return next(word.strip(".") for word in body.split() if word.strip(".").isdigit() and len(word.strip(".")) == 6)


@pytest.fixture
def client(app):
    return app.test_client()


def ask_about_the_bill(client, settings, caller: str) -> tuple[Call, str]:
    call = Call(client, settings, caller)
    call()
    return call, call("3")   # 3: the bill, keyed at the first question


def test_a_caller_not_on_file_is_asked_to_identify_before_any_bill(client, settings, nohold):
    call, twiml = ask_about_the_bill(client, settings, STRANGER)
    assert "codice cliente o il numero della linea" in said(twiml)
    assert BILL not in said(twiml)
    assert gather(twiml).get("finishOnKey") == "#"


def test_a_stranger_with_someones_code_gets_no_data_and_the_code_goes_to_the_number_on_file(client, settings, nohold):
    call, _ = ask_about_the_bill(client, settings, STRANGER)
    sent = call("100472#")
    assert "Se il codice è giusto" in said(sent)
    [(to, body)] = texted_codes(nohold)
    assert to == MARCO
    wrong = f"{(int(code_in(body)) + 1) % 1_000_000:06d}"
    for _ in range(6):
        twiml = call(wrong)
        assert BILL not in said(twiml)
    assert "non posso leggerle i dati" in said(twiml)


def test_the_customer_who_types_back_the_code_hears_the_bill(client, settings, nohold):
    call, _ = ask_about_the_bill(client, settings, STRANGER)   # calling from another phone
    call("100472#")
    [(_, body)] = texted_codes(nohold)
    twiml = call(code_in(body))
    assert BILL in said(twiml)
    person = nohold.customers.find("phone", MARCO)
    assert (person.customer_code, person.name) == ("C-100472", "Marco")


def test_an_unknown_account_hears_the_same_and_nothing_is_sent(client, settings, nohold):
    call, _ = ask_about_the_bill(client, settings, STRANGER)
    assert "Se il codice è giusto" in said(call("999999#"))
    assert texted_codes(nohold) == []


def test_the_number_on_file_hears_its_bill_without_a_code(client, settings, nohold):
    _, twiml = ask_about_the_bill(client, settings, MARCO)
    assert BILL in said(twiml)


def test_with_identify_everyone_the_number_on_file_is_asked_too(settings, clock, redis_client):
    from ivr import create_app

    strict = settings.with_overrides(identify_everyone=1)
    app = create_app({"SETTINGS": strict, "CLOCK": clock})
    _, twiml = ask_about_the_bill(app.test_client(), strict, MARCO)
    app.extensions["nohold"].metrics.close()
    assert BILL not in said(twiml)
    assert "codice cliente" in said(twiml)

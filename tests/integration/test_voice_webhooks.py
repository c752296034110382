"""The voice webhooks' edges: signatures, replays, errors, fallback, status, the first-level menu."""
from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from twilio.request_validator import RequestValidator

from tests.support.twiml_helpers import gather, said, verbs

CALLER = "+393471234567"


def signed(settings, path: str, form: dict, token: str | None = None, algorithm: str = "HMAC_SHA1") -> dict:
    signature = RequestValidator(token or settings.signing_token).compute_signature(settings.url(path), form, algorithm)
    return {"X-Twilio-Signature": signature}


def call(client, settings, path: str, **form):
    form = {"CallSid": "CA" + "1" * 32, "From": CALLER, "To": "+390200000000", **form}
    return client.post(path, data=form, headers=signed(settings, path, form))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.mark.parametrize("headers", [
    {},
    {"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"},
    "wrong-token",
    "tampered",
])
def test_forged_or_missing_signature_is_403_and_writes_nothing(client, settings, redis_client, headers):
    form = {"CallSid": "CA" + "2" * 32, "From": CALLER}
    if headers == "wrong-token":
        headers = signed(settings, "/voice/incoming", form, token="not-the-token")
    elif headers == "tampered":
        headers = signed(settings, "/voice/incoming", form)
        form = {**form, "From": "+393330000000"}
    before = redis_client.dbsize()
    response = client.post("/voice/incoming", data=form, headers=headers)
    assert response.status_code == 403
    assert redis_client.dbsize() == before == 0


@pytest.mark.parametrize("path", ["/voice/incoming", "/voice/step?seq=1", "/voice/status", "/voice/fallback",
                                  "/sms/incoming"])
def test_every_twilio_endpoint_checks_the_signature(client, redis_client, path):
    assert client.post(path, data={"CallSid": "CA1", "MessageSid": "SM1", "From": CALLER}).status_code == 403
    assert redis_client.dbsize() == 0


def test_signature_checked_against_public_base_url_not_the_proxy_url(client, settings):
    form = {"CallSid": "CA" + "3" * 32, "From": CALLER}
    inner = RequestValidator(settings.signing_token).compute_signature("http://localhost/voice/incoming", form)
    assert client.post("/voice/incoming", data=form, headers={"X-Twilio-Signature": inner}).status_code == 403
    assert call(client, settings, "/voice/incoming").status_code == 200


def test_webhook_rules_hmac_sha256_with_shared_key(app, settings, redis_client):
    app.config["NOHOLD"] = settings.with_overrides(twilio_webhook_shared_key="shared-secret")
    form = {"CallSid": "CA" + "4" * 32, "From": CALLER}
    headers = signed(settings, "/voice/incoming", form, token="shared-secret", algorithm="HMAC_SHA256")
    headers["X-Twilio-Webhooks-Signature-Settings"] = "key=webhooks_sharedkey_1,algorithm=HMAC_SHA256"
    client = app.test_client()
    assert client.post("/voice/incoming", data=form, headers=headers).status_code == 200
    expected = base64.b64encode(hmac.new(b"shared-secret", (settings.url("/voice/incoming") + "CallSid" + form["CallSid"]
                                                           + "From" + CALLER).encode(), hashlib.sha256).digest()).decode()
    assert headers["X-Twilio-Signature"] == expected
    headers["X-Twilio-Signature"] = signed(settings, "/voice/incoming", form, algorithm="HMAC_SHA256")["X-Twilio-Signature"]
    assert client.post("/voice/incoming", data={**form, "CallSid": "CA" + "5" * 32}, headers=headers).status_code == 403


def test_replayed_webhooks_give_the_same_answer_and_one_work_item(client, settings, nohold):
    first = call(client, settings, "/voice/incoming")
    assert call(client, settings, "/voice/incoming").data == first.data
    call(client, settings, "/voice/step?seq=1", SpeechResult="internet non funziona per niente", Confidence="0.9")
    call(client, settings, "/voice/step?seq=2", Digits="1")
    booked = [call(client, settings, "/voice/step?seq=3", Digits="1") for _ in range(3)]
    assert booked[0].data == booked[1].data == booked[2].data
    assert nohold.queue.depth()["callback"] == 1
    assert "Hangup" in [v.tag for v in verbs(booked[0].data)]


def test_booking_again_keeps_the_earliest_place(client, settings, nohold, clock):
    def book(sid: str, caller: str, number: str):  # number: "1" = yes to the caller's own, else keyed
        for path, extra in (("/voice/incoming", {}), ("/voice/step?seq=1", {"Digits": "1"}),
                            ("/voice/step?seq=2", {"Digits": "1"}), ("/voice/step?seq=3", {"Digits": number})):
            call(client, settings, path, CallSid=sid, From=caller, **extra)
    book("CA" + "a" * 32, CALLER, "1")
    first = nohold.queue.pending_for(nohold.desk.callback_key(CALLER))
    clock.advance(600)
    book("CA" + "b" * 32, "anonymous", "3471234567#")  # from CALLER's line it would hear the open request
    again = nohold.queue.pending_for(nohold.desk.callback_key(CALLER))
    assert again.id == first.id
    assert again.acquired_at == first.acquired_at
    assert nohold.queue.depth()["callback"] == 1


@pytest.mark.parametrize("digit,intent", [("6", "complaint"), ("0", "human_agent"), ("3", "billing")])
def test_keypad_works_at_the_first_question_complaint_included(client, settings, nohold, digit, intent):
    call(client, settings, "/voice/incoming")
    response = call(client, settings, "/voice/step?seq=1", Digits=digit)
    assert nohold.calls.load("CA" + "1" * 32).intent == intent
    assert gather(response.data).get("action") == "/voice/step?seq=2"


def test_nine_switches_to_english(client, settings, nohold):
    call(client, settings, "/voice/incoming")
    response = call(client, settings, "/voice/step?seq=1", Digits="9")
    assert gather(response.data).get("language") == "en-GB"
    assert "what are you calling about" in said(response.data)


def test_low_confidence_is_confirmed_then_no_asks_again(client, app, settings):
    from ivr.understanding import Interpretation

    class Unsure:
        def interpret(self, text, lang):
            return Interpretation("internet_slow", 0.5, "internet_slow") if "lento" in text else Interpretation(None, 0, None)

    app.extensions["nohold"].flow.understanding = Unsure()
    call(client, settings, "/voice/incoming")
    confirm = call(client, settings, "/voice/step?seq=1", SpeechResult="va un po lento")
    assert "Ho capito che internet va lento" in said(confirm.data)
    again = call(client, settings, "/voice/step?seq=2", Digits="2")
    assert app.extensions["nohold"].prompts.text("it", "voice.ask_reason_again") in said(again.data)
    assert gather(again.data).get("input") == "speech dtmf"


def test_an_error_inside_still_speaks_the_callers_language(client, app, settings):
    class Broken:
        def interpret(self, text, lang):
            raise RuntimeError("model exploded")

    app.extensions["nohold"].flow.understanding = Broken()
    call(client, settings, "/voice/incoming", From="+447400123456")
    response = call(client, settings, "/voice/step?seq=1", SpeechResult="my bill", From="+447400123456")
    assert response.status_code == 200
    tags = [v.tag for v in verbs(response.data)]
    assert tags == ["Say", "Hangup"]
    assert "technical problem" in said(response.data)
    assert b"Traceback" not in response.data
    assert b"RuntimeError" not in response.data


def test_fallback_is_static_bilingual_and_needs_no_redis(client, settings, nohold, redis_client):
    nohold.redis.connection_pool.connection_kwargs["port"] = 1  # Redis gone for this app
    nohold.redis.connection_pool.disconnect()
    response = call(client, settings, "/voice/fallback")
    assert response.status_code == 200
    assert [s.get("language") for s in verbs(response.data) if s.tag == "Say"] == ["it-IT", "en-GB"]


def test_redis_down_during_a_call_gives_an_apology_in_the_callers_language(client, settings, nohold):
    nohold.redis.connection_pool.connection_kwargs["port"] = 1
    nohold.redis.connection_pool.disconnect()
    response = call(client, settings, "/voice/incoming")
    assert response.status_code == 200
    assert "problema tecnico" in said(response.data)


@pytest.mark.parametrize("form,path", [({"From": CALLER}, "/voice/incoming"),
                                       ({"CallSid": "CA9"}, "/voice/step"),
                                       ({"CallSid": "CA9"}, "/voice/step?seq=abc")])
def test_malformed_webhooks_are_4xx(client, settings, form, path):
    response = client.post(path, data=form, headers=signed(settings, path, form))
    assert response.status_code == 400
    assert response.is_json


def test_status_callback_counts_each_call_once(client, settings, nohold):
    call(client, settings, "/voice/incoming")
    for _ in range(3):
        assert call(client, settings, "/voice/status", CallStatus="completed", CallDuration="42").status_code == 204
    counters = nohold.metrics.counters()
    assert counters["calls_ended|outcome=abandoned"] == 1
    assert counters["call_seconds"] == 42


def test_after_hours_asap_means_the_next_opening(client, settings, nohold, clock):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from tests.conftest import CLOSED_TIME, ROME

    clock.set(datetime(*CLOSED_TIME, tzinfo=ZoneInfo(ROME)))
    greeting = call(client, settings, "/voice/incoming")
    assert "tornano domani alle 8 e 30" in said(greeting.data)
    call(client, settings, "/voice/step?seq=1", Digits="1")
    call(client, settings, "/voice/step?seq=2", Digits="1")
    booked = call(client, settings, "/voice/step?seq=3", Digits="1")
    assert "quando riapriamo" in said(booked.data)
    item = nohold.queue.pending_for(nohold.desk.callback_key(CALLER))
    opening = datetime(2026, 12, 3, 8, 30, tzinfo=ZoneInfo(ROME)).timestamp()
    assert item.status == "scheduled"
    assert item.not_before == opening


def test_asap_booking_replaces_an_earlier_window_but_keeps_the_place(client, settings, nohold, clock):
    sid_window, sid_asap = "CA" + "c" * 32, "CA" + "d" * 32
    for path, extra in (("/voice/incoming", {}), ("/voice/step?seq=1", {"Digits": "1"}),
                        ("/voice/step?seq=2", {"Digits": "2"}), ("/voice/step?seq=3", {"Digits": "1"}),
                        ("/voice/step?seq=4", {"Digits": "1"})):
        call(client, settings, path, CallSid=sid_window, **extra)
    scheduled = nohold.queue.pending_for(nohold.desk.callback_key(CALLER))
    assert scheduled.status == "scheduled"
    clock.advance(120)
    # from a withheld line, keying the same number: calling from it, the caller would hear the open request first
    for path, extra in (("/voice/incoming", {}), ("/voice/step?seq=1", {"Digits": "1"}),
                        ("/voice/step?seq=2", {"Digits": "1"})):
        call(client, settings, path, CallSid=sid_asap, From="anonymous", **extra)
    booked = call(client, settings, "/voice/step?seq=3", CallSid=sid_asap, From="anonymous", Digits="3471234567#")
    item = nohold.queue.get(scheduled.id)
    assert item.status == "waiting"
    assert item.acquired_at == scheduled.acquired_at
    assert "al primo posto in coda" in said(booked.data)


def test_a_step_from_the_future_gets_the_pending_question_and_moves_nothing(client, settings, nohold):
    first = call(client, settings, "/voice/incoming")
    early = call(client, settings, "/voice/step?seq=7", Digits="1")
    assert early.data == first.data
    state = nohold.calls.load("CA" + "1" * 32)
    assert state.seq == 1
    assert state.node == "reason"


def test_a_replayed_call_start_is_counted_once_and_keys_stay_in_the_calls_slot(client, settings, nohold, redis_client):
    for _ in range(3):
        call(client, settings, "/voice/incoming")
    assert nohold.metrics.counters()["calls|lang=it"] == 1
    import re
    tags = {re.search(r"\{([^}]*)\}", key).group(1) for key in redis_client.keys("nohold:*")}
    assert tags == {"call:" + "1" * 34, "metrics"} or tags == {"call:CA" + "1" * 32, "metrics"}


@pytest.mark.parametrize("signed_as", ["exact", "with-port", "repeated-key"])
def test_genuine_signature_variants_pass_and_one_changed_byte_fails(client, settings, redis_client, signed_as):
    """The one-HMAC fast path for the exact URL; Twilio's full check for a URL signed with its default port."""
    from urllib.parse import urlsplit
    form = {"CallSid": "CA" + "6" * 32, "From": CALLER}
    url = settings.url("/voice/incoming")
    if signed_as == "with-port":
        parts = urlsplit(url)
        url = url.replace(parts.netloc, f"{parts.hostname}:{443 if parts.scheme == 'https' else 80}", 1)
    data = form
    if signed_as == "repeated-key":
        from werkzeug.datastructures import MultiDict
        data = MultiDict([*form.items(), ("Digits", "1"), ("Digits", "2")])
    signature = RequestValidator(settings.signing_token).compute_signature(url, data)
    tampered = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    assert client.post("/voice/incoming", data=data, headers={"X-Twilio-Signature": tampered}).status_code == 403
    assert redis_client.dbsize() == 0
    assert client.post("/voice/incoming", data=data, headers={"X-Twilio-Signature": signature}).status_code == 200


def test_from_country_spares_the_parse_but_english_callers_are_still_checked(client, settings, nohold):
    call(client, settings, "/voice/incoming", CallSid="CA" + "7" * 32, From="+447400123456", FromCountry="GB")
    call(client, settings, "/voice/incoming", CallSid="CA" + "8" * 32, From="+393331234567", FromCountry="IT")
    # a withheld caller-ID stand-in said to be from an English-speaking country is not taken for English
    call(client, settings, "/voice/incoming", CallSid="CA" + "9" * 32, From="+7378742833", FromCountry="US")
    langs = [nohold.calls.load("CA" + d * 32).lang for d in "789"]
    assert langs == ["en", "it", "it"]

"""Every call ends; a caller who hangs up before choosing keeps their place by SMS; an open request at the
greeting (issue 15 §3, §5). Real Flask, real Redis, signed webhooks, TwiML parsed; SMS through the jobs
into the dev outbox."""
from __future__ import annotations


import pytest

from tests.support.twiml_helpers import gather, said, verbs
from tests.support.twilio_requests import signed_post, sms_replies

CALLER = "+393471234567"
SID = "CA" + "e" * 32


def post(client, settings, path: str, **form):
    form = {"CallSid": SID, "From": CALLER, "To": "+390200000000", **form}
    response = signed_post(client, settings, path, form)
    assert response.status_code in (200, 204), response.data
    return response


def sms(client, settings, body: str, sid: str, sender: str = CALLER) -> list[str]:
    return sms_replies(client, settings, body, sid, sender)


def hangs_up(body: bytes) -> bool:
    return "Hangup" in [v.tag for v in verbs(body)]


def texts_to(nohold, number: str) -> list[str]:
    return [entry["body"] for entry in nohold.outbox.entries() if entry["to"] == number]


@pytest.fixture
def client(app):
    return app.test_client()


# -- §3: every call ends ---------------------------------------------------------------------------------
@pytest.mark.parametrize("caller, texted", [(CALLER, 1), ("anonymous", 0)])
def test_200_silent_answers_end_within_the_cap_with_at_most_one_sms(client, settings, nohold, social_jobs,
                                                                    caller, texted):
    post(client, settings, "/voice/incoming", From=caller)
    for seq in range(1, 201):
        response = post(client, settings, f"/voice/step?seq={seq}", From=caller)
        if hangs_up(response.data):
            break
    assert seq == settings.call_max_unusable
    assert gather(response.data) is None
    assert nohold.calls.load(SID).outcome == "capped"
    post(client, settings, "/voice/status", From=caller, CallStatus="completed", CallDuration="95")
    social_jobs()
    assert len(nohold.outbox.entries()) == texted, "one SMS with the ways to reach us, only to a number we may text"


def test_the_ways_to_reach_us_are_in_the_callers_language(client, settings, nohold, social_jobs):
    uk = "+447400123456"
    post(client, settings, "/voice/incoming", From=uk)
    for seq in range(1, settings.call_max_unusable + 1):
        response = post(client, settings, f"/voice/step?seq={seq}", From=uk, SpeechResult="zzz qwerty")
    assert "understand each other" in said(response.data)


def test_a_withheld_caller_pressing_3_again_and_again_is_ended(client, settings, nohold):
    post(client, settings, "/voice/incoming", From="anonymous")
    post(client, settings, "/voice/step?seq=1", From="anonymous", Digits="1")  # internet: the options
    for seq in range(2, 200):
        response = post(client, settings, f"/voice/step?seq={seq}", From="anonymous", Digits="3")
        if hangs_up(response.data):
            break
    assert seq - 1 == settings.call_max_unusable
    assert nohold.metrics.counters()["calls_capped|cap=unusable"] == 1


# -- §5: hung up after the reason, before choosing ---------------------------------------------------------
def at_options(client, settings, caller: str = CALLER) -> None:
    post(client, settings, "/voice/incoming", From=caller)
    response = post(client, settings, "/voice/step?seq=1", From=caller,
                    SpeechResult="non mi funziona internet da stamattina", Confidence="0.9")
    assert gather(response.data) is not None


def test_hanging_up_at_the_options_texts_one_callback_offer(client, settings, nohold, social_jobs):
    at_options(client, settings)
    for _ in range(3):  # Twilio may deliver the status callback more than once
        post(client, settings, "/voice/status", CallStatus="completed", CallDuration="30")
    social_jobs()
    offers = texts_to(nohold, CALLER)
    assert len(offers) == 1
    assert "CHIAMAMI" in offers[0]
    assert nohold.metrics.counters()["callback_offers|lang=it"] == 1


def test_chiamami_books_the_callback_with_the_time_of_the_call(client, settings, nohold, social_jobs, clock):
    started = clock()
    at_options(client, settings)
    post(client, settings, "/voice/status", CallStatus="completed", CallDuration="30")
    clock.advance(3600)
    assert sms(client, settings, "Chiamami", "SM" + "1" * 32) == [], "the receipt SMS is the answer"
    item = nohold.queue.pending_for(nohold.desk.callback_key(CALLER))
    assert item.acquired_at == started, "the callback keeps the place earned by the call"
    assert item.intent == "internet_down"
    assert item.summary == "non mi funziona internet da stamattina"
    social_jobs()
    assert "4567" in texts_to(nohold, CALLER)[0], "the receipt names the number we will call"


def test_the_offer_books_once(client, settings, nohold):
    at_options(client, settings)
    post(client, settings, "/voice/status", CallStatus="completed", CallDuration="30")
    sms(client, settings, "CHIAMAMI", "SM" + "1" * 32)
    first = nohold.queue.pending_for(nohold.desk.callback_key(CALLER))
    nohold.queue.cancel(first.id, reason="test")
    sms(client, settings, "CHIAMAMI", "SM" + "2" * 32)  # no offer left: a conversation for the inbox
    assert nohold.queue.pending_for(nohold.desk.callback_key(CALLER)) is None


@pytest.mark.parametrize("caller", ["anonymous", "+390212345678"])  # withheld; a fixed line (not a mobile)
def test_no_offer_but_to_a_mobile(client, settings, nohold, social_jobs, caller):
    at_options(client, settings, caller)
    post(client, settings, "/voice/status", From=caller, CallStatus="completed", CallDuration="30")
    social_jobs()
    assert nohold.outbox.entries() == []


def test_no_offer_before_the_reason_or_after_a_choice(client, settings, nohold, social_jobs):
    post(client, settings, "/voice/incoming")
    post(client, settings, "/voice/status", CallStatus="completed", CallDuration="5")
    other = "CA" + "f" * 32
    post(client, settings, "/voice/incoming", CallSid=other)
    post(client, settings, "/voice/step?seq=1", CallSid=other, Digits="1")
    post(client, settings, "/voice/step?seq=2", CallSid=other, Digits="3")  # chat chosen: its SMS only
    post(client, settings, "/voice/status", CallSid=other, CallStatus="completed", CallDuration="20")
    social_jobs()
    assert len(nohold.outbox.entries()) == 1
    assert "CHIAMAMI" not in nohold.outbox.entries()[0]["body"]


def test_the_offer_can_be_turned_off(settings, clock, redis_client, job_services, run_jobs):
    from ivr import create_app

    app = create_app({"SETTINGS": settings.with_overrides(abandoned_call_sms="off"), "CLOCK": clock})
    nohold = app.extensions["nohold"]
    job_services.install(nohold)
    at_options(app.test_client(), settings)
    post(app.test_client(), settings, "/voice/status", CallStatus="completed", CallDuration="30")
    run_jobs()
    assert nohold.outbox.entries() == []
    nohold.metrics.close()


# -- §5: an open request at the greeting ----------------------------------------------------------------------
def test_a_caller_with_a_callback_hears_its_place_and_may_cancel_it(client, settings, nohold):
    for seq, digits in enumerate(("1", "1", "1"), start=1):  # internet, callback asap, this number
        if seq == 1:
            post(client, settings, "/voice/incoming")
        post(client, settings, f"/voice/step?seq={seq}", Digits=digits)
    item = nohold.queue.pending_for(nohold.desk.callback_key(CALLER))
    again = "CA" + "d" * 32
    greeting = post(client, settings, "/voice/incoming", CallSid=again)
    heard = nohold.prompts.text("it", "voice.open_request", position=nohold.prompts.position("it", 1))
    assert heard in said(greeting.data)
    assert gather(greeting.data).get("numDigits") == "1"
    bye = post(client, settings, "/voice/step?seq=1", CallSid=again, Digits="2")
    assert hangs_up(bye.data)
    assert nohold.queue.get(item.id).status == "cancelled"


def test_replying_with_words_to_the_offer_opens_a_chat_that_keeps_the_calls_place(client, settings, nohold,
                                                                                  social_jobs, clock):
    started = clock()
    at_options(client, settings)
    post(client, settings, "/voice/status", CallStatus="completed", CallDuration="30")
    clock.advance(1800)
    sms(client, settings, "il modem lampeggia rosso da ieri", "SM" + "3" * 32)
    social_jobs()
    assert nohold.queue.pending_for(nohold.desk.callback_key(CALLER)) is None, "words are a conversation, not a callback"
    items = [nohold.queue.get(i) for i in nohold.redis.zrange(nohold.queue.keys.items_waiting, 0, -1)]
    assert [(i.kind, i.acquired_at) for i in items] == [("thread", started)]


def test_chiamami_within_the_booking_limits_only(client, settings, nohold):
    at_options(client, settings)
    post(client, settings, "/voice/status", CallStatus="completed", CallDuration="30")
    for _ in range(settings.bookings_per_number_per_day):  # booked and handled three times today already
        nohold.desk.booking_counted(CALLER)
    reply = sms(client, settings, "CHIAMAMI", "SM" + "4" * 32)
    assert reply == [nohold.prompts.text("it", "chat.callback_refused_daily")]
    assert nohold.queue.pending_for(nohold.desk.callback_key(CALLER)) is None

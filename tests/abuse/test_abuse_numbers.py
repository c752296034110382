"""Callback numbers under abuse (issue 7): a 30-number table through the policy and the call flow with
the sentence the caller hears, then the per-number limit (3 new bookings in 24 h) and the breaker
for bursts over adjacent numbers. One pending callback per number is test_voice_webhooks.py's
test_booking_again_keeps_the_earliest_place."""
from __future__ import annotations

import hashlib
import logging
import re

import pytest

from ivr.call.callback_policy import check_callback_number
from tests.integration.test_voice_webhooks import call
from tests.support.twiml_helpers import said, verbs

# (number as caller ID or keyed, reason or None when we may call it back)
NUMBERS = [
    ("+393471234567", None), ("+393331234567", None), ("+393201234567", None),      # mobiles
    ("+390612345678", None), ("+390212345678", None), ("+390552345678", None),      # Rome, Milan, Florence
    ("+39899123456", "premium"), ("+39892123", "premium"),
    ("+39199123456", "shared_cost"), ("+39840123456", "shared_cost"), ("+39848123456", "shared_cost"),
    ("+882123456789", "country"), ("+883510012345678", "country"),                  # international networks
    ("+266696687", "withheld"), ("+7378742833", "withheld"), ("+2562533", "withheld"), ("+8656696", "withheld"),
    ("anonymous", "withheld"), ("restricted", "withheld"),
    ("112", "emergency"), ("113", "emergency"), ("118", "emergency"), ("+39115", "emergency"),
    ("4916", "short_code"), ("119", "short_code"), ("187", "short_code"),
    ("347123", "invalid"), ("+393471234567890", "invalid"), ("0612", "invalid"),   # wrong lengths
    ("+447400123456", "country"), ("+39800123456", "type"),                         # abroad; free phone
]
KEYABLE = [(number, reason) for number, reason in NUMBERS if re.fullmatch(r"\+?\d+", number)]


def test_the_table_covers_every_reason():
    assert len(NUMBERS) >= 30
    assert {reason for _, reason in NUMBERS} == {None, "premium", "shared_cost", "country", "withheld", "emergency",
                                                 "short_code", "invalid", "type"}


@pytest.mark.parametrize("number, reason", NUMBERS)
def test_policy(number, reason):
    assert check_callback_number(number).reason == reason


@pytest.fixture
def client(app):
    return app.test_client()


def to_options(client, settings, sid: str, caller: str, english: bool = False) -> int:
    """A call up to "how shall we get back to you" (keypad 0: a human); returns the next seq."""
    call(client, settings, "/voice/incoming", CallSid=sid, From=caller)
    seq = 1
    if english:
        call(client, settings, "/voice/step?seq=1", CallSid=sid, From=caller, Digits="9")
        seq = 2
    call(client, settings, f"/voice/step?seq={seq}", CallSid=sid, From=caller, Digits="0")
    return seq + 1


@pytest.mark.parametrize("number, reason", NUMBERS)
def test_caller_id_through_the_call_flow(client, settings, nohold, number, reason):
    sid = "CA" + hashlib.md5(number.encode()).hexdigest()
    seq = to_options(client, settings, sid, number)
    heard = said(call(client, settings, f"/voice/step?seq={seq}", CallSid=sid, From=number, Digits="1").data)
    lang = nohold.calls.load(sid).lang
    if reason is None:
        assert nohold.prompts.text(lang, "voice.number_confirm", last_digits="X").split("X")[0] in heard
    else:
        key = "voice.number_withheld" if reason == "withheld" else f"voice.number_refused.{reason}"
        assert nohold.prompts.text(lang, key) in heard
        assert nohold.prompts.text(lang, "voice.number_ask") in heard


@pytest.mark.parametrize("english", [False, True], ids=["it", "en"])
def test_keyed_numbers_through_the_call_flow_in_both_languages(client, settings, nohold, english):
    lang = "en" if english else "it"
    for index, (number, reason) in enumerate(KEYABLE):
        sid = f"CA{index:032d}"
        seq = to_options(client, settings, sid, "anonymous", english)
        call(client, settings, f"/voice/step?seq={seq}", CallSid=sid, From="anonymous", Digits="1")
        reply = call(client, settings, f"/voice/step?seq={seq + 1}", CallSid=sid, From="anonymous", Digits=number + "#")
        if reason is None:
            assert "Hangup" in [verb.tag for verb in verbs(reply.data)], number
            assert nohold.calls.load(sid).outcome == "booked_callback"
        else:
            assert nohold.prompts.text(lang, f"voice.number_refused.{reason}") in said(reply.data), number
            assert nohold.calls.load(sid).outcome != "booked_callback"


# -- limits ----------------------------------------------------------------------------------------
CUSTOMER = "+393471234567"


def book(client, settings, sid: str, caller: str = CUSTOMER):
    """One call that asks for a callback to the caller's own number; the last reply."""
    seq = to_options(client, settings, sid, caller)
    call(client, settings, f"/voice/step?seq={seq}", CallSid=sid, From=caller, Digits="1")
    return call(client, settings, f"/voice/step?seq={seq + 1}", CallSid=sid, From=caller, Digits="1")


def booked(client, settings, nohold, sid: str, caller: str = CUSTOMER) -> bool:
    book(client, settings, sid, caller)
    return nohold.calls.load(sid).outcome == "booked_callback"


def close_pending(nohold, number: str = CUSTOMER) -> None:
    """The agent has called back: the number has no pending callback any more."""
    nohold.queue.cancel(nohold.queue.pending_for(nohold.desk.callback_key(number)).id, "done")


def refused_with(nohold, reply, why: str) -> bool:
    return nohold.prompts.text("it", f"voice.booking_refused.{why}") in said(reply.data) and \
        "Record" in [verb.tag for verb in verbs(reply.data)]   # a voice message is the way forward


def test_three_new_bookings_a_day_per_number(client, settings, nohold, clock):
    for attempt in range(3):
        assert booked(client, settings, nohold, f"CA{attempt:032d}")
        close_pending(nohold)
        clock.advance(3600)
    fourth = book(client, settings, f"CA{3:032d}")
    assert refused_with(nohold, fourth, "daily")
    assert nohold.queue.pending_for(nohold.desk.callback_key(CUSTOMER)) is None
    clock.advance(21 * 3600 + 1)  # the first booking is now 24 h old
    assert booked(client, settings, nohold, f"CA{4:032d}")


def test_booking_again_while_pending_is_never_refused_nor_counted(client, settings, nohold):
    for attempt in range(5):   # the same pending callback, its place kept
        book(client, settings, f"CA{attempt:032d}")
    assert nohold.queue.depth()["callback"] == 1
    close_pending(nohold)
    assert booked(client, settings, nohold, f"CA{9:032d}")


def test_a_burst_over_adjacent_numbers_trips_the_breaker(client, app, settings, nohold, clock, caplog):
    caplog.set_level(logging.INFO)
    block = "+3934712345"
    for n in range(21):  # 21 > 20 new bookings from one block within 10 minutes
        assert booked(client, settings, nohold, f"CA{n:032d}", f"{block}{n:02d}")
        clock.advance(20)
    refused = book(client, settings, f"CA{50:032d}", f"{block}50")
    assert refused_with(nohold, refused, "breaker")
    assert booked(client, settings, nohold, f"CA{51:032d}", "+393471299950")  # another block still books
    alerts = [r for r in caplog.records if r.levelno == logging.ERROR and "breaker" in r.getMessage()]
    assert len(alerts) == 1
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert block not in logged
    assert block[1:] not in logged   # nothing that dials the block
    nohold.metrics.flush()
    assert "nohold_abuse_breaker_trips_total 1" in app.test_client().get("/metrics").text
    clock.advance(3600)  # the breaker's hour is over
    assert booked(client, settings, nohold, f"CA{52:032d}", f"{block}52")


def test_booking_keys_name_no_phone_number(client, settings, nohold, redis_client):
    book(client, settings, "CA" + "7" * 32)
    keys = list(redis_client.scan_iter(match="nohold:{bookings}*"))
    assert keys
    assert not any(CUSTOMER[1:] in key or CUSTOMER[3:-2] in key for key in keys)


def test_limits_are_settings(settings, monkeypatch):
    from ivr.app.settings import load_settings
    loaded = load_settings(environ={"BOOKINGS_PER_NUMBER_PER_DAY": "5", "BOOKING_BREAKER_BOOKINGS": "50",
                                    "BOOKING_BREAKER_WINDOW_MINUTES": "5", "BOOKING_BREAKER_MINUTES": "30"},
                           dotenv=False)
    assert (loaded.bookings_per_number_per_day, loaded.booking_breaker_bookings, loaded.booking_breaker_window_minutes,
            loaded.booking_breaker_minutes) == (5, 50, 5, 30)

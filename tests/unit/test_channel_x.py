"""X adapter: the CRC check, signatures, Account Activity payloads, no reply window, the DM API."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path

import pytest

from social_bridge.channels import Malformed, Outbound, SendFailed
from social_bridge.channels.x import XDirectMessages
from tests.support.fake_social import FakeSocial, forged_signatures, x_signature

PAYLOADS = Path(__file__).parent.parent / "data" / "payloads"
SECRET, BEARER = "x-consumer-secret", "X-USER-TOKEN-never-logged"
BOT, FAN = "1363121963309412354", "1133857316862910464"  # the two accounts of the captured payload


def captured() -> dict:
    return json.loads((PAYLOADS / "x_aaa_direct_message_events_real.json").read_text("utf-8"))


def adapter(account: str = BOT, base: str = "http://127.0.0.1:9") -> XDirectMessages:
    return XDirectMessages(SECRET, BEARER, account, api_base=base, timeout=2.0)


def body(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


@pytest.fixture
def fake():
    server = FakeSocial(account_id=BOT).start()
    yield server
    server.stop()


# -- CRC and signatures ------------------------------------------------------------------------------
def test_crc_answers_the_hmac_of_the_token():
    token = "crc-token-2026"
    independent = base64.b64encode(hmac.new(SECRET.encode(), token.encode(), hashlib.sha256).digest()).decode()
    answer = adapter().crc(token)
    assert answer == {"response_token": "sha256=" + independent}
    assert answer["response_token"] == "sha256=RkTn5O8uzR3v/qTNvNtMCMUPIhM/A+qUyOCBXb28pP8="  # computed once


@pytest.mark.parametrize("token", ["", "t" * 129, "{\"direct_message_events\":[]}", "crc token", "tok\n1234567"])
def test_crc_refuses_tokens_x_would_not_send(token):
    with pytest.raises(ValueError):
        adapter().crc(token)
    assert adapter().crc("t" * 128)["response_token"].startswith("sha256=")


def test_good_signature_accepted_under_any_header_case():
    raw = (PAYLOADS / "x_aaa_direct_message_events_real.json").read_bytes()  # "Confissões", emoji: raw bytes
    for name in ("x-twitter-webhooks-signature", "X-Twitter-Webhooks-Signature"):
        assert adapter().verify(raw, {name: x_signature(SECRET, raw)})


@pytest.mark.parametrize("value", forged_signatures(x_signature, SECRET, b"{}") + ["sha256=not base64!"])
def test_bad_missing_or_garbled_signature_rejected(value):
    headers = {} if value is None else {"x-twitter-webhooks-signature": value}
    assert not adapter().verify(b"{}", headers)


# -- parsing -----------------------------------------------------------------------------------------
def test_captured_payload_is_our_own_echo():
    """In the capture the subscribed account is the sender: its own DM comes back, and is ignored."""
    assert adapter(BOT).parse(body(captured())) == []


def test_captured_dm_as_the_recipient_receives_it():
    payload = captured()
    payload["for_user_id"] = FAN
    [inbound] = adapter(FAN).parse(body(payload))
    assert (inbound.channel, inbound.sender_id, inbound.provider_id, inbound.text) == (
        "x", BOT, "1371204467341807621", "fodijfosidjf")
    assert (inbound.sent_at, inbound.kind, inbound.has_attachment) == (1615755595.418, "message", False)


def test_docs_message_with_attachment():
    event = json.loads((PAYLOADS / "x_message_create_object_docs.json").read_text("utf-8"))
    [inbound] = adapter("1234858592").parse(body({"for_user_id": "1234858592", "direct_message_events": [event]}))
    assert (inbound.sender_id, inbound.text, inbound.has_attachment) == ("3805104374", "Blue Bird", True)


def test_payload_for_another_account_ignored():
    payload = captured()
    payload["for_user_id"] = "42"
    assert adapter(FAN).parse(body(payload)) == []


@pytest.mark.parametrize("key", ["tweet_create_events", "favorite_events", "follow_events", "block_events",
                                 "direct_message_indicate_typing_events", "direct_message_mark_read_events",
                                 "something_x_adds_later"])
def test_other_event_types_ignored(key):
    payload = {"for_user_id": FAN, key: [{"created_timestamp": "1615755595418", "sender_id": BOT}]}
    assert adapter(FAN).parse(body(payload)) == []
    payload.update(captured(), for_user_id=FAN)  # beside a DM, only the DM counts
    assert [i.text for i in adapter(FAN).parse(body(payload))] == ["fodijfosidjf"]


def dm(**changes) -> bytes:
    event = captured()["direct_message_events"][0]
    event.update(changes)
    return body({"for_user_id": FAN, "direct_message_events": [event]})


@pytest.mark.parametrize("raw", [
    b"", b"{", b"\xff\xfe{}", b"[]", b"[" * 100_000, b"{}", b'{"for_user_id": 1363121963309412354}',
    body({"for_user_id": FAN, "direct_message_events": {}}),
    body({"for_user_id": FAN, "direct_message_events": ["event"]}),
    dm(id=1371204467341807621), dm(created_timestamp="yesterday"), dm(created_timestamp=None),
    dm(message_create=None), dm(message_create={"sender_id": BOT}),
    dm(message_create={"sender_id": 7, "message_data": {"text": "x"}}),
    dm(message_create={"sender_id": BOT, "message_data": {"text": ["x"]}}),
], ids=lambda raw: raw[:40].decode("utf-8", "replace"))
def test_malformed_bodies_raise_malformed(raw):
    with pytest.raises(Malformed):
        adapter(FAN).parse(raw)


def test_no_reply_window():
    policy = adapter().policy(0, 1_800_000_000.0)
    assert (policy.allowed, policy.tag, policy.reason) == (True, "", "window_open")


# -- sending -----------------------------------------------------------------------------------------
def test_send(fake):
    event_id = adapter(base=fake.base_url).send(Outbound("x", FAN, "Ti richiamiamo alle 15 😀", "ours-1"))
    [request] = fake.requests
    assert event_id == "1"
    assert (request["method"], request["path"]) == ("POST", f"/2/dm_conversations/with/{FAN}/messages")
    assert request["headers"]["authorization"] == f"Bearer {BEARER}"
    assert request["json"] == {"text": "Ti richiamiamo alle 15 😀"}


def test_rate_limited_send_is_retryable_and_says_when(fake):
    fake.fail_next(1, 429, {"title": "Too Many Requests", "detail": "Too Many Requests", "status": 429},
                   {"x-rate-limit-reset": "1800000900", "x-rate-limit-remaining": "0"})
    with pytest.raises(SendFailed) as failed:
        adapter(base=fake.base_url).send(Outbound("x", FAN, "hi", "ours-1"))
    assert (failed.value.retryable, failed.value.status) == (True, 429)
    assert "1800000900" in str(failed.value)
    assert BEARER not in str(failed.value)


@pytest.mark.parametrize("status, retryable", [(500, True), (503, True), (400, False), (401, False), (403, False)])
def test_send_failures(fake, status, retryable):
    fake.fail_next(1, status, {"title": "refused", "detail": "You cannot send messages to this user."})
    with pytest.raises(SendFailed) as failed:
        adapter(base=fake.base_url).send(Outbound("x", FAN, "hi", "ours-1"))
    assert (failed.value.retryable, failed.value.status) == (retryable, status)


def test_unreachable_api_is_retryable():
    with pytest.raises(SendFailed) as failed:  # port 9 (discard) has no listener here
        adapter().send(Outbound("x", FAN, "hi", "ours-1"))
    assert failed.value.retryable


@pytest.mark.parametrize("recipient, text", [(FAN, ""), (FAN, "x" * 10_001), ("../../1/tweets", "hi"), ("", "hi")])
def test_refused_before_any_request(fake, recipient, text):
    with pytest.raises(ValueError):
        adapter(base=fake.base_url).send(Outbound("x", recipient, text, "ours-1"))
    assert fake.requests == []

"""Messenger adapter: signatures, the verify handshake, parsing Meta's batches, windows, the Send API."""
from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import pytest

from social_bridge.channels import Malformed, Outbound, SendFailed
from social_bridge.channels.messenger import Messenger
from tests.support.fake_social import FakeSocial, forged_signatures, meta_signature

PAYLOADS = Path(__file__).parent.parent / "data" / "payloads"
SECRET, VERIFY, TOKEN, PAGE = "app-secret", "verify-me", "PAGE-TOKEN-never-logged", "PAGE_ID"
HOUR = 3600.0


def payload(name: str) -> dict:
    return json.loads((PAYLOADS / name).read_text("utf-8"))


def envelope(*events: dict, page: str = PAGE) -> bytes:
    """Inner events (as Meta's docs show them) in the envelope a live delivery has."""
    return json.dumps({"object": "page", "entry": [{"id": page, "time": 1, "messaging": list(events)}]}).encode()


def text_event(text: str, mid: str = "mid.1", sender: str = "PSID1") -> dict:
    return {"sender": {"id": sender}, "recipient": {"id": PAGE}, "timestamp": 1700000000123,
            "message": {"mid": mid, "text": text}}


@pytest.fixture
def fake():
    server = FakeSocial().start()
    yield server
    server.stop()


def adapter(page: str = PAGE, base: str = "http://127.0.0.1:9", timeout: float = 2.0) -> Messenger:
    return Messenger(SECRET, VERIFY, TOKEN, page, graph_base=base + "/v21.0", timeout=timeout)


@pytest.fixture
def messenger(fake):
    return adapter(base=fake.base_url)


# -- signatures --------------------------------------------------------------------------------------
def test_good_signature_accepted_under_any_header_case():
    raw = (PAYLOADS / "messenger_message_text_quickreply.json").read_bytes()
    signature = meta_signature(SECRET, raw)
    for name in ("X-Hub-Signature-256", "x-hub-signature-256"):
        assert adapter().verify(raw, {name: signature})
    assert adapter().verify(raw, {"X-Hub-Signature-256": signature.upper().replace("SHA256", "sha256")})


@pytest.mark.parametrize("value", forged_signatures(meta_signature, SECRET, b"{}") + ["sha256=zz"])
def test_bad_missing_or_garbled_signature_rejected(value):
    headers = {} if value is None else {"X-Hub-Signature-256": value}
    assert not adapter().verify(b"{}", headers)


def test_non_ascii_body_is_signed_over_its_raw_bytes():
    raw = envelope(text_event("Ciao, sono Niccolò 😀")).decode("ascii")  # json.dumps escapes: unescape it
    raw = json.dumps(json.loads(raw), ensure_ascii=False).encode("utf-8")
    signature = {"X-Hub-Signature-256": meta_signature(SECRET, raw)}
    assert adapter().verify(raw, signature)
    assert adapter().parse(raw)[0].text == "Ciao, sono Niccolò 😀"
    reserialised = json.dumps(json.loads(raw)).encode()  # same JSON, other bytes: the check must fail
    assert not adapter().verify(reserialised, signature)


def test_no_app_secret_verifies_nothing():
    unconfigured = Messenger("", VERIFY, TOKEN, PAGE)
    assert not unconfigured.verify(b"{}", {"X-Hub-Signature-256": meta_signature("", b"{}")})


# -- parsing -----------------------------------------------------------------------------------------
def test_text_with_quick_reply_from_the_docs():
    [inbound] = adapter().parse((PAYLOADS / "messenger_message_text_quickreply.json").read_bytes())
    assert (inbound.channel, inbound.sender_id, inbound.provider_id) == (
        "messenger", "USER_ID", "mid.1457764197618:41d102a3e1ae206a38")
    assert (inbound.text, inbound.kind, inbound.ref) == ("hello, world!", "message", "")
    assert inbound.sent_at == 1458692752.478


def test_classic_postback_gets_a_stable_id():
    raw = (PAYLOADS / "messenger_postback_classic.json").read_bytes()
    [inbound] = adapter(page="111111").parse(raw)
    assert (inbound.kind, inbound.provider_id, inbound.ref) == ("postback", "pb:USER_ID:1458692752478", "")
    assert adapter(page="111111").parse(raw) == [inbound]  # Meta's retry dedupes on the same id


def test_postback_with_referral_carries_the_ref():
    event = payload("messenger_postback_with_referral_docs.json")["value"]
    assert adapter().parse(envelope(event)) == []  # a user_ref sender (chat plugin guest): no PSID to answer
    event["sender"] = {"id": "PSID7"}
    [inbound] = adapter().parse(envelope(event))
    assert (inbound.kind, inbound.ref, inbound.text, inbound.provider_id) == (
        "postback", "USER-DEFINED-REFERRAL-PARAM", "TITLE-FOR-THE-CTA", "m_MESSAGE-ID")


def test_referral_in_an_existing_thread_carries_the_ref():
    [inbound] = adapter(page="<PAGE_ID>").parse((PAYLOADS / "messenger_referral_mme.json").read_bytes())
    assert (inbound.kind, inbound.ref, inbound.sender_id, inbound.text) == (
        "referral", "callback_ticket_12345", "<PSID>", "")
    assert inbound.provider_id == "ref:<PSID>:1458692752478"


def test_attachment_without_text():
    event = text_event("")
    event["message"] = {"mid": "mid.9", "attachments": [{"type": "image", "payload": {"url": "https://x/y.jpg"}}]}
    [inbound] = adapter().parse(envelope(event))
    assert inbound.has_attachment
    assert inbound.text == ""


def test_echoes_deliveries_reads_reactions_and_unknown_events_ignored():
    echo = text_event("from the page", mid="mid.echo")
    echo["message"]["is_echo"] = True
    reaction = {**text_event(""), "reaction": {"mid": "mid.1", "action": "react", "emoji": "👍"}}
    del reaction["message"]
    events = [echo, payload("messenger_message_deliveries_docs.json"), payload("messenger_message_reads_docs.json"),
              reaction, {"sender": {"id": "PSID1"}, "timestamp": 1, "something_new": {}}, text_event("real one")]
    assert [i.text for i in adapter().parse(envelope(*events))] == ["real one"]


def test_entries_for_another_page_ignored():
    assert adapter().parse(envelope(text_event("hi"), page="OTHER_PAGE")) == []


def test_batch_of_1000_entries():
    entries = [{"id": PAGE, "time": i, "messaging": [text_event(f"n{i}", mid=f"mid.{i}", sender=f"P{i}"),
                                                     payload("messenger_message_reads_docs.json")]}
               for i in range(1000)]
    raw = json.dumps({"object": "page", "entry": entries}).encode()
    started = time.perf_counter()
    found = adapter().parse(raw)
    assert time.perf_counter() - started < 2.0
    assert len({i.provider_id for i in found}) == 1000
    assert found[999].text == "n999"


@pytest.mark.parametrize("raw", [
    b"", b"{", b"\xff\xfe{}", b"null", b'"page"', b"[]", b"[" * 100_000, b'{"object": "instagram", "entry": []}',
    b'{"object": "page"}', b'{"object": "page", "entry": {}}', b'{"object": "page", "entry": ["x"]}',
    b'{"object": "page", "entry": [{"id": "PAGE_ID", "messaging": {}}]}', envelope("event"),
    envelope({"message": {"mid": "m", "text": "x"}}),
    envelope({**text_event("x"), "sender": "PSID"}), envelope({**text_event("x"), "sender": {"id": 42}}),
    envelope({**text_event("x"), "timestamp": None}), envelope({**text_event("x"), "timestamp": True}),
    envelope({**text_event("x"), "message": {"text": "no mid"}}), envelope({**text_event("x"), "message": "hi"}),
    envelope({**text_event("x"), "message": {"mid": "m", "text": ["x"]}}),
    envelope({"sender": {"id": "P"}, "timestamp": 1, "postback": {"referral": {"ref": 5}}}),
    envelope({"sender": {"id": "P"}, "timestamp": 1, "referral": []}),
], ids=lambda raw: raw[:40].decode("utf-8", "replace"))
def test_malformed_bodies_raise_malformed(raw):
    with pytest.raises(Malformed):
        adapter().parse(raw)


# -- the verify handshake ----------------------------------------------------------------------------
@pytest.mark.parametrize("args, echoed", [
    ({"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "1158201444"}, "1158201444"),
    ({"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1158201444"}, None),
    ({"hub.mode": "subscribe", "hub.verify_token": "Niccolò", "hub.challenge": "1158201444"}, None),
    ({"hub.mode": "unsubscribe", "hub.verify_token": VERIFY, "hub.challenge": "1158201444"}, None),
    ({"hub.mode": "subscribe", "hub.challenge": "1158201444"}, None),
    ({"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": ""}, None),
    ({"hub.mode": "subscribe", "hub.verify_token": VERIFY}, None),
    ({"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "9" * 200}, "9" * 200),
    ({"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "9" * 100_000}, None),
    ({"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "<script>\n"}, None),
])
def test_handshake(args, echoed):
    assert adapter().handshake(args) == echoed


def test_handshake_without_a_configured_token_refuses():
    assert Messenger(SECRET, "", TOKEN, PAGE).handshake({"hub.mode": "subscribe", "hub.verify_token": "",
                                                         "hub.challenge": "1"}) is None


# -- reply windows -----------------------------------------------------------------------------------
@pytest.mark.parametrize("age, allowed, tag, reason", [
    (23 * HOUR, True, "", "window_open"),
    (25 * HOUR, True, "HUMAN_AGENT", "human_agent_tag"),
    (6 * 24 * HOUR, True, "HUMAN_AGENT", "human_agent_tag"),
    (8 * 24 * HOUR, False, "", "window_closed"),
])
def test_policy(age, allowed, tag, reason):
    now = 1_800_000_000.0
    policy = adapter().policy(now - age, now)
    assert (policy.allowed, policy.tag, policy.reason) == (allowed, tag, reason)


def test_policy_without_any_inbound_is_closed():
    assert adapter().policy(0, 1_800_000_000.0).reason == "window_closed"


@pytest.mark.parametrize("age, allowed, reason", [
    (23 * HOUR, True, "window_open"),
    (3 * 24 * HOUR, False, "automated_outside_window"),
    (8 * 24 * HOUR, False, "window_closed"),
])
def test_an_automated_message_never_gets_the_human_agent_tag(age, allowed, reason):
    now = 1_800_000_000.0
    policy = adapter().policy(now - age, now, human=False)
    assert policy.tag == ""
    assert policy.allowed is allowed
    assert policy.reason == reason


def test_sending_an_automated_message_with_a_tag_is_refused_before_graph(messenger, fake):
    with pytest.raises(ValueError):
        messenger.send(Outbound("messenger", "PSID1", "Il guasto è risolto", "ours-1", tag="HUMAN_AGENT"))
    assert fake.requests == []


# -- sending -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("tag, expected", [
    ("", {"messaging_type": "RESPONSE"}),
    ("HUMAN_AGENT", {"messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT"}),
])
def test_send(messenger, fake, tag, expected):
    message_id = messenger.send(Outbound("messenger", "PSID1", "Ti richiamiamo alle 15 😀", "ours-1", tag=tag,
                                         human=True))
    [request] = fake.requests
    assert message_id == "m_1"
    assert (request["method"], request["path"], request["query"]) == ("POST", "/v21.0/me/messages", {})
    assert request["headers"]["authorization"] == f"Bearer {TOKEN}"
    assert request["json"] == {"recipient": {"id": "PSID1"}, "message": {"text": "Ti richiamiamo alle 15 😀"},
                               **expected}


@pytest.mark.parametrize("status, body, retryable", [
    (500, {"error": {"message": "An unexpected error has occurred", "code": 2}}, True),
    (503, {}, True),
    (429, {}, True),
    (400, {"error": {"message": "Calls to this api have exceeded the rate limit", "code": 613}}, True),
    (400, {"error": {"message": "Application request limit reached", "code": 4}}, True),
    (400, {"error": {"message": "(#100) No matching user found", "code": 100}}, False),
    (400, {"error": {"message": "outside of allowed window", "code": 10, "error_subcode": 2018278}}, False),
    (401, {"error": {"message": "Invalid OAuth access token", "code": 190}}, False),
    (200, {"recipient_id": "PSID1"}, False),
])
def test_send_failures(messenger, fake, caplog, status, body, retryable):
    fake.fail_next(1, status, body)
    with caplog.at_level(logging.DEBUG), pytest.raises(SendFailed) as failed:
        messenger.send(Outbound("messenger", "PSID1234567", "secret words", "ours-1"))
    assert (failed.value.retryable, failed.value.status) == (retryable, status)
    said = caplog.text + str(failed.value)
    assert TOKEN not in said
    assert "secret words" not in said
    assert "PSID1234567" not in said


def test_unreachable_and_slow_graph_are_retryable(fake):
    fake.delay = 1.0
    with pytest.raises(SendFailed) as slow:
        adapter(base=fake.base_url, timeout=0.2).send(Outbound("messenger", "PSID1", "hi", "ours-1"))
    with pytest.raises(SendFailed) as unreachable:  # port 9 (discard) has no listener here
        adapter().send(Outbound("messenger", "PSID1", "hi", "ours-2"))
    assert slow.value.retryable
    assert unreachable.value.retryable
    assert TOKEN not in str(unreachable.value)


@pytest.mark.parametrize("text", ["", "x" * 2001])
def test_empty_or_too_long_text_refused_before_any_request(messenger, fake, text):
    with pytest.raises(ValueError):
        messenger.send(Outbound("messenger", "PSID1", text, "ours-1"))
    assert fake.requests == []
    assert messenger.send(Outbound("messenger", "PSID1", "x" * 2000, "ours-2")) == "m_1"

"""/social/messenger and /social/x through the real app: handshakes, signatures, batches stored, then handled.

Real Flask, Redis and RQ; Meta's Graph API and X's API are a local fake (tests/support/fake_social.py).
"""
from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import time
from pathlib import Path

import pytest
import redis as redis_lib
from rq import Queue

from ivr import create_app
from ivr.jobs.messages import QUEUE_NAME
from social_bridge.chat.inbound_queue import BASE as INBOX
from social_bridge.chat.threads import Threads
from tests.support.apps import built, client, fake_graph  # noqa: F401 (fixture)
from tests.support.fake_social import forged_signatures, meta_signature, x_signature

PAYLOADS = Path(__file__).parent.parent / "data" / "payloads"
APP_SECRET, VERIFY_TOKEN, PAGE = "meta-app-secret", "verify-me-2026", "1122334455"
X_SECRET = "x-consumer-secret"
BOT, FAN = "1363121963309412354", "1133857316862910464"  # the two accounts of the captured X payload
PENDING = f"{INBOX}:pending"


def payload(name: str) -> dict:
    return json.loads((PAYLOADS / name).read_text("utf-8"))


def raw(body) -> bytes:
    """The bytes a provider sends: UTF-8, non-ASCII as is."""
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def entry(mid: str = "mid.1457764197618:41d102a3e1ae206a38", sender: str = "7788990011",
          text: str = "hello, world!", millis: int | None = None, page: str = PAGE) -> dict:
    """One entry of the recorded text message, addressed to our page."""
    [recorded] = payload("messenger_message_text_quickreply.json")["entry"]
    recorded = copy.deepcopy(recorded)
    event = recorded["messaging"][0]
    recorded["id"], event["recipient"]["id"], event["sender"]["id"] = page, page, sender
    event["message"].update(mid=mid, text=text)
    if millis is not None:
        recorded["time"] = event["timestamp"] = millis
    return recorded


def batch(*entries: dict) -> bytes:
    return raw({"object": "page", "entry": list(entries)})


def around(*events: dict, page: str = PAGE) -> bytes:
    """Inner events, as Meta's docs show them, in a live delivery's envelope."""
    return batch({"id": page, "time": 1458668856463, "messaging": list(events)})


def x_dm(sender: str = FAN, for_user: str = BOT) -> bytes:
    """The captured Account Activity payload, sent to `for_user` by `sender`."""
    body = payload("x_aaa_direct_message_events_real.json")
    body["for_user_id"] = for_user
    create = body["direct_message_events"][0]["message_create"]
    create["sender_id"], create["target"]["recipient_id"] = sender, BOT if sender == FAN else FAN
    return raw(body)


MESSAGE = batch(entry())


# -- the app with both channels configured ----------------------------------------------------------
graph = fake_graph(BOT)  # Meta's Graph API and X's DM API, played locally: acknowledgements land here


@pytest.fixture
def app(settings, clock, redis_client, graph):
    """Overrides conftest's app (and so nohold and social_jobs): Messenger and X configured."""
    configured = settings.with_overrides(
        messenger_app_secret=APP_SECRET, messenger_verify_token=VERIFY_TOKEN, messenger_page_token="page-token",
        messenger_page_id=PAGE, graph_api_base=graph.base_url + "/v21.0",
        x_consumer_secret=X_SECRET, x_bearer_token="x-user-token", x_account=BOT, x_api_base=graph.base_url)
    with built(configured, clock) as application:
        yield application


@pytest.fixture
def jobs(redis_url):
    """The RQ queue the webhooks feed (RQ wants a bytes connection)."""
    connection = redis_lib.Redis.from_url(redis_url)
    yield Queue(QUEUE_NAME, connection=connection)
    connection.close()


def post_messenger(client, body: bytes, signature: str | None = ...):
    signature = meta_signature(APP_SECRET, body) if signature is ... else signature
    headers = {} if signature is None else {"X-Hub-Signature-256": signature}
    return client.post("/social/messenger", data=body, content_type="application/json", headers=headers)


def post_x(client, body: bytes, signature: str | None = ...):
    signature = x_signature(X_SECRET, body) if signature is ... else signature
    headers = {} if signature is None else {"x-twitter-webhooks-signature": signature}
    return client.post("/social/x", data=body, content_type="application/json", headers=headers)


def inbox_keys(redis_client) -> list[str]:
    return list(redis_client.scan_iter(match=f"{INBOX}*", count=1000))


def stored(nohold) -> list:
    """Every inbound message of the batches still pending, in order of arrival."""
    inbound = nohold.social.inbound
    return [message for batch_id in inbound.redis.lrange(PENDING, 0, -1) for message in inbound.take(batch_id)]


@pytest.fixture
def nothing_written(app, redis_client, jobs):
    """Asserts, after the test's requests, that Redis holds exactly what it held before them (app built)."""
    before = redis_client.dbsize()
    yield
    assert inbox_keys(redis_client) == []
    assert redis_client.dbsize() == before
    assert jobs.count == 0


# -- channels not configured ------------------------------------------------------------------------
@pytest.mark.parametrize("method, path", [("GET", "/social/messenger"), ("POST", "/social/messenger"),
                                          ("GET", "/social/x"), ("POST", "/social/x")])
def test_a_channel_without_credentials_answers_404(settings, clock, redis_client, method, path):
    plain = create_app({"SETTINGS": settings, "CLOCK": clock})  # dev settings: no MESSENGER_*, no X_*
    try:
        body = MESSAGE if method == "POST" else None
        response = plain.test_client().open(path, method=method, data=body, content_type="application/json",
                                            headers={"X-Hub-Signature-256": meta_signature(APP_SECRET, MESSAGE)},
                                            query_string={"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN,
                                                          "hub.challenge": "1158201444", "crc_token": "t"})
        assert response.status_code == 404
        assert response.is_json
        assert "not configured" in response.json["message"]
        assert inbox_keys(redis_client) == []
    finally:
        plain.extensions["nohold"].metrics.close()


# -- Messenger: the verify handshake ----------------------------------------------------------------
def test_handshake_with_our_token_echoes_the_challenge(client):
    response = client.get("/social/messenger", query_string={
        "hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"})
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert response.text == "1158201444"


@pytest.mark.parametrize("args, status", [
    ({"hub.verify_token": "guessed", "hub.challenge": "1158201444"}, 403),
    ({"hub.verify_token": VERIFY_TOKEN + "x", "hub.challenge": "1158201444"}, 403),
    ({"hub.challenge": "1158201444"}, 403),
    ({"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"}, 403),
    ({"hub.verify_token": VERIFY_TOKEN}, None),
    ({"hub.verify_token": VERIFY_TOKEN, "hub.challenge": ""}, None),
    ({"hub.verify_token": VERIFY_TOKEN, "hub.challenge": "9" * 201}, None),
    ({"hub.verify_token": VERIFY_TOKEN, "hub.challenge": "<script>alert(1)</script>\n"}, None),
], ids=["wrong-token", "token-plus-one", "no-token", "not-subscribe", "no-challenge", "empty-challenge",
        "huge-challenge", "markup-challenge"])
def test_handshake_refused(client, args, status):
    response = client.get("/social/messenger", query_string={"hub.mode": "subscribe", **args})
    if status:
        assert response.status_code == status
    else:  # a challenge we will not echo: any client error will do
        assert 400 <= response.status_code < 500
    assert response.is_json
    if args.get("hub.challenge"):
        assert args["hub.challenge"] not in response.text


# -- Messenger: signed batches ----------------------------------------------------------------------
def test_a_signed_batch_is_stored_and_its_job_queued(client, nohold, jobs):
    response = post_messenger(client, MESSAGE)
    assert response.status_code == 200
    assert response.text == "EVENT_RECEIVED"
    [message] = stored(nohold)
    assert (message.channel, message.sender_id, message.provider_id, message.text) == (
        "messenger", "7788990011", "mid.1457764197618:41d102a3e1ae206a38", "hello, world!")
    assert len(nohold.redis.lrange(PENDING, 0, -1)) == 1
    assert [job.func_name for job in jobs.get_jobs()] == ["ivr.jobs.chat.drain_inbound"]
    post_messenger(client, MESSAGE)  # a drain is already wanted: the batch waits for it, no second job
    assert len(nohold.redis.lrange(PENDING, 0, -1)) == 2
    assert jobs.count == 1


TAMPERED = MESSAGE.replace(b"hello, world!", b"HELLO, world!")


@pytest.mark.parametrize("body, signature", [
    *((MESSAGE, forged) for forged in forged_signatures(meta_signature, APP_SECRET, MESSAGE)),
    (MESSAGE, "sha256=" + "zz" * 32),
    (MESSAGE, "sha256=" + meta_signature(APP_SECRET, MESSAGE)[7:].upper()[:-2]),
    (TAMPERED, meta_signature(APP_SECRET, MESSAGE)),
], ids=["missing", "empty", "no-digest", "empty-digest", "short-digest", "sha1-scheme", "other-secret",
        "other-body", "not-hex", "truncated", "tampered-after-signing"])
def test_a_bad_signature_is_403_and_writes_nothing(client, nothing_written, body, signature):
    response = post_messenger(client, body, signature)
    assert response.status_code == 403
    assert response.is_json
    assert response.json["message"] == "invalid signature"


def test_non_ascii_text_is_signed_over_the_raw_bytes(client, nohold):
    body = batch(entry(text="Ciao, sono Niccolò 😀 — la linea è giù"))
    assert "ò".encode() in body
    assert "😀".encode() in body
    reserialised = json.dumps(json.loads(body)).encode()  # the same JSON as \u escapes: other bytes
    assert post_messenger(client, reserialised, meta_signature(APP_SECRET, body)).status_code == 403
    assert post_messenger(client, body).status_code == 200
    [message] = stored(nohold)
    assert message.text == "Ciao, sono Niccolò 😀 — la linea è giù"


@pytest.mark.parametrize("body", [
    b"", b"{", b"not json", b'{"object": "page", "entry": [}', "{\"object\": \"pàge\"}".encode("latin-1"),
    b"\xff\xfe{}", b"[]", b'[{"object": "page", "entry": []}]', b'"page"', b"null", b"42",
    b'{"object": "instagram", "entry": []}', b'{"entry": []}', b'{"object": "page"}',
    b'{"object": "page", "entry": {}}', b'{"object": "page", "entry": ["x"]}',
    around({"sender": {"id": "1"}, "timestamp": 1, "message": "hi"}),
    around({"sender": {"id": 1}, "timestamp": 1, "message": {"mid": "m1", "text": "hi"}}),
    around({"sender": {"id": "1"}, "timestamp": 1, "message": {"mid": 7, "text": "hi"}}),
    b"[" * 100_000 + b"]" * 100_000,
], ids=["empty", "truncated", "text", "bad-json", "latin-1", "bom-utf16", "array", "array-of-object", "string",
        "null", "number", "other-object", "no-object", "no-entry", "entry-object", "entry-string",
        "message-string", "sender-id-number", "mid-number", "deep-nesting"])
def test_a_body_that_is_not_a_messenger_payload_is_400_never_500(client, nothing_written, body):
    response = post_messenger(client, body)
    assert response.status_code == 400
    assert response.is_json
    assert response.json["message"].startswith("not a messenger payload")


@pytest.mark.parametrize("body", [
    around(payload("messenger_message_deliveries_docs.json")),
    around(payload("messenger_message_reads_docs.json")),
    around(payload("messenger_message_deliveries_docs.json"), payload("messenger_message_reads_docs.json")),
    batch(entry(page="9988776655")),
    around({**entry()["messaging"][0], "message": {"mid": "m_echo", "text": "our answer", "is_echo": True}}),
    batch(),
], ids=["deliveries", "reads", "deliveries-and-reads", "another-page", "page-echo", "no-entries"])
def test_a_batch_with_nothing_to_handle_is_200_and_stores_nothing(client, nothing_written, body):
    response = post_messenger(client, body)
    assert response.status_code == 200
    assert response.text == "EVENT_RECEIVED"


def test_a_message_delivered_three_times_is_handled_once(client, nohold, social_jobs, graph, clock):
    body = batch(entry(mid="m_retried_1", text="non mi va internet da stamattina", millis=int(clock() * 1000)))
    for _ in range(3):  # Meta retries until it hears 200 in time: three batches, three jobs
        assert post_messenger(client, body).status_code == 200
    assert nohold.redis.llen(PENDING) == 3
    social_jobs()
    assert nohold.redis.llen(PENDING) == 0
    threads = nohold.social.threads
    thread = threads.for_customer("messenger", "7788990011")
    messages = threads.messages(thread.id)
    assert [(m.direction, m.provider_id) for m in messages if m.direction == "in"] == [("in", "m_retried_1")]
    [ack] = [m for m in messages if m.direction == "out"]
    assert ack.kind == "auto"
    assert ack.state == "sent"
    assert nohold.queue.depth()["thread"] == 1
    assert nohold.queue.get(thread.item_id).natural_key == nohold.social.threads.persons.thread("messenger", "7788990011")
    [sent] = [r["json"] for r in graph.requests if r["path"].endswith("/me/messages")]
    assert sent["recipient"] == {"id": "7788990011"}
    assert sent["message"]["text"] == ack.text


def big_batch(count: int, millis: int, compact: bool) -> bytes:
    """`count` entries of the recorded message, each from its own sender with its own mid."""
    entries = [entry(mid=f"mid.1457764197618:41d102a3e1ae206a38{i:04d}", sender=f"77889{i:05d}", millis=millis)
               for i in range(count)]
    if compact:  # the same messages without the quick-reply payload: under the app's 256 KiB body cap
        for each in entries:
            del each["messaging"][0]["message"]["quick_reply"]
        return json.dumps({"object": "page", "entry": entries}, separators=(",", ":")).encode()
    return batch(*entries)


@pytest.mark.parametrize("compact", [
    True,
    False,  # 1000 entries of Meta's own sample message: about 300 KB
], ids=["compact", "as-meta-sends-it"])
def test_a_batch_of_1000_entries_is_acknowledged_fast_and_becomes_1000_threads(
        client, nohold, social_jobs, clock, compact):
    body = big_batch(1000, int(clock() * 1000), compact)
    started = time.perf_counter()
    response = post_messenger(client, body)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, (len(body), response.status_code)
    assert elapsed < 2.0  # Meta allows ~20 s; this is the answer with room for a busy machine
    assert len(stored(nohold)) == 1000
    social_jobs()
    identities = list(nohold.redis.scan_iter(match="nohold:{queue}:identity:messenger:*", count=1000))
    assert len(identities) == 1000
    assert nohold.queue.depth()["thread"] == 1000
    assert nohold.redis.llen(PENDING) == 0


# -- X: CRC and signed events -----------------------------------------------------------------------
def test_crc_answers_the_hmac_of_the_token(client):
    token = "Y3JjLXRva2VuLTIwMjY_Zg=="
    expected = base64.b64encode(hmac.new(X_SECRET.encode(), token.encode(), hashlib.sha256).digest()).decode()
    response = client.get("/social/x", query_string={"crc_token": token})
    assert response.status_code == 200
    assert response.is_json
    assert response.json == {"response_token": "sha256=" + expected}


@pytest.mark.parametrize("query", [{}, {"crc_token": ""}, {"crc_token": "t" * 129}, {"crc_token": "crc-token-2026_ÿ"}],
                         ids=["missing", "empty", "huge", "not-base64"])
def test_crc_without_a_usable_token_is_400(client, query):
    response = client.get("/social/x", query_string=query)
    assert response.status_code == 400
    assert response.is_json


def test_a_signed_dm_is_stored_and_its_job_queued(client, nohold, jobs):
    response = post_x(client, x_dm())
    assert response.status_code == 200
    [message] = stored(nohold)
    assert (message.channel, message.sender_id, message.provider_id, message.text) == (
        "x", FAN, "1371204467341807621", "fodijfosidjf")
    assert jobs.count == 1


@pytest.mark.parametrize("signature", [
    *forged_signatures(x_signature, X_SECRET, x_dm()), "sha256=not base64!",
    meta_signature(X_SECRET, x_dm()),  # the right HMAC in Meta's hex: not X's encoding
], ids=["missing", "empty", "no-digest", "empty-digest", "short-digest", "sha1-scheme", "other-secret",
        "other-body", "not-base64", "hex-digest"])
def test_a_dm_with_a_bad_signature_is_403_and_writes_nothing(client, nothing_written, signature):
    assert post_x(client, x_dm(), signature).status_code == 403


@pytest.mark.parametrize("body", [
    (PAYLOADS / "x_aaa_direct_message_events_real.json").read_bytes(),  # verbatim: our own DM, echoed
    x_dm(for_user="999"),
    raw({"for_user_id": BOT, "direct_message_indicate_typing_events": [{"sender_id": FAN}]}),
    raw({"for_user_id": BOT, "follow_events": [{"type": "follow"}]}),
], ids=["own-echo", "another-account", "typing", "follow"])
def test_x_events_with_nothing_to_handle_are_200_and_store_nothing(client, nothing_written, body):
    assert post_x(client, body).status_code == 200


@pytest.mark.parametrize("body", [b"", b"{", b"[]", b"\xff", b'{"direct_message_events": []}',
                                  raw({"for_user_id": BOT, "direct_message_events": {}})],
                         ids=["empty", "truncated", "array", "invalid-utf8", "no-for-user-id", "events-object"])
def test_a_body_that_is_not_an_x_payload_is_400(client, nothing_written, body):
    response = post_x(client, body)
    assert response.status_code == 400
    assert response.is_json

"""Property-based fuzzing (issue 7) of every public endpoint of the real app: malformed forms and JSON,
100 KB bodies, invalid UTF-8, odd digits, huge or empty challenge tokens, unknown event types — signed
where a signature is needed, so the fuzz reaches the parsers, and unsigned. Never a 5xx, never a
traceback to the client, never an unhandled error hidden behind a caller's apology, and a refused
request leaves Redis as it was."""
from __future__ import annotations

import json
import logging
import os
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import redis as redis_lib
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st
from twilio.request_validator import RequestValidator

from tests.conftest import OPEN_TIME, ROME
from tests.support.clock import Clock
from tests.support.fake_social import meta_signature, x_signature

APP_SECRET, VERIFY_TOKEN, X_SECRET, PAGE, BOT = "fuzz-app-secret", "fuzz-verify", "fuzz-x-secret", "1122", "1363"
PASSWORD = "a long enough password"
LOGIN_FAILURES = "nohold:{agents}:login_limits:"  # the login limits count every attempt, refused ones too, by design
CALLS = ["CA" + digit * 32 for digit in "123"]
# FUZZ_EXAMPLES=2000 FUZZ_SEED=random explores further; the kept suite is small and repeatable
fuzz = hypothesis_settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", 100)), deadline=None,
                           derandomize=os.environ.get("FUZZ_SEED") != "random", database=None,
                           suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


class World(dict):
    def __repr__(self) -> str:  # hypothesis prints the arguments of a failing example
        return "world"


class Errors(logging.Handler):
    """Every ERROR logged while the fuzz runs: an apology to the caller must not hide a crash."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture(scope="module")
def world(redis_url, tmp_path_factory):
    """One app for the module (Messenger and X configured, dev-mode Twilio), two agents, a console session."""
    from ivr import create_app
    from ivr.app.settings import load_settings

    client = redis_lib.Redis.from_url(redis_url, decode_responses=True)
    client.flushdb()
    env = {"REDIS_URL": redis_url, "NOHOLD_VAR_DIR": str(tmp_path_factory.mktemp("var")),
           "PUBLIC_BASE_URL": "https://nohold.example.it", "MESSENGER_APP_SECRET": APP_SECRET,
           "MESSENGER_VERIFY_TOKEN": VERIFY_TOKEN, "MESSENGER_PAGE_TOKEN": "page-token", "MESSENGER_PAGE_ID": PAGE,
           "GRAPH_API_BASE": "http://127.0.0.1:9", "X_CONSUMER_SECRET": X_SECRET, "X_BEARER_TOKEN": "x-token",
           "X_ACCOUNT_ID": BOT, "X_API_BASE": "http://127.0.0.1:9"}
    settings = load_settings(environ=env, dotenv=False)
    app = create_app({"SETTINGS": settings, "CLOCK": Clock(datetime(*OPEN_TIME, tzinfo=ZoneInfo(ROME)))})
    app.testing = False  # errors must go through the app's handlers, as in production
    bridge = app.extensions["social_bridge"]
    bridge.agents.create("Maria", PASSWORD, phone="+393470000001")
    token = bridge.agents.issue_token("maria")
    console = app.test_client()
    page = console.get("/console/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert console.post("/console/login", data={"name": "maria", "password": PASSWORD, "csrf_token": csrf}).status_code == 302
    with console.session_transaction() as session:
        csrf = session["csrf"]
    errors = Errors()
    logging.getLogger().addHandler(errors)
    yield World({"app": app, "settings": settings, "redis": client, "token": token, "console": console, "csrf": csrf,
           "errors": errors})
    logging.getLogger().removeHandler(errors)
    app.extensions["nohold"].metrics.close()
    client.flushdb()
    client.close()


def snapshot(world) -> dict:
    """Every key and its serialised value (counters flushed first, so they are compared too)."""
    world["app"].extensions["nohold"].metrics.flush()
    redis = world["redis"]
    keys = sorted(redis.keys("*"))
    raw = redis_lib.Redis(connection_pool=redis.connection_pool)
    pipe = raw.pipeline(transaction=False)
    for key in keys:
        pipe.dump(key)
    return dict(zip(keys, pipe.execute()))


def send(world, method: str, path: str, client=None, counted: str = "\0", **request):
    """One request, with the properties every answer must have (keys under `counted` may change when refused)."""
    before = snapshot(world)
    errors = len(world["errors"].records)
    response = (client or world["app"].test_client()).open(path, method=method, **request)
    body = response.get_data()
    # 501 is the API's documented answer for a capability this server lacks (dev mode: no recordings)
    not_configured = response.status_code == 501 and response.is_json and response.json["error"] == "not_implemented"
    assert response.status_code < 500 or not_configured, (method, path, response.status_code, body[:300])
    assert b"Traceback" not in body, body[:300]
    assert b'File "' not in body, body[:300]
    logged = [r.getMessage() for r in world["errors"].records[errors:]]
    assert not logged, (method, path, logged)
    if response.status_code >= 400:
        after = {key: dumped for key, dumped in snapshot(world).items() if not key.startswith(counted)}
        assert after == {key: dumped for key, dumped in before.items() if not key.startswith(counted)}, (method, path, response.status_code, "a refused request wrote to Redis")
    return response


# -- strategies -----------------------------------------------------------------------------------
odd_digits = st.text(alphabet="0123456789*#+wW ,.-()abc\u0660\u0967\uff11", max_size=40)
short_text = st.text(max_size=60)
huge_text = st.sampled_from([0, 1, 4096, 100_000]).flatmap(
    lambda n: st.sampled_from(["a", "9", "é", "😀", "&", "%", "="]).map(lambda c: c * (n // len(c.encode()))))
value = st.one_of(short_text, odd_digits, huge_text, st.floats(allow_nan=True).map(str),
                  st.integers(-2**70, 2**70).map(str))
TWILIO_FIELDS = ["CallSid", "From", "To", "Caller", "Digits", "SpeechResult", "Confidence", "CallStatus",
                 "CallDuration", "RecordingUrl", "RecordingSid", "RecordingDuration", "MessageSid", "Body",
                 "FromCountry", "AnsweredBy", "DialCallStatus", "DialCallDuration", "ErrorCode", "NumMedia"]
field_name = st.one_of(st.sampled_from(TWILIO_FIELDS), short_text)
twilio_form = st.lists(st.tuples(field_name, value), max_size=8).map(
    lambda pairs: [("CallSid", CALLS[len(pairs) % 3]), *pairs])
json_values = st.recursive(st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats() | short_text,
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(short_text, inner, max_size=4),
                           max_leaves=20)
invalid_utf8 = st.binary(max_size=300).map(lambda b: b"\xff\xfe" + b + b"\xc3(\xa0\xa1\xed\xa0\x80")
# JSON nested past what a parser walks: [[[[…]]]] or {"a": {"a": …}} a few to 100 000 levels deep (a RecursionError)
deep_json = st.tuples(st.sampled_from([("[", "]"), ('{"a": ', "}"), ('{"fence": 1, "kinds": [', "]}")]),
                      st.sampled_from([9, 50, 1000, 5000, 100_000])).map(
    lambda shape: (shape[0][0] * shape[1] + "1" + shape[0][1] * shape[1]).encode())
TWILIO_PATHS = ["/voice/incoming", "/voice/status", "/voice/fallback", "/sms/incoming", "/voice/dial/agent",
                "/voice/dial/agent-answer", "/voice/dial/customer-done", "/voice/dial/status", "/voice/dial/customer",
                "/voice/dial/customer-key", "/voice/dial/amd"]


def twilio_headers(world, path: str, form, signed: bool) -> dict:
    if not signed:
        return {}
    settings = world["settings"]
    return {"X-Twilio-Signature": RequestValidator(settings.signing_token).compute_signature(settings.url(path), form)}


def parsed_form(world, path: str, raw: bytes, content_type: str):
    """The form Flask will see for these bytes: what Twilio would have signed."""
    with world["app"].test_request_context(path, method="POST", data=raw, content_type=content_type):
        from flask import request
        return request.form.copy()


# -- Twilio --------------------------------------------------------------------------------------------
@fuzz
@given(path=st.sampled_from(TWILIO_PATHS + ["/voice/step?seq=1", "/voice/step?seq=2", "/voice/step?seq=-1",
                                            "/voice/step?seq=x", "/voice/step", "/voice/step?seq=99999999999999999"]),
       form=twilio_form, signed=st.booleans())
def test_twilio_endpoints_take_any_form(world, path, form, signed):
    from werkzeug.datastructures import MultiDict
    data = MultiDict(form)
    send(world, "POST", path, data=data, headers=twilio_headers(world, path, data, signed))


@fuzz
@given(seq=st.integers(1, 8), sid=st.sampled_from(CALLS), digits=odd_digits, speech=st.one_of(short_text, huge_text),
       confidence=value, recording=st.sampled_from(["", "https://api.twilio.com/x", "javascript:alert(1)", "\x00"]))
def test_a_call_walked_with_odd_answers_never_breaks(world, seq, sid, digits, speech, confidence, recording):
    """A random walk through the call flow, every step genuinely signed."""
    from werkzeug.datastructures import MultiDict
    start = MultiDict({"CallSid": sid, "From": "+393471234567", "To": "+390200000000"})
    send(world, "POST", "/voice/incoming", data=start, headers=twilio_headers(world, "/voice/incoming", start, True))
    path = f"/voice/step?seq={seq}"
    form = MultiDict({"CallSid": sid, "From": "+393471234567", "Digits": digits, "SpeechResult": speech,
                      "Confidence": confidence, "RecordingUrl": recording, "RecordingDuration": digits[:3]})
    send(world, "POST", path, data=form, headers=twilio_headers(world, path, form, True))


@fuzz
@given(path=st.sampled_from(TWILIO_PATHS + ["/voice/step?seq=1"]), raw=st.one_of(invalid_utf8, huge_text.map(str.encode)),
       content_type=st.sampled_from(["application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                                     "application/json", "text/plain", ""]), signed=st.booleans())
def test_twilio_endpoints_take_any_bytes(world, path, raw, content_type, signed):
    form = parsed_form(world, path, raw, content_type)
    send(world, "POST", path, data=raw, content_type=content_type, headers=twilio_headers(world, path, form, signed))


# -- Meta and X ----------------------------------------------------------------------------------------
def messenger_event(kind: str, inner) -> dict:
    return {"sender": {"id": "7788"}, "recipient": {"id": PAGE}, "timestamp": 1458668856463, kind: inner}


meta_payload = st.one_of(
    json_values,
    st.builds(lambda kind, inner, obj: {"object": obj, "entry": [{"id": PAGE, "time": 1, "messaging": [
        messenger_event(kind, inner)]}]},
        st.sampled_from(["message", "postback", "referral", "read", "delivery", "reaction", "optin",
                         "account_linking", "game_play", "x-unknown"]) | short_text, json_values,
        st.sampled_from(["page", "instagram", "user", ""])),
    st.builds(lambda text, mid: {"object": "page", "entry": [{"id": PAGE, "time": 1, "messaging": [
        messenger_event("message", {"mid": mid, "text": text})]}]}, st.one_of(short_text, huge_text), short_text),
)
x_payload = st.one_of(
    json_values,
    st.builds(lambda kind, inner, user: {"for_user_id": user, kind: inner},
              st.sampled_from(["direct_message_events", "tweet_create_events", "favorite_events", "follow_events",
                               "block_events", "direct_message_indicate_typing_events", "x_unknown_events"])
              | short_text, json_values, st.sampled_from([BOT, "999", ""]) | short_text),
    st.builds(lambda text, sender: {"for_user_id": BOT, "direct_message_events": [{
        "type": "message_create", "id": "1", "created_timestamp": "1",
        "message_create": {"target": {"recipient_id": BOT}, "sender_id": sender, "message_data": {"text": text}}}]},
        st.one_of(short_text, huge_text), st.sampled_from(["1133", BOT, ""]) | short_text),
)
body_of = lambda payload: json.dumps(payload, ensure_ascii=False).encode("utf-8", "surrogatepass")  # noqa: E731


@fuzz
@given(body=st.one_of(meta_payload.map(body_of), invalid_utf8, huge_text.map(str.encode), deep_json),
       signed=st.booleans())
def test_messenger_events(world, body, signed):
    headers = {"X-Hub-Signature-256": meta_signature(APP_SECRET, body)} if signed else {}
    send(world, "POST", "/social/messenger", data=body, content_type="application/json", headers=headers)


@fuzz
@given(body=st.one_of(x_payload.map(body_of), invalid_utf8, huge_text.map(str.encode), deep_json),
       signed=st.booleans())
def test_x_events(world, body, signed):
    headers = {"x-twitter-webhooks-signature": x_signature(X_SECRET, body)} if signed else {}
    send(world, "POST", "/social/x", data=body, content_type="application/json", headers=headers)


challenge = st.one_of(short_text, huge_text, odd_digits, st.just(""))


@fuzz
@given(mode=st.sampled_from(["subscribe", "", "unsubscribe"]) | short_text,
       token=st.sampled_from([VERIFY_TOKEN, ""]) | short_text, challenge=challenge, crc=challenge,
       raw_query=st.binary(max_size=200))
def test_handshake_and_crc(world, mode, token, challenge, crc, raw_query):
    query = {"hub.mode": mode, "hub.verify_token": token, "hub.challenge": challenge}
    send(world, "GET", "/social/messenger", query_string=query)
    send(world, "GET", "/social/x", query_string={"crc_token": crc})
    send(world, "GET", "/social/x?crc_token=" + raw_query.decode("latin-1").replace("#", "%23"))


# -- console, API, operators ---------------------------------------------------------------------------
def public_routes(world, prefix: str) -> list[tuple[str, str]]:
    skip = {"/console/events", "/console/logout", "/console/static/<path:filename>"}  # a stream; ends the session
    return sorted((method, rule.rule) for rule in world["app"].url_map.iter_rules()
                  if rule.rule.startswith(prefix) and rule.rule not in skip
                  for method in rule.methods - {"HEAD", "OPTIONS"})


item_id = st.one_of(short_text.filter(lambda s: "/" not in s and "?" not in s and "#" not in s),
                    st.sampled_from(["1", "0", "-1", "%00", "..", "9" * 40]))


def fill(rule: str, ident: str, extra: str) -> str:
    from urllib.parse import quote
    return re.sub(r"<[^>]+>", quote(ident, safe="") or "x", rule) + extra


@fuzz
@given(data=st.data(), ident=item_id, body=json_values,
       raw=st.one_of(invalid_utf8, huge_text.map(str.encode), deep_json),
       auth=st.sampled_from(["good", "none", "garbled"]), as_json=st.booleans())
def test_api_routes(world, data, ident, body, raw, auth, as_json):
    method, rule = data.draw(st.sampled_from(public_routes(world, "/api/")))
    headers = {"good": {"Authorization": f"Bearer {world['token']}"}, "none": {},
               "garbled": {"Authorization": "Bearer nh_" + re.sub(r"[\r\n]", "", ident)}}[auth]
    payload = {"data": body_of(body)} if as_json else {"data": raw}
    send(world, method, fill(rule, ident, ""), content_type="application/json", headers=headers, **payload)


def test_api_routes_take_json_nested_past_any_parser(world):
    """Every route, every deep shape, a good token: the parser's RecursionError was a 500 (issue 13)."""
    headers = {"Authorization": f"Bearer {world['token']}"}
    shapes = [("[", "]"), ('{"a": ', "}"), ('{"fence": 1, "kinds": [', "]}")]
    for method, rule in public_routes(world, "/api/"):
        for (opener, closer), depth in ((shape, depth) for shape in shapes for depth in (9, 5000, 100_000)):
            raw = (opener * depth + "1" + closer * depth).encode()
            response = send(world, method, fill(rule, "x", ""), content_type="application/json", headers=headers,
                            data=raw)
            if response.status_code == 413:  # longer than any body we take: refused before anything reads it
                assert len(raw) > world["app"].config["MAX_CONTENT_LENGTH"]
            elif rule in ("/api/claims/next", "/api/presence"):  # no item to look up first: the body is read
                assert response.status_code == 400, rule
                assert "nested too deeply" in response.json["message"], rule


@fuzz
@given(data=st.data(), ident=item_id, form=st.dictionaries(st.sampled_from(
    ["outcome", "not_before", "reason", "text", "note", "state", "lang", "area", "cause", "fix_at", "fence",
     "on", "body", "next"]) | short_text, value, max_size=5), csrf=st.sampled_from(["good", "none", "forged"]),
    signed_in=st.booleans())
def test_console_routes(world, data, ident, form, csrf, signed_in):
    method, rule = data.draw(st.sampled_from(public_routes(world, "/console/")))
    token = {"good": world["csrf"], "none": None, "forged": world["csrf"][::-1]}[csrf]
    fields = {**form, **({"csrf_token": token} if token else {})}
    client = world["console"] if signed_in else None
    response = send(world, method, fill(rule, ident, ""), client=client, counted=LOGIN_FAILURES,
                    data=fields if method == "POST" else None, query_string=None if method == "POST" else form)
    if not signed_in and rule != "/console/login":
        assert response.status_code in (302, 400, 401, 403, 404, 413)


@fuzz
@given(name=st.one_of(short_text, huge_text), password=st.one_of(short_text, huge_text),
       extra=st.dictionaries(short_text, value, max_size=3))
def test_login_form(world, name, password, extra):
    client = world["app"].test_client()
    page = client.get("/console/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    send(world, "POST", "/console/login", client=client, counted=LOGIN_FAILURES,
         data={**extra, "name": name, "password": password, "csrf_token": csrf})


@fuzz
@given(path=st.sampled_from(["/healthz", "/metrics", "/dev/outbox", "/", "/voice/incoming", "/nope", "/static/x",
                             "/console/static/../../etc/passwd"]),
       method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH"]), query=st.dictionaries(short_text, value,
                                                                                                max_size=3))
def test_operators_and_unknown_paths(world, path, method, query):
    send(world, method, path, query_string=query)

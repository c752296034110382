"""Signature matrix (issue 7): every genuine Twilio, Meta and X request accepted, every forged or
tampered one a 403 that writes nothing. Edge cases already pinned in test_voice_webhooks.py and
test_social_webhooks.py (missing/empty/other-secret headers, one case each) are not repeated."""
from __future__ import annotations

import json
import unicodedata

import pytest
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict

# the app with Messenger and X configured, and its helpers (fixtures are picked up by name)
from tests.integration.test_social_webhooks import (APP_SECRET, X_SECRET, app, batch, entry, graph, jobs,  # noqa: F401
                                        post_messenger, post_x, x_dm)
from tests.support.fake_social import meta_signature, x_signature

HOST = "nohold.example.it"
CALLER = "+393471234567"
SETTINGS_HEADER = "X-Twilio-Webhooks-Signature-Settings"


@pytest.fixture
def client(app):
    return app.test_client()


def twilio_form(*pairs: tuple[str, str], **extra: str) -> MultiDict:
    return MultiDict([("CallSid", "CA" + "1" * 32), ("From", CALLER), ("To", "+390200000000"), *pairs,
                      *extra.items()])


def post_twilio(client, path: str, form, signed_url: str, token: str, algorithm: str = "HMAC_SHA1",
                settings_header: str = ""):
    signature = RequestValidator(token).compute_signature(signed_url, form, algorithm)
    headers = {"X-Twilio-Signature": signature, **({SETTINGS_HEADER: settings_header} if settings_header else {})}
    return client.post(path, data=form, headers=headers)


def expect(response, redis_client, genuine: bool, before: int) -> None:
    if genuine:
        assert response.status_code in (200, 204), response.text
    else:
        assert response.status_code == 403
        assert redis_client.dbsize() == before


# -- Twilio: the URL behind a proxy -------------------------------------------------------------------
# (PUBLIC_BASE_URL, URL Twilio signed, accepted?) — twilio's validator also tries the signed URL
# with the scheme's default port added or any port removed, never another scheme, host, port or path.
PROXY_TABLE = [
    (f"https://{HOST}", f"https://{HOST}", True),
    (f"https://{HOST}/", f"https://{HOST}", True),                    # a trailing slash in the setting
    (f"https://{HOST}", f"https://{HOST}:443", True),                 # Twilio sometimes signs the port
    (f"https://{HOST}:443", f"https://{HOST}", True),
    (f"https://{HOST}:443", f"https://{HOST}:443", True),
    (f"https://{HOST}:8443", f"https://{HOST}:8443", True),
    (f"https://{HOST}:8443", f"https://{HOST}", True),                # ports are dropped, not invented
    (f"http://{HOST}", f"http://{HOST}", True),
    (f"http://{HOST}", f"http://{HOST}:80", True),
    (f"http://{HOST}:8080", f"http://{HOST}:8080", True),
    (f"https://{HOST}", f"http://{HOST}", False),                     # scheme downgraded
    (f"http://{HOST}", f"https://{HOST}", False),
    (f"https://{HOST}", f"https://{HOST}:8443", False),               # another port
    (f"https://{HOST}:8443", f"https://{HOST}:443", False),
    (f"http://{HOST}:8080", f"http://{HOST}:80", False),
    (f"https://{HOST}", "http://localhost:5000", False),              # the proxy's inner URL
    (f"https://{HOST}", "http://127.0.0.1", False),
    (f"https://{HOST}", "https://evil.example.com", False),           # another host
    (f"https://{HOST}", f"https://{HOST}.evil.example.com", False),
    (f"https://{HOST}", f"https://{HOST}/prefix", False),             # another path
]


@pytest.mark.parametrize("base, signed_base, genuine", PROXY_TABLE,
                         ids=[f"{b}<-{s}" for b, s, _ in PROXY_TABLE])
@pytest.mark.parametrize("path", ["/voice/incoming", "/voice/step?seq=1", "/sms/incoming"])
def test_twilio_proxy_scheme_host_port(app, client, settings, redis_client, base, signed_base, genuine, path):
    app.config["NOHOLD"] = settings.with_overrides(public_base_url=base)
    form = twilio_form(MessageSid="SM" + "1" * 32, Body="STATO")
    if path.startswith("/voice/step"):  # a step needs its call
        post_twilio(client, "/voice/incoming", form, base.rstrip("/") + "/voice/incoming", settings.signing_token)
    before = redis_client.dbsize()
    response = post_twilio(client, path, form, signed_base + path, settings.signing_token)
    expect(response, redis_client, genuine, before)


# -- Twilio: what is signed ----------------------------------------------------------------------------
NFC, NFD = unicodedata.normalize("NFC", "perché la linea è giù"), unicodedata.normalize("NFD", "perché la linea è giù")
# (id, form signed, form sent, query signed, query sent, accepted?)
PAYLOAD_TABLE = [
    ("plain", twilio_form(), None, "?seq=1", None, True),
    ("repeated-key", twilio_form(("Digits", "1"), ("Digits", "2")), None, "?seq=1", None, True),
    ("repeated-same-value", twilio_form(("Digits", "1"), ("Digits", "1")), None, "?seq=1", None, True),
    ("accents", twilio_form(SpeechResult=NFC, CallerName="Niccolò Ñúñez"), None, "?seq=1", None, True),
    ("emoji-and-cjk", twilio_form(SpeechResult="internet 😡 不工作"), None, "?seq=1", None, True),
    ("empty-value", twilio_form(SpeechResult=""), None, "?seq=1", None, True),
    ("repeated-key-dropped", twilio_form(("Digits", "1"), ("Digits", "2")), twilio_form(Digits="1"),
     "?seq=1", None, False),
    ("repeated-key-added", twilio_form(Digits="1"), twilio_form(("Digits", "1"), ("Digits", "2")),
     "?seq=1", None, False),
    ("accent-decomposed", twilio_form(SpeechResult=NFC), twilio_form(SpeechResult=NFD), "?seq=1", None, False),
    ("accent-stripped", twilio_form(SpeechResult=NFC), twilio_form(SpeechResult="perche la linea e giu"),
     "?seq=1", None, False),
    ("key-renamed", twilio_form(Digits="1"), twilio_form(digits="1"), "?seq=1", None, False),
    ("field-added", twilio_form(), twilio_form(Digits="1"), "?seq=1", None, False),
    ("query-changed", twilio_form(), None, "?seq=1", "?seq=2", False),
    ("query-added", twilio_form(), None, "?seq=1", "?seq=1&x=1", False),
]


@pytest.mark.parametrize("signed_form, sent_form, signed_query, sent_query, genuine",
                         [row[1:] for row in PAYLOAD_TABLE], ids=[row[0] for row in PAYLOAD_TABLE])
def test_twilio_form_keys_values_and_query(client, settings, redis_client, signed_form, sent_form, signed_query,
                                           sent_query, genuine):
    post_twilio(client, "/voice/incoming", twilio_form(), settings.url("/voice/incoming"), settings.signing_token)
    before = redis_client.dbsize()
    signature = RequestValidator(settings.signing_token).compute_signature(
        settings.url("/voice/step" + signed_query), signed_form)
    response = client.post("/voice/step" + (sent_query or signed_query), data=sent_form or signed_form,
                           headers={"X-Twilio-Signature": signature})
    expect(response, redis_client, genuine, before)


# -- Twilio: the header itself and the HMAC-SHA256 variant -----------------------------------------------
SHARED = "webhooks-shared-key"
SHA256_HEADER = "key=webhooks_sharedkey_1,algorithm=HMAC_SHA256"
# (id, key used, algorithm, settings header, accepted?)
ALGORITHM_TABLE = [
    ("sha1-auth-token", "token", "HMAC_SHA1", "", True),
    ("sha256-shared-key", SHARED, "HMAC_SHA256", SHA256_HEADER, True),
    ("sha1-shared-key-header", SHARED, "HMAC_SHA1", "key=webhooks_sharedkey_1,algorithm=HMAC_SHA1", True),
    ("sha256-header-spaces", SHARED, "HMAC_SHA256", "key=webhooks_sharedkey_1, algorithm = HMAC_SHA256", True),
    ("sha256-without-header", SHARED, "HMAC_SHA256", "", False),
    ("sha256-auth-token-with-header", "token", "HMAC_SHA256", SHA256_HEADER, False),
    ("sha1-shared-key-no-header", SHARED, "HMAC_SHA1", "", False),
    ("header-says-sha1-signed-sha256", SHARED, "HMAC_SHA256", "key=k,algorithm=HMAC_SHA1", False),
    ("unknown-algorithm", SHARED, "HMAC_SHA256", "key=k,algorithm=HMAC_MD5", False),
]


@pytest.mark.parametrize("key, algorithm, settings_header, genuine", [row[1:] for row in ALGORITHM_TABLE],
                         ids=[row[0] for row in ALGORITHM_TABLE])
@pytest.mark.parametrize("path", ["/voice/incoming", "/sms/incoming", "/voice/status"])
def test_twilio_hmac_sha256_variant(app, client, settings, redis_client, key, algorithm, settings_header, genuine,
                                    path):
    app.config["NOHOLD"] = settings.with_overrides(twilio_webhook_shared_key=SHARED)
    form = twilio_form(MessageSid="SM" + "2" * 32, Body="STATO", CallStatus="completed", CallDuration="30")
    token = settings.signing_token if key == "token" else key
    response = post_twilio(client, path, form, settings.url(path), token, algorithm, settings_header)
    expect(response, redis_client, genuine, 0)


def _garbled(good: str) -> list[str]:
    flipped = good[:5] + ("A" if good[5] != "A" else "B") + good[6:]
    return ["", " ", "=", "not base64!", good[:-1], good + "=", good + "A", good.lower(), flipped,
            good.encode().hex(), "sha1=" + good, " " * len(good), "\u00e9" * len(good)]


TWILIO_PATHS = ["/voice/incoming", "/voice/step?seq=1", "/voice/status", "/voice/fallback", "/sms/incoming",
                "/voice/dial/agent", "/voice/dial/agent-answer", "/voice/dial/customer-done", "/voice/dial/status",
                "/voice/dial/customer", "/voice/dial/customer-key", "/voice/dial/amd"]


@pytest.mark.parametrize("path", TWILIO_PATHS)
def test_twilio_garbled_signatures_on_every_endpoint(client, settings, redis_client, path):
    form = twilio_form(MessageSid="SM" + "3" * 32, Digits="1")
    good = RequestValidator(settings.signing_token).compute_signature(settings.url(path), form)
    for signature in _garbled(good):
        response = client.post(path, data=form, headers={"X-Twilio-Signature": signature})
        assert response.status_code == 403, repr(signature)
        assert "Traceback" not in response.text
    assert redis_client.dbsize() == 0
    genuine = client.post(path, data=form, headers={"X-Twilio-Signature": good})
    assert genuine.status_code != 403
    assert genuine.status_code < 500  # dial legs want more fields: 400


# -- Meta and X: an HMAC over the raw bytes --------------------------------------------------------------
TEXTS = ["hello, world!", "Ciao, sono Niccolò 😀 — la linea è giù", "é" * 2000, "\u202eRTL\u202c <b>x</b> \\\" '",
         "line\nbreak\ttab", ""]


def _meta_bodies(text: str) -> list[bytes]:
    """The same batch as Meta might serialise it: compact, escaped, pretty-printed."""
    document = json.loads(batch(entry(text=text)))
    return [json.dumps(document, ensure_ascii=False).encode(), json.dumps(document).encode(),
            json.dumps(document, indent=2, ensure_ascii=False).encode()]


@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_meta_genuine_bodies_are_accepted_and_any_other_bytes_refused(client, redis_client, jobs, text):
    bodies = _meta_bodies(text)
    for genuine in bodies:
        assert post_messenger(client, genuine).status_code == 200
    stored = redis_client.dbsize()
    good = meta_signature(APP_SECRET, bodies[0])
    # the same JSON in other bytes, other secrets, other prefixes, other encodings of the digest
    forged = [(other, good) for other in bodies[1:] if other != bodies[0]] + [
        (bodies[0] + b"\n", good), (bodies[0].replace(b'"page"', b'"user"'), good),
        (bodies[0], "sha1=" + good[7:]), (bodies[0], good[7:]),
        (bodies[0], "sha256 =" + good[7:]), (bodies[0], good[:-2]),
        (bodies[0], meta_signature("wrong-secret", bodies[0])), (bodies[0], meta_signature(X_SECRET, bodies[0])),
        (bodies[0], x_signature(APP_SECRET, bodies[0])), (bodies[0], None), (bodies[0], ""),
    ]
    for body, signature in forged:
        response = post_messenger(client, body, signature)
        assert response.status_code == 403, signature
    assert redis_client.dbsize() == stored


@pytest.mark.parametrize("text", TEXTS[:3], ids=range(3))
def test_x_genuine_bodies_are_accepted_and_any_other_bytes_refused(client, redis_client, jobs, text):
    document = json.loads(x_dm())
    document["direct_message_events"][0]["message_create"]["message_data"]["text"] = text
    bodies = [json.dumps(document, ensure_ascii=False).encode(), json.dumps(document).encode()]
    for genuine in bodies:
        assert post_x(client, genuine).status_code == 200
    stored = redis_client.dbsize()
    good = x_signature(X_SECRET, bodies[0])
    forged = [(body, good) for body in bodies[1:] if body != bodies[0]] + [(bodies[0] + b" ", good), (bodies[0], good[7:]), (bodies[0], "sha1=" + good[7:]),
              (bodies[0], x_signature("wrong-secret", bodies[0])), (bodies[0], x_signature(APP_SECRET, bodies[0])),
              (bodies[0], meta_signature(X_SECRET, bodies[0])), (bodies[0], None), (bodies[0], "sha256=")]
    for body, signature in forged:
        assert post_x(client, body, signature).status_code == 403, signature
    assert redis_client.dbsize() == stored


# X's tokens (base64 of random bytes, or URL-safe base64) are answered: the HMAC of exactly the token
X_TOKENS = ["ZjQ2NjQ0ZDMtNjgwZi00ZjNjLWE1MjQtZWNjZGZhMDlhNmE2", "crc-2026_token", "A1b2C3d4+/==", "t" * 128]


@pytest.mark.parametrize("token", X_TOKENS)
def test_x_crc_answers_tokens_of_the_shape_x_sends(client, redis_client, token):
    response = client.get("/social/x", query_string={"crc_token": token})
    assert response.status_code == 200
    assert response.json == {"response_token": x_signature(X_SECRET, token.encode())}
    assert response.json["response_token"] != x_signature("wrong-secret", token.encode())
    assert redis_client.dbsize() == 0


# anything else would make the CRC endpoint a signing oracle for POST bodies: refused, nothing signed
NOT_X_TOKENS = ["a", "short", "t" * 129, "é😀crc-token", "with spaces & = ?", "token\nline", '{"for_user_id":"1"}',
                "crc-2026===", "abc.def.ghi.jkl"]


@pytest.mark.parametrize("token", NOT_X_TOKENS)
def test_x_crc_signs_nothing_but_an_x_token(client, redis_client, token):
    response = client.get("/social/x", query_string={"crc_token": token})
    assert response.status_code == 400
    assert "response_token" not in response.text
    assert x_signature(X_SECRET, token.encode())[7:] not in response.text
    assert redis_client.dbsize() == 0


def test_a_forged_dm_cannot_be_signed_through_the_crc(client, redis_client):
    """The review's attack: the forged DM JSON sent as crc_token, the answer used as its signature."""
    forged = x_dm()
    answer = client.get("/social/x", query_string={"crc_token": forged.decode()})
    assert answer.status_code == 400
    token = (answer.json or {}).get("response_token")
    assert token is None
    assert post_x(client, forged, x_signature("not-the-secret", forged)).status_code == 403
    assert redis_client.dbsize() == 0

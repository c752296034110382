"""Redis unreachable, then back: callers hear our apology in their language, Meta and X get a 503 to retry,
and the same app works again as soon as the same redis-server (AOF on) is back on its port.

Real redis-server started and stopped by the test, real Flask app, real TwiML and signatures. A few seconds.
"""
from __future__ import annotations

import pytest
from twilio.request_validator import RequestValidator

from ivr import create_app
from ivr.runtime.redis_server import RedisServer
from tests.support.fake_social import meta_signature, x_signature
from tests.integration.test_social_webhooks import APP_SECRET, BOT, PAGE, X_SECRET, batch, entry, x_dm
from tests.support.twiml_helpers import gather, said, verbs

ITALIAN, BRITISH = "+393471234567", "+447400123456"


@pytest.fixture
def server(tmp_path):
    """A redis-server of this test's own, AOF on, on a port that stays the same across restarts."""
    started = RedisServer(tmp_path / "redis", appendonly=True).start()
    yield started
    started.stop()


@pytest.fixture
def app(settings, clock, server):
    configured = settings.with_overrides(
        redis_url=server.url, messenger_app_secret=APP_SECRET, messenger_verify_token="verify",
        messenger_page_token="page-token", messenger_page_id=PAGE, graph_api_base="http://127.0.0.1:9/v21.0",
        x_consumer_secret=X_SECRET, x_bearer_token="x-user-token", x_account=BOT, x_api_base="http://127.0.0.1:9")
    application = create_app({"SETTINGS": configured, "CLOCK": clock})
    application.testing = True
    yield application
    if server.process is None:  # the counts kept while Redis was away are flushed, not lost
        server.start()
    application.extensions["nohold"].metrics.close()


@pytest.fixture
def client(app):
    return app.test_client()


def twilio(client, settings, path: str, **form):
    signature = RequestValidator(settings.signing_token).compute_signature(settings.url(path), form)
    return client.post(path, data=form, headers={"X-Twilio-Signature": signature})


def start_call(client, settings, sid: str, caller: str):
    return twilio(client, settings, "/voice/incoming", CallSid=sid, From=caller, To="+390212345678")


def assert_apology(response, words: str, lang: str) -> None:
    """Valid TwiML, HTTP 200, our sentence in the caller's language with a way forward, nothing internal."""
    assert response.status_code == 200, response.data
    assert response.mimetype == "text/xml", response.data
    tags = [verb.tag for verb in verbs(response.data)]
    assert tags == ["Say", "Hangup"], tags
    assert words in said(response.data)
    assert verbs(response.data)[0].get("language") == lang
    assert b"Traceback" not in response.data
    assert b"Error" not in response.data


@pytest.mark.parametrize("caller, words, lang", [(ITALIAN, "SMS a questo numero", "it-IT"),
                                                 (BRITISH, "text us at this number", "en-GB")])
def test_callers_hear_our_apology_in_their_language_while_redis_is_down(client, settings, server,
                                                                        caller, words, lang):
    assert gather(start_call(client, settings, "CA-before", caller).data) is not None
    server.stop()
    assert_apology(start_call(client, settings, "CA-new", caller), words, lang)
    step = twilio(client, settings, "/voice/step?seq=1", CallSid="CA-before", From=caller, SpeechResult="internet")
    assert_apology(step, words, lang)


def test_an_sms_gets_a_sensible_reply_while_redis_is_down(client, settings, server):
    server.stop()
    for caller, words in ((ITALIAN, "problema tecnico"), (BRITISH, "technical problem")):
        response = twilio(client, settings, "/sms/incoming", MessageSid="SM1", From=caller, To="+390212345678",
                          Body="STATO")
        assert response.status_code == 200
        assert response.mimetype == "text/xml"
        assert words in response.get_data(as_text=True)
        assert b"Traceback" not in response.data


def test_meta_and_x_get_a_503_so_they_deliver_again_later(client, server):
    server.stop()
    body = batch(entry())
    messenger = client.post("/social/messenger", data=body,
                            headers={"X-Hub-Signature-256": meta_signature(APP_SECRET, body),
                                     "Content-Type": "application/json"})
    dm = x_dm()
    x = client.post("/social/x", data=dm, headers={"x-twitter-webhooks-signature": x_signature(X_SECRET, dm),
                                                   "Content-Type": "application/json"})
    for response in (messenger, x):
        assert response.status_code == 503, response.data
        assert b"Traceback" not in response.data


def test_the_app_recovers_by_itself_when_the_same_redis_returns(client, settings, server, nohold):
    assert gather(start_call(client, settings, "CA-1", ITALIAN).data) is not None
    server.stop()
    assert_apology(start_call(client, settings, "CA-2", ITALIAN), "SMS a questo numero", "it-IT")
    server.start()  # same port, same data directory: the AOF brings the first call back
    step = twilio(client, settings, "/voice/step?seq=1", CallSid="CA-1", From=ITALIAN, Digits="1")
    assert step.status_code == 200
    assert "problema tecnico" not in said(step.data)
    fresh = start_call(client, settings, "CA-3", ITALIAN)
    assert gather(fresh.data) is not None
    assert "problema tecnico" not in said(fresh.data)
    body = batch(entry())
    accepted = client.post("/social/messenger", data=body,
                           headers={"X-Hub-Signature-256": meta_signature(APP_SECRET, body),
                                    "Content-Type": "application/json"})
    assert accepted.status_code == 200

"""A caller moves to Messenger and keeps their place: call → chat SMS with a code → Messenger → agent reply.

Real Redis, Flask, the twilio library and RQ; Twilio's and Meta's clouds are local fake servers.
"""
from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from ivr import create_app
from ivr.app.settings import load_settings
from social_bridge.chat.delivery import ReplyRefused
from tests.support.fake_social import FakeSocial, meta_signature
from tests.support.fake_twilio import FakeTwilio
from tests.support.twiml_helpers import said

BASE = "https://nohold.example.it"
CALLER = "+393471234567"
PAGE, PSID, SECRET = "1122334455", "7788990011", "meta-app-secret"
CALL_SID = "CA" + "e" * 32


@pytest.fixture
def clouds():
    twilio, meta = FakeTwilio(auth_token="secret").start(), FakeSocial().start()
    yield twilio, meta
    twilio.stop()
    meta.stop()


@pytest.fixture
def live(redis_url, tmp_path, clouds, clock, redis_client, monkeypatch, run_jobs, job_services):
    twilio, meta = clouds
    env = {"REDIS_URL": redis_url, "NOHOLD_VAR_DIR": str(tmp_path / "var"), "PUBLIC_BASE_URL": BASE,
           "TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_AUTH_TOKEN": "secret", "TWILIO_NUMBER": "+390212345678",
           "TWILIO_API_BASE": twilio.base_url, "SECRET_KEY": "k" * 32, "CHAT_CHANNELS": "sms,messenger",
           "MESSENGER_APP_SECRET": SECRET, "MESSENGER_VERIFY_TOKEN": "verify-me", "MESSENGER_PAGE_TOKEN": "page-token",
           "MESSENGER_PAGE_ID": PAGE, "GRAPH_API_BASE": meta.base_url}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    app = create_app({"SETTINGS": load_settings(environ=env), "CLOCK": clock})
    app.testing = True
    nohold = app.extensions["nohold"]
    job_services.install(nohold)  # every job gets this test's services
    yield app, nohold, run_jobs
    nohold.metrics.close()


def voice(app, path: str, **form):
    from twilio.request_validator import RequestValidator
    form = {"CallSid": CALL_SID, "From": CALLER, "To": "+390212345678", **form}
    signature = RequestValidator("secret").compute_signature(BASE + path, form)
    response = app.test_client().post(path, data=form, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200
    return response.data


def messenger_postback(app, ref: str, timestamp_ms: int, psid: str = PSID, mid: str = "m_postback_1"):
    body = json.dumps({"object": "page", "entry": [{"id": PAGE, "time": timestamp_ms, "messaging": [{
        "sender": {"id": psid}, "recipient": {"id": PAGE}, "timestamp": timestamp_ms,
        "postback": {"title": "Inizia", "payload": "GET_STARTED", "mid": mid,
                     "referral": {"ref": ref, "source": "SHORTLINK", "type": "OPEN_THREAD"}}}]}]}).encode()
    response = app.test_client().post("/social/messenger", data=body, content_type="application/json",
                                      headers={"X-Hub-Signature-256": meta_signature(SECRET, body)})
    assert response.status_code == 200


def graph_sends(meta) -> list[dict]:
    return [r["json"] for r in meta.requests if r["path"].endswith("/me/messages")]


def test_a_caller_continues_on_messenger_keeping_the_place_and_the_context(live, clouds, clock):
    app, nohold, run_jobs = live
    twilio, meta = clouds
    started = clock()
    voice(app, "/voice/incoming")
    voice(app, "/voice/step?seq=1", SpeechResult="non mi va internet da stamattina", Confidence="0.92")
    clock.advance(40)
    assert "SMS" in said(voice(app, "/voice/step?seq=2", Digits="3"))  # 3: continue in chat
    run_jobs()
    [sms] = twilio.messages()
    assert sms["To"] == CALLER
    link = re.search(r"https://m\.me/\S+", sms["Body"]).group(0)
    code = parse_qs(urlsplit(link).query)["ref"][0]
    assert code in sms["Body"]
    assert urlsplit(link).path == f"/{PAGE}"

    clock.advance(15 * 60)  # the customer opens Messenger a quarter of an hour later
    messenger_postback(app, code, int(clock() * 1000))
    run_jobs()
    thread = nohold.social.threads.for_customer("messenger", PSID)
    item = nohold.queue.get(thread.item_id)
    assert item.acquired_at == started  # the place earned by calling, not the time of the first message
    assert (item.kind, item.channel, item.intent, item.call_sid) == ("thread", "messenger", "internet_down", CALL_SID)
    assert "internet" in item.summary
    [ack] = graph_sends(meta)
    assert ack["recipient"] == {"id": PSID}
    assert ack["messaging_type"] == "RESPONSE"
    assert "abbiamo collegato questa chat alla tua chiamata" in ack["message"]["text"]

    messenger_postback(app, code, int(clock() * 1000))  # Meta delivers the same event again: nothing new
    messenger_postback(app, code, int(clock() * 1000), psid="9999999999", mid="m_other")  # someone reuses the code
    run_jobs()
    assert len(nohold.social.threads.messages(thread.id)) == 2  # the postback and our acknowledgement
    other = nohold.queue.get(nohold.social.threads.for_customer("messenger", "9999999999").item_id)
    assert other.call_sid == ""
    assert other.intent == ""
    assert other.acquired_at > started
    assert "collegato questa chat" not in graph_sends(meta)[-1]["message"]["text"]

    bridge = app.extensions["social_bridge"]
    agent = bridge.agents.create("Giulia", "correct horse battery")
    claim = bridge.claims.claim(item.id, agent.id)
    bridge.reply(claim.item, "Ciao, ho visto il guasto: verifico la linea e ti scrivo tra poco.", agent)
    bridge.claims.release(item.id, claim.fence)
    clock.advance(2 * 86400)  # two days later, past Meta's 24 h window: the human agent tag
    claim = bridge.claims.claim(item.id, agent.id)
    bridge.reply(claim.item, "Il tecnico passa domani mattina.", agent)
    bridge.claims.release(item.id, claim.fence)
    run_jobs()
    first, second = graph_sends(meta)[2:]
    assert first["messaging_type"] == "RESPONSE"
    assert "tag" not in first
    assert (second["messaging_type"], second["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")
    states = [m.state for m in nohold.social.threads.messages(thread.id) if m.direction == "out"]
    assert states == ["sent", "sent", "sent"]

    clock.advance(6 * 86400)  # eight days: Messenger allows nothing; the agent is told why
    claim = bridge.claims.claim(item.id, agent.id)
    with pytest.raises(ReplyRefused) as refused:
        bridge.reply(claim.item, "Ci sei ancora?", agent)
    assert refused.value.reason == "window_closed"
    assert len(graph_sends(meta)) == 4


def test_a_forged_or_expired_code_links_nothing_and_reveals_nothing(live, clouds, clock):
    app, nohold, run_jobs = live
    _, meta = clouds
    issued = nohold.codes.issue({"call_sid": CALL_SID, "acquired_at": clock() - 600, "lang": "it",
                                 "intent": "billing", "summary": "bolletta"})
    clock.advance(25 * 3600)
    messenger_postback(app, issued, int(clock() * 1000))
    run_jobs()
    thread = nohold.social.threads.for_customer("messenger", PSID)
    item = nohold.queue.get(thread.item_id)
    assert item.call_sid == ""
    assert item.acquired_at == pytest.approx(clock(), abs=1)
    assert item.intent == ""
    [ack] = graph_sends(meta)
    assert "bolletta" not in ack["message"]["text"]
    assert "collegato questa chat" not in ack["message"]["text"]


def test_past_the_window_the_agent_writes_by_sms_to_the_number_of_the_call(live, clouds, clock):
    app, nohold, run_jobs = live
    twilio, meta = clouds
    code = nohold.codes.issue({"call_sid": CALL_SID, "acquired_at": clock() - 60, "lang": "it",
                               "intent": "billing", "summary": "bolletta", "caller": CALLER})
    messenger_postback(app, code, int(clock() * 1000))
    run_jobs()
    thread = nohold.social.threads.for_customer("messenger", PSID)
    bridge = app.extensions["social_bridge"]
    agent = bridge.agents.create("Giulia", "correct horse battery")
    clock.advance(8 * 86400)
    claim = bridge.claims.claim(thread.item_id, agent.id)
    client = app.test_client()
    from tests.integration.test_console import csrf_of, login
    assert login(client, "giulia", "correct horse battery").status_code == 302
    page = client.get(f"/console/items/{claim.item.id}").get_data(as_text=True)
    assert 'name="via" value="sms"' in page
    assert "Invia per SMS" in page
    client.post(f"/console/items/{claim.item.id}/reply", data={"text": "Ti scrivo qui per SMS: il guasto è risolto.",
                                                               "via": "sms", "csrf_token": csrf_of(client)})
    run_jobs()
    assert [m["Body"] for m in twilio.messages() if m["To"] == CALLER] == ["Ti scrivo qui per SMS: il guasto è risolto."]
    assert [m.kind for m in nohold.social.threads.messages(thread.id) if m.direction == "out"] == ["auto", "agent_sms"]
    assert len(graph_sends(meta)) == 1  # only the acknowledgement eight days ago went through Meta

"""Erasure (issue 18): after `python -m ivr privacy erase --phone N`, no Redis key or value holds a trace of
the person — their number in any format, their Messenger id, their words — on one node and on a Cluster.

A caller's real journeys build the data: a call that continues on Messenger with an agent's replies,
a second call leaving a voice message (its recording at the fake Twilio), an SMS conversation; someone
else books a callback, which must survive. Webhooks are signed; the clouds are local fakes.
"""
from __future__ import annotations

import io
import json

import pytest
import redis as redis_lib
from redis.cluster import RedisCluster
from twilio.request_validator import RequestValidator

from ivr import create_app
from ivr.app.settings import load_settings
from ivr.runtime import privacy_cli
from tests.e2e.test_cluster import LocalCluster
from tests.e2e.test_social_e2e import BASE, CALLER, PAGE, PSID, SECRET, clouds  # noqa: F401 (fixture)
from tests.e2e.test_social_e2e import messenger_postback, voice
from tests.support.privacy_scan import digit_runs_in_keys, number_forms, traces

OTHER = "+393351112233"
VOICEMAIL_CALL, OTHER_CALL = "CA" + "7" * 32, "CA" + "8" * 32
RECORDING = "RE" + "a" * 32
SAID = "non mi va internet da stamattina"
WRITTEN = "Buongiorno, il modem lampeggia rosso da ieri sera"
AGENT_SAID = "Il tecnico passa domani mattina"


@pytest.fixture(params=["node", "cluster"])
def store(request, redis_url, tmp_path):
    """Where nohold's state lives: the test Redis, or a fresh 3-node Cluster (RQ stays on REDIS_URL)."""
    if request.param == "node":
        yield {}, redis_lib.Redis.from_url(redis_url)
        return
    cluster = LocalCluster(tmp_path / "cluster").start()
    client = RedisCluster.from_url(cluster.url)
    yield {"REDIS_CLUSTER_URL": cluster.url}, client
    client.close()
    cluster.stop()


@pytest.fixture
def live(store, redis_url, tmp_path, clouds, clock, redis_client, monkeypatch, run_jobs, job_services):
    twilio, meta = clouds
    extra, raw = store
    env = {"REDIS_URL": redis_url, "NOHOLD_VAR_DIR": str(tmp_path / "var"), "PUBLIC_BASE_URL": BASE,
           "TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_AUTH_TOKEN": "secret", "TWILIO_NUMBER": "+390212345678",
           "TWILIO_API_BASE": twilio.base_url, "SECRET_KEY": "k" * 32, "CHAT_CHANNELS": "sms,messenger",
           "MESSENGER_APP_SECRET": SECRET, "MESSENGER_VERIFY_TOKEN": "verify-me", "MESSENGER_PAGE_TOKEN": "page-token",
           "MESSENGER_PAGE_ID": PAGE, "GRAPH_API_BASE": meta.base_url, "TRANSCRIPTION_ENGINE": "off", **extra}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    app = create_app({"SETTINGS": load_settings(environ=env), "CLOCK": clock})
    app.testing = True
    nohold = app.extensions["nohold"]
    job_services.install(nohold)
    yield app, nohold, run_jobs, raw
    nohold.metrics.close()


def sms(app, body: str, sid: str, sender: str = CALLER):
    form = {"MessageSid": sid, "SmsSid": sid, "AccountSid": "AC" + "0" * 32, "From": sender,
            "To": "+390212345678", "Body": body, "NumMedia": "0"}
    signature = RequestValidator("secret").compute_signature(BASE + "/sms/incoming", form)
    assert app.test_client().post("/sms/incoming", data=form, headers={"X-Twilio-Signature": signature}).status_code == 200


def journeys(app, nohold, run_jobs, clouds, clock) -> None:
    twilio, _ = clouds
    voice(app, "/voice/incoming")
    voice(app, "/voice/step?seq=1", SpeechResult=SAID, Confidence="0.92")
    voice(app, "/voice/step?seq=2", Digits="3")  # continue in chat: the code comes by SMS
    run_jobs()
    code = [m for m in twilio.messages() if m["To"] == CALLER][0]["Body"].split("ref=")[1].split()[0]
    messenger_postback(app, code, int(clock() * 1000))
    run_jobs()
    thread = nohold.social.threads.for_customer("messenger", PSID)
    bridge = app.extensions["social_bridge"]
    agent = bridge.agents.create("Giulia", "correct horse battery")
    claim = bridge.claims.claim(thread.item_id, agent.id)
    bridge.reply(claim.item, AGENT_SAID, agent)
    bridge.claims.release(thread.item_id, claim.fence)
    twilio.recordings[RECORDING] = (b"RIFF....WAVEfmt ", "audio/wav")
    voice(app, "/voice/incoming", CallSid=VOICEMAIL_CALL)
    voice(app, "/voice/step?seq=1", CallSid=VOICEMAIL_CALL, Digits="1")
    voice(app, "/voice/step?seq=2", CallSid=VOICEMAIL_CALL, Digits="4")
    voice(app, "/voice/step?seq=3", CallSid=VOICEMAIL_CALL, RecordingSid=RECORDING, RecordingDuration="12",
          RecordingUrl=f"https://api.twilio.com/2010-04-01/Accounts/{'AC' + '0' * 32}/Recordings/{RECORDING}")
    sms(app, WRITTEN, "SM" + "1" * 32)
    voice(app, "/voice/incoming", CallSid=OTHER_CALL, From=OTHER)
    voice(app, "/voice/step?seq=1", CallSid=OTHER_CALL, From=OTHER, Digits="1")
    voice(app, "/voice/step?seq=2", CallSid=OTHER_CALL, From=OTHER, Digits="1")
    voice(app, "/voice/step?seq=3", CallSid=OTHER_CALL, From=OTHER, Digits="1")
    run_jobs()


def erase(nohold, *args) -> str:
    out = io.StringIO()
    assert privacy_cli.main(["erase", *args], settings=nohold.settings, out=out) == 0
    return out.getvalue()


def test_erasing_a_number_leaves_no_trace_of_the_person_anywhere(live, clouds, clock):
    app, nohold, run_jobs, raw = live
    twilio, _ = clouds
    journeys(app, nohold, run_jobs, clouds, clock)
    needles = number_forms(CALLER) + [PSID, SAID, WRITTEN, AGENT_SAID]
    assert {needle for _, needle in traces(raw, needles)} >= {CALLER, PSID, SAID.lower(), WRITTEN.lower()}
    other = nohold.queue.pending_for(nohold.desk.callback_key(OTHER))
    assert other is not None
    metrics_before = nohold.metrics.counters()

    report = erase(nohold, "--phone", "347 123 4567")

    assert traces(raw, needles) == []
    assert digit_runs_in_keys(raw) == []
    assert "recordings deleted at Twilio 1" in report
    assert [r["method"] for r in twilio.requests if RECORDING in r["path"]] == ["DELETE"]
    assert RECORDING not in twilio.recordings
    assert nohold.queue.pending_for(nohold.desk.callback_key(OTHER)).id == other.id  # someone else's stays
    assert nohold.metrics.counters() == metrics_before                               # aggregates stay
    assert erase(nohold, "--phone", "+393471234567").strip() == "erased: nothing was left"


@pytest.mark.parametrize("store", ["node"], indirect=True)  # the Cluster: the test above
def test_erasing_a_thread_takes_the_person_behind_it(live, clouds, clock):
    app, nohold, run_jobs, raw = live
    journeys(app, nohold, run_jobs, clouds, clock)
    thread = nohold.social.threads.for_customer("messenger", PSID)
    erase(nohold, "--thread", thread.id)
    assert traces(raw, number_forms(CALLER) + [PSID, SAID, WRITTEN]) == []
    assert nohold.queue.pending_for(nohold.desk.callback_key(OTHER)) is not None


@pytest.mark.parametrize("store", ["node"], indirect=True)  # the Cluster: the test above
def test_export_holds_everything_about_the_person_and_nobody_else(live, clouds, clock, tmp_path):
    app, nohold, run_jobs, raw = live
    journeys(app, nohold, run_jobs, clouds, clock)
    target = tmp_path / "person.json"
    out = io.StringIO()
    assert privacy_cli.main(["export", "--phone", "39 347 1234567", "--out", str(target)],
                            settings=nohold.settings, out=out) == 0
    assert CALLER not in out.getvalue()  # the report names nobody
    document = json.loads(target.read_text())
    text = json.dumps(document, ensure_ascii=False)
    for needle in (SAID, WRITTEN, AGENT_SAID, PSID, RECORDING):
        assert needle in text, needle
    assert OTHER not in text
    assert {t["channel"] for t in document["threads"]} == {"messenger", "sms"}

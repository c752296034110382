"""Retention (issue 18 §2): the minute sweep removes each kind of personal data after its own time.

A hand clock walks past each period: recordings (30 days, deleted at the fake Twilio and on the item),
messages and a call's words (365 days), finished work and threads (730 days); a thread never holds more
than THREAD_MESSAGES_MAX messages. Pending work is never removed, however old.
"""
from __future__ import annotations

import pytest

from ivr.jobs.sweep import sweep
from tests.e2e.test_social_e2e import clouds, voice  # noqa: F401 (fixture)
from tests.integration.test_privacy_erase import RECORDING, VOICEMAIL_CALL, live, sms  # noqa: F401 (fixture)

DAY = 86400
WRITER = "+393409876512"


@pytest.fixture
def store(redis_url):
    """One node (the erase tests run on a Cluster too); threads capped at 5 messages."""
    import redis as redis_lib
    client = redis_lib.Redis.from_url(redis_url)
    yield {"THREAD_MESSAGES_MAX": "5"}, client
    client.close()


def leave_voicemail(app, twilio) -> None:
    twilio.recordings[RECORDING] = (b"RIFF....WAVEfmt ", "audio/wav")
    voice(app, "/voice/incoming", CallSid=VOICEMAIL_CALL)
    voice(app, "/voice/step?seq=1", CallSid=VOICEMAIL_CALL, SpeechResult="non mi va internet", Confidence="0.9")
    voice(app, "/voice/step?seq=2", CallSid=VOICEMAIL_CALL, Digits="4")
    voice(app, "/voice/step?seq=3", CallSid=VOICEMAIL_CALL, RecordingSid=RECORDING, RecordingDuration="12",
          RecordingUrl=f"https://api.twilio.com/2010-04-01/Accounts/{'AC' + '0' * 32}/Recordings/{RECORDING}")


def finish(app, item_id: str) -> None:
    bridge = app.extensions["social_bridge"]
    agent = bridge.agents.get("giulia") or bridge.agents.create("Giulia", "correct horse battery")
    claim = bridge.claims.claim(item_id, agent.id)
    bridge.claims.complete(item_id, claim.fence, "resolved")


def test_each_kind_of_data_goes_after_its_own_time(live, clouds, clock):
    app, nohold, run_jobs, raw = live
    twilio, _ = clouds
    leave_voicemail(app, twilio)
    voicemail = nohold.queue.get(nohold.calls.load(VOICEMAIL_CALL).item_id)
    assert voicemail.recording_sid == RECORDING
    for n in range(8):
        sms(app, f"messaggio numero {n} dal cliente", f"SM{n:032d}", sender=WRITER)
    run_jobs()
    thread = nohold.social.threads.for_customer("sms", WRITER)
    finish(app, thread.item_id)
    thread_messages = f"nohold:{{queue}}:thread:{thread.id}:messages"
    retention = nohold.privacy.retention

    assert len(nohold.social.threads.messages(thread.id)) == 5   # capped as they were recorded
    assert len([k for k in raw.scan_iter(match="nohold:{queue}:message:*")]) == 5
    assert sweep()["retention"] == {}                          # the minute sweep: nothing is due on day 0
    assert RECORDING in twilio.recordings

    clock.advance(31 * DAY)
    assert sweep()["retention"] == {"recordings deleted at Twilio": 1}
    assert RECORDING not in twilio.recordings
    kept = nohold.queue.get(voicemail.id)
    assert (kept.recording_sid, kept.recording_url) == ("", "")
    assert kept.summary != ""
    assert len(nohold.social.threads.messages(thread.id)) == 5

    clock.advance(335 * DAY)                                   # 366 days
    done = retention.run()
    assert done["messages"] == 5
    assert done["words and transcripts"] >= 1
    assert nohold.social.threads.messages(thread.id) == []
    assert nohold.queue.get(voicemail.id).summary == ""

    writer = nohold.privacy.customers.keys.identity("phone", nohold.privacy.persons.of(WRITER))
    assert raw.exists(writer) == 1                              # the writer is a customer (issue 17) until then
    clock.advance(365 * DAY)                                   # 731 days
    done = retention.run()
    assert done["closed items"] == 1                            # the finished thread's item
    assert done["closed threads"] == 1
    assert nohold.social.threads.get(thread.id) is None
    assert raw.exists(thread_messages) == 0
    assert nohold.queue.get(voicemail.id).status == "waiting"   # pending work is never removed
    assert raw.exists(writer) == 0                              # the finished item's customer went with it
    assert raw.exists(nohold.privacy.customers.keys.case_of_item(thread.item_id)) == 0

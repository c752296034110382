"""Voicemail audio is fetched with Twilio credentials: only from Twilio's API, for a RecordingSid (issue 13)."""
from __future__ import annotations

import threading

import pytest
from werkzeug.datastructures import MultiDict
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from ivr.call.state import Inputs
from ivr.call.recordings import recording_fetcher, twilio_recording_sid
from social_bridge.queue.work_item import WorkItem
from tests.integration.test_dialer import fake, live_settings  # noqa: F401  (Twilio credentials, REST on the fake)

ACCOUNT = "AC" + "5" * 32
SID = "RE" + "a1" * 16
TWILIO_URL = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings/{SID}"


class Elsewhere:
    """Any other host: records what reaches it (it should be nothing)."""

    def __init__(self, status: int = 200, location: str = ""):
        self.requests, self.status, self.location = [], status, location
        self.server = make_server("127.0.0.1", 0, self)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def __call__(self, environ, start_response):
        request = Request(environ)
        self.requests.append({"path": request.path, "authorization": request.headers.get("Authorization")})
        headers = {"Location": self.location} if self.location else {}
        return Response(b"RIFF-audio", status=self.status, headers=headers, mimetype="audio/x-wav")(environ, start_response)

    def stop(self):
        self.server.shutdown()


@pytest.fixture
def elsewhere():
    server = Elsewhere()
    yield server
    server.stop()


def voicemail(recording_url: str, recording_sid: str) -> WorkItem:
    return WorkItem(id="vm1", kind="voicemail", channel="voice", lang="it", acquired_at=1.0, natural_key="voicemail:vm1",
                    recording_url=recording_url, recording_sid=recording_sid)


# -- what a <Record> action may bring -------------------------------------------------------------------
@pytest.mark.parametrize("url, sid, kept", [
    (TWILIO_URL, SID, True),
    (f"https://api.dublin.ie1.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings/{SID}", SID, True),
    (TWILIO_URL, "RE" + "b2" * 16, False),                                        # another recording's URL
    (TWILIO_URL.replace("https://", "http://"), SID, False),
    (TWILIO_URL.replace("api.twilio.com", "api.twilio.com.evil.example"), SID, False),
    (TWILIO_URL.replace("api.twilio.com", "evil.example/api.twilio.com"), SID, False),
    (f"https://evil.example/2010-04-01/Accounts/{ACCOUNT}/Recordings/{SID}", SID, False),
    (TWILIO_URL + "/../../../Calls", SID, False),
    (TWILIO_URL + "?x=1", SID, False),
    (TWILIO_URL, "", False),
    ("", SID, False),
])
def test_only_twilios_url_of_that_recording_is_a_recording(url, sid, kept):
    assert (twilio_recording_sid(url, sid) == sid) is kept
    inputs = Inputs.from_form(MultiDict({"RecordingUrl": url, "RecordingSid": sid, "RecordingDuration": "7"}))
    assert (inputs.recording is not None) is kept
    if kept:
        assert (inputs.recording.url, inputs.recording.sid, inputs.recording.seconds) == (url, sid, 7)


# -- fetching -------------------------------------------------------------------------------------------
def test_the_audio_comes_from_twilios_api_for_the_sid_whatever_url_was_stored(live_settings, fake, elsewhere):
    fake.recordings[SID] = (b"RIFF-real-audio", "audio/x-wav")
    fetch = recording_fetcher(live_settings, ".wav")
    audio = fetch(voicemail(elsewhere.url + "/steal", SID))  # an item stored before this rule, say
    assert audio == (b"RIFF-real-audio", "audio/x-wav")
    [request] = [r for r in fake.requests if "/Recordings/" in r["path"]]
    assert request["path"] == f"/2010-04-01/Accounts/{live_settings.twilio_account_sid}/Recordings/{SID}.wav"
    assert request["auth"] == live_settings.twilio_account_sid
    assert elsewhere.requests == []


@pytest.mark.parametrize("sid", ["", "RE123", "RE" + "a" * 32 + "/../Calls", "../../x"])
def test_an_item_without_a_twilio_recording_sid_is_not_fetched(live_settings, fake, elsewhere, sid):
    fetch = recording_fetcher(live_settings, ".mp3")
    assert fetch(voicemail(elsewhere.url + "/steal", sid)) is None
    assert [r for r in fake.requests if "/Recordings/" in r["path"]] == []
    assert elsewhere.requests == []


def test_an_api_base_that_is_not_https_gets_no_credentials(live_settings, elsewhere):
    remote = elsewhere.url.replace("127.0.0.1", "nohold-twilio-double.invalid")
    fetch = recording_fetcher(live_settings.with_overrides(twilio_api_base=remote), ".mp3")
    assert fetch(voicemail(TWILIO_URL, SID)) is None  # refused before any connection is made


def test_a_redirect_never_carries_the_credentials_off_twilio(live_settings, elsewhere):
    thief = Elsewhere()
    try:
        redirecting = Elsewhere(status=302, location=thief.url + "/media.wav")
        try:
            fetch = recording_fetcher(live_settings.with_overrides(twilio_api_base=redirecting.url), ".wav")
            assert fetch(voicemail(TWILIO_URL, SID)) is None  # to plain http: refused
            [asked] = redirecting.requests
            assert asked["authorization"].startswith("Basic ")
            assert thief.requests == []
        finally:
            redirecting.stop()
    finally:
        thief.stop()

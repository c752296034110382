"""The voicemail transcription job, end to end: a call leaves a voice message, Twilio (the fake) serves the
recording as µ-law WAV, the job puts transcript and intent on the item, the agent sees them.

Real Redis, real app, real Whisper base (loaded once per session), real RQ worker (burst).
"""
from __future__ import annotations

import html
import logging
from pathlib import Path

import pytest
import redis as redis_lib
import yaml
from rq import Queue, SimpleWorker
from rq.job import Job
from rq.registry import ScheduledJobRegistry

from ivr import create_app
from ivr.simulate import FlaskTransport, Phone
from ivr.runtime.job_queue import transcription_enqueuer
from ivr.transcription import job
from social_bridge.web.console.strings import label, strings_for
from tests.integration.test_dialer import BASE, fake, live_settings  # noqa: F401  (Twilio credentials, REST on the fake)
from tests.support.transcription_fixtures import clips, whisper  # noqa: F401  (session fixtures)

ACCOUNT = "AC" + "5" * 32  # the calling account, as Twilio puts it in RecordingUrl
VOICEMAIL_CALL = yaml.safe_load((Path(__file__).resolve().parent.parent.parent / "scenarios" / "it_voicemail.yaml")
                                .read_text())  # "voglio cambiare offerta", then 4: a voice message
PASSWORD = "correct horse battery"


@pytest.fixture
def live(live_settings, clock, redis_client, monkeypatch, whisper, job_services):
    """The app with Twilio credentials, its REST calls going to the fake."""
    app = create_app({"SETTINGS": live_settings, "CLOCK": clock})
    app.testing = True
    services = app.extensions["nohold"]
    services.app = app
    job_services.install(services)  # the job gets this test's app (and clock)
    yield services
    services.metrics.close()


@pytest.fixture
def transcribe_jobs(redis_url):
    """Runs the transcription queue like its worker does (SimpleWorker: the model stays loaded)."""
    connection = redis_lib.Redis.from_url(redis_url)
    queue = Queue(job.QUEUE_NAME, connection=connection)

    def run(*, due_retries: bool = False) -> None:
        if due_retries:  # the backoff is over: what the worker's scheduler does when a retry is due
            registry = ScheduledJobRegistry(queue=queue)
            for job_id in registry.get_job_ids():
                registry.remove(job_id)
                queue.enqueue_job(Job.fetch(job_id, connection=connection))
        SimpleWorker([queue], connection=connection).work(burst=True)

    run.queue = queue
    return run


def leave_voicemail(live, fake, audio: bytes | None):
    """A call that ends in a voice message; Twilio then holds `audio` as the recording (None: it has none)."""
    phone = Phone(BASE, "secret", FlaskTransport(live.app), account_sid=ACCOUNT)
    result = phone.run_script(VOICEMAIL_CALL)
    assert result.ok, result.error
    item = live.queue.get(live.calls.load(result.call_sid).item_id)
    assert item.kind == "voicemail"
    if audio is not None:
        fake.recordings[item.recording_sid] = (audio, "audio/x-wav")
    return item


def fetches(fake) -> list[dict]:
    return [r for r in fake.requests if "/Recordings/" in r["path"]]


def console_page(live, item_id: str, agent: str = "Sara") -> str:
    bridge = live.app.extensions["social_bridge"]
    bridge.agents.create(agent, PASSWORD, role="supervisor", languages=("it", "en"))
    client = live.app.test_client()
    login = client.get("/console/login").get_data(as_text=True)
    csrf = login.split('name="csrf_token" value="')[1].split('"')[0]
    assert client.post("/console/login", data={"name": agent, "password": PASSWORD, "csrf_token": csrf}).status_code == 302
    return html.unescape(client.get(f"/console/items/{item_id}").get_data(as_text=True))


def test_voicemail_is_transcribed_with_its_intent_and_shown_to_the_agent(live, fake, clips, transcribe_jobs,
                                                                         caplog):
    caplog.set_level(logging.INFO)
    item = leave_voicemail(live, fake, clips("it", "change_plan"))
    assert transcribe_jobs.queue.count == 1  # queued by the voicemail webhook itself
    assert item.details["transcription"]["status"] == "queued"  # the console says it is on its way
    assert strings_for("it")["transcription.queued"] in console_page(live, item.id, agent="Lia")
    transcribe_jobs()
    details = live.queue.get(item.id).details
    transcript, state = details["transcript"], details["transcription"]
    assert "cambiare" in transcript.lower()  # "Vorrei cambiare offerta e passare a una tariffa…"
    assert state["status"] == "done"
    assert state["intent"] == "change_plan"
    assert state["engine"] == "faster_whisper"
    assert 5 < state["audio_seconds"] < 10
    [fetch] = fetches(fake)
    assert fetch["path"].endswith(f"/Recordings/{item.recording_sid}.wav")
    assert fetch["auth"] == live.settings.twilio_account_sid  # with our credentials

    bridge = live.app.extensions["social_bridge"]
    supervisor = bridge.agents.create("Ugo", PASSWORD, role="supervisor")
    api = live.app.test_client().get(f"/api/items/{item.id}", headers={
        "Authorization": f"Bearer {bridge.agents.issue_token(supervisor.id)}"}).get_json()
    assert api["details"]["transcript"] == transcript
    assert api["details"]["transcription"]["intent"] == "change_plan"
    page = console_page(live, item.id)
    assert transcript in page
    assert label(strings_for("it"), "intent", "change_plan") in page
    assert strings_for("it")["transcription.intent"] in page

    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert f"voicemail {item.id} transcribed" in logged
    for secret in (transcript, item.customer, item.recording_url, item.recording_sid):
        assert secret not in logged


def test_a_job_replayed_three_times_makes_one_transcript(live, fake, clips, transcribe_jobs):
    item = leave_voicemail(live, fake, clips("it", "billing"))
    transcribe_jobs()
    first = live.queue.get(item.id).details
    for _ in range(3):
        transcription_enqueuer(live.settings)(item.id)
    transcribe_jobs()
    assert [job.transcribe_voicemail(item.id) for _ in range(3)] == ["already"] * 3
    assert live.queue.get(item.id).details == first
    assert first["transcription"]["attempts"] == 1
    assert len(fetches(fake)) == 1  # fetched and transcribed once


def test_a_run_already_in_progress_is_not_doubled(live, fake, transcribe_jobs):
    item = leave_voicemail(live, fake, None)
    assert job.TranscriptStore(live.redis, live.queue.keys).lock(item.id)  # another worker holds it
    assert job.transcribe_voicemail(item.id) == "busy"
    assert fetches(fake) == []


@pytest.mark.parametrize("served, reason, detail", [
    (None, "fetch_failed", "HTTP 404"),                     # Twilio has no such recording (yet)
    (b"<html>not audio</html>", "undecodable", "not readable audio"),
])
def test_an_unusable_recording_is_retried_with_backoff_then_flagged_and_the_voicemail_stays(
        live, fake, transcribe_jobs, caplog, served, reason, detail):
    caplog.set_level(logging.INFO)
    item = leave_voicemail(live, fake, None)
    if served is not None:
        fake.recordings[item.recording_sid] = (served, "text/html")
    transcribe_jobs()
    state = live.queue.get(item.id).details["transcription"]
    assert (state["status"], state["reason"], state["attempts"]) == ("retrying", reason, 1)
    assert detail in state["detail"]
    assert ScheduledJobRegistry(queue=transcribe_jobs.queue).count == 1  # back in 30 s, not at once
    for _ in range(job.RETRY.max):
        transcribe_jobs(due_retries=True)
    state = live.queue.get(item.id).details["transcription"]
    assert (state["status"], state["reason"], state["attempts"]) == ("failed", reason, 1 + job.RETRY.max)
    assert len(fetches(fake)) == 1 + job.RETRY.max
    waiting = live.queue.get(item.id)
    assert waiting.status == "waiting"
    assert live.queue.position(item.id) == 1
    assert "transcript" not in waiting.details
    page = console_page(live, item.id)
    ui = strings_for("it")
    assert f"{ui['transcription.failed']}: {ui['transcription.reason.' + reason]}" in page
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert item.recording_url not in logged
    assert item.recording_sid not in logged


def test_in_dev_mode_the_voicemail_is_flagged_without_fetching(app, nohold, phone, job_services, transcribe_jobs):
    job_services.install(nohold)
    result = phone.run_script(VOICEMAIL_CALL)
    item_id = nohold.calls.load(result.call_sid).item_id
    transcribe_jobs()
    state = nohold.queue.get(item_id).details["transcription"]
    assert (state["status"], state["reason"], state["attempts"]) == ("unavailable", "dev_mode", 0)


def test_with_the_engine_off_nothing_is_queued(live, fake, transcribe_jobs, monkeypatch):
    monkeypatch.setattr(live.desk, "settings", live.settings.with_overrides(transcription_engine="off"))
    item = leave_voicemail(live, fake, None)
    assert transcribe_jobs.queue.count == 0
    assert "transcription" not in live.queue.get(item.id).details

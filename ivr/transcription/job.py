"""The RQ job that transcribes one voicemail, and how it is queued.

Transcription has its own queue and its own worker (worker.py): a CTranslate2 model built in a
parent process hangs in the children RQ's forking worker makes (its thread pool does not cross
fork), so the model lives in a non-forking worker that keeps it loaded for every job.

The job takes an item id, like every job here; it never logs a transcript, a number or a URL.
Replayed, it does nothing once a transcript is stored; a recording that cannot be fetched or
decoded is retried with backoff, then flagged on the item with the reason — the voicemail itself
stays in the queue whatever happens here.
"""
from __future__ import annotations

import logging
import time

import requests
from rq import get_current_job

from ivr.call.recordings import recording_fetcher
from ivr.jobs.runtime import services
from ivr.runtime.job_queue import TRANSCRIPTION_QUEUE as QUEUE_NAME
from ivr.runtime.job_queue import TRANSCRIPTION_RETRY as RETRY
from ivr.transcription.audio import UndecodableAudio, normalise, seconds
from ivr.transcription.engine import EngineUnavailable, engine_for, transcribe
from ivr.transcription.store import TranscriptStore

log = logging.getLogger(__name__)
__all__ = ["QUEUE_NAME", "RETRY", "transcribe_voicemail", "gave_up", "preload"]


class RecordingUnusable(RuntimeError):
    """The recording could not be fetched or decoded; the message is safe to log (no URL in it)."""

    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail = reason, detail


def preload() -> None:
    """Before taking jobs: the app's services and the speech model, once for the worker's life."""
    nohold = services()
    if nohold.settings.transcription_engine == "off":
        return
    try:
        engine = engine_for(nohold.settings)
    except EngineUnavailable as error:  # jobs will flag each voicemail with this reason
        log.error("voicemail transcription unavailable: %s", error)
        return
    log.info("voicemail transcription: %s loaded", engine.name)


def transcribe_voicemail(item_id: str) -> str:
    """Transcript and intent onto the voicemail item; returns what happened (for RQ's result and tests)."""
    nohold = services()
    store = TranscriptStore(nohold.redis, nohold.queue.keys, nohold.clock)
    item = nohold.queue.get(item_id)
    if item is None or item.kind != "voicemail":
        return "skipped"
    if store.status(item).get("status") == "done":
        return "already"
    if not store.lock(item_id):
        return "busy"  # another run of the same voicemail is working on it
    try:
        return _transcribe(nohold, store, item)
    finally:
        store.unlock(item_id)


def _transcribe(nohold, store: TranscriptStore, item) -> str:
    settings = nohold.settings
    fetch = recording_fetcher(settings, ".wav")
    if fetch is None:
        store.flag(item.id, "unavailable", "dev_mode", attempted=False)
        return "unavailable"
    try:
        engine = engine_for(settings)
    except EngineUnavailable as error:
        return _unavailable(store, item, str(error))
    started = time.monotonic()
    try:
        fetched = fetch(item)
    except requests.RequestException as error:
        _retry_or_fail(store, item, RecordingUnusable("fetch_failed", _http_reason(error)))
    if fetched is None:  # no Twilio RecordingSid to build the media URL from: nothing to retry
        store.flag(item.id, "failed", "fetch_failed", "no Twilio RecordingSid", attempted=False)
        return "failed"
    raw, _ = fetched
    try:
        audio = normalise(raw)
    except UndecodableAudio as error:
        _retry_or_fail(store, item, RecordingUnusable("undecodable", str(error)))
    try:
        text = transcribe(engine, audio, item.lang)
    except EngineUnavailable as error:  # e.g. sphinx asked for Italian
        return _unavailable(store, item, str(error))
    found = nohold.flow.understanding.interpret(text, item.lang) if text else None
    intent, confidence = (found.intent, found.confidence) if found else (None, 0.0)
    stored = store.attach(item.id, text, intent, confidence, engine.name, seconds(audio))
    log.info("voicemail %s transcribed by %s: %d words from %.1f s of audio in %.1f s, intent %s",
             item.id, engine.name, len(text.split()), seconds(audio), time.monotonic() - started, intent or "none")
    return "transcribed" if stored else "already"


def _unavailable(store: TranscriptStore, item, detail: str) -> str:
    log.error("voicemail %s not transcribed: %s", item.id, detail)
    store.flag(item.id, "unavailable", "engine", detail, attempted=False)
    return "unavailable"


def _retry_or_fail(store: TranscriptStore, item, error: RecordingUnusable):
    """Flags the item ("retrying", or "failed" on the last try) and raises for RQ's retry."""
    job = get_current_job()
    last = not (job and job.retries_left)
    store.flag(item.id, "failed" if last else "retrying", error.reason, error.detail)
    log.warning("voicemail %s: recording %s (%s)%s", item.id, error.reason.replace("_", " "), error.detail,
                "; given up, the agent listens to it" if last else "; retrying")
    raise error from None  # the original exception's text may hold the recording URL


def _http_reason(error: requests.RequestException) -> str:
    """What went wrong, without the URL requests puts in its messages."""
    response = getattr(error, "response", None)
    if response is not None:
        return f"HTTP {response.status_code}"
    return type(error).__name__


def gave_up(job, connection, exc_type, exc_value, traceback) -> None:
    """RQ's failure callback: after the last try of an unexpected error, the agent is told too."""
    if job.retries_left or isinstance(exc_value, RecordingUnusable):
        return  # more tries to come, or already flagged by the job itself
    nohold = services()
    TranscriptStore(nohold.redis, nohold.queue.keys, nohold.clock).flag(job.args[0], "failed", "error",
                                                                        exc_type.__name__ if exc_type else "")

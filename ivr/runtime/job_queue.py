"""How work reaches the workers: RQ queues, and one enqueuer per job, naming the job by its dotted path.

Naming jobs by path (RQ imports them in the worker) keeps the composition root free of the job
modules, which in turn take their services from it (ivr.jobs.runtime): data flows one way.
Jobs take ids only.
"""
from __future__ import annotations

from datetime import timedelta
from functools import lru_cache

from rq import Queue, Retry
from rq.job import Callback

from ivr.runtime.keys import SWEEP_SCHEDULED
from ivr.runtime.redis_client import connect

QUEUE_NAME = "nohold"
TRANSCRIPTION_QUEUE = "nohold-transcription"
SMS_RETRY = Retry(max=3, interval=[10, 60, 300])
DELIVERY_RETRY = Retry(max=4, interval=[5, 30, 120, 600])
TRANSCRIPTION_RETRY = Retry(max=3, interval=[30, 120, 600])  # a recording Twilio has not finished storing shows up soon
TRANSCRIPTION_TIMEOUT = 600                                  # 120 s of audio takes ~25 s on 2 cores
FAILURE_TTL = 7 * 86400
SWEEP_EVERY = 60.0


def job_queue(redis_url: str, **client_options) -> Queue:
    """RQ needs a bytes connection; ours elsewhere decode responses. client_options: e.g. timeouts."""
    return Queue(QUEUE_NAME, connection=connect(redis_url, **client_options))


@lru_cache(maxsize=4)
def transcription_queue(redis_url: str) -> Queue:
    return Queue(TRANSCRIPTION_QUEUE, connection=connect(redis_url))


def sms_enqueuer(queue: Queue):
    """What Messages uses to hand an outbound SMS to the workers."""
    def enqueue(message_id: str) -> None:
        queue.enqueue("ivr.jobs.messages.send_message", message_id, retry=SMS_RETRY,
                      job_id=f"send-{message_id}", failure_ttl=FAILURE_TTL)
    return enqueue


def drain_enqueuer(queue: Queue):
    def enqueue() -> None:
        queue.enqueue("ivr.jobs.chat.drain_inbound", failure_ttl=FAILURE_TTL)
    return enqueue


def delivery_enqueuer(queue: Queue):
    def enqueue(message_id: str) -> None:
        queue.enqueue("ivr.jobs.chat.deliver_message", message_id, job_id=f"deliver-{message_id}",
                      retry=DELIVERY_RETRY, failure_ttl=FAILURE_TTL, on_failure=Callback("ivr.jobs.chat.gave_up"))
    return enqueue


def dial_enqueuer(queue: Queue):
    """What the dialer uses to hand an attempt id to the workers."""
    def enqueue(attempt_id: str) -> None:
        job_id = f"dial-{attempt_id}"
        # a sweep re-queues jobs lost with their worker; one still in the queue's list is not lost
        if queue.connection.lpos(queue.key, job_id) is not None:
            return
        # no RQ retry: a second run finds the attempt past "created" and does nothing
        queue.enqueue("ivr.jobs.dial.place_agent_leg", attempt_id, job_id=job_id, job_timeout=60,
                      failure_ttl=FAILURE_TTL)
    return enqueue


def machine_enqueuer(queue: Queue):
    """What the dialer uses to end a customer leg a machine answered after the bridge (the job acts once)."""
    def enqueue(attempt_id: str) -> None:
        queue.enqueue("ivr.jobs.dial.end_machine_leg", attempt_id, job_id=f"machine-{attempt_id}", job_timeout=60,
                      failure_ttl=FAILURE_TTL)
    return enqueue


def outage_enqueuer(queue: Queue):
    def enqueue(outage_id: str) -> None:
        queue.enqueue("ivr.jobs.outage_notices.notify_outage_resolved", outage_id, job_id=f"outage-{outage_id}",
                      failure_ttl=FAILURE_TTL)
    return enqueue


def transcription_enqueuer(settings):
    """Called when a voicemail is stored; queuing it again is harmless (the job is idempotent)."""
    def enqueue(item_id: str) -> None:
        if settings.transcription_engine == "off":
            return
        transcription_queue(settings.redis_url).enqueue(
            "ivr.transcription.job.transcribe_voicemail", item_id, job_id=f"transcribe-{item_id}",
            retry=TRANSCRIPTION_RETRY, job_timeout=TRANSCRIPTION_TIMEOUT, failure_ttl=FAILURE_TTL,
            on_failure=Callback("ivr.transcription.job.gave_up"))
    return enqueue


def schedule_sweep(queue: Queue, redis, every: float = SWEEP_EVERY, now: bool = False) -> bool:
    """Keeps one minute sweep scheduled however many workers start; False when one already is."""
    if now:
        queue.enqueue("ivr.jobs.sweep.sweep", failure_ttl=86400)
        return True
    if not redis.set(SWEEP_SCHEDULED, "1", nx=True, ex=max(int(every) - 5, 1)):
        return False
    queue.enqueue_in(timedelta(seconds=every), "ivr.jobs.sweep.sweep", failure_ttl=86400)
    return True

"""RQ jobs: module-level functions that take ids and rebuild their collaborators once per process.

Workers find Redis through REDIS_URL, like the web processes.
"""
from __future__ import annotations

import os
from functools import lru_cache

import redis
from rq import Queue, Retry

from ivr.messaging import DevOutbox, Messages, TwilioSms, deliver
from ivr.redis_client import state_client
from ivr.settings import load_settings
from ivr.twilio_rest import make_twilio_client

QUEUE_NAME = "nohold"
SMS_RETRY = Retry(max=3, interval=[10, 60, 300])


def job_queue(redis_url: str, **client_options) -> Queue:
    """RQ needs a bytes connection; ours elsewhere decode responses. client_options: e.g. timeouts."""
    return Queue(QUEUE_NAME, connection=redis.Redis.from_url(redis_url, **client_options))


@lru_cache(maxsize=4)
def _runtime(redis_url: str):
    settings = load_settings()
    client = state_client(settings, decode_responses=True)
    twilio = make_twilio_client(settings)
    sender = DevOutbox(client) if twilio is None else TwilioSms(twilio)
    messages = Messages(client, enqueue_job=lambda message_id: None)
    return settings, messages, sender


def send_message(message_id: str) -> str:
    """Sends one queued outbound message, at most once."""
    settings, messages, sender = _runtime(os.environ.get("REDIS_URL", ""))
    return deliver(messages, sender, message_id, settings.twilio_number, settings.whatsapp_number)


def enqueuer(queue: Queue):
    """The callable Messages uses to hand a message id to the workers."""
    def enqueue(message_id: str) -> None:
        queue.enqueue(send_message, message_id, retry=SMS_RETRY,
                      job_id=f"send-{message_id}", failure_ttl=7 * 86400)
    return enqueue

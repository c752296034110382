"""When a supervisor resolves an outage, everyone who asked is told once, at a pace the SMS route takes.

The console hands over the subscribers of the first (and only effective) resolve; they are stored
and a job works through them. Each notice goes through the idempotent SMS sender with a key per
(outage, contact), so a job that is run again, or a worker that dies halfway, never texts anyone
twice; the list is consumed only after a notice is queued.
"""
from __future__ import annotations

import logging
import time

log = logging.getLogger(__name__)
PER_SECOND = 20          # Twilio's default throughput for one long code is lower; queueing paces it too
BATCH = 100


LANGUAGES = "nohold:{outages}:languages"  # contact -> the language they subscribed in


def _key(outage_id: str) -> str:
    return f"nohold:{{outages}}:notify:{outage_id}"


def remember_language(redis, contact: str, lang: str) -> None:
    redis.hset(LANGUAGES, contact, lang)


def schedule(redis, enqueue, outage_id: str, subscribers: list[str]) -> int:
    """Stores who to tell and queues the job; returns how many will be told."""
    if subscribers:
        redis.rpush(_key(outage_id), *subscribers)
        redis.expire(_key(outage_id), 7 * 86400)
        enqueue(outage_id)
    return len(subscribers)


def notify(nohold, outage_id: str, sleep=time.sleep) -> int:
    """Queues the "fixed" SMS for every stored subscriber of the outage; returns how many were queued."""
    redis, sent = nohold.redis, 0
    while batch := redis.lrange(_key(outage_id), 0, BATCH - 1):
        for contact in batch:
            if not redis.sadd(_key(outage_id) + ":done", contact):  # told already, by an earlier run
                redis.lpop(_key(outage_id))
                continue
            redis.expire(_key(outage_id) + ":done", 7 * 86400)
            if contact.startswith("thread:"):  # a chat customer: on their own channel
                sent += _in_thread(nohold, contact.split(":", 1)[1])
            elif contact.startswith("+"):
                lang = redis.hget(LANGUAGES, contact) or "it"
                nohold.messages.send_sms(contact, nohold.prompts.text(lang, "self_service.outage_fixed_sms"),
                                         key=f"outage-fixed:{outage_id}:{contact}", lang=lang)
                sent += 1
            redis.lpop(_key(outage_id))
            sleep(1 / PER_SECOND)
    log.info("outage %s: %d customers told it is fixed", outage_id, sent)
    return sent


def _in_thread(nohold, thread_id: str) -> int:
    from social_bridge.chat.delivery import ReplyRefused
    thread = nohold.social.threads.get(thread_id)
    if thread is None:
        return 0
    try:
        nohold.social.delivery.send(thread, nohold.prompts.text(thread.lang, "self_service.outage_fixed_sms"),
                                    auto=True)
    except ReplyRefused as refused:  # e.g. Messenger's window closed meanwhile: nothing we may send
        log.info("outage notice not sent in thread %s (%s)", thread_id, refused.reason)
        return 0
    return 1

"""When a supervisor resolves an outage, everyone who asked is told once, at a pace the SMS route takes.

The console hands over the subscribers of the first (and only effective) resolve; they are stored
and a job works through them. Each notice goes through the idempotent SMS sender with a key per
(outage, contact), so a job that is run again, or a worker that dies halfway, never texts anyone
twice; the list is consumed only after a notice is queued. Chat subscribers ("thread:<id>") are
told on their own channel.
"""
from __future__ import annotations

import logging
import time
from typing import Callable

from social_bridge.chat.delivery import Delivery, ReplyRefused
from social_bridge.chat.ports import Prompts, Sms
from social_bridge.chat.threads import Threads
from social_bridge.outages.outages import OutageKeys

log = logging.getLogger(__name__)
PER_SECOND = 20          # Twilio's default throughput for one long code is lower; queueing paces it too
BATCH = 100
KEPT = 7 * 86400         # seconds the list of who to tell, and who was told, are kept


class OutageNotices:
    def __init__(self, redis, sms: Sms, prompts: Prompts, threads: Threads, delivery: Delivery,
                 keys: OutageKeys | None = None):
        self.redis, self.sms, self.prompts, self.threads, self.delivery = redis, sms, prompts, threads, delivery
        self.keys = keys or OutageKeys()

    def remember_language(self, contact: str, lang: str) -> None:
        """So the "fixed" SMS is written in the language the subscriber spoke."""
        self.redis.hset(self.keys.languages, contact, lang)

    def schedule(self, enqueue: Callable[[str], None], outage_id: str, subscribers: list[str]) -> int:
        """Stores who to tell and queues the job (enqueue(outage_id)); returns how many will be told."""
        if subscribers:
            self.redis.rpush(self.keys.to_notify(outage_id), *subscribers)
            self.redis.expire(self.keys.to_notify(outage_id), KEPT)
            enqueue(outage_id)
        return len(subscribers)

    def notify(self, outage_id: str, sleep: Callable[[float], None] = time.sleep) -> int:
        """Queues the "fixed" message for every stored subscriber of the outage; returns how many were queued."""
        redis, pending, done, sent = self.redis, self.keys.to_notify(outage_id), self.keys.notified(outage_id), 0
        while batch := redis.lrange(pending, 0, BATCH - 1):
            for contact in batch:
                if not redis.sadd(done, contact):  # told already, by an earlier run
                    redis.lpop(pending)
                    continue
                redis.expire(done, KEPT)
                if contact.startswith("thread:"):  # a chat customer: on their own channel
                    sent += self._in_thread(contact.split(":", 1)[1])
                elif contact.startswith("+"):
                    lang = redis.hget(self.keys.languages, contact) or "it"
                    self.sms.send_sms(contact, self.prompts.text(lang, "self_service.outage_fixed_sms"),
                                      key=f"outage-fixed:{outage_id}:{contact}", lang=lang)
                    sent += 1
                redis.lpop(pending)
                sleep(1 / PER_SECOND)
        log.info("outage %s: %d customers told it is fixed", outage_id, sent)
        return sent

    def _in_thread(self, thread_id: str) -> int:
        thread = self.threads.get(thread_id)
        if thread is None:
            return 0
        try:
            self.delivery.send(thread, self.prompts.text(thread.lang, "self_service.outage_fixed_sms"), auto=True,
                               template="notice")  # past the window: a WhatsApp template, an SMS or nothing
        except ReplyRefused as refused:  # e.g. Messenger's window closed meanwhile: nothing we may send
            log.info("outage notice not sent in thread %s (%s)", thread_id, refused.reason)
            return 0
        return 1

"""Pushed waits (issue 20): a customer waiting by callback or in a chat is told when the wait changes a lot,
and when they are next — at most a few times per request, never outside business hours, never after
they replied STOP AGGIORNAMENTI / NO UPDATES.

The minute sweep runs `run()` (ivr/jobs/pushed_waits.py). Per waiting item it keeps what it last told
(`QueueKeys.pushed_wait`): the wait, the position, how many updates went out. The first look only
records the wait (the customer was just told one at booking); later, an update goes when the estimate
moved by at least `min_change_seconds` **and** by `min_change_share` of the wait last told, or when the
item has just become first in its lane. Chats get it on their own channel as an automated message
(Delivery.send(auto=True): never under Messenger's HUMAN_AGENT tag; past the window a WhatsApp template,
an SMS or nothing); callbacks by SMS, through the idempotent sender with one key per update.
"""
from __future__ import annotations

import logging
import time
from typing import Callable

from social_bridge.chat.delivery import Delivery, ReplyRefused
from social_bridge.chat.ports import Hours, Prompts, Sms, Spoken
from social_bridge.chat.threads import Threads
from social_bridge.queue.eta import EtaEstimator
from social_bridge.queue.keys import QueueKeys
from social_bridge.queue.work_item import WorkItem
from social_bridge.queue.work_queue import WorkQueue

log = logging.getLogger(__name__)
KINDS = ("callback", "thread")   # who waits for us with a channel we can write on (voicemails do not)
SCAN = 2000                      # waiting items looked at per run, oldest first: bounds one sweep
KEPT = 2 * 86400                 # seconds what was told about one request is remembered


class PushedWaits:
    def __init__(self, redis, queue: WorkQueue, eta: EtaEstimator, hours: Hours, prompts: Prompts, spoken: Spoken,
                 threads: Threads, delivery: Delivery, sms: Sms, clock: Callable[[], float] = time.time,
                 max_updates: int = 3, min_change_seconds: float = 600, min_change_share: float = 0.5,
                 keys: QueueKeys | None = None):
        if max_updates < 0 or min_change_seconds < 0 or min_change_share < 0:
            raise ValueError("max_updates, min_change_seconds and min_change_share must not be negative")
        self.redis, self.queue, self.eta, self.hours = redis, queue, eta, hours
        self.prompts, self.spoken, self.threads, self.delivery, self.sms = prompts, spoken, threads, delivery, sms
        self.clock, self.keys = clock, keys or QueueKeys()
        self.max_updates, self.min_change_seconds, self.min_change_share = (
            max_updates, min_change_seconds, min_change_share)

    def opt_out(self, item_id: str) -> None:
        """The customer replied STOP AGGIORNAMENTI / NO UPDATES: nothing more about this request."""
        key = self.keys.pushed_wait(item_id)
        self.redis.hset(key, "stopped", "1")
        self.redis.expire(key, KEPT)

    def told(self, item_id: str) -> dict:
        """What was last told about this request: {wait, position, sent, stopped} as stored (strings)."""
        return self.redis.hgetall(self.keys.pushed_wait(item_id))

    def run(self) -> dict[str, int]:
        """One pass over the waiting callbacks and chats; counts of what it did."""
        counts = {"checked": 0, "updates": 0, "next": 0, "not_sent": 0}
        if self.max_updates == 0 or not self.hours.is_open():  # never at night: the morning compares afresh
            return counts
        eta = self.eta.snapshot()  # staffing and handle time read once for the whole pass
        for item_id in self.redis.zrange(self.keys.items_waiting, 0, SCAN - 1):
            item = self.queue.get(item_id)
            if item is None or item.kind not in KINDS or item.status != "waiting":
                continue
            counts["checked"] += 1
            done = self._consider(item, eta)
            if done:
                counts[done] += 1
        return counts

    def _consider(self, item: WorkItem, eta: EtaEstimator) -> str | None:
        key = self.keys.pushed_wait(item.id)
        last = self.redis.hgetall(key)
        if last.get("stopped") or int(last.get("sent", 0)) >= self.max_updates:
            return None
        estimate = eta.for_item(item)
        if estimate.away:  # nobody working: no honest figure to push
            return None
        told, position = last.get("wait"), estimate.position
        self.redis.hset(key, mapping={"wait": repr(float(estimate.seconds)), "position": position})
        self.redis.expire(key, KEPT)
        if told is None:  # first look: the customer was just told a wait; remember it
            return None
        if position == 1 and int(last.get("position", 0)) > 1:
            return self._send(item, key, "next", self._text(item, "next", estimate.seconds))
        change = estimate.seconds - float(told)
        if abs(change) >= self.min_change_seconds and abs(change) >= self.min_change_share * float(told):
            return self._send(item, key, "updates", self._text(item, "longer" if change > 0 else "shorter",
                                                              estimate.seconds))
        self.redis.hset(key, "wait", told)  # a small change: keep comparing with what the customer was told
        return None

    def _text(self, item: WorkItem, what: str, seconds: float) -> str:
        if what == "next":
            what = "next_callback" if item.kind == "callback" else "next_chat"
        return self.prompts.text(item.lang, f"updates.{what}", wait=self.spoken.wait(seconds, item.lang))

    def _send(self, item: WorkItem, key: str, done: str, text: str) -> str:
        """Counted first, then sent with a key per update: a sweep run twice never sends one twice."""
        n = self.redis.hincrby(key, "sent", 1)
        if n > self.max_updates:
            return "not_sent"
        if item.kind == "callback":
            self.sms.send_sms(item.customer, text, key=f"pushed-wait:{item.id}:{n}", lang=item.lang)
            return done
        thread = self.threads.get(item.details.get("thread_id", ""))
        if thread is None:
            return "not_sent"
        try:
            self.delivery.send(thread, text, auto=True, template="notice")  # automated: never a human's tag
        except ReplyRefused as refused:  # e.g. Messenger's window closed and no number: nothing we may send
            log.info("pushed wait not sent in thread %s (%s)", thread.id, refused.reason)
            return "not_sent"
        return done

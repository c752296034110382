"""What X costs: messages sent on X per day against a budget; past it, SMS or the web chat instead.

X bills per message (pay-per-use or an enterprise quota). `XBudget` counts every DM, public reply and
notice nohold sends on X per local day (Redis, keys in public_keys.py); `BudgetedX` wraps the X adapter
so every send passes the budget: within it the DM goes as usual; past it nothing more is sent on X —
the message goes by SMS when the thread has a phone number, and the customer hears once a day why
(by SMS, or, with no number, one last DM with the web chat link: the only X message past the budget).
X_DAILY_BUDGET=0 means no budget (counted all the same, for the supervisor).
"""
from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Callable
from zoneinfo import ZoneInfo

from social_bridge.channels import Outbound, SendFailed
from social_bridge.channels.public_keys import PublicKeys
from social_bridge.chat.ports import Counter, Sms

log = logging.getLogger(__name__)
KEEP = 3 * 86400  # a day's count stays a little past its day (the supervisor's "today" near midnight)
OVER_BUDGET = 429  # what a message past the budget is marked with: "refused", never retried today


class XBudget:
    def __init__(self, redis, limit: int, persons, clock: Callable[[], float] = time.time,
                 timezone: str = "Europe/Rome", keys: PublicKeys | None = None):
        self.redis, self.limit, self.persons, self.clock = redis, max(0, int(limit)), persons, clock
        self.zone, self.keys = ZoneInfo(timezone), keys or PublicKeys()

    def day(self) -> str:
        return datetime.fromtimestamp(self.clock(), self.zone).strftime("%Y-%m-%d")

    def take(self) -> bool:
        """Counts one send if the budget has room; False (nothing counted) when today's budget is spent."""
        key = self.keys.x_sent(self.day())
        pipe = self.redis.pipeline(transaction=True)
        pipe.incr(key)
        pipe.expire(key, KEEP)
        count = pipe.execute()[0]
        if self.limit and count > self.limit:
            self.redis.decr(key)
            return False
        return True

    def count_extra(self) -> None:
        """A notice sent past the budget: counted, so today's figure is what X will bill."""
        key = self.keys.x_sent(self.day())
        self.redis.incr(key)
        self.redis.expire(key, KEEP)

    def give_back(self) -> None:
        """The send counted by take() did not happen (X refused it)."""
        self.redis.decr(self.keys.x_sent(self.day()))

    def first_notice(self, sender_id: str) -> bool:
        """True once per customer and day: the notice that X is paused goes once."""
        key = self.keys.x_noticed(self.day(), self.persons.of(sender_id))
        return bool(self.redis.set(key, "1", nx=True, ex=KEEP))

    def today(self) -> dict:
        """{"day", "sent", "budget"} for the supervisor (budget 0: none set)."""
        day = self.day()
        return {"day": day, "sent": int(self.redis.get(self.keys.x_sent(day)) or 0), "budget": self.limit}


class BudgetedX:
    """The X adapter with the budget in front of its sends; everything else is the adapter's own."""

    def __init__(self, inner, budget: XBudget, threads, sms: Sms, text: Callable[..., str],
                 web_chat_url: str = "", counter: Counter | None = None):
        self.inner, self.budget, self.threads, self.sms, self.text = inner, budget, threads, sms, text
        self.web_chat_url, self.counter = web_chat_url, counter

    def __getattr__(self, name: str):  # verify, parse, crc, policy, rate_limits, max_length, name, http...
        return getattr(self.inner, name)

    def counted(self, kind: str) -> None:
        if self.counter is not None:
            self.counter.incr("x_messages_sent", kind=kind)

    def send(self, outbound: Outbound) -> str:
        """A DM within today's budget; past it, SMS to the thread's number or nothing (SendFailed, not retried)."""
        if not self.budget.take():
            return self._over_budget(outbound)
        try:
            provider_id = self.inner.send(outbound)
        except SendFailed as failed:
            if failed.status is not None:  # X answered: nothing went out, nothing to pay
                self.budget.give_back()
            raise
        self.counted("dm")
        return provider_id

    def send_public(self, send: Callable[[], str]) -> str | None:
        """A public reply (x_public.reply) within the budget; None when today's budget is spent."""
        if not self.budget.take():
            return None
        try:
            provider_id = send()
        except SendFailed as failed:
            if failed.status is not None:
                self.budget.give_back()
            raise
        self.counted("public")
        return provider_id

    def _over_budget(self, outbound: Outbound) -> str:
        thread = self.threads.for_customer("x", outbound.recipient_id)
        lang = thread.lang if thread else "it"
        number = thread.phone_number if thread else ""
        first = self.budget.first_notice(outbound.recipient_id)
        if number:  # the message itself goes by SMS, and once a day the customer hears why
            if first:
                self.sms.send_sms(number, self.text(lang, "public.x_budget_sms"),
                                  key=f"x-budget-notice:{self.budget.day()}:{thread.id}", lang=lang)
            sms_id = self.sms.send_sms(number, outbound.text, key=f"x-budget:{outbound.message_id}", lang=lang)
            log.info("x budget spent: message %s went by SMS", outbound.message_id)
            return "sms:" + sms_id
        if first and self.web_chat_url:  # no number: one last DM pointing to the web chat
            notice = Outbound("x", outbound.recipient_id, self.text(lang, "public.x_budget_web", url=self.web_chat_url),
                              outbound.message_id + "-budget")
            self.inner.send(notice)
            self.budget.count_extra()
            self.counted("notice")
        log.warning("x budget spent: message %s not sent", outbound.message_id)
        raise SendFailed("x: today's X budget is spent", retryable=False, status=OVER_BUDGET)

"""Self-service in writing: what the call does for a line test, a reset link or a bill, as the first answer of a chat.

When a chat customer is on file (the thread's phone number: an SMS or WhatsApp sender, or the caller of
the call a thread continues) and writes about something self-service solves, the first automatic answer
carries the result instead of a bare acknowledgement: the line test in plain words and the restart that
fixes most cases, the reset link sent by SMS to the number on file only, or the last bill. They keep
their place in the queue; writing RISOLTO / SOLVED withdraws the request (counted as contained). Each
request is self-served once. The rules are the call's (social_bridge/chat/self_service.py); this module
only writes them.
"""
from __future__ import annotations

import logging

from social_bridge.chat.keys import ChatKeys
from social_bridge.chat.ports import Hours, Prompts, Spoken
from social_bridge.chat.self_service import IDENTIFY_UNKNOWN, Request, SelfServiceCore, Step
from social_bridge.chat.threads import Thread
from social_bridge.queue.work_item import WorkItem

log = logging.getLogger(__name__)
SELF_SERVED_TTL = 30 * 86400
PREFIX = "chat.self."


class ChatSelfService:
    def __init__(self, core: SelfServiceCore, redis, prompts: Prompts, spoken: Spoken, hours: Hours,
                 keys: ChatKeys | None = None, identification=None, identify_all: bool = False):
        self.core, self.redis, self.prompts, self.spoken, self.hours = core, redis, prompts, spoken, hours
        self.keys = keys or ChatKeys()
        self.identification = identification  # social_bridge.customers.identification: before account data
        self.identify_all = identify_all      # IDENTIFY_EVERYONE

    def answer(self, thread: Thread, item: WorkItem, lang: str) -> str:
        """The self-service result for this request, once; "" when there is none to give."""
        proven = self.identification.identified(thread.id) if self.identification is not None else ""
        number = proven or thread.phone_number
        may_identify = self.identification is not None and (self.identify_all or item.intent in IDENTIFY_UNKNOWN)
        if not self.core.handles(item.intent) or not (number or may_identify):
            return ""
        if not self.redis.set(self.keys.self_served(item.id), "1", nx=True, ex=SELF_SERVED_TTL):
            return ""
        request = Request(item.intent, number, lang, self.hours.now().date(), reset_key=f"reset:{thread.id}",
                          prefix=PREFIX, identified=bool(proven), identify_all=self.identify_all)
        step = self.core.first_step(request, self.prompts)
        if step.kind == "identify" and self.identification is not None:  # its next message: the account
            self.redis.delete(self.keys.self_served(item.id))  # answered once it is proven
            self.identification.ask(thread.id)
            return self.prompts.text(lang, "chat.self.identify_ask") + " "
        if step.kind == "unavailable":
            log.warning("thread %s: customer backend unavailable (%s)", thread.id, step.why)
            return ""
        write = _WRITE.get(step.kind)  # unknown, no bill, or a known outage (its notice says it all): nothing
        text = write(self, step, lang, request) if write else ""
        return text + " " + self.prompts.text(lang, "chat.self.solved_hint") + " " if text else ""

    def _line_test(self, step: Step, lang: str, request: Request) -> str:
        test = step.test
        speed = f"{test.down_mbps:.0f}" if test.down_mbps is not None else ""
        text = self.prompts.text(lang, step.key, speed=speed)
        if step.restart:
            text += " " + self.prompts.text(lang, "chat.self.advice")
        return text

    def _reset_link(self, step: Step, lang: str, request: Request) -> str:
        return self.prompts.text(lang, step.key, last_digits=step.customer.phone[-4:])

    def _bill(self, step: Step, lang: str, request: Request) -> str:
        bill, today = step.bill, request.today
        amount = f"{bill.amount_cents / 100:.2f}".replace(".", "," if lang == "it" else ".")
        return self.prompts.text(lang, step.key, amount=amount, due=self.spoken.day(bill.due_date, today, lang),
                                 issued=self.spoken.day(bill.issued_date, today, lang))


_WRITE = {"line_test": ChatSelfService._line_test, "reset_link": ChatSelfService._reset_link,
          "bill": ChatSelfService._bill}

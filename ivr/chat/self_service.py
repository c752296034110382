"""Self-service in writing: what the call does for a line test, a reset link or a bill, as the first answer of a chat.

When a chat customer is on file (an SMS or WhatsApp number, or the caller of the call a thread
continues) and writes about something self-service solves, the first automatic answer carries the
result instead of a bare acknowledgement: the line test in plain words and the restart that fixes most
cases, the reset link sent by SMS to the number on file only, or the last bill. They keep their place
in the queue; writing RISOLTO / SOLVED withdraws the request (counted as contained). Each request is
self-served once.
"""
from __future__ import annotations

import logging

from ivr.call.customer_backend import BackendUnavailable
from ivr.call.self_service import INTERNET, TOPICS

log = logging.getLogger(__name__)


class ChatSelfService:
    def __init__(self, nohold):
        self.nohold = nohold

    def customer_number(self, thread) -> str:
        if thread.channel in ("sms", "whatsapp"):
            return thread.sender_id
        return (thread.context or {}).get("caller", "")

    def answer(self, thread, item, lang: str) -> str:
        """The self-service result for this request, once; "" when there is none to give."""
        n = self.nohold
        service = n.flow.self_service
        number = self.customer_number(thread)
        if item.intent not in TOPICS or service is None or service.backend is None or not number:
            return ""
        if not n.redis.set(f"nohold:{{queue}}:self_served:{item.id}", "1", nx=True, ex=30 * 86400):
            return ""
        try:
            customer = service.backend.find_by_phone(number)
            if customer is None:
                return ""
            if item.intent in INTERNET:
                if n.outages is not None and n.outages.active_for(customer.area):
                    return ""  # the outage notice says it all
                text = self._line_test(customer, lang)
            elif item.intent == "account_access":
                text = self._reset_link(thread, customer, lang)
            else:
                text = self._bill(customer, lang)
        except BackendUnavailable as why:
            log.warning("thread %s: customer backend unavailable (%s)", thread.id, why)
            return ""
        return text + " " + n.prompts.text(lang, "chat.self.solved_hint") + " " if text else ""

    def _line_test(self, customer, lang: str) -> str:
        n = self.nohold
        test = n.flow.self_service.backend.line_test(customer)
        key = f"chat.self.line_{test.result}" + (f".{test.detail}" if test.result != "ok" else "")
        if key not in n.prompts.keys():
            key = f"chat.self.line_{test.result}_other"
        speed = f"{test.down_mbps:.0f}" if test.down_mbps is not None else ""
        text = n.prompts.text(lang, key, speed=speed)
        if test.result != "fault" or test.detail == "modem_offline":
            text += " " + n.prompts.text(lang, "chat.self.advice")
        return text

    def _reset_link(self, thread, customer, lang: str) -> str:
        n = self.nohold
        url = n.flow.self_service.backend.reset_link(customer)
        n.messages.send_sms(customer.phone, n.prompts.text(lang, "self_service.reset_sms", url=url),
                            key=f"reset:{thread.id}", lang=lang)  # the number on file only
        return n.prompts.text(lang, "chat.self.reset_sent", last_digits=customer.phone[-4:])

    def _bill(self, customer, lang: str) -> str:
        n = self.nohold
        bill = n.flow.self_service.backend.last_bill(customer)
        if bill is None:
            return ""
        today = n.desk.now().date()
        key = "chat.self.bill_paid" if bill.paid else \
            "chat.self.bill_overdue" if bill.due_date < today else "chat.self.bill_due"
        return n.prompts.text(lang, key, amount=f"{bill.amount_cents / 100:.2f}".replace(".", "," if lang == "it" else "."),
                              due=n.speech.day(bill.due_date, today, lang),
                              issued=n.speech.day(bill.issued_date, today, lang))

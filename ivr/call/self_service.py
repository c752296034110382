"""Solving it on the first call: a known outage, a line test, an account reset link, the last bill.

`CallFlow.route` hands a settled topic here before any queue. What the operator's systems know comes
from a CustomerBackend (ivr/call/customer_backend.py) looked up by the caller's number; a slow or failing
backend never breaks the call: the caller is told and offered the human path at once. Each flow ends
with "was it useful?" — yes ends the call contained, no offers a human with what was tried already
attached to the call (and to the callback, voicemail or chat it leads to).
"""
from __future__ import annotations

import logging

from ivr.call.state import CallState
from ivr.call.callback_policy import check_callback_number, last_digits
from ivr.call.customer_backend import BackendUnavailable
from ivr.call.twiml import Hangup, Reply

log = logging.getLogger(__name__)
INTERNET = ("internet_down", "internet_slow")
TOPICS = (*INTERNET, "account_access", "billing")


class SelfService:
    def __init__(self, backend, outages, messages, settings, remember_language=None):
        """remember_language(contact, lang): so the "fixed" SMS is written in the subscriber's language."""
        self.backend, self.outages, self.messages, self.settings = backend, outages, messages, settings
        self.remember_language = remember_language or (lambda contact, lang: None)

    def handles(self, intent: str) -> bool:
        return self.backend is not None and intent in TOPICS

    # -- the first answer -----------------------------------------------------------------------
    def start(self, flow, state: CallState, reply: Reply) -> Reply:
        """After "I understood …": the topic's self-service, or the human path when there is none."""
        check = check_callback_number(state.caller, self.settings.callback_countries)
        try:
            customer = self.backend.find_by_phone(check.e164) if check.e164 else None
            if customer is None:
                return flow.offer_options(reply, state)
            if state.intent in INTERNET:
                return self._internet(flow, state, reply, customer)
            if state.intent == "account_access":
                return self._reset_link(flow, state, reply, customer)
            return self._bill(flow, state, reply, customer)
        except BackendUnavailable as why:
            log.warning("call %s: customer backend unavailable (%s)", state.sid, why)
            state.tried.append({"step": state.intent, "result": "backend_unavailable"})
            return flow.offer_options(flow.say(reply, state, "self_service.backend_down"), state)

    def _internet(self, flow, state: CallState, reply: Reply, customer) -> Reply:
        if state.intent == "internet_down" and self.outages is not None:
            self.outages.report(customer.area)
        outage = self.outages.active_for(customer.area) if self.outages is not None else None
        if outage is not None:
            state.outage_id = outage.id
            state.tried.append({"step": "known_outage", "area": customer.area, "cause": outage.cause})
            fix = flow.speech.moment(flow.desk.at(outage.expected_fix_at), flow.desk.now(), state.lang)
            cause = flow.t(state, f"self_service.causes.{outage.cause}")
            flow.say(reply, state, "self_service.outage", cause=cause, fix_at=fix)
            state.goto("outage")
            return flow.ask(reply, state, flow.t(state, "self_service.outage_subscribe"))
        test = self.backend.line_test(customer)
        state.tried.append({"step": "line_test", "result": test.result, "detail": test.detail,
                            **({"down_mbps": test.down_mbps} if test.down_mbps is not None else {})})
        key = f"self_service.line_{test.result}" + (f".{test.detail}" if test.result != "ok" else "")
        if key not in flow.prompts.keys():  # a detail we have no sentence for: the general one
            key = f"self_service.line_{test.result}_other"
        speed = f"{test.down_mbps:.0f}" if test.down_mbps is not None else ""
        flow.say(reply, state, key, speed=speed)
        if test.result != "fault" or test.detail == "modem_offline":  # a restart fixes most of these
            flow.say(reply, state, "self_service.advice")
        return self._ask_helpful(flow, state, reply)

    def _reset_link(self, flow, state: CallState, reply: Reply, customer) -> Reply:
        url = self.backend.reset_link(customer)
        text = flow.t(state, "self_service.reset_sms", url=url)
        # the number on file only: never the number the caller is calling from, never one they key in
        self.messages.send_sms(customer.phone, text, key=f"reset:{state.sid}", lang=state.lang)
        state.tried.append({"step": "reset_link", "result": "sent"})
        flow.say(reply, state, "self_service.reset_sent", last_digits=flow.speech.digits(last_digits(customer.phone)))
        return self._ask_helpful(flow, state, reply)

    def _bill(self, flow, state: CallState, reply: Reply, customer) -> Reply:
        bill = self.backend.last_bill(customer)
        if bill is None:
            return flow.offer_options(reply, state)
        today = flow.desk.now().date()
        amount = flow.speech.money(bill.amount_cents, state.lang)
        issued, due = (flow.speech.day(d, today, state.lang) for d in (bill.issued_date, bill.due_date))
        key = "self_service.bill_paid" if bill.paid else \
            "self_service.bill_overdue" if bill.due_date < today else "self_service.bill_due"
        flow.say(reply, state, key, amount=amount, issued=issued, due=due)
        state.tried.append({"step": "bill_read", "result": "paid" if bill.paid else "unpaid"})
        return self._ask_helpful(flow, state, reply)

    def _ask_helpful(self, flow, state: CallState, reply: Reply) -> Reply:
        state.goto("helpful")
        return flow.ask(reply, state, flow.t(state, "self_service.helpful"))

    # -- the answers that follow (ivr/call/table.py: "outage" and "helpful") -----------------------
    def subscribe(self, flow, state: CallState) -> Reply:
        """Yes to "an SMS when it is fixed?": the caller's number subscribed, or the human path."""
        check = check_callback_number(state.caller, self.settings.callback_countries)
        if check.ok and self.outages.subscribe(state.outage_id, check.e164):
            self.remember_language(check.e164, state.lang)
            return contained(state, flow.say(Reply(), state, "self_service.outage_subscribed"))
        return flow.offer_options(flow.say(Reply(), state, "self_service.outage_no_sms"), state)


def contained(state: CallState, reply: Reply) -> Reply:
    """Solved without a human: the call ends, counted as contained for its topic."""
    state.outcome = "contained"
    state.goto("done")
    reply.counts[f"contained|intent={state.intent}"] = 1
    return reply.add(Hangup())

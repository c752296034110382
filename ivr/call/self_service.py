"""Solving it on the first call: a known outage, a line test, an account reset link, the last bill.

`CallFlow.route` hands a settled topic here before any queue. What the operator's systems know comes
from a CustomerBackend (ivr/call/customer_backend.py) looked up by the caller's number; a slow or failing
backend never breaks the call: the caller is told and offered the human path at once. Each flow ends
with "was it useful?" — yes ends the call contained, no offers a human with what was tried already
attached to the call (and to the callback, voicemail or chat it leads to). The rules (which topic allows
which step, the reset link to the number on file only) are the chat's too: social_bridge/chat/self_service.py.
"""
from __future__ import annotations

import logging

from ivr.call.state import CallState
from ivr.call.callback_policy import check_callback_number, last_digits
from ivr.call.twiml import Hangup, Reply
from social_bridge.chat.self_service import Request, SelfServiceCore, Step

log = logging.getLogger(__name__)


class SelfService:
    def __init__(self, core: SelfServiceCore, settings, remember_language=None, identification=None):
        """core: the rules the chat follows too; remember_language(contact, lang): so the "fixed" SMS is written
        in the subscriber's language; identification: social_bridge.customers.identification.Identification."""
        self.core, self.outages, self.settings = core, core.outages, settings
        self.remember_language = remember_language or (lambda contact, lang: None)
        self.identification = identification

    def handles(self, intent: str) -> bool:
        return self.core.handles(intent)

    # -- the first answer -----------------------------------------------------------------------
    def start(self, flow, state: CallState, reply: Reply) -> Reply:
        """After "I understood …": the topic's self-service, or the human path when there is none."""
        check = check_callback_number(state.caller, self.settings.callback_countries)
        proven = self.identification.identified(state.sid) if self.identification is not None else ""
        request = Request(state.intent, proven or check.e164 or "", state.lang, flow.desk.now().date(),
                          reset_key=f"reset:{state.sid}", prefix="self_service.", report=True, identified=bool(proven),
                          identify_all=bool(self.settings.identify_everyone))
        step = self.core.first_step(request, flow.prompts)
        if step.kind == "identify" and self.identification is not None:  # who is asking, before any account data
            state.goto("identify_account")
            return flow.ask(reply, state, flow.t(state, "voice.identify_ask"), speech=False, num_digits=None,
                            finish_on_key="#", timeout=10)
        if step.kind == "unavailable":
            log.warning("call %s: customer backend unavailable (%s)", state.sid, step.why)
            state.tried.append({"step": state.intent, "result": "backend_unavailable"})
            return flow.offer_options(flow.say(reply, state, "self_service.backend_down"), state)
        if step.kind in ("unknown", "no_bill", "identify"):
            return flow.offer_options(reply, state)
        return _SAY[step.kind](flow, state, reply, step)

    # -- the answers that follow (ivr/call/table.py: "outage" and "helpful") -----------------------
    def subscribe(self, flow, state: CallState) -> Reply:
        """Yes to "an SMS when it is fixed?": the caller's number subscribed, or the human path."""
        check = check_callback_number(state.caller, self.settings.callback_countries)
        if check.ok and self.outages.subscribe(state.outage_id, check.e164):
            self.remember_language(check.e164, state.lang)
            return contained(state, flow.say(Reply(), state, "self_service.outage_subscribed"))
        return flow.offer_options(flow.say(Reply(), state, "self_service.outage_no_sms"), state)


def _outage(flow, state: CallState, reply: Reply, step: Step) -> Reply:
    outage = step.outage
    state.outage_id = outage.id
    state.tried.append({"step": "known_outage", "area": step.customer.area, "cause": outage.cause})
    fix = flow.speech.moment(flow.desk.at(outage.expected_fix_at), flow.desk.now(), state.lang)
    cause = flow.t(state, f"self_service.causes.{outage.cause}")
    overdue = outage.expected_fix_at <= flow.desk.clock()  # a fix time already missed is not promised again
    flow.say(reply, state, "self_service.outage_overdue" if overdue else "self_service.outage", cause=cause, fix_at=fix)
    state.goto("outage")
    return flow.ask(reply, state, flow.t(state, "self_service.outage_subscribe"))


def _line_test(flow, state: CallState, reply: Reply, step: Step) -> Reply:
    test = step.test
    state.tried.append({"step": "line_test", "result": test.result, "detail": test.detail,
                        **({"down_mbps": test.down_mbps} if test.down_mbps is not None else {})})
    speed = f"{test.down_mbps:.0f}" if test.down_mbps is not None else ""
    flow.say(reply, state, step.key, speed=speed)
    if step.restart:
        flow.say(reply, state, "self_service.advice")
    return _ask_helpful(flow, state, reply)


def _reset_link(flow, state: CallState, reply: Reply, step: Step) -> Reply:
    state.tried.append({"step": "reset_link", "result": "sent"})
    flow.say(reply, state, step.key, last_digits=flow.speech.digits(last_digits(step.customer.phone)))
    return _ask_helpful(flow, state, reply)


def _bill(flow, state: CallState, reply: Reply, step: Step) -> Reply:
    bill, today = step.bill, flow.desk.now().date()
    amount = flow.speech.money(bill.amount_cents, state.lang)
    issued, due = (flow.speech.day(d, today, state.lang) for d in (bill.issued_date, bill.due_date))
    flow.say(reply, state, step.key, amount=amount, issued=issued, due=due)
    state.tried.append({"step": "bill_read", "result": "paid" if bill.paid else "unpaid"})
    return _ask_helpful(flow, state, reply)


def _ask_helpful(flow, state: CallState, reply: Reply) -> Reply:
    state.goto("helpful")
    return flow.ask(reply, state, flow.t(state, "self_service.helpful"))


_SAY = {"outage": _outage, "line_test": _line_test, "reset_link": _reset_link, "bill": _bill}


def contained(state: CallState, reply: Reply) -> Reply:
    """Solved without a human: the call ends, counted as contained for its topic."""
    state.outcome = "contained"
    state.goto("done")
    reply.counts[f"contained|intent={state.intent}"] = 1
    return reply.add(Hangup())

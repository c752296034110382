"""A customer quotes a case number (keypad, STATO 12345678 by SMS, a chat): where it stands, or reopened.

One answer for every channel. A pending case says its place (or when it is due, or that an agent has it);
a resolved one within CASE_REOPEN_DAYS is reopened at its original place; older ones are closed. No
personal data is in any answer (no number, no name): anyone may quote a number, and a reopened callback
still rings only the number on file.
"""
from __future__ import annotations

from dataclasses import dataclass

from social_bridge.chat.ports import Hours, Prompts, Spoken
from social_bridge.customers import case_numbers
from social_bridge.customers.cases import Case, Cases
from social_bridge.queue.eta import EtaEstimator


@dataclass(frozen=True)
class Quoted:
    """What quoting a number found: outcome in (pending, reopened, closed, unknown), the case, its place."""

    outcome: str
    case: Case | None = None
    position: int | None = None
    wait_seconds: float = 0.0
    not_before: float = 0.0


class CaseQuotes:
    def __init__(self, cases: Cases, eta: EtaEstimator):
        self.cases, self.eta = cases, eta

    def quote(self, number: str) -> Quoted:
        """Looks the number up; a resolved case within the reopening days is reopened here."""
        case = self.cases.get(number)
        if case is None:
            return Quoted("unknown")
        outcome = "pending"
        if case.state == "resolved":
            reopened = self.cases.reopen(case.number)
            if reopened is None:
                return Quoted("closed", case)
            case, outcome = reopened, "reopened"
        elif case.state == "waiting_customer":
            self.cases.customer_answered(case.number)
        queue = self.cases.queue
        position = queue.position(case.item_id)
        item = queue.get(case.item_id)
        wait = self.eta.for_item(item).seconds if position and item else 0.0
        return Quoted(outcome, case, position, wait, item.not_before if item else 0.0)



class WrittenCaseStatus:
    """The answer to STATO 12345678 by SMS or in a chat ("tu"), in one message."""

    def __init__(self, quotes: CaseQuotes, prompts: Prompts, spoken: Spoken, hours: Hours):
        self.quotes, self.cases, self.prompts, self.spoken, self.hours = quotes, quotes.cases, prompts, spoken, hours

    def __call__(self, number: str, lang: str) -> str:
        quoted = self.quotes.quote(number)
        if quoted.case is None:
            return self.prompts.text(lang, "sms.case_unknown")
        shown = case_numbers.display(quoted.case.number)
        days = int(self.cases.reopen_days)
        if quoted.outcome == "closed":
            return self.prompts.text(lang, "sms.case_closed", case=shown, days=days)
        place = self.prompts.position(lang, quoted.position)
        if quoted.outcome == "reopened":
            return self.prompts.text(lang, "sms.case_reopened", case=shown, position=place)
        if quoted.case.state == "in_progress":
            return self.prompts.text(lang, "sms.case_claimed", case=shown)
        if quoted.position is None:
            when = self.spoken.moment(self.hours.at(quoted.not_before), self.hours.now(), lang)
            return self.prompts.text(lang, "sms.case_scheduled", case=shown, window=when)
        return self.prompts.text(lang, "sms.case_waiting", case=shown, position=place,
                                 wait=self.spoken.wait(quoted.wait_seconds, lang))

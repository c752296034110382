"""The customer leg of a callback, from pick-up to verdict: reached only when a person is known to be there.

Three kinds of news arrive, each possibly repeated and in any order: the whisper fetch when the phone picks
up (maybe with AnsweredBy), the key pressed at the question, the AMD callback; and the leg's end (its
`completed` status or the <Dial> action). Facts are noted once (the first AnsweredBy, the first key win);
the verdict is a compare-and-set from customer_dialing / customer_ended, so a repeat never counts twice.
"""
from __future__ import annotations

import logging
import time

from ivr.dialer import customer_check as check

log = logging.getLogger("ivr.dialer.dialer")
OPEN = ("customer_dialing", "customer_ended")  # answered, no verdict yet
# after the leg ended, how long an `amd` verdict may still arrive: Twilio gives one within machineDetectionTimeout
# (30 s) of the answer; well inside the claim's lease, so the agent's claim still holds when it is settled
AMD_WAIT_SECONDS = 45


class CustomerLeg:
    """Notes what Twilio says about the customer's side and decides reached / machine through `decide`."""

    def __init__(self, attempts, decide, clock=time.time, end_live_machine=lambda attempt_id: None):
        self.attempts, self.decide, self.clock = attempts, decide, clock
        self.end_live_machine = end_live_machine  # a job takes a machine found after the bridge off the line

    def on_answer(self, attempt_id: str, call_sid: str, answered_by: str) -> str:
        """The whisper fetch: "ask", "connect", "machine" or "gone"; a repeat gets the same answer."""
        attempt = self._noted(attempt_id, customer_call_sid=call_sid, answered_by=_verdict(answered_by))
        if attempt is None:
            return "gone"
        if attempt.state in OPEN:
            action = check.at_answer(attempt.check, attempt.answered_by)
            if action == "machine":
                self._judge(attempt, "machine")
            elif action == "connect" and check.from_amd(attempt.check, attempt.answered_by):
                self._judge(attempt, check.from_amd(attempt.check, attempt.answered_by))
            attempt = self.attempts.get(attempt_id)
            if attempt.state in OPEN:
                return action
        return {"reached": "connect", "machine": "machine"}.get(attempt.state, "gone")

    def on_key(self, attempt_id: str, digits: str) -> str:
        """The answer to the press-1 question: "connect", "machine" or "gone"."""
        key = check.CONFIRMED if digits.strip() == check.CONFIRMED else check.NOT_CONFIRMED
        attempt = self._noted(attempt_id, confirmed=key)
        if attempt is None:
            return "gone"
        if attempt.state == "customer_dialing":
            verdict = check.from_key(attempt.confirmed)
            if verdict == "reached" and attempt.agent_status == "completed":
                verdict = "agent_hung_up"  # the agent left during the question: nobody to connect them to
            self._judge(attempt, verdict)
            attempt = self.attempts.get(attempt_id)
        return {"reached": "connect", "machine": "machine"}.get(attempt.state, "gone")

    def on_amd(self, attempt_id: str, answered_by: str, call_sid: str) -> str | None:
        """The asynchronous AMD callback; before or after the leg ended, once or many times."""
        attempt = self._noted(attempt_id, customer_call_sid=call_sid, answered_by=_verdict(answered_by))
        if attempt is None:
            return None
        verdict = None
        if attempt.state == "customer_dialing":
            verdict = check.from_amd(attempt.check, attempt.answered_by)
        elif attempt.state == "customer_ended":
            verdict = check.at_end(attempt.check, attempt.answered_by, attempt.confirmed)
        if verdict and self._judge(attempt, verdict) == "machine" and attempt.state == "customer_dialing":
            self.end_live_machine(attempt_id)  # the agent is bridged to the tape: the job ends that leg
        return self.attempts.get(attempt_id).state

    def on_end(self, attempt_id: str) -> str | None:
        """The answered leg ended: a verdict now, or customer_ended until the AMD verdict (or the sweep)."""
        attempt = self.attempts.get(attempt_id)
        if attempt is None or attempt.state not in OPEN:
            return attempt.state if attempt else None
        verdict = check.at_end(attempt.check, attempt.answered_by, attempt.confirmed)
        if verdict:
            return self._judge(attempt, verdict)
        self.attempts.move(attempt_id, ("customer_dialing",), "customer_ended")
        return self.attempts.get(attempt_id).state

    def expire(self, attempt) -> str | None:
        """The sweep: an ended leg whose AMD verdict never came was answered, and the agent spoke."""
        if attempt.state != "customer_ended" or self.clock() - attempt.updated_at < AMD_WAIT_SECONDS:
            return None
        return self._judge(attempt, "reached", error="no AMD verdict")

    def _noted(self, attempt_id: str, **facts):
        self.attempts.note(attempt_id, **facts)
        return self.attempts.get(attempt_id)

    def _judge(self, attempt, verdict: str, **values) -> str:
        if verdict == "machine":
            values["machine_by"] = f"amd_{attempt.answered_by}" if attempt.answered_by in check.MACHINE else "no_key"
        state = self.decide(attempt.id, OPEN, verdict, **values)
        log.info("dial %s: customer leg judged %s (%s)", attempt.id, verdict, values.get("machine_by", "person"))
        return state


def _verdict(answered_by: str) -> str:
    """Only Twilio's documented values are kept: anything else is no verdict."""
    return answered_by if answered_by in check.ANSWERED_BY else ""

"""Agent-first callbacks: ring the agent, whisper the context, and only on "1" dial the customer.

calls.create has no idempotency key, so an attempt is persisted before anything is dialed, its id
travels in every URL Twilio calls back, and a compare-and-set (created → dialing) lets exactly one
job place the agent leg. A job that died mid-way is reconciled from Twilio's records, never redialed.
"""
from __future__ import annotations

import logging
import secrets
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from twilio.base.exceptions import TwilioRestException, TwilioServiceException

from ivr.call.callback_policy import check_callback_number, mask
from ivr.dialer.attempts import LIVE, DialAttempts
from ivr.dialer.customer_leg import CustomerLeg
from ivr.dialer.outcomes import Outcomes
from ivr.call.twiml import action_url
from social_bridge.queue.claims import NotClaimable, StaleFence

log = logging.getLogger(__name__)
AGENT_RING_SECONDS = 25
CUSTOMER_RING_SECONDS = 25
SWEEP_GRACE_SECONDS = 60      # a placing job can take this long; younger attempts are left alone
STUCK_AFTER_SECONDS = 15 * 60  # a live attempt with no news from Twilio for this long needs a person
ANSWERED = ("in-progress", "answered", "completed")
UNREACHED = ("no-answer", "busy", "failed", "canceled")
# (leg, CallStatus) → (states it may move from, state it moves to); anything else is only recorded. An
# answered customer leg is judged by CustomerLeg (a person, or a machine), unless the check is off.
LEG_MOVES = {
    **{("agent", s): (("dialing",), "agent_ringing") for s in ("queued", "initiated", "ringing", "in-progress")},
    **{("agent", s): (("dialing", "agent_ringing"), "agent_missed") for s in UNREACHED},
    ("agent", "completed"): (("dialing", "agent_ringing", "agent_answered"), "agent_hung_up"),
    **{("customer", s): (("customer_dialing",), "customer_missed") for s in UNREACHED},
}
DIAL_MOVES = {s: "customer_missed" for s in UNREACHED}


class DialRefused(ValueError):
    """This callback may not be dialed now; the message says why, for the agent.

    A ValueError, because social_bridge (which never imports ivr) catches the dialer's refusals as such.
    """


class QuietHours(DialRefused):
    """The desk is closed: customers are never called outside business hours."""


class NotDialable(DialRefused):
    """The agent has no phone, or the customer's number is not one we may call."""


class Dialer:
    """Starts attempts, places the agent leg (in a job), follows Twilio's callbacks, settles outcomes."""

    def __init__(self, attempts: DialAttempts, claims, queue, calls, enqueue_job, settings, hours,
                 notices, clock=time.time, enqueue_machine=lambda attempt_id: None):
        self.attempts, self.claims, self.queue, self.calls = attempts, claims, queue, calls
        self.enqueue_job, self.settings, self.hours, self.notices = enqueue_job, settings, hours, notices
        self.clock, self.tz = clock, ZoneInfo(settings.timezone)
        self.outcomes = Outcomes(attempts, claims, queue, hours, settings, notices, clock)
        self.customer = CustomerLeg(attempts, self._decide, clock, end_live_machine=enqueue_machine)
        self.on_decided = lambda state: None  # a metric per decided attempt (reached, customer_missed …)
        self.on_machine = lambda how: None    # a metric per machine that answered (amd_<AnsweredBy>, no_key)

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), self.tz)

    # -- starting and placing -------------------------------------------------------------------
    def start(self, item, claim, agent) -> str:
        """Persists an attempt for this claim and hands its id to a job; the same claim twice → one attempt."""
        if claim.item.id != item.id:
            raise ValueError(f"claim is for item {claim.item.id}, not {item.id}")
        if not self.hours.is_open(self.now()):
            opens = self.hours.next_opening(self.now()).strftime("%a %d %b %H:%M")
            raise QuietHours(f"the desk is closed until {opens}: customers are never called outside business hours")
        if not agent.phone:
            raise NotDialable(f"agent {agent.id} has no phone number to ring first")
        check = check_callback_number(item.customer, self.settings.callback_countries)
        if not check.ok:
            raise NotDialable(f"the customer's number cannot be called back ({check.reason})")
        agent_lang = next((lang for lang in agent.languages if lang in ("it", "en")), "it")
        attempt, created = self.attempts.create(item.id, claim.fence, agent.id, agent.phone, agent_lang,
                                                check.e164, item.lang)
        if created:
            self.enqueue_job(attempt.id)
            log.info("dial %s: item %s by agent %s queued", attempt.id, item.id, agent.id)
        return attempt.id

    def place(self, attempt_id: str) -> str:
        """The job: ring the agent, at most once per attempt whatever happens to workers."""
        moved, before = self.attempts.move(attempt_id, ("created",), "dialing", dialing_at=self.clock())
        if not moved:
            return before or "missing"
        attempt = self.attempts.get(attempt_id)
        if not self.hours.is_open(self.now()):
            return self._decide(attempt_id, ("dialing",), "quiet_hours")
        if not self._renew(attempt, ("dialing",)):
            return "stale"
        try:
            sid = self.calls.create(
                to=attempt.agent_phone, from_=self.settings.twilio_number,
                url=self.settings.url(action_url("/voice/dial/agent", attempt=attempt_id)),
                status_callback=self.settings.url(action_url("/voice/dial/status", attempt=attempt_id, leg="agent")))
        except (TwilioRestException, TwilioServiceException) as exc:  # Twilio answered no: nothing was placed
            error = f"{getattr(exc, 'status', '?')} {getattr(exc, 'code', '?')}"
            log.warning("dial %s: Twilio refused the agent leg (%s)", attempt_id, error)
            return self._decide(attempt_id, ("dialing",), "failed_to_place", error=error)
        # anything else (timeout, reset) is ambiguous: the attempt stays "dialing" for reconcile
        moved, before = self.attempts.move(attempt_id, ("dialing",), "agent_ringing", agent_call_sid=sid)
        if not moved:  # a callback or reconcile got there first: keep its state, remember the sid
            self.attempts.note(attempt_id, agent_call_sid=sid)
        log.info("dial %s: ringing agent %s on %s", attempt_id, attempt.agent_id, mask(attempt.agent_phone))
        return "agent_ringing" if moved else before

    def end_machine_leg(self, attempt_id: str) -> str:
        """The job: a machine found after the bridge hears the message and the leg ends; the agent is freed."""
        attempt = self.attempts.get(attempt_id)
        if attempt is None or attempt.state != "machine" or not attempt.customer_call_sid:
            return "skipped"
        if not self.attempts.once(attempt_id, "machine_message", by="job"):
            return "done"  # the whisper at pick-up left it
        if not self.attempts.once(attempt_id, "machine_leg_update", by=secrets.token_hex(8)):
            return "done"  # this job ran before (an owner of its own: a rerun is never the first)
        try:
            self.calls.update(attempt.customer_call_sid, self.notices.machine_twiml(attempt))
        except (TwilioRestException, TwilioServiceException) as exc:  # the leg ended on its own first
            log.info("dial %s: the machine's leg was already over (%s)", attempt_id, getattr(exc, "code", "?"))
            return "over"
        return "ended"

    def reconcile(self, attempt_id: str) -> str:
        """After a crash: adopt the call Twilio has for this attempt, or flag it. Never dials."""
        attempt = self.attempts.get(attempt_id)
        if attempt is None:
            return "missing"
        if attempt.state == "created":
            self.enqueue_job(attempt_id)  # the job was lost before it began; placing is still once only
            return "requeued"
        if attempt.state != "dialing":
            return attempt.state
        sid = self.calls.find(attempt_id, attempt.agent_phone, self.settings.twilio_number,
                              attempt.dialing_at or attempt.created_at)
        if sid:
            moved, before = self.attempts.move(attempt_id, ("dialing",), "agent_ringing", agent_call_sid=sid)
            log.warning("dial %s: adopted call %s after a lost job", attempt_id, sid)
            return "adopted" if moved else before
        self._decide(attempt_id, ("dialing",), "needs_review", error="no call found for this attempt")
        return "needs_review"

    def sweep(self, grace: float = SWEEP_GRACE_SECONDS, stuck_after: float = STUCK_AFTER_SECONDS) -> dict:
        """Periodic: re-queue lost jobs, reconcile interrupted ones, settle what a crash left unsettled."""
        counts: dict[str, int] = {}
        now = self.clock()
        for attempt_id in self.attempts.open_ids(created_before=now - grace):
            attempt = self.attempts.get(attempt_id)
            if attempt is None or attempt.settled:
                self.attempts.mark_settled(attempt_id)
                result = "settled"
            elif attempt.state == "dialing" and now - attempt.dialing_at < grace:
                result = "in_progress"
            elif attempt.state in ("created", "dialing"):
                result = self.reconcile(attempt_id)
            elif attempt.state in LIVE:
                result = self.customer.expire(attempt) or "live"
                if result == "live" and now - attempt.updated_at > stuck_after:
                    result = self._decide(attempt_id, LIVE[2:], "needs_review", error="no news from Twilio")
            else:
                result = self.settle(attempt_id)
            counts[result] = counts.get(result, 0) + 1
        return counts

    # -- what Twilio tells us ---------------------------------------------------------------------
    def on_leg_status(self, attempt_id: str, leg: str, status: str, call_sid: str) -> str | None:
        """A status callback, recorded once; it moves the attempt only forwards."""
        if not self.attempts.record_leg(attempt_id, leg, status, call_sid):
            attempt = self.attempts.get(attempt_id)
            return attempt.state if attempt else None
        if leg == "customer" and status in ANSWERED:
            return self._customer_answered(attempt_id, ended=status == "completed")
        move = LEG_MOVES.get((leg, status))
        if move is None:
            return self.attempts.get(attempt_id).state
        return self._decide(attempt_id, *move)

    def on_dial_outcome(self, attempt_id: str, dial_status: str) -> str | None:
        """The <Dial> action: how the customer leg ended."""
        to_state = DIAL_MOVES.get(dial_status)
        if to_state is not None:
            self._decide(attempt_id, ("customer_dialing",), to_state)
        elif dial_status in ANSWERED:
            self._customer_answered(attempt_id, ended=True)
        attempt = self.attempts.get(attempt_id)
        return attempt.state if attempt else None

    def _customer_answered(self, attempt_id: str, ended: bool) -> str | None:
        """Without a check, picked up is reached (as before); with one, CustomerLeg judges at the end."""
        attempt = self.attempts.get(attempt_id)
        if attempt is not None and attempt.check in ("", "off"):
            return self._decide(attempt_id, ("customer_dialing",), "reached")
        return self.customer.on_end(attempt_id) if ended else (attempt.state if attempt else None)

    def on_agent_answered(self, attempt_id: str, call_sid: str) -> bool:
        """The agent picked up: True when the whisper should play (the claim still holds)."""
        moved, before = self.attempts.move(attempt_id, ("dialing", "agent_ringing"), "agent_answered")
        if not moved and before != "agent_answered":
            return False
        self.attempts.note(attempt_id, agent_call_sid=call_sid)
        return self._renew(self.attempts.get(attempt_id), ("agent_answered",))

    def on_agent_choice(self, attempt_id: str, digits: str) -> str:
        """"connect", "declined", "ask_again" or "gone"; a replayed request gets the same answer."""
        attempt = self.attempts.get(attempt_id)
        if attempt is None:
            return "gone"
        if digits == "1":
            if attempt.state == "customer_dialing":
                return "connect"
            if attempt.state != "agent_answered" or not self._renew(attempt, ("agent_answered",)):
                return "gone"
            moved, before = self.attempts.move(attempt_id, ("agent_answered",), "customer_dialing",
                                               check=self.settings.callback_customer_check)
            return "connect" if moved or before == "customer_dialing" else "gone"
        if digits not in ("", "2") and attempt.state == "agent_answered" and self.attempts.ask_again(attempt_id) < 2:
            return "ask_again"
        state = self._decide(attempt_id, ("agent_answered",), "declined")
        return "declined" if state == "declined" else "gone"

    # -- consequences for the work item ----------------------------------------------------------
    def _decide(self, attempt_id: str, from_states, to_state: str, **values) -> str:
        moved, before = self.attempts.move(attempt_id, tuple(from_states), to_state, **values)
        if not moved:
            return before
        if to_state not in LIVE:
            self.on_decided(to_state)
            if to_state == "machine":
                self.on_machine(values.get("machine_by", ""))
            self.settle(attempt_id)
        return to_state

    def _renew(self, attempt, from_states) -> bool:
        try:
            self.claims.renew(attempt.item_id, attempt.fence)
            return True
        except (StaleFence, NotClaimable):
            log.info("dial %s: the claim on item %s ended; not going on", attempt.id, attempt.item_id)
            self._decide(attempt.id, from_states, "stale")
            return False

    def settle(self, attempt_id: str) -> str:
        """Completes, retries or releases the item for a decided attempt; safe to run again."""
        return self.outcomes.settle(attempt_id)

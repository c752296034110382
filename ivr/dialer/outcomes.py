"""What a decided dial attempt means for its work item: done, retried at its place, or back in line."""
from __future__ import annotations

import logging
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from ivr.call.business_hours import NoOpening
from ivr.dialer.attempts import LIVE, DialAttempts
from social_bridge.queue.claims import NotClaimable, StaleFence

log = logging.getLogger("ivr.dialer.dialer")
DEFAULT_RETRY_MINUTES = 10
RELEASING = ("agent_missed", "agent_hung_up", "declined", "quiet_hours")  # not the customer's doing


class Outcomes:
    """Settles attempts once: every write carries the claim's fence, so a repeat changes nothing."""

    def __init__(self, attempts: DialAttempts, claims, queue, hours, settings, notices, clock=time.time):
        self.attempts, self.claims, self.queue, self.hours = attempts, claims, queue, hours
        self.settings, self.notices, self.clock = settings, notices, clock
        self.tz = ZoneInfo(settings.timezone)
        self._settlers = {"reached": self._complete, "customer_missed": self._retry, "machine": self._retry,
                          "failed_to_place": self._retry, "needs_review": self._review, "stale": lambda a: "stale",
                          **dict.fromkeys(RELEASING, self._release)}

    def settle(self, attempt_id: str) -> str:
        """Completes, retries or releases the item of a decided attempt; safe to run again."""
        attempt = self.attempts.get(attempt_id)
        if attempt is None or attempt.state in LIVE:
            return attempt.state if attempt else "missing"
        if attempt.settled:
            return attempt.outcome or attempt.state
        outcome = self._settlers.get(attempt.state, lambda a: a.state)(attempt)
        try:
            self.claims.record_attempt(attempt.item_id, {
                "attempt": attempt.id, "agent": attempt.agent_id, "result": attempt.state, "outcome": outcome,
                "agent_call": attempt.agent_call_sid, "customer_call": attempt.customer_call_sid})
        except NotClaimable:
            pass  # the item is gone; the attempt keeps its own record
        self.attempts.mark_settled(attempt_id, outcome=outcome)
        log.info("dial %s: %s → %s (item %s)", attempt_id, attempt.state, outcome, attempt.item_id)
        return outcome

    def _complete(self, attempt) -> str:
        try:
            self.claims.complete(attempt.item_id, attempt.fence, "reached")
        except (StaleFence, NotClaimable):
            log.error("dial %s: customer reached but the claim on item %s had ended", attempt.id, attempt.item_id)
        return "reached"

    def _release(self, attempt) -> str:
        try:
            self.claims.release(attempt.item_id, attempt.fence)
        except (StaleFence, NotClaimable):
            pass  # the lease ran out or someone else holds it: the item is already back in line
        return "released"

    def _review(self, attempt) -> str:
        self.attempts.flag_for_review(attempt.id)
        log.warning("dial %s: needs review (%s); item %s goes back to its place", attempt.id, attempt.error,
                    attempt.item_id)
        return self._release(attempt)

    def _retry(self, attempt) -> str:
        """A failed attempt: a later retry at the same place, or, after the last one, closed.

        A machine that answered is such an attempt (never `reached`): the retry keeps acquired_at.
        """
        item = self.queue.get(attempt.item_id)
        retry_at = self._retry_at(item.attempts if item else 0)
        reason = "machine" if attempt.state == "machine" else attempt.customer_status or attempt.state
        try:
            verdict = self.claims.fail_attempt(attempt.item_id, attempt.fence, reason, retry_at)
        except (StaleFence, NotClaimable):
            verdict, retry_at = _already_failed(self.queue.get(attempt.item_id), attempt.fence)
            if verdict is None:
                return "lease_lost"  # the lease ran out first: back at its place, this attempt not counted
        if verdict == "retry" and attempt.state in ("customer_missed", "machine"):
            self.notices.missed(attempt, retry_at, self.clock())
        elif verdict != "retry":
            self.notices.gave_up(attempt, item)
        outcome = ("machine" if attempt.state == "machine" else "retried") if verdict == "retry" else "gave_up"
        if attempt.state == "customer_missed":
            self.attempts.move(attempt.id, ("customer_missed",), outcome)
        return outcome

    def _retry_at(self, failed_before: int) -> float:
        minutes = self.settings.callback_retry_minutes or (str(DEFAULT_RETRY_MINUTES),)
        at = self.clock() + float(minutes[min(failed_before, len(minutes) - 1)]) * 60
        try:  # quiet hours: a retry never falls while the desk is closed
            return self.hours.next_opening(datetime.fromtimestamp(at, self.tz)).timestamp()
        except NoOpening:
            return at


def _already_failed(item, fence: int):
    """A settle run again after a crash: what the first run's fail_attempt did, read from the item."""
    if item is None or item.fence != fence:
        return None, None
    if item.status == "dead":
        return "dead", None
    if item.status == "scheduled" and not item.claimed_by:
        return "retry", item.not_before
    return None, None

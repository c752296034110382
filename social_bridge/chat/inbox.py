"""What happens when a customer writes: the thread, its place in the queue, commands, one acknowledgement.

- The message is recorded once per provider id (threads.py); a redelivery changes nothing.
- A handoff code (Messenger ref, or typed in the text) links the thread to the call it continues:
  the thread keeps the call's acquired time — the place earned by calling — and its context.
- Without a code the place is the time of the first message of this request.
- Commands in either language: status, cancel, "call me instead" (a callback keeping the place).
- At most one automatic message per customer message: a command's answer, or an acknowledgement
  with position and wait, sent again only when the wait has changed a lot (never while an agent
  holds the thread).
"""
from __future__ import annotations

import logging
import time
from typing import Callable, Protocol

from social_bridge.channels import Inbound
from social_bridge.chat.commands import case_argument
from social_bridge.chat.delivery import Delivery, ReplyRefused
from social_bridge.chat.handoff import find_code
from social_bridge.chat.threads import Thread, Threads
from social_bridge.customers.case_numbers import display as display_case
from social_bridge.customers.contacts import Contacts
from social_bridge.customers.identification import Identification, account_digits
from social_bridge.customers.proofs import CODE_DIGITS
from social_bridge.queue.work_item import PENDING, WorkItem
from social_bridge.queue.work_queue import WorkQueue

log = logging.getLogger(__name__)
SUMMARY_CHARS = 280
REACK_AFTER = 600  # seconds between acknowledgements of the same request, at least


class Replies(Protocol):
    """What the voice side knows and says, passed in by the app factory (social_bridge never imports ivr)."""

    def language(self, text: str) -> str: ...                       # "it" | "en"

    def command(self, text: str) -> tuple[str | None, str | None]: ...  # (status|cancel|call_me, lang)

    def understand(self, text: str, lang: str) -> str: ...          # an intent, or ""

    def acknowledgement(self, item: WorkItem, lang: str) -> tuple[str, float]: ...  # (sentence, wait s)

    def text(self, lang: str, key: str, **values) -> str: ...

    def callback_number(self, thread: Thread, text: str) -> str | None: ...  # E.164 we may call

    def pending_code(self, thread: Thread) -> str | None: ...  # a code sent by SMS to this sender, if any

    def subscribe_outage(self, thread: Thread, lang: str) -> str: ...  # the answer to "notify me"

    def solved(self, thread: Thread, item: WorkItem | None, lang: str) -> str: ...  # "RISOLTO": withdraw, count

    def booking_refused(self, number: str) -> str | None: ...  # "daily" | "breaker": the phone's limits

    def booking_counted(self, number: str) -> None: ...  # a new callback booked for this number


class Inbox:
    def __init__(self, threads: Threads, queue: WorkQueue, codes, delivery: Delivery, replies: Replies,
                 clock: Callable[[], float] = time.time, case_status: Callable[[str, str], str] | None = None,
                 contacts: Contacts | None = None, identification: Identification | None = None,
                 privacy_url: str = "", satisfaction=None, service_levels=None, pushed_waits=None):
        self.threads, self.queue, self.codes, self.delivery, self.replies, self.clock = (
            threads, queue, codes, delivery, replies, clock)
        self.case_status = case_status  # (case number, lang) -> where it stands: STATO 12345678 in a chat
        self.contacts = contacts  # who the sender is: a known customer joins their open request, on any channel
        self.privacy_url = privacy_url  # PRIVACY_NOTICE_URL: linked in our first answer to a new sender
        self.identification = identification  # the account, then a one-time code, before account data in writing
        self.satisfaction = satisfaction  # social_bridge.customers.satisfaction: a 1-5 answer after a completed request
        self.service_levels = service_levels  # social_bridge.chat.service_levels: a new request starts its clocks
        self.pushed_waits = pushed_waits  # social_bridge.chat.pushed_waits.PushedWaits: STOP AGGIORNAMENTI opts out

    def receive(self, inbound: Inbound) -> str:
        """Handles one customer message; returns what was done (for logs and tests)."""
        refused = self.threads.over_limit(inbound)
        if refused:  # a flood from one sender: not stored, not answered (issue 18, inbound abuse)
            log.warning("%s message from one sender over the %s limit: dropped", inbound.channel, refused)
            return f"limited:{refused}"
        known = self.threads.for_customer(inbound.channel, inbound.sender_id)
        lang = known.lang if known else self.replies.language(inbound.text)
        recorded = self.threads.record_inbound(inbound, lang)
        thread = recorded.thread
        if recorded.queued:
            return "duplicate"
        context = self._link(thread, inbound)
        thread = self.threads.get(thread.id)
        if self.satisfaction is not None and not context and self._rated(thread, inbound, recorded.duplicate):
            return "satisfaction"
        answer = self._identifying(thread, inbound) if self.identification is not None and not context else None
        if answer is not None:  # the account or the code we asked for: nothing else is read into it
            self.threads.mark_queued(inbound, thread.id)
            if not recorded.duplicate:
                self._say(thread, answer)
            return "identify"
        command, command_lang = self.replies.command(inbound.text) if not context else (None, None)
        if command:
            answer = self._command(thread, command, command_lang or thread.lang, inbound)
            outcome = f"command:{command}"
        else:
            item = self._place(thread, inbound, context)
            answer = None if recorded.duplicate else self._acknowledgement(thread, item)
            outcome = "linked" if context else "queued"
        self.threads.mark_queued(inbound, thread.id)
        if answer and recorded.created and self.privacy_url:  # the first answer to a new sender: the notice
            answer += "\n\n" + self.replies.text(thread.lang, "chat.privacy_link", url=self.privacy_url)
        if answer and not recorded.duplicate:  # a crash-and-redeliver never answers twice
            self._say(thread, answer)
        return outcome

    # -- the place in the queue -----------------------------------------------------------------
    def _link(self, thread: Thread, inbound: Inbound) -> dict | None:
        code = inbound.ref or find_code(inbound.text) or self.replies.pending_code(thread)
        context = self.codes.redeem(code) if code else None
        if not context:
            return None
        self.threads.update(thread.id, call_sid=context.get("call_sid", ""), context=context,
                            lang=context.get("lang") or thread.lang)
        log.info("thread %s linked to a call by its handoff code", thread.id)
        if self.contacts is not None:  # the code was texted to the caller: this sender is that person
            self.contacts.handoff_proven(thread.channel, thread.sender_id, context)
        return context

    def _place(self, thread: Thread, inbound: Inbound, context: dict | None) -> WorkItem:
        context = context or thread.context or {}
        now = self.clock()
        text = inbound.text.strip()
        acquired = float(context.get("acquired_at") or 0) or min(inbound.sent_at or now, now)
        meaning = self.replies.classifier.interpret(text, thread.lang) if text and not context.get("intent") else None
        intent = context.get("intent") or (meaning.intent or "" if meaning is not None else "")
        # a grievance said on the call, or written here, goes with the item to the agent
        complaint = bool(context.get("complaint")) or bool(getattr(meaning, "complaint", None))
        summary = context.get("summary") or text[:SUMMARY_CHARS]
        details = {"thread_id": thread.id, **({"tried": context["tried"]} if context.get("tried") else {})}
        joined = self.contacts.open_item(thread.channel, thread.sender_id) if self.contacts is not None else None
        if joined is not None and joined.natural_key != thread.natural_key:  # one person, one place in line
            placed = self.contacts.join(joined, thread.channel, thread.id, acquired)
            if placed.id != thread.item_id:
                self.threads.update(thread.id, item_id=placed.id)
            return placed
        item = WorkItem(id="", kind="thread", channel=thread.channel, lang=thread.lang, acquired_at=acquired,
                        natural_key=thread.natural_key, customer=thread.customer, intent=intent, summary=summary,
                        call_sid=context.get("call_sid", ""), details=details, complaint=complaint)
        placed = self.queue.enqueue(item).item
        if placed.id != thread.item_id:
            self.threads.update(thread.id, item_id=placed.id)
        if self.service_levels is not None:  # the first message of this request starts its clocks (once)
            self.service_levels.opened(placed, min(inbound.sent_at or now, now))
        return placed

    def _rated(self, thread: Thread, inbound: Inbound, duplicate: bool) -> bool:
        """A 1-5 answer to the question after a completed request: stored, thanked, not a new request."""
        if self.satisfaction.answer(thread, inbound.text) is None:
            return False
        self.threads.mark_queued(inbound, thread.id)
        if not duplicate:
            self._say(thread, self.replies.text(thread.lang, "chat.satisfaction.thanks"))
        return True

    def _acknowledgement(self, thread: Thread, item: WorkItem) -> str | None:
        """Position and wait, when the customer has not heard them for this request or they moved a lot."""
        if item.status == "claimed":
            return None  # an agent is on it: their answer is the acknowledgement
        text, wait = self.replies.acknowledgement(item, thread.lang)
        fresh = thread.acked_at < item.created_at
        moved = abs(wait - thread.acked_eta) >= max(300.0, 0.5 * thread.acked_eta)
        if not fresh and not (moved and self.clock() - thread.acked_at >= REACK_AFTER):
            return None
        self.threads.update(thread.id, acked_at=self.clock(), acked_eta=float(wait))
        if item.case_number:  # every receipt prints the number to quote
            text += " " + self.replies.text(thread.lang, "chat.case_line", case=display_case(item.case_number))
        return text

    def _identifying(self, thread: Thread, inbound: Inbound) -> str | None:
        """This message answers the account or code question asked before account data; None when it does not."""
        stage, lang = self.identification.stage(thread.id), thread.lang
        if stage == "account" and account_digits(inbound.text):
            self.identification.begin(thread.id, inbound.text, lang)
            return self.replies.text(lang, "chat.self.identify_code_sent")
        code = "".join(ch for ch in inbound.text if ch.isdigit())
        if stage != "code" or len(code) != CODE_DIGITS:
            return None
        result = self.identification.confirm(thread.id, code)
        item = self._pending(thread)
        if result == "ok" and item is not None:  # the self-service answer, for the proven account
            return self.replies.acknowledgement(item, lang)[0]
        return self.replies.text(lang, "chat.self.identify_wrong" if result == "wrong" else "chat.self.identify_failed")

    # -- commands -------------------------------------------------------------------------------
    def _pending(self, thread: Thread) -> WorkItem | None:
        item = self.queue.get(thread.item_id) if thread.item_id else None
        return item if item and item.status in PENDING else None

    def _command(self, thread: Thread, command: str, lang: str, inbound: Inbound) -> str:
        item = self._pending(thread)
        quoted = case_argument(inbound.text) if command == "status" and self.case_status else None
        if quoted:
            return self.case_status(quoted, lang)
        if command == "status":
            return self.replies.acknowledgement(item, lang)[0] if item else self.replies.text(lang, "chat.status_none")
        if command == "notify":  # a known outage in their area: write when it is fixed
            return self.replies.subscribe_outage(thread, lang)
        if command == "solved":  # what self-service told them worked
            return self.replies.solved(thread, item, lang)
        if command == "no_updates":  # no more pushed waits about this request (social_bridge/chat/pushed_waits.py)
            if item is not None and self.pushed_waits is not None:
                self.pushed_waits.opt_out(item.id)
            return self.replies.text(lang, "chat.no_updates")
        if command == "cancel":
            if item and self.queue.cancel(item.id, reason="customer_message"):
                return self.replies.text(lang, "chat.cancelled")
            return self.replies.text(lang, "chat.nothing_to_cancel")
        return self._call_me(thread, item, lang, inbound)

    def _call_me(self, thread: Thread, item: WorkItem | None, lang: str, inbound: Inbound) -> str:
        """Turns the request into a callback that keeps the place the thread had, within the limits a
        call has (bookings per number a day, the burst breaker); refused, the thread keeps its place."""
        number = self.replies.callback_number(thread, inbound.text)
        if not number:
            return self.replies.text(lang, "chat.need_number")
        refused = self.replies.booking_refused(number)
        if refused:
            if item is None:  # an agent answers here instead: the conversation needs its place
                self._place(thread, inbound, None)
            return self.replies.text(lang, f"chat.callback_refused_{refused}")
        callback = WorkItem(id="", kind="callback", channel="voice", lang=lang,
                            acquired_at=item.acquired_at if item else self.clock(), natural_key=self.threads.persons.callback(number),
                            customer=number, intent=item.intent if item else "", summary=item.summary if item else "",
                            call_sid=thread.call_sid, details={"thread_id": thread.id})
        enqueued = self.queue.enqueue(callback)
        if enqueued.created:
            self.replies.booking_counted(number)
        booked = enqueued.item
        if item and item.status != "claimed" and item.id != booked.id:  # joined to that callback already: keep it
            self.queue.cancel(item.id, reason="became_callback")
        return self.replies.text(lang, "chat.callback_booked", status=self.replies.acknowledgement(booked, lang)[0])

    def _say(self, thread: Thread, text: str) -> None:
        try:
            self.delivery.send(thread, text, auto=True)
        except ReplyRefused as refused:  # e.g. the channel went off: the agent sees the thread anyway
            log.warning("thread %s: automatic answer not sent (%s)", thread.id, refused.reason)

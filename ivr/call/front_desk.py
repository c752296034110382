"""What the call flow asks of the back office: hours, waits, bookings, messages."""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import phonenumbers

from ivr.call.business_hours import BusinessHours, Window
from ivr.call.state import CallState, Recording
from ivr.call.callback_policy import check_callback_number, last_digits
from ivr.app.social_services import offered_channels
from ivr.runtime.keys import callback_offer
from social_bridge.chat.handoff import deep_links
from social_bridge.customers.case_numbers import display as display_case
from social_bridge.queue.eta import EtaEstimator, WaitEstimate
from social_bridge.queue.work_item import PENDING, WorkItem
from social_bridge.queue.work_queue import WorkQueue


@dataclass(frozen=True)
class Booking:
    item_id: str
    created: bool
    position: int | None        # place among waiting items; None when scheduled for later
    wait_seconds: float         # in the item's language lane
    at: datetime | Window | None  # when we will call, if not now: a chosen window's start, or after hours
                                  # the span computed from the position at opening and the staffing then
    away: bool = False          # open, but every agent is away: no wait can be promised
    case_number: str = ""       # what the customer quotes (social_bridge/customers/): said and texted


class FrontDesk:
    def __init__(self, queue: WorkQueue, eta: EtaEstimator, hours: BusinessHours, messages,
                 prompts, speech, settings, clock=time.time, codes=None, limits=None,
                 enqueue_transcription=lambda item_id: None, persons=None, quotes=None):
        self.queue, self.eta, self.hours, self.messages = queue, eta, hours, messages
        self.prompts, self.speech, self.settings, self.clock = prompts, speech, settings, clock
        self.codes = codes  # social_bridge.chat.handoff.RefCodes: the one-time codes that carry a call into a chat
        self.limits = limits  # ivr.call.booking_limits.BookingLimits: bookings per number, the burst breaker
        self.enqueue_transcription = enqueue_transcription  # item id -> queued for the transcription worker
        self.quotes = quotes  # social_bridge.customers.quoting.CaseQuotes: a case number keyed at the first question
        self.tz = ZoneInfo(settings.timezone)
        self.persons = persons  # social_bridge.privacy.PersonKeys: natural keys name a pseudonym, not the number

    def callback_key(self, e164: str) -> str:
        """The natural key of the pending callback to a number."""
        return self.persons.callback(e164)

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), self.tz)

    def is_open(self) -> bool:
        return self.hours.is_open(self.now())

    def next_opening(self) -> datetime:
        return self.hours.next_opening(self.now())

    def newcomer_wait(self, lang: str) -> WaitEstimate:
        """The wait in the caller's language lane; .away when every agent is away (say so, not a wait)."""
        return self.eta.for_newcomer(lang)

    def windows(self, count: int) -> list[Window]:
        length = timedelta(minutes=self.settings.callback_window_minutes)
        return self.hours.windows(self.now(), length, count)

    def at(self, timestamp: float) -> datetime:
        return datetime.fromtimestamp(timestamp, self.tz)

    def window_from(self, pair) -> Window:
        start, end = pair
        return Window(self.at(start), self.at(end))

    def _place(self, item: WorkItem, created: bool) -> Booking:
        position = self.queue.position(item.id)
        estimate = self.eta.for_item(item) if position else None
        at = None
        if item.not_before > self.clock():
            at = self.at(item.not_before) if item.not_after else self.promise(item)
        return Booking(item.id, created, position, estimate.seconds if estimate else 0.0, at,
                       bool(estimate and estimate.away), item.case_number)

    def promise(self, item: WorkItem) -> Window:
        """After hours: when the item will be served, from its place at the next opening and the staffing then."""
        opening = self.at(item.not_before) if item.not_before > self.clock() else self.next_opening()
        estimate = self.eta.at_opening(item.lang, item.acquired_at, opening.timestamp())
        return self.hours.promise(opening, estimate.earliest, estimate.seconds)

    def booking_refused(self, number: str) -> str | None:
        """Why a new callback to `number` may not be booked ("daily", "breaker"); booking again always may."""
        if self.limits is None or self.queue.pending_for(self.callback_key(number)) is not None:
            return None
        return self.limits.refusal(number)

    def booking_counted(self, number: str) -> None:
        """A new callback was booked for `number` (by phone or by message): it counts toward the limits."""
        if self.limits is not None:
            self.limits.record(number)

    def book_callback(self, state: CallState, number: str, window: Window | None) -> Booking:
        """One pending callback per number; booking again keeps the earliest acquired time."""
        if window is not None:
            not_before, not_after = window.start.timestamp(), window.end.timestamp()
        elif not self.is_open():
            not_before, not_after = self.next_opening().timestamp(), 0.0
        else:
            not_before, not_after = 0.0, 0.0
        item = WorkItem(id="", kind="callback", channel="voice", lang=state.lang,
                        acquired_at=state.started_at, natural_key=self.callback_key(number),
                        not_before=not_before, not_after=not_after, customer=number,
                        intent=state.intent, summary=state.heard, call_sid=state.sid, complaint=state.complaint,
                        details={"confidence": round(state.confidence, 3),
                                 **({"tried": state.tried} if state.tried else {})})
        enqueued = self.queue.enqueue(item)
        if enqueued.created:
            self.booking_counted(number)
        booked = enqueued.item
        if not enqueued.created and not_before == 0.0 and booked.not_before > self.clock():
            # the caller's latest choice wins: "as soon as possible" replaces an earlier window
            self.queue.reschedule(booked.id, 0.0)
            booked = self.queue.get(booked.id)
        booking = self._place(booked, enqueued.created)
        self._send_receipt(state, booked, booking, window)
        return booking

    def _send_receipt(self, state: CallState, item: WorkItem, booking: Booking, window: Window | None) -> None:
        lang, now = state.lang, self.now()
        digits, case = last_digits(item.customer, 4), display_case(item.case_number) if item.case_number else ""
        if window is not None or booking.at is not None:
            when = self.speech.window(window, now, lang) if window else self.speech.moment(booking.at, now, lang)
            body = self.prompts.text(lang, "sms.callback_receipt_window", window=when, last_digits=digits, case=case)
        elif booking.away:  # open, but nobody is signed in: no wait to stand by
            body = self.prompts.text(lang, "sms.callback_receipt_all_away", last_digits=digits, case=case)
        else:
            body = self.prompts.text(lang, "sms.callback_receipt_asap", last_digits=digits, case=case,
                                     wait=self.speech.wait(booking.wait_seconds, lang))
        if self.codes is not None and self.chat_links():  # writing instead keeps the place: the same request
            links = self._links(state, self._handoff(state, item.customer))
            body += self.prompts.text(lang, "sms.receipt_chat", links=links)
        self.messages.send_sms(item.customer, body, key=f"receipt:{item.id}:{state.sid}", lang=lang)

    def take_voicemail(self, state: CallState, recording: Recording) -> Booking:
        item = WorkItem(id="", kind="voicemail", channel="voice", lang=state.lang,
                        acquired_at=state.started_at, natural_key=f"voicemail:{recording.sid or state.sid}",
                        customer=state.caller, intent=state.intent, summary=state.heard,
                        call_sid=state.sid, recording_url=recording.url, recording_sid=recording.sid,
                        recording_seconds=recording.seconds, complaint=state.complaint,
                        details={**({"tried": state.tried} if state.tried else {}), **self._transcription_queued()})
        enqueued = self.queue.enqueue(item)
        if self.settings.transcription_engine != "off":  # again on a replayed webhook: the job is idempotent
            self.enqueue_transcription(enqueued.item.id)
        booking = self._place(enqueued.item, enqueued.created)
        if not self.is_open():
            return Booking(booking.item_id, booking.created, booking.position, booking.wait_seconds,
                           self.promise(enqueued.item), case_number=booking.case_number)
        return booking

    def case_said(self, number: str) -> str:
        """A case number the way the call says it: digit by digit, in two groups of four."""
        return f"{self.speech.digits(number[:4])}, {self.speech.digits(number[4:])}"

    def _transcription_queued(self) -> dict:
        """Tells the console a transcript is on its way (its item page then shows it when it arrives)."""
        if self.settings.transcription_engine == "off":
            return {}
        return {"transcription": {"status": "queued", "at": self.clock()}}

    def send_chat_links(self, state: CallState) -> bool:
        """Texts the caller how to reach us in writing, with a one-time code that keeps their place."""
        check = check_callback_number(state.caller, self.settings.callback_countries)
        if not check.ok:
            return False
        code = self._handoff(state, check.e164) if self.codes is not None else ""
        body = self.prompts.text(state.lang, "sms.chat_links_code" if code else "sms.chat_links",
                                 links=self._links(state, code), code=code)
        self.messages.send_sms(check.e164, body, key=f"chat:{state.sid}", lang=state.lang)
        return True

    def _handoff(self, state: CallState, e164: str, **extra) -> str:
        """A one-time code holding the call's context (and its place); a plain reply from `e164` brings it along."""
        code = self.codes.issue({"call_sid": state.sid, "acquired_at": state.started_at, "lang": state.lang,
                                 "intent": state.intent, "summary": state.heard, "caller": e164,
                                 "tried": state.tried, "complaint": state.complaint, **extra})
        self.codes.remember_texted(e164, code)  # replies need no typing
        return code

    def _links(self, state: CallState, code: str = "") -> str:
        return "".join(self.prompts.text(state.lang, f"sms.chat_link_{channel}", url=url)
                       for channel, url in self.chat_links(code))

    def chat_links(self, code: str = "") -> list[tuple[str, str]]:
        return chat_links(self.settings, code)

    # -- the end of a call: past a cap (ivr/call/endings.py), or hung up before choosing (webhooks.status) --
    def send_ways_to_reach(self, state: CallState) -> bool:
        """Once per call, to a number we may text: how to write to us, or call again."""
        check = check_callback_number(state.caller, self.settings.callback_countries)
        if not check.ok:
            return False
        body = self.prompts.text(state.lang, "sms.ways_to_reach", links=self._links(state))
        self.messages.send_sms(check.e164, body, key=f"reach:{state.sid}", lang=state.lang)
        return True

    def offer_callback(self, state: CallState) -> bool:
        """Once per call, to a mobile we may call: reply CHIAMAMI (or write) and keep the place of this call."""
        check = check_callback_number(state.caller, self.settings.callback_countries)
        if not check.ok or self.codes is None or not _mobile(check.e164):
            return False
        code = self._handoff(state, check.e164)
        self.codes.redis.set(callback_offer(self.persons.of(check.e164)), code, ex=self.codes.ttl_seconds)
        body = self.prompts.text(state.lang, "sms.callback_offer", last_digits=last_digits(check.e164, 4))
        self.messages.send_sms(check.e164, body, key=f"offer:{state.sid}", lang=state.lang)
        return True

    def book_offered(self, number: str) -> str | None:
        """CHIAMAMI after offer_callback: "booked" (the callback keeps the call's time), "daily" or "breaker"
        (refused by the booking limits); None when this number has no offer left (used, expired, never made)."""
        code = self.codes.redis.getdel(callback_offer(self.persons.of(number))) if self.codes is not None else None
        context = self.codes.redeem(code) if code else None
        if not context:
            return None
        refused = self.booking_refused(number)
        if refused:
            return refused
        state = CallState(sid=context["call_sid"], caller=number, lang=context.get("lang") or "it",
                          started_at=float(context["acquired_at"]), intent=context.get("intent", ""),
                          heard=context.get("summary", ""), tried=context.get("tried") or [],
                          complaint=bool(context.get("complaint")))
        self.book_callback(state, number, None)
        return "booked"

    # -- a callback already pending, heard at the greeting (ivr/call/open_request.py) --------------------
    def open_request(self, caller: str) -> WorkItem | None:
        """The callback pending for the caller's number, if any."""
        check = check_callback_number(caller, self.settings.callback_countries)
        return self.queue.pending_for(self.callback_key(check.e164)) if check.ok else None

    def cancel_request(self, item_id: str) -> bool:
        return self.queue.cancel(item_id, reason="customer_call")

    def add_to_request(self, item_id: str, words: str) -> bool:
        """What the caller adds goes onto the pending item's summary; the item keeps its place."""
        item = self.queue.get(item_id)
        if item is None or item.status not in PENDING:
            return False
        summary = f"{item.summary} | {words}" if item.summary else words
        self.queue.enqueue(WorkItem(id="", kind=item.kind, channel=item.channel, lang="", acquired_at=item.acquired_at,
                                    natural_key=item.natural_key, summary=summary))
        return True


def _mobile(e164: str) -> bool:
    kind = phonenumbers.number_type(phonenumbers.parse(e164, None))
    return kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


def chat_links(settings, code: str = "") -> list[tuple[str, str]]:
    """Deep links for the offered written channels (SMS itself is the reply), carrying the code if any."""
    links = deep_links(code, messenger_page_id=settings.messenger_page_id, whatsapp_number=settings.whatsapp_number,
                       x_account_id=settings.x_account)
    return [(channel, links[channel]) for channel in ("messenger", "whatsapp", "x")
            if channel in offered_channels(settings) and channel in links]

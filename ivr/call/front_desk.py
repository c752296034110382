"""What the call flow asks of the back office: hours, waits, bookings, messages."""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from ivr.call.business_hours import BusinessHours, Window
from ivr.call.state import CallState, Recording
from ivr.call.callback_policy import check_callback_number, last_digits
from ivr.app.social_services import offered_channels
from social_bridge.chat.handoff import deep_links
from social_bridge.queue.eta import EtaEstimator
from social_bridge.queue.work_item import WorkItem
from social_bridge.queue.work_queue import WorkQueue


@dataclass(frozen=True)
class Booking:
    item_id: str
    created: bool
    position: int | None        # place among waiting items; None when scheduled for later
    wait_seconds: float
    at: datetime | None         # when the item becomes eligible, if not now


class FrontDesk:
    def __init__(self, queue: WorkQueue, eta: EtaEstimator, hours: BusinessHours, messages,
                 prompts, speech, settings, clock=time.time, codes=None, limits=None,
                 enqueue_transcription=lambda item_id: None):
        self.queue, self.eta, self.hours, self.messages = queue, eta, hours, messages
        self.prompts, self.speech, self.settings, self.clock = prompts, speech, settings, clock
        self.codes = codes  # social_bridge.chat.handoff.RefCodes: the one-time codes that carry a call into a chat
        self.limits = limits  # ivr.call.booking_limits.BookingLimits: bookings per number, the burst breaker
        self.enqueue_transcription = enqueue_transcription  # item id -> queued for the transcription worker
        self.tz = ZoneInfo(settings.timezone)

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), self.tz)

    def is_open(self) -> bool:
        return self.hours.is_open(self.now())

    def next_opening(self) -> datetime:
        return self.hours.next_opening(self.now())

    def wait_for_newcomer(self) -> float:
        return self.eta.for_newcomer().seconds

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
        wait = self.eta.for_position(position).seconds if position else 0.0
        at = self.at(item.not_before) if item.not_before > self.clock() else None
        return Booking(item.id, created, position, wait, at)

    def booking_refused(self, number: str) -> str | None:
        """Why a new callback to `number` may not be booked ("daily", "breaker"); booking again always may."""
        if self.limits is None or self.queue.pending_for(f"callback:{number}") is not None:
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
                        acquired_at=state.started_at, natural_key=f"callback:{number}",
                        not_before=not_before, not_after=not_after, customer=number,
                        intent=state.intent, summary=state.heard, call_sid=state.sid,
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
        digits = last_digits(item.customer, 4)
        if window is not None or booking.at is not None:
            when = self.speech.window(window, now, lang) if window else self.speech.moment(booking.at, now, lang)
            body = self.prompts.text(lang, "sms.callback_receipt_window", window=when, last_digits=digits)
        else:
            body = self.prompts.text(lang, "sms.callback_receipt_asap", last_digits=digits,
                                     wait=self.speech.wait(booking.wait_seconds, lang))
        self.messages.send_sms(item.customer, body, key=f"receipt:{item.id}:{state.sid}", lang=lang)

    def take_voicemail(self, state: CallState, recording: Recording) -> Booking:
        item = WorkItem(id="", kind="voicemail", channel="voice", lang=state.lang,
                        acquired_at=state.started_at, natural_key=f"voicemail:{recording.sid or state.sid}",
                        customer=state.caller, intent=state.intent, summary=state.heard,
                        call_sid=state.sid, recording_url=recording.url, recording_sid=recording.sid,
                        recording_seconds=recording.seconds,
                        details={**({"tried": state.tried} if state.tried else {}), **self._transcription_queued()})
        enqueued = self.queue.enqueue(item)
        if self.settings.transcription_engine != "off":  # again on a replayed webhook: the job is idempotent
            self.enqueue_transcription(enqueued.item.id)
        booking = self._place(enqueued.item, enqueued.created)
        if not self.is_open():
            return Booking(booking.item_id, booking.created, booking.position, booking.wait_seconds,
                           self.next_opening())
        return booking

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
        code = ""
        if self.codes is not None:
            code = self.codes.issue({"call_sid": state.sid, "acquired_at": state.started_at, "lang": state.lang,
                                     "intent": state.intent, "summary": state.heard, "caller": check.e164,
                                     "tried": state.tried})
            self.codes.remember_texted(check.e164, code)  # replies need no typing
        links = "".join(self.prompts.text(state.lang, f"sms.chat_link_{channel}", url=url)
                        for channel, url in self.chat_links(code))
        body = self.prompts.text(state.lang, "sms.chat_links_code" if code else "sms.chat_links", links=links,
                                 code=code)
        self.messages.send_sms(check.e164, body, key=f"chat:{state.sid}", lang=state.lang)
        return True

    def chat_links(self, code: str = "") -> list[tuple[str, str]]:
        return chat_links(self.settings, code)


def chat_links(settings, code: str = "") -> list[tuple[str, str]]:
    """Deep links for the offered written channels (SMS itself is the reply), carrying the code if any."""
    links = deep_links(code, messenger_page_id=settings.messenger_page_id, whatsapp_number=settings.whatsapp_number,
                       x_account_id=settings.x_account)
    return [(channel, links[channel]) for channel in ("messenger", "whatsapp", "x")
            if channel in offered_channels(settings) and channel in links]

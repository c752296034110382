"""What the written channels say and understand: the Inbox's `Replies`, built from narrow parts.

The Inbox asks through this object: which language a message is in, whether it is a command, what it
is about, the acknowledgement with position and wait (a known outage and self-service first), and which
number a "call me instead" may use. Whatever comes from the voice side (the classifier, the desk's hours,
the prompts, the callback number policy, the phone's booking limits) is a Protocol of
social_bridge/chat/ports.py, filled by the composition root: social_bridge never imports ivr.
"""
from __future__ import annotations

import re

from social_bridge.chat.commands import CommandWords
from social_bridge.chat.handoff import RefCodes
from social_bridge.chat.ports import Bookings, Classifier, Counter, Hours, OutageBoard, PhoneNumbers, Prompts, Spoken
from social_bridge.chat.self_service_text import ChatSelfService
from social_bridge.chat.threads import PHONE_CHANNELS, Thread, Threads
from social_bridge.queue.eta import EtaEstimator
from social_bridge.queue.work_item import WorkItem
from social_bridge.queue.work_queue import WorkQueue

# a few words that only one of the two languages uses, as a recogniser of last resort
_ENGLISH = {"the", "my", "is", "not", "and", "you", "hi", "hello", "please", "internet", "working", "can't",
            "cant", "bill", "need", "help", "thanks", "what", "why", "how", "call", "me", "i"}
_ITALIAN = {"il", "la", "non", "e", "che", "mi", "ho", "di", "ciao", "buongiorno", "grazie", "funziona",
            "bolletta", "per", "un", "una", "sono", "va", "perché", "come", "salve", "vorrei"}


class ChatReplies:
    def __init__(self, *, commands: CommandWords, classifier: Classifier, queue: WorkQueue, eta: EtaEstimator,
                 threads: Threads, codes: RefCodes, prompts: Prompts, spoken: Spoken, hours: Hours,
                 bookings: Bookings, numbers: PhoneNumbers, self_service: ChatSelfService,
                 outages: OutageBoard | None, metrics: Counter):
        self.commands, self.classifier, self.queue, self.eta = commands, classifier, queue, eta
        self.threads, self.codes, self.prompts, self.spoken, self.hours = threads, codes, prompts, spoken, hours
        self.bookings, self.numbers, self.self_service = bookings, numbers, self_service
        self.outages, self.metrics = outages, metrics

    def language(self, text: str) -> str:
        words = re.findall(r"[a-zà-ü']+", (text or "").lower())
        english = sum(w in _ENGLISH for w in words)
        italian = sum(w in _ITALIAN for w in words)
        return "en" if english > italian else "it"

    def command(self, text: str) -> tuple[str | None, str | None]:
        """(command, language) when the message is one of our command words; "call me" may carry a number."""
        return self.commands.parse(text)

    def understand(self, text: str, lang: str) -> str:
        return self.classifier.interpret(text, lang).intent or ""

    def acknowledgement(self, item: WorkItem, lang: str) -> tuple[str, float]:
        """Where the customer stands, in one sentence, and the wait it announces (seconds)."""
        prompts, spoken, hours = self.prompts, self.spoken, self.hours
        position = self.queue.position(item.id) or 1
        estimate = self.eta.for_item(item)  # the wait of the item's language lane
        wait = estimate.seconds
        closed = not hours.is_open()
        # after hours: the span computed from the place at the next opening and the staffing then
        when = spoken.moment(hours.promise(item), hours.now(), lang) if closed else ""
        if item.kind == "callback":
            key = "chat.ack_callback_promised" if closed else "chat.ack_callback"
            return prompts.text(lang, key, position=prompts.position(lang, position), wait=spoken.wait(wait, lang),
                                when=when, last_digits=self.numbers.last_digits(item.customer)), wait
        thread = self.threads.get(item.details.get("thread_id", "")) if item.kind == "thread" else None
        notice = self._outage_notice(thread, lang) if thread else ""
        notice += self.self_service.answer(thread, item, lang) if thread else ""
        if closed:
            return notice + prompts.text(lang, "chat.ack_closed_promised", when=when), wait
        if estimate.away:  # open, but nobody signed in: no wait to promise
            return notice + prompts.text(lang, "chat.ack_all_away", position=prompts.position(lang, position)), wait
        key = "chat.ack_short" if notice else "chat.ack_linked" if item.call_sid else "chat.ack_waiting"
        text = prompts.text(lang, key, position=prompts.position(lang, position), wait=spoken.wait(wait, lang))
        return notice + text, wait

    # -- known outages: chat customers from that area read it first and may subscribe ----------------
    def _outage_for(self, thread: Thread):
        """The active outage in the customer's area, when we know who they are (a phone number on file)."""
        core = self.self_service.core
        if self.outages is None:
            return None
        return core.outage_for(core.customer(thread.phone_number))

    def _outage_notice(self, thread: Thread, lang: str) -> str:
        outage = self._outage_for(thread)
        if outage is None:
            return ""
        cause = self.prompts.text(lang, f"self_service.causes.{outage.cause}")
        fix_at = self.hours.at(outage.expected_fix_at)
        if fix_at <= self.hours.now():  # the expected fix time has passed: no time is promised again
            return self.prompts.text(lang, "chat.outage_overdue", cause=cause) + " "
        fix = self.spoken.moment(fix_at, self.hours.now(), lang)
        return self.prompts.text(lang, "chat.outage", cause=cause, fix_at=fix) + " "

    def solved(self, thread: Thread, item: WorkItem | None, lang: str) -> str:
        """RISOLTO / SOLVED: the customer's request is withdrawn, counted as contained in writing."""
        if item is not None and self.queue.cancel(item.id, reason="solved_by_self_service"):
            self.metrics.incr("contained_chat", intent=item.intent or "unknown")
        return self.text(lang, "chat.self.solved")

    def subscribe_outage(self, thread: Thread, lang: str) -> str:
        outage = self._outage_for(thread)
        if outage is None or not self.outages.subscribe(outage.id, f"thread:{thread.id}"):
            return self.text(lang, "chat.outage_none")
        return self.text(lang, "chat.outage_subscribed")

    def text(self, lang: str, key: str, **values) -> str:
        return self.prompts.text(lang, key, **values)

    def pending_code(self, thread: Thread) -> str | None:
        """The code of a chat SMS sent to this number: replying to that SMS links without typing it."""
        if thread.channel not in PHONE_CHANNELS:
            return None
        return self.codes.take_texted(thread.sender_id)

    def booking_refused(self, number: str) -> str | None:
        """The phone's limits on new callbacks to a number hold for "call me" by message too."""
        return self.bookings.booking_refused(number)

    def booking_counted(self, number: str) -> None:
        self.bookings.booking_counted(number)

    def callback_number(self, thread: Thread, text: str) -> str | None:
        """A number typed after "call me", else the thread's own phone numbers, surest first."""
        typed = re.sub(r"[\s.()/-]", "", text or "")
        for candidate in re.findall(r"\+?\d{6,15}", typed) + thread.phone_numbers():
            e164 = self.numbers.callable(candidate)
            if e164:
                return e164
        return None

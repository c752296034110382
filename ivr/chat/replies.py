"""What the written channels say and understand, built from the voice side's prompts, clock and classifier.

social_bridge's Inbox asks through this object (it never imports ivr): which language a message is
in, whether it is a command, what it is about, the acknowledgement with position and wait, and
which number a "call me instead" may use.
"""
from __future__ import annotations

import re

from ivr.call.callback_policy import check_callback_number, last_digits
from ivr.chat.self_service import ChatSelfService
from ivr.app.social_services import code_by_number_key

# a few words that only one of the two languages uses, as a recogniser of last resort
_ENGLISH = {"the", "my", "is", "not", "and", "you", "hi", "hello", "please", "internet", "working", "can't",
            "cant", "bill", "need", "help", "thanks", "what", "why", "how", "call", "me", "i"}
_ITALIAN = {"il", "la", "non", "e", "che", "mi", "ho", "di", "ciao", "buongiorno", "grazie", "funziona",
            "bolletta", "per", "un", "una", "sono", "va", "perché", "come", "salve", "vorrei"}


class ChatReplies:
    def __init__(self, nohold):
        self.nohold = nohold

    def language(self, text: str) -> str:
        words = re.findall(r"[a-zà-ü']+", (text or "").lower())
        english = sum(w in _ENGLISH for w in words)
        italian = sum(w in _ITALIAN for w in words)
        return "en" if english > italian else "it"

    def command(self, text: str) -> tuple[str | None, str | None]:
        """(command, language) when the message is one of our command words; "call me" may carry a number."""
        return self.nohold.commands.parse(text)

    def understand(self, text: str, lang: str) -> str:
        return self.nohold.flow.understanding.interpret(text, lang).intent or ""

    def acknowledgement(self, item, lang: str) -> tuple[str, float]:
        """Where the customer stands, in one sentence, and the wait it announces (seconds)."""
        n = self.nohold
        queue, prompts, speech, desk = n.queue, n.prompts, n.speech, n.desk
        position = queue.position(item.id) or 1
        wait = n.eta.for_position(position).seconds
        closed = not desk.is_open()
        back = speech.moment(desk.next_opening(), desk.now(), lang) if closed else ""
        if item.kind == "callback":
            key = "chat.ack_callback_closed" if closed else "chat.ack_callback"
            return prompts.text(lang, key, position=prompts.position(lang, position), wait=speech.wait(wait, lang),
                                return_at=back, last_digits=last_digits(item.customer)), wait
        thread = n.social.threads.get(item.details.get("thread_id", "")) if item.kind == "thread" else None
        notice = self._outage_notice(thread, lang) if thread else ""
        notice += ChatSelfService(n).answer(thread, item, lang) if thread else ""
        if closed:
            return notice + prompts.text(lang, "chat.ack_closed", return_at=back), wait
        key = "chat.ack_short" if notice else "chat.ack_linked" if item.call_sid else "chat.ack_waiting"
        text = prompts.text(lang, key, position=prompts.position(lang, position), wait=speech.wait(wait, lang))
        return notice + text, wait

    # -- known outages: chat customers from that area read it first and may subscribe ----------------
    def _outage_for(self, thread):
        """The active outage in the customer's area, when we know who they are (a phone number on file)."""
        from ivr.call.customer_backend import BackendUnavailable
        n = self.nohold
        number = thread.sender_id if thread.channel in ("sms", "whatsapp") else (thread.context or {}).get("caller", "")
        backend = n.flow.self_service.backend if n.flow.self_service else None
        if not number or backend is None or n.outages is None:
            return None
        try:
            customer = backend.find_by_phone(number)
        except BackendUnavailable:
            return None
        return n.outages.active_for(customer.area) if customer else None

    def _outage_notice(self, thread, lang: str) -> str:
        outage = self._outage_for(thread)
        if outage is None:
            return ""
        n = self.nohold
        fix = n.speech.moment(n.desk.at(outage.expected_fix_at), n.desk.now(), lang)
        cause = n.prompts.text(lang, f"self_service.causes.{outage.cause}")
        return n.prompts.text(lang, "chat.outage", cause=cause, fix_at=fix) + " "

    def solved(self, thread, item, lang: str) -> str:
        """RISOLTO / SOLVED: the customer's request is withdrawn, counted as contained in writing."""
        if item is not None and self.nohold.queue.cancel(item.id, reason="solved_by_self_service"):
            self.nohold.metrics.incr("contained_chat", intent=item.intent or "unknown")
        return self.text(lang, "chat.self.solved")

    def subscribe_outage(self, thread, lang: str) -> str:
        outage = self._outage_for(thread)
        if outage is None or not self.nohold.outages.subscribe(outage.id, f"thread:{thread.id}"):
            return self.text(lang, "chat.outage_none")
        return self.text(lang, "chat.outage_subscribed")

    def text(self, lang: str, key: str, **values) -> str:
        return self.nohold.prompts.text(lang, key, **values)

    def pending_code(self, thread) -> str | None:
        """The code of a chat SMS sent to this number: replying to that SMS links without typing it."""
        if thread.channel not in ("sms", "whatsapp"):
            return None
        return self.nohold.redis.getdel(code_by_number_key(thread.sender_id))

    def booking_refused(self, number: str) -> str | None:
        """The phone's limits on new callbacks to a number hold for "call me" by message too."""
        return self.nohold.desk.booking_refused(number)

    def booking_counted(self, number: str) -> None:
        self.nohold.desk.booking_counted(number)

    def callback_number(self, thread, text: str) -> str | None:
        """A number typed after "call me", else the SMS/WhatsApp sender, else the caller of the linked call."""
        countries = self.nohold.settings.callback_countries
        typed = re.sub(r"[\s.()/-]", "", text or "")
        candidates = re.findall(r"\+?\d{6,15}", typed)
        if thread.channel in ("sms", "whatsapp"):
            candidates.append(thread.sender_id)
        candidates.append((thread.context or {}).get("caller", ""))
        for candidate in candidates:
            check = check_callback_number(candidate, countries)
            if check.ok:
                return check.e164
        return None

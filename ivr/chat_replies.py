"""What the written channels say and understand, built from the voice side's prompts, clock and classifier.

social_bridge's Inbox asks through this object (it never imports ivr): which language a message is
in, whether it is a command, what it is about, the acknowledgement with position and wait, and
which number a "call me instead" may use.
"""
from __future__ import annotations

import re

from ivr.callback_policy import check_callback_number, last_digits
from ivr.flow_nodes import normalise
from ivr.social_services import code_by_number_key

COMMANDS = ("status", "cancel", "call_me")
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
        words = normalise(text or "")
        prompts = self.nohold.prompts
        for lang in ("it", "en"):
            for command in COMMANDS:
                for word in (normalise(w) for w in prompts.words(lang, f"commands.{command}")):
                    if words == word or (command == "call_me" and words.startswith(word + " ")
                                         and re.search(r"\d{6,}", words.replace(" ", ""))):
                        return command, lang
        return None, None

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
        if closed:
            return prompts.text(lang, "chat.ack_closed", return_at=back), wait
        key = "chat.ack_linked" if item.call_sid else "chat.ack_waiting"
        return prompts.text(lang, key, position=prompts.position(lang, position), wait=speech.wait(wait, lang)), wait

    def text(self, lang: str, key: str, **values) -> str:
        return self.nohold.prompts.text(lang, key, **values)

    def pending_code(self, thread) -> str | None:
        """The code of a chat SMS sent to this number: replying to that SMS links without typing it."""
        if thread.channel not in ("sms", "whatsapp"):
            return None
        return self.nohold.redis.getdel(code_by_number_key(thread.sender_id))

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

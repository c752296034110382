"""The command words customers write — STATO/STATUS, ANNULLA/CANCEL, CHIAMAMI/CALL ME… — one parser for every channel.

The SMS webhook (a booked callback's STATO/ANNULLA) and the Inbox (every written channel) both ask
this parser. The words come from the prompts passed in (`commands.<name>`, a list per language in
prompts/<lang>.yaml): social_bridge never imports ivr. A message is a command when, normalised (lower
case, accents and punctuation dropped, spaces collapsed), it is exactly one of the words in either
language; "call me" may also carry a phone number after its words ("CHIAMAMI 347 123 4567"), and "status"
a case number ("STATO 1234 5678": `case_argument` reads it).
"""
from __future__ import annotations

import re
import unicodedata
from typing import Callable, Iterable

from social_bridge.customers.case_numbers import LENGTH as CASE_DIGITS

COMMANDS = ("status", "cancel", "call_me", "notify", "solved",   # what a written conversation may ask
            "no_updates")                                        # ... no more pushed waits (chat/pushed_waits.py)
CALLBACK_COMMANDS = ("cancel", "status", "no_updates")           # what an SMS about a booked callback may ask
LANGUAGES = ("it", "en")                                         # looked up in this order
WITH_NUMBER = ("call_me",)                                       # may be followed by a phone number
WITH_CASE = ("status",)                                          # may be followed by a case number
_NUMBER = re.compile(r"\d{6,}")


def normalise(text: str) -> str:
    """Lower case, accents and punctuation dropped, spaces collapsed: "Annullà!!" -> "annulla".

    The call flow's menus use it too (ivr/call/answers.py): one rule for what callers say and customers write.
    """
    text = unicodedata.normalize("NFKD", (text or "").lower())
    return " ".join("".join(c for c in text if c.isalnum() or c.isspace()).split())


class CommandWords:
    """Recognises the command words of `words(lang, "commands.<name>")` (e.g. Prompts.words) in a message."""

    def __init__(self, words: Callable[[str, str], Iterable[str]], languages: tuple[str, ...] = LANGUAGES):
        self.words, self.languages = words, languages

    def parse(self, text: str, among: tuple[str, ...] = COMMANDS) -> tuple[str | None, str | None]:
        """(command, language) when the message is one of the commands `among`, else (None, None)."""
        said = normalise(text)
        if not said:
            return None, None
        for lang in self.languages:
            for command in among:
                for word in (normalise(w) for w in self.words(lang, f"commands.{command}")):
                    if said == word or (command in WITH_NUMBER and self._word_and_number(said, word)) or (
                            command in WITH_CASE and case_argument(said, word) is not None):
                        return command, lang
        return None, None

    @staticmethod
    def _word_and_number(said: str, word: str) -> bool:
        return said.startswith(word + " ") and _NUMBER.search(said.replace(" ", "")) is not None


def case_argument(text: str, word: str = "") -> str | None:
    """The 8 digits after a status word ("stato 1234 5678" -> "12345678"), mistyped or not: a wrong check digit
    is answered as "no such request", not taken for a conversation."""
    said = normalise(text)
    if word and not said.startswith(normalise(word) + " "):
        return None
    rest = (said[len(normalise(word)):] if word else said.split(" ", 1)[-1]).replace(" ", "")
    return rest if len(rest) == CASE_DIGITS and rest.isdigit() else None

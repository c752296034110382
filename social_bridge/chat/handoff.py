"""One-time ref codes that carry a call's context into a chat thread.

The IVR issues a code with the call's context (item, intent, summary, steps tried); the customer
brings it into Messenger (m.me ?ref=), WhatsApp, X or an SMS reply, and the first redeem gets the
context back. Anyone can type a ref, so codes are unguessable, single-use and short-lived.
"""
from __future__ import annotations

import json
import re
import secrets
import time
from urllib.parse import quote

# No look-alikes: without 0/O, 1/I/L. 31 symbols, 11 of them: 31**11 ≈ 2**54.5.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 11
GROUPS = (4, 4, 3)             # shown as ABCD-EFGH-JK3
PREFILL = "Codice"             # text the WhatsApp and X links put in the customer's box
MAX_INPUT = 64                 # anything longer is not a code typed by a person
HASH_TAG = "{handoff}"
TEXTED_TTL = 24 * 3600          # a code texted to a number is taken from a reply for this long

_SYMBOL = f"[{ALPHABET}]"
_CODE = re.compile(f"{_SYMBOL}{{{CODE_LENGTH}}}")
_SEPARATORS = re.compile(r"[\s\-]+")
# Inside a message: the bare 11 symbols, or grouped 4-4-3 with dashes or spaces; not inside a word.
_IN_TEXT = re.compile(
    rf"(?<![0-9A-Z])({_SYMBOL}{{4}}[ \-]?{_SYMBOL}{{4}}[ \-]?{_SYMBOL}{{3}})(?![0-9A-Z])", re.IGNORECASE | re.ASCII)


def _valid(canonical: str) -> bool:
    """The format issue() produces: 11 symbols of the alphabet, at least one of them a digit.

    The digit keeps plain words ("trasmettere" is 11 letters of the alphabet) from looking like codes.
    """
    return bool(_CODE.fullmatch(canonical)) and any(ch.isdigit() for ch in canonical)


def normalize(code: str) -> str | None:
    """The canonical form (upper case, no dashes or spaces) of a well-formed code, else None."""
    if not isinstance(code, str) or len(code) > MAX_INPUT:
        return None
    bare = _SEPARATORS.sub("", code)
    if not bare.isascii():
        return None  # "ſ".upper() == "S": only ASCII may spell a code
    canonical = bare.upper()
    return canonical if _valid(canonical) else None


def display(canonical: str) -> str:
    """ABCDEFGHJK3 → ABCD-EFGH-JK3: easier to read out and to type."""
    groups, start = [], 0
    for size in GROUPS:
        groups.append(canonical[start:start + size])
        start += size
    return "-".join(groups)


def find_code(text: str) -> str | None:
    """The first well-formed code in a customer's message, in display form, or None."""
    for match in _IN_TEXT.finditer(text or ""):
        canonical = normalize(match.group(1))
        if canonical:
            return display(canonical)
    return None


def texted_key(person: str, prefix: str = "nohold") -> str:
    """String: the code last texted to a number, named by its pseudonym (PersonKeys.of): a reply to that SMS
    links the call without typing it."""
    return f"{prefix}:{HASH_TAG}:number:{person}"


class RefCodes:
    """Issues and redeems handoff codes; one Redis string per code, under one hash tag."""

    def __init__(self, redis, clock=time.time, ttl_seconds: int = 24 * 3600, prefix: str = "nohold", persons=None):
        if "{" in prefix or "}" in prefix:
            raise ValueError("prefix must not contain braces: the hash tag is added here")
        self.redis, self.clock, self.ttl_seconds = redis, clock, int(ttl_seconds)
        self.base = f"{prefix}:{HASH_TAG}:code:"
        self.prefix = prefix
        self.persons = persons  # social_bridge.privacy.PersonKeys: needed only to remember texted codes

    def _texted(self, e164: str) -> str:
        if self.persons is None:
            raise ValueError("RefCodes needs PersonKeys to remember a code by number")
        return texted_key(self.persons.of(e164), self.prefix)

    def _key(self, canonical: str) -> str:
        return self.base + canonical

    def remember_texted(self, e164: str, code: str) -> None:
        """The code texted to a number: a reply to that SMS links the call without typing it."""
        self.redis.set(self._texted(e164), code, ex=TEXTED_TTL)

    def take_texted(self, e164: str) -> str | None:
        """The code last texted to this number, once."""
        return self.redis.getdel(self._texted(e164))

    def issue(self, context: dict) -> str:
        """A new code (display form) holding `context` (opaque JSON) until redeemed or expired."""
        record = json.dumps({"context": context, "expires_at": self.clock() + self.ttl_seconds})
        while True:
            canonical = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
            # Redis' own expiry is the safety net; expires_at (our clock) is the rule redeem applies.
            if _valid(canonical) and self.redis.set(self._key(canonical), record, nx=True, ex=self.ttl_seconds):
                return display(canonical)

    def redeem(self, code: str) -> dict | None:
        """The context, once: None for a malformed, unknown, used or expired code, alike."""
        canonical = normalize(code)
        if canonical is None:
            return None  # checked before Redis: nothing typed by a stranger reaches a key name
        raw = self.redis.getdel(self._key(canonical))
        if raw is None:
            return None
        record = json.loads(raw)
        if self.clock() > record["expires_at"]:
            return None
        return record["context"]


def deep_links(code: str, messenger_page_id: str = "", whatsapp_number: str = "",
               x_account_id: str = "", sms_number: str = "") -> dict[str, str]:
    """Per configured channel, how the customer brings the code along.

    messenger / whatsapp / x: a link that opens the chat with the code (ref or prefilled text).
    sms: the code itself, to send back in a reply to our SMS (an sms: URI differs across phones).
    An empty code gives the plain links (no ref, no text) and no sms entry.
    """
    shown = ""
    if code:
        canonical = normalize(code)
        if canonical is None:
            raise ValueError("not a handoff code")
        shown = display(canonical)
    ref = f"?ref={shown}" if shown else ""
    text = "text=" + quote(f"{PREFILL} {shown}", safe="") if shown else ""
    links = {}
    if messenger_page_id:
        links["messenger"] = f"https://m.me/{quote(messenger_page_id, safe='')}{ref}"
    digits = "".join(ch for ch in whatsapp_number if ch.isdigit())
    if digits:
        links["whatsapp"] = f"https://wa.me/{digits}" + (f"?{text}" if text else "")
    if x_account_id:
        links["x"] = f"https://x.com/messages/compose?recipient_id={quote(x_account_id, safe='')}" + (
            f"&{text}" if text else "")
    if sms_number and shown:
        links["sms"] = shown
    return links

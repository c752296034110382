"""SMS and WhatsApp through Twilio: parse the webhook form, size and split replies, send them.

Signatures are not checked here: the app validates X-Twilio-Signature with twilio's own
RequestValidator before it calls `parse_form`. Sending goes through an injected, idempotent
`send_sms(to, text, key)`, so a retried send never doubles a part.
"""
from __future__ import annotations

import re
from typing import Callable, Mapping
from urllib.parse import parse_qsl

from social_bridge.channels import MAX_ATTACHMENTS, Attachment, Inbound, Malformed, Outbound, ReplyPolicy, attachment_kind

# GSM 03.38 default alphabet (the escape 0x1B is not a character) and its extension table,
# whose characters cost two septets (escape + code).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")
# (units in a single SMS, units per part of a concatenated SMS: the UDH takes the rest)
SEGMENT_SIZES = {"GSM-7": (160, 153), "UCS-2": (70, 67)}

SMS_MAX_SEGMENTS = 3          # one message of ours = at most 3 segments: 459 GSM-7 / 201 UCS-2
WHATSAPP_MAX_CHARS = 1600     # Twilio's body limit; counted in UTF-16 units to stay on the safe side
TWILIO_MAX_CHARS = 1600       # what Twilio accepts in one Body, SMS or WhatsApp
WHATSAPP_WINDOW_SECONDS = 24 * 3600
WHATSAPP_PREFIX = "whatsapp:"

# Coarsest first: paragraphs, then sentences (or single line breaks), then words.
_BOUNDARIES = (re.compile(r"\n[ \t]*\n\s*"), re.compile(r"(?<=[.!?…])\s+|\s*\n\s*"), re.compile(r"\s+"))


def _unit_sizes(text: str) -> tuple[str, list[int]]:
    """The encoding SMS would use for `text` and what each character costs in it."""
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text):
        return "GSM-7", [2 if ch in GSM7_EXTENSION else 1 for ch in text]
    return "UCS-2", [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def segments(text: str) -> tuple[str, int]:
    """("GSM-7" | "UCS-2", SMS segments); the empty text is 0 segments (there is nothing to send)."""
    encoding, sizes = _unit_sizes(text)
    single, per_part = SEGMENT_SIZES[encoding]
    if sum(sizes) <= single:
        return encoding, 1 if sizes else 0
    # An escape pair or a surrogate pair is never cut across two segments: pack as phones do.
    count, used = 1, 0
    for size in sizes:
        if used + size > per_part:
            count, used = count + 1, 0
        used += size
    return encoding, count


def sms_segments(text: str) -> int:
    """Segments only: the measure split() uses for SMS."""
    return segments(text)[1]


def utf16_length(text: str) -> int:
    """UTF-16 code units (an emoji counts 2): never fewer than Twilio's count of characters."""
    return len(text.encode("utf-16-le")) // 2


def limit_for(channel: str) -> tuple[int, Callable[[str], int]]:
    """(limit, measure) of one message on a channel: 3 SMS segments, or 1600 WhatsApp characters."""
    if channel == "sms":
        return SMS_MAX_SEGMENTS, sms_segments
    if channel == "whatsapp":
        return WHATSAPP_MAX_CHARS, utf16_length
    raise ValueError(f"not a Twilio messaging channel: {channel!r}")


def _pieces(text: str, boundary: re.Pattern) -> list[tuple[str, str]]:
    """(separator before it, piece) for each non-blank piece of `text` between boundaries."""
    pieces, start, separator = [], 0, ""
    for match in boundary.finditer(text):
        pieces.append((separator, text[start:match.start()]))
        separator, start = match.group(), match.end()
    pieces.append((separator, text[start:]))
    return [(sep, piece) for sep, piece in pieces if piece.strip()]


def _cut(word: str, fits: Callable[[str], bool]) -> list[str]:
    """A word longer than a message: the longest prefixes that fit.

    Galloping, then binary search (a prefix never measures less than a shorter one), so a 100 KB
    word costs about its length times a log, not its length squared.
    """
    parts = []
    while word:
        low, size = 0, 1           # word[:low] fits; double the size until one does not
        while size <= len(word) and fits(word[:size]):
            low, size = size, 2 * size
        high = min(size - 1, len(word))
        while low < high:
            middle = (low + high + 1) // 2
            low, high = (middle, high) if fits(word[:middle]) else (low, middle - 1)
        if low == 0:
            raise ValueError("limit too small for a single character")
        parts.append(word[:low])
        word = word[low:]
    return parts


def _pack(text: str, fits: Callable[[str], bool], level: int = 0) -> list[str]:
    """Greedy packing at the coarsest boundary; a piece too big on its own goes one level finer."""
    if fits(text):
        return [text]
    if level == len(_BOUNDARIES):
        return _cut(text, fits)
    parts: list[str] = []
    current = ""
    for separator, piece in _pieces(text, _BOUNDARIES[level]):
        if current and fits(current + separator + piece):
            current += separator + piece
            continue
        if current:
            parts.append(current)
        *done, current = _pack(piece, fits, level + 1)
        parts.extend(done)
    parts.append(current)
    return parts


def split(text: str, limit: int, measure: Callable[[str], int] = len, numbered: bool = True) -> list[str]:
    """Parts of `text`, in order, each with measure(part) <= limit, cut at paragraphs, then
    sentences, then words (inside a word only when the word alone is too big).

    With more than one part and `numbered`, each part starts with "(i/n) ", counted in the limit.
    """
    text = text.strip()
    if not text:
        return []
    parts = _pack(text, lambda part: measure(part) <= limit)
    if len(parts) == 1 or not numbered:
        return [part.strip() for part in parts]
    total = len(parts)
    while True:  # reserve room for the widest label; a wider total means one more pass
        widest = f"({total}/{total}) "
        parts = _pack(text, lambda part: measure(widest + part) <= limit)
        if len(parts) <= total:
            break
        total = len(parts)
    return [f"({i}/{len(parts)}) {part.strip()}" for i, part in enumerate(parts, 1)]


def _media(form: Mapping[str, str], count: int) -> tuple[Attachment, ...]:
    """MediaUrl{i} / MediaContentType{i} for i below NumMedia (Twilio's documented webhook parameters)."""
    found = []
    for i in range(min(max(count, 0), MAX_ATTACHMENTS)):
        url, content_type = form.get(f"MediaUrl{i}", "").strip(), form.get(f"MediaContentType{i}", "").strip().lower()
        if url:
            found.append(Attachment(attachment_kind(content_type), url, content_type))
    return tuple(found)


class TwilioMessaging:
    """One Twilio messaging channel, "sms" or "whatsapp"."""

    max_length = TWILIO_MAX_CHARS  # what Twilio accepts; our own parts stay within limit_for()

    def __init__(self, channel: str, send_sms: Callable[..., str], templates: Mapping[str, str] | None = None):
        self.limit, self.measure = limit_for(channel)
        self.name, self.send_sms = channel, send_sms
        # WhatsApp's approved templates by what they carry (receipt, notice) → ContentSid; "" is none
        self.templates = dict(templates or {}) if channel == "whatsapp" else {}

    def template_sid(self, name: str) -> str:
        """The ContentSid of the approved template for `name`; "" when there is none."""
        return self.templates.get(name, "")

    def verify(self, raw: bytes, headers: Mapping[str, str]) -> bool:
        raise NotImplementedError(
            "Twilio requests are verified by the app (twilio RequestValidator over PUBLIC_BASE_URL + path "
            "and the form) before parse_form is called")

    def parse(self, raw: bytes) -> list[Inbound]:
        """The Channel protocol's entry: a urlencoded body."""
        try:
            return self.parse_form(dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True)))
        except UnicodeDecodeError as error:
            raise Malformed("form body is not UTF-8") from error

    def parse_form(self, form: Mapping[str, str]) -> list[Inbound]:
        """The customer's message; a delivery report posted here (SmsStatus other than received) is []."""
        if form.get("SmsStatus", "received") != "received":
            return []
        sender = form.get("From", "").strip()
        provider_id = (form.get("MessageSid") or form.get("SmsSid") or "").strip()
        channel = "whatsapp" if sender.startswith(WHATSAPP_PREFIX) else "sms"
        sender = sender.removeprefix(WHATSAPP_PREFIX)
        if not sender or not provider_id:
            raise Malformed("Twilio message form without From or MessageSid")
        try:
            media = int(form.get("NumMedia") or 0)
        except ValueError as error:
            raise Malformed("NumMedia is not a number") from error
        return [Inbound(channel=channel, sender_id=sender, provider_id=provider_id,
                        text=form.get("Body", "").strip(), has_attachment=media > 0,
                        attachments=_media(form, media))]

    def parts(self, text: str) -> list[str]:
        """The messages `text` becomes on this channel."""
        return split(text, self.limit, self.measure)

    def send(self, outbound: Outbound) -> str:
        """Sends each part with key "<message_id>:<i>" (i from 1); returns our ids joined by ","."""
        if outbound.channel != self.name:
            raise ValueError(f"{outbound.channel} message given to the {self.name} channel")
        parts = self.parts(outbound.text)
        if not parts:
            raise ValueError("nothing to send: empty text")
        to = outbound.recipient_id.removeprefix(WHATSAPP_PREFIX)
        if self.name == "whatsapp":
            to = WHATSAPP_PREFIX + to
        if outbound.template:  # one template message, the whole text its variable: Meta's limit is on the template
            sid = self.template_sid(outbound.template)
            if not sid:
                raise ValueError(f"no approved {outbound.template!r} template for {self.name}")
            return self.send_sms(to, outbound.text, f"{outbound.message_id}:1", content_sid=sid)
        return ",".join(self.send_sms(to, part, f"{outbound.message_id}:{i}")
                        for i, part in enumerate(parts, 1))

    def policy(self, last_inbound_at: float, now: float) -> ReplyPolicy:
        """SMS: always. WhatsApp: within 24 h of the customer's last message (past it, only an automated message
        through an approved template: chat/delivery.py)."""
        if self.name == "sms" or now - last_inbound_at < WHATSAPP_WINDOW_SECONDS:
            return ReplyPolicy(allowed=True, reason="window_open")
        return ReplyPolicy(allowed=False, reason="window_closed")

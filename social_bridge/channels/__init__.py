"""Channel adapters: one small class per channel, no Flask, no Redis.

Each adapter checks a webhook's signature over the raw bytes, turns the raw body into `Inbound`
messages, and sends an `Outbound` through the provider's API (an injected HTTP session, so tests
point it at a local server playing the provider). Everything else — threads, the queue, policies
about what to answer — lives outside the adapters.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Mapping, Protocol

CHANNELS = ("messenger", "x", "sms", "whatsapp", "web")  # web: our own widget (channels/web.py)
# How long after the fact a provider may still deliver an event: Meta retries for up to 36 h, X three
# times over five minutes (ten allowed here for clocks); Twilio's messaging webhooks carry no time at all.
RETRY_WINDOW_SECONDS = {"messenger": 36 * 3600, "x": 10 * 60}
DEFAULT_RETRY_WINDOW_SECONDS = 5 * 60


class Malformed(ValueError):
    """The body is not a payload this channel sends (a 400, never a 500)."""


class SendFailed(RuntimeError):
    """The provider refused or could not be reached; `retryable` says whether trying later may work."""

    def __init__(self, message: str, retryable: bool, status: int | None = None):
        super().__init__(message)
        self.retryable, self.status = retryable, status


ATTACHMENT_KINDS = ("image", "file", "audio", "video")
MAX_ATTACHMENTS = 10  # per message: Twilio's NumMedia goes up to 10; a longer list is a forgery, not a customer


def attachment_kind(content_type: str) -> str:
    """image | audio | video from a MIME type; anything else is a file."""
    major = (content_type or "").partition("/")[0].strip().lower()
    return major if major in ("image", "audio", "video") else "file"


@dataclass(frozen=True)
class Attachment:
    """A file a customer sent (issue 19). `ref` is the provider's media reference (its URL): only the
    attachments proxy (social_bridge/chat/attachments.py) reads it — never a page, an API answer or a log."""

    kind: str               # one of ATTACHMENT_KINDS
    ref: str
    content_type: str = ""  # as the provider declared it, when it did
    caption: str = ""
    name: str = ""          # the file's name, when the provider gives one


@dataclass(frozen=True)
class Inbound:
    """One thing a customer did on a channel."""

    channel: str            # one of CHANNELS
    sender_id: str          # PSID, X user id, or E.164 number (whatsapp numbers without the "whatsapp:" prefix)
    provider_id: str        # mid, DM event id, MessageSid: the dedupe key
    text: str = ""
    sent_at: float = 0.0    # epoch seconds, from the provider
    ref: str = ""           # a handoff code carried by a referral or postback (Messenger m.me?ref=)
    kind: str = "message"   # message | postback | referral
    has_attachment: bool = False
    attachments: tuple = ()  # Attachment records (dicts after a trip through JSON: made records again below)

    def __post_init__(self):
        records = tuple(a if isinstance(a, Attachment) else Attachment(**a) for a in self.attachments)
        object.__setattr__(self, "attachments", records)

    def seen_at(self, first_seen: float) -> "Inbound":
        """This message with its provider time believed only within [first seen − the provider's retry
        window, first seen]: the time becomes the customer's place in the queue, and a signed event may
        carry any time (a `timestamp: 1` would put it ahead of everyone)."""
        earliest = first_seen - RETRY_WINDOW_SECONDS.get(self.channel, DEFAULT_RETRY_WINDOW_SECONDS)
        at = min(max(self.sent_at, earliest), first_seen) if self.sent_at > 0 else first_seen
        return replace(self, sent_at=at)


@dataclass(frozen=True)
class Outbound:
    """One message to send; `message_id` is ours, the idempotency key of the send."""

    channel: str
    recipient_id: str
    text: str
    message_id: str
    tag: str = ""           # Messenger message tag (HUMAN_AGENT) when outside the 24 h window
    human: bool = False     # typed by an agent; automated messages (notices, updates) never carry a tag
    template: str = ""      # WhatsApp outside its 24 h session: the approved template (receipt | notice) to use


@dataclass(frozen=True)
class ReplyPolicy:
    """May we write to this customer now, and how; `reason` is for the agent when not."""

    allowed: bool
    tag: str = ""
    reason: str = ""        # a key: window_open | human_agent_tag | window_closed | automated_outside_window ...


class Channel(Protocol):
    name: str
    max_length: int         # characters per message the provider accepts

    def verify(self, raw: bytes, headers: Mapping[str, str]) -> bool: ...

    def parse(self, raw: bytes) -> list[Inbound]: ...

    def send(self, outbound: Outbound) -> str: ...

    def policy(self, last_inbound_at: float, now: float) -> ReplyPolicy: ...

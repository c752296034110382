"""X adapter: Account Activity webhooks (CRC, signed events) and the v2 Direct Messages API."""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import re
from typing import Callable, Mapping

import requests

from . import Attachment, Inbound, Outbound, ReplyPolicy, SendFailed
from .providers import answer_of, check_text, epoch_seconds, header, load_object, masked, need, post_json
from .x_public import mentions

log = logging.getLogger(__name__)

# The CRC answer is base64(HMAC-SHA256(consumer secret, token)): the very signature X puts on a POSTed
# body equal to the token. Signing whatever is asked would be a signing oracle (a forged DM JSON sent as
# crc_token comes back with a valid x-twitter-webhooks-signature), so only tokens of the shape X sends
# are answered: short, base64 / URL-safe base64 characters. No JSON object (it starts with "{") fits.
CRC_TOKEN = re.compile(r"[A-Za-z0-9+/_-]{8,128}={0,2}")


X_MEDIA_KINDS = {"photo": "image", "video": "video", "animated_gif": "video"}


def _attachment(data: dict) -> tuple[tuple[Attachment, ...], str]:
    """The DM's media (one at most on X) and its text without the t.co link X appends for it."""
    text = need(data.get("text", ""), str, "message_data.text")
    attachment = data.get("attachment")
    media = attachment.get("media") if isinstance(attachment, dict) else None
    kind = X_MEDIA_KINDS.get(str(media.get("type"))) if isinstance(media, dict) else None  # str: a list is no key
    if kind is None:
        return (), text
    url, content_type = media.get("media_url_https"), ""
    variants = (media.get("video_info") or {}).get("variants") if isinstance(media.get("video_info"), dict) else None
    mp4s = [v for v in variants or [] if isinstance(v, dict) and v.get("content_type") == "video/mp4"]
    if kind == "video" and mp4s:  # the film itself, not its poster frame
        best = max(mp4s, key=lambda v: v["bitrate"] if isinstance(v.get("bitrate"), int) else 0)
        url, content_type = best.get("url"), "video/mp4"
    if not isinstance(url, str) or not url:
        return (), text
    link = media.get("url")
    text = text.replace(link, "").strip() if isinstance(link, str) and link else text
    return (Attachment(kind, url, content_type),), text


def _direct_messages(events, account_id: str) -> list[Inbound]:
    found = []
    for event in need(events, list, "direct_message_events"):
        event = need(event, dict, "direct message event")
        if event.get("type") != "message_create":  # the only kind that is a message
            continue
        create = need(event.get("message_create"), dict, "message_create")
        sender_id = need(create.get("sender_id"), str, "message_create.sender_id")
        if sender_id == account_id:  # our own DM, echoed to our subscription
            continue
        data = need(create.get("message_data"), dict, "message_data")
        attachments, text = _attachment(data)
        found.append(Inbound("x", sender_id, need(event.get("id"), str, "event id"), text=text,
                             sent_at=epoch_seconds(event.get("created_timestamp"), "created_timestamp"),
                             has_attachment="attachment" in data, attachments=attachments))
    return found


def _ignored(events, account_id: str) -> list[Inbound]:
    return []


# top-level keys of an Account Activity payload → its messages; "users", "apps" and the like are lookups
EVENTS: dict[str, Callable[[object, str], list[Inbound]]] = {
    "direct_message_events": _direct_messages,
    "tweet_create_events": mentions,  # public: read only with X_PUBLIC_MENTIONS=1 (PUBLIC_EVENTS)
    **dict.fromkeys(("tweet_delete_events", "favorite_events", "follow_events",
                     "unfollow_events", "block_events", "unblock_events", "mute_events", "unmute_events",
                     "user_event", "direct_message_indicate_typing_events",
                     "direct_message_mark_read_events"), _ignored),
}
PUBLIC_EVENTS = frozenset({"tweet_create_events"})  # acknowledged and ignored unless public mentions are on


class XDirectMessages:
    """Direct messages to and from one X account.

    X has no reply window, only rate limits, enforced outside the adapter (social_bridge.chat.delivery reads
    `rate_limits`): 200 DMs per 15 minutes per user and 15,000 per 24 hours per app. Sending needs a
    user-context token (OAuth 2.0 with dm.write): X refuses app-only bearer tokens for DMs.
    """

    name = "x"
    rate_limits = (("recipient", 15 * 60, 200), ("app", 24 * 3600, 15_000))  # (scope, window s, sends)
    max_length = 10000

    def __init__(self, consumer_secret: str, bearer_token: str, account_id: str,
                 api_base: str = "https://api.x.com", http=None, timeout: float = 5.0, public_mentions: bool = False):
        self.consumer_secret, self.bearer_token, self.account_id = consumer_secret, bearer_token, account_id
        self.api_base, self.timeout = api_base.rstrip("/"), timeout
        self.http = http if http is not None else requests.Session()
        self.public_mentions = public_mentions  # X_PUBLIC_MENTIONS: mentions of the account become work

    def _hmac(self, data: bytes) -> bytes:
        return hmac.new(self.consumer_secret.encode(), data, hashlib.sha256).digest()

    def crc(self, crc_token: str) -> dict:
        """The answer to X's challenge-response check (due within 3 s)."""
        if not self.consumer_secret or not CRC_TOKEN.fullmatch(crc_token):
            raise ValueError("no consumer secret, or a crc_token not of the shape X sends")
        return {"response_token": "sha256=" + base64.b64encode(self._hmac(crc_token.encode())).decode()}

    def verify(self, raw: bytes, headers: Mapping[str, str]) -> bool:
        """`x-twitter-webhooks-signature: sha256=<base64>` is the HMAC-SHA256 of the raw body."""
        scheme, _, digest = header(headers, "x-twitter-webhooks-signature").partition("=")
        try:
            given = base64.b64decode(digest, validate=True)
        except binascii.Error:
            return False
        return bool(self.consumer_secret) and scheme.lower() == "sha256" and hmac.compare_digest(given, self._hmac(raw))

    def parse(self, raw: bytes) -> list[Inbound]:
        """The DMs customers sent to our account; everything else in the payload is ignored."""
        body = load_object(raw)
        if need(body.get("for_user_id"), str, "for_user_id") != self.account_id:  # another subscribed account
            return []
        found = []
        for key, handle in EVENTS.items():
            if key in body and (self.public_mentions or key not in PUBLIC_EVENTS):
                found += handle(body[key], self.account_id)
        return found

    def policy(self, last_inbound_at: float, now: float) -> ReplyPolicy:
        """No window on X: always allowed (see the class docstring for the rate limits)."""
        return ReplyPolicy(True, reason="window_open")

    def send(self, outbound: Outbound) -> str:
        """Send one DM; returns X's dm_event_id."""
        check_text(outbound, self.max_length)
        recipient = outbound.recipient_id
        if not (recipient.isascii() and recipient.isdigit()):  # it goes into the URL path
            raise ValueError("an X user id is a string of digits")
        response = post_json(self.http, f"{self.api_base}/2/dm_conversations/with/{recipient}/messages",
                             {"text": outbound.text}, token=self.bearer_token, timeout=self.timeout, what="x send")
        body = answer_of(response)
        data = body.get("data") if isinstance(body.get("data"), dict) else {}
        if response.ok and isinstance(data.get("dm_event_id"), str):
            return data["dm_event_id"]
        status, reset = response.status_code, response.headers.get("x-rate-limit-reset")
        log.warning("x send to %s refused: HTTP %s (rate limit reset %s)", masked(recipient), status, reset)
        detail = str(body.get("detail") or body.get("title") or "no dm_event_id in the answer")[:200]
        until = f", rate limit resets at {reset[:20]}" if reset else ""
        raise SendFailed(f"x send: HTTP {status}: {detail}{until}", status >= 500 or status == 429, status)

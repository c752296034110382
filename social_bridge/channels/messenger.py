"""Messenger adapter: Meta's webhook (verify handshake, signed batches of events) and the Send API."""
from __future__ import annotations

import hashlib
import hmac
import logging
from typing import Callable, Mapping
from urllib.parse import unquote, urlsplit

import requests

from . import MAX_ATTACHMENTS, Attachment, Inbound, Malformed, Outbound, ReplyPolicy, SendFailed
from .messenger_comments import comments, private_reply
from .providers import answer_of, check_text, epoch_seconds, header, load_object, masked, need, post_json

log = logging.getLogger(__name__)

DAY = 86400.0
STANDARD_WINDOW = DAY            # any reply within 24 h of the customer's last message
HUMAN_AGENT_WINDOW = 7 * DAY     # then only a human's reply, tagged HUMAN_AGENT, up to 7 days
RATE_LIMIT_CODES = frozenset({4, 17, 32, 613})  # Graph throttling codes (often with HTTP 400): later works
MAX_CHALLENGE = 200              # Meta's challenges are short numbers; we never echo a page of text
ID_PREFIX = {"postback": "pb", "referral": "ref"}  # of the ids we make for events without a mid


# -- events: the key that names an event's kind → what it becomes -----------------------------------
def _inbound(event: dict, kind: str, mid, **fields) -> Inbound | None:
    sender = need(event.get("sender"), dict, "sender")
    if "id" not in sender:  # a user_ref (chat plugin guest) has no PSID this adapter could answer
        return None
    sender_id = need(sender["id"], str, "sender.id")
    millis = event.get("timestamp")
    sent_at = epoch_seconds(millis, "timestamp")
    # postbacks and referrals may carry no mid: sender + time + kind is stable across Meta's retries
    provider_id = need(mid, str, f"{kind}.mid") if mid is not None else f"{ID_PREFIX[kind]}:{sender_id}:{millis}"
    return Inbound("messenger", sender_id, provider_id, sent_at=sent_at, kind=kind, **fields)


def _attachments(message: dict) -> tuple[Attachment, ...]:
    """Files with a payload.url (image, video, audio, file; a sticker is an image); templates, fallbacks and
    locations carry none and stay out. Meta declares no content type: the proxy reads it from the CDN."""
    found = []
    for attachment in need(message.get("attachments", []), list, "message.attachments")[:MAX_ATTACHMENTS]:
        attachment = need(attachment, dict, "attachment")
        payload = attachment.get("payload")
        url = payload.get("url") if isinstance(payload, dict) else None
        if attachment.get("type") in ("image", "video", "audio", "file") and isinstance(url, str) and url:
            name = urlsplit(url).path.rsplit("/", 1)[-1] if attachment["type"] == "file" else ""
            found.append(Attachment(attachment["type"], url, name=unquote(name)[:120]))
    return tuple(found)


def _message(event: dict) -> Inbound | None:
    message = need(event["message"], dict, "message")
    if message.get("is_echo"):  # what the page itself sent, mirrored back
        return None
    return _inbound(event, "message", need(message.get("mid"), str, "message.mid"),
                    text=need(message.get("text", ""), str, "message.text"),  # quick replies: the label
                    has_attachment=bool(message.get("attachments")), attachments=_attachments(message))


def _postback(event: dict) -> Inbound | None:
    postback = need(event["postback"], dict, "postback")
    referral = need(postback.get("referral", {}), dict, "postback.referral")  # m.me?ref= in a new thread
    return _inbound(event, "postback", postback.get("mid"), text=need(postback.get("title", ""), str, "title"),
                    ref=need(referral.get("ref", ""), str, "postback.referral.ref"))


def _referral(event: dict) -> Inbound | None:
    referral = need(event["referral"], dict, "referral")  # m.me?ref= in an existing thread
    return _inbound(event, "referral", None, ref=need(referral.get("ref", ""), str, "referral.ref"))


def _ignored(event: dict) -> None:
    return None


EVENTS: dict[str, Callable[[dict], Inbound | None]] = {
    "message": _message, "postback": _postback, "referral": _referral,
    **dict.fromkeys(("delivery", "read", "reaction", "optin", "account_linking", "message_edit",
                     "policy_enforcement", "pass_thread_control", "take_thread_control",
                     "request_thread_control", "app_roles", "game_play", "response_feedback"), _ignored),
}


class Messenger:
    """One Facebook Page's Messenger inbox."""

    name = "messenger"
    max_length = 2000

    def __init__(self, app_secret: str, verify_token: str, page_token: str, page_id: str,
                 graph_base: str = "https://graph.facebook.com/v21.0", http=None, timeout: float = 5.0,
                 page_comments: bool = False):
        self.app_secret, self.verify_token = app_secret, verify_token
        self.page_token, self.page_id = page_token, page_id
        self.graph_base, self.timeout = graph_base.rstrip("/"), timeout
        self.http = http if http is not None else requests.Session()
        self.page_comments = page_comments  # MESSENGER_PAGE_COMMENTS: comments on the page's posts become work

    def handshake(self, args: Mapping[str, str]) -> str | None:
        """The challenge to echo when Meta verifies the subscription with our token; None otherwise."""
        token, challenge = args.get("hub.verify_token") or "", args.get("hub.challenge") or ""
        if args.get("hub.mode") != "subscribe" or not self.verify_token:
            return None
        if not hmac.compare_digest(token.encode(), self.verify_token.encode()):
            return None
        if not 0 < len(challenge) <= MAX_CHALLENGE or not (challenge.isascii() and challenge.isprintable()):
            return None
        return challenge

    def verify(self, raw: bytes, headers: Mapping[str, str]) -> bool:
        """`X-Hub-Signature-256: sha256=<hex>` is the HMAC-SHA256 of the raw bytes with the app secret."""
        scheme, _, digest = header(headers, "X-Hub-Signature-256").partition("=")
        try:
            given = bytes.fromhex(digest)
        except ValueError:
            return False
        expected = hmac.new(self.app_secret.encode(), raw, hashlib.sha256).digest()
        return bool(self.app_secret) and scheme.lower() == "sha256" and hmac.compare_digest(given, expected)

    def parse(self, raw: bytes) -> list[Inbound]:
        """Every customer message, postback and referral in a batch (up to 1000 entries)."""
        body = load_object(raw)
        if body.get("object") != "page":
            raise Malformed(f"object {str(body.get('object'))[:20]!r}, expected 'page'")
        found = []
        for entry in need(body.get("entry"), list, "entry"):
            entry = need(entry, dict, "entry item")
            if str(entry.get("id")) != self.page_id:  # another page subscribed to the same app
                continue
            for event in need(entry.get("messaging", []), list, "messaging"):
                event = need(event, dict, "messaging event")
                # a kind not in the table was never subscribed to: refusing it would fail the whole batch
                kind = next((key for key in EVENTS if key in event), None)
                if kind and (inbound := EVENTS[kind](event)):
                    found.append(inbound)
            if self.page_comments:  # the "feed" field's changes; off: acknowledged and ignored
                found += comments(entry, self.page_id)
        return found

    def policy(self, last_inbound_at: float, now: float, human: bool = True) -> ReplyPolicy:
        """Meta's windows, counted from the customer's last message; HUMAN_AGENT is for a person's reply only."""
        age = now - last_inbound_at
        if last_inbound_at <= 0 or age >= HUMAN_AGENT_WINDOW:
            return ReplyPolicy(False, reason="window_closed")
        if age < STANDARD_WINDOW:
            return ReplyPolicy(True, reason="window_open")
        if not human:
            return ReplyPolicy(False, reason="automated_outside_window")
        return ReplyPolicy(True, tag="HUMAN_AGENT", reason="human_agent_tag")

    def send(self, outbound: Outbound) -> str:
        """Send one text; returns Meta's message id."""
        check_text(outbound, self.max_length)
        if outbound.tag and not outbound.human:  # Meta's rules: HUMAN_AGENT marks a person's reply, nothing else
            raise ValueError(f"automated message {outbound.message_id} may not go tagged {outbound.tag}")
        payload = {"recipient": {"id": outbound.recipient_id}, "message": {"text": outbound.text},
                   "messaging_type": "MESSAGE_TAG" if outbound.tag else "RESPONSE"}
        if outbound.tag:
            payload["tag"] = outbound.tag
        response = post_json(self.http, f"{self.graph_base}/me/messages", payload,
                             token=self.page_token, timeout=self.timeout, what="messenger send")
        body = answer_of(response)
        if response.ok and isinstance(body.get("message_id"), str):
            return body["message_id"]
        error = body.get("error") if isinstance(body.get("error"), dict) else {}
        code, status = error.get("code"), response.status_code
        retryable = status >= 500 or status == 429 or code in RATE_LIMIT_CODES
        log.warning("messenger send to %s refused: HTTP %s, Graph code %s", masked(outbound.recipient_id), status, code)
        detail = str(error.get("message") or "no message_id in the answer")[:200]
        raise SendFailed(f"messenger send: HTTP {status}, Graph code {code}: {detail}", retryable, status)

    def private_reply(self, outbound: Outbound, comment_id: str) -> str:
        """An agent's one private reply to a page comment (Meta's Private Replies); returns Meta's message id."""
        check_text(outbound, self.max_length)
        return private_reply(self, comment_id, outbound.text)

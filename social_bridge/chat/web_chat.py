"""The web chat's visitors: who they are (an opaque token, no login), what they write, what they read.

- A visitor is a random id; the widget holds a random token standing for it (localStorage) and sends it
  with every call. Only the token's SHA-256 is stored, like the API's tokens: a copy of Redis lets
  nobody write as a visitor.
- A message goes through the same Inbox as Messenger's and SMS's (understood, self-service, queued in
  the one queue by the time the customer first asked, or by the call's time when a handoff code is in
  it); the widget's own id for the message makes a retried POST count once.
- What the visitor reads: the thread's messages but private notes, and where the request stands
  (place in line and wait, through the queue and the ETA the acknowledgements use).
"""
from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from typing import Callable

import yaml

from social_bridge.channels import Inbound
from social_bridge.chat.threads import Threads
from social_bridge.chat.web_keys import WidgetKeys
from social_bridge.privacy.inbound_limits import InboundLimits
from social_bridge.queue.eta import EtaEstimator
from social_bridge.queue.work_queue import WorkQueue

CHANNEL = "web"
TOKEN = re.compile(r"^[A-Za-z0-9_-]{40,64}$")      # what create() hands out: 43 URL-safe characters
CLIENT_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")    # the widget's id of one message (a UUID)
SESSION_DAYS = 30                                   # a visitor unseen this long starts over
HIDDEN_STATES = ("failed", "skipped")               # ours that never reached the visitor (none on this channel)


class Refused(Exception):
    """A visitor's call refused: the HTTP status, a code, and the key of the sentence the visitor reads."""

    def __init__(self, status: int, error: str, retry_after: int = 0):
        super().__init__(error)
        self.status, self.error, self.retry_after = status, error, retry_after


@dataclass(frozen=True)
class WidgetLimits:
    """Two counters (InboundLimits, one per scope): per visitor token, per client address."""

    per_token: InboundLimits | None = None     # messages one visitor may send a minute, a day
    per_address: InboundLimits | None = None   # messages and new sessions from one address a minute, a day
    max_chars: int = 2000                      # MESSAGE_MAX_CHARS: longer is refused (400), never cut


class WidgetSessions:
    """Visitor tokens: created at random, stored by hash, renewed whenever the visitor is seen."""

    def __init__(self, redis, clock: Callable[[], float] = time.time, keys: WidgetKeys | None = None,
                 ttl_seconds: int = SESSION_DAYS * 86400):
        self.redis, self.clock, self.keys, self.ttl = redis, clock, keys or WidgetKeys(), int(ttl_seconds)

    @staticmethod
    def _hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def create(self) -> tuple[str, str]:
        """(token for the widget, visitor id): the token is shown once and never stored."""
        token, visitor = secrets.token_urlsafe(32), "w" + secrets.token_urlsafe(15)
        self.redis.set(self.keys.token(self._hash(token)), visitor, ex=self.ttl)
        return token, visitor

    def visitor(self, token: str) -> str | None:
        """The visitor a token stands for; None for a missing, malformed, forged or expired one alike."""
        if not TOKEN.fullmatch(token or ""):
            return None  # checked before Redis: nothing a stranger sends reaches a key name unchecked
        key = self.keys.token(self._hash(token))
        visitor = self.redis.get(key)
        if visitor:
            self.redis.expire(key, self.ttl)
        return visitor


class WebChatDesk:
    """What the widget's API does for one visitor: send, read, where they stand."""

    def __init__(self, sessions: WidgetSessions, threads: Threads, queue: WorkQueue, eta: EtaEstimator,
                 limits: WidgetLimits = WidgetLimits(),
                 receive: Callable[[Inbound], str] | None = None, clock: Callable[[], float] = time.time):
        self.sessions, self.threads, self.queue, self.eta = sessions, threads, queue, eta
        self.limits, self.clock = limits, clock
        self.receive = receive  # Inbox.receive: the same path as every written channel (None: a read-only desk)

    # -- who is calling -------------------------------------------------------------------------------
    def visitor(self, token: str) -> str:
        visitor = self.sessions.visitor(token)
        if visitor is None:
            raise Refused(401, "token")
        return visitor

    def open_session(self, address: str) -> str:
        """A new visitor's token; new sessions count against the address like messages do."""
        self._count(self.limits.per_address, "web-address", address)
        return self.sessions.create()[0]

    @staticmethod
    def _count(limiter: InboundLimits | None, scope: str, who: str) -> None:
        if limiter is None or not who:
            return
        over = limiter.refusal(scope, who)
        if over:
            raise Refused(429, f"rate_{over}", retry_after=60 if over == "minute" else 3600)

    # -- writing ----------------------------------------------------------------------------------------
    def send(self, visitor: str, text: str, client_id: str, address: str) -> str:
        """Hands the visitor's message to the inbox; returns what it did (queued, linked, command:…)."""
        text = (text or "").strip()
        if not text:
            raise Refused(400, "empty")
        if len(text) > self.limits.max_chars:
            raise Refused(400, "too_long")
        if not CLIENT_ID.fullmatch(client_id or ""):
            client_id = secrets.token_hex(8)  # no id of its own: a retry may count twice, nothing worse
        self._count(self.limits.per_token, "web-token", visitor)
        self._count(self.limits.per_address, "web-address", address)
        if self.receive is None:
            raise Refused(503, "unavailable")
        outcome = self.receive(Inbound(CHANNEL, visitor, f"web:{visitor}:{client_id}", text=text,
                                       sent_at=self.clock()))
        if outcome.startswith("limited:"):  # the inbox's own limit per sender, lower than ours if so set
            raise Refused(429, "rate_" + outcome.partition(":")[2], retry_after=60)
        return outcome

    # -- reading ----------------------------------------------------------------------------------------
    def messages(self, visitor: str, since: int = 0) -> dict:
        """The thread's messages from number `since` on (notes left out), the number to ask from next time,
        and where the request stands."""
        thread = self.threads.for_customer(CHANNEL, visitor)
        if thread is None:
            return {"messages": [], "next": 0, "status": {"state": "none"}, "lang": ""}
        every = self.threads.messages(thread.id, limit=self.threads.max_messages)
        since = max(0, min(int(since), len(every)))
        shown = [{"n": n, "from": "you" if m.direction == "in" else "us", "by": m.kind if m.direction == "out" else "",
                  "text": m.text, "at": m.at}
                 for n, m in enumerate(every[since:], start=since)
                 if m.direction == "in" or (m.direction == "out" and m.state not in HIDDEN_STATES)]
        return {"messages": shown, "next": len(every), "status": self.status_of(thread), "lang": thread.lang}

    def latest(self, visitor: str) -> str:
        """The id of the thread's newest message ("" when none): a stream reads the messages only when it moves."""
        thread = self.threads.for_customer(CHANNEL, visitor)
        newest = self.threads.messages(thread.id, limit=1) if thread is not None else []
        return newest[0].id if newest else ""

    def status(self, visitor: str) -> dict:
        thread = self.threads.for_customer(CHANNEL, visitor)
        return self.status_of(thread) if thread is not None else {"state": "none"}

    def status_of(self, thread) -> dict:
        """waiting (position, wait in minutes), with_agent, or none."""
        item = self.queue.get(thread.item_id) if thread.item_id else None
        if item is None or item.status not in ("waiting", "scheduled", "claimed"):
            return {"state": "none"}
        if item.status == "claimed":
            return {"state": "with_agent"}
        estimate = self.eta.for_item(item)
        position = self.queue.position(item.id) or estimate.position
        return {"state": "waiting", "position": position, "wait_minutes": max(1, round(estimate.seconds / 60)),
                "away": bool(estimate.away)}


def load_words(path) -> dict[str, dict[str, str]]:
    """prompts/widget.yaml: the widget's words, per language."""
    with open(path, encoding="utf-8") as handle:
        return {lang: {key: str(text) for key, text in table.items()} for lang, table in yaml.safe_load(handle).items()}


@dataclass(frozen=True)
class Widget:
    """What the widget's routes are given (app.extensions["nohold_widget"]), in the web app and the stream server."""

    desk: WebChatDesk
    words: dict                       # lang -> key -> sentence (prompts/widget.yaml)
    origins: tuple[str, ...] = ()     # WIDGET_ALLOWED_ORIGINS: the operator's sites; none = the widget is off
    stream_url: str = ""              # where the widget opens its live stream; "" = it polls
    stream_seconds: float = 55.0      # one stream's life; the widget reconnects from where it was
    stream_every: float = 2.0         # seconds between two looks at the visitor's thread

    def sentence(self, lang: str, key: str) -> str:
        text = self.words.get(lang, {}).get(key) or self.words.get("it", {}).get(key) or key
        return text.replace("{max}", str(self.desk.limits.max_chars))

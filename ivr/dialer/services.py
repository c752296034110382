"""What the dialer talks to: Twilio's Calls API (or the dev outbox), the customer's SMS, the job queue."""
from __future__ import annotations

import json
import logging
import secrets
import time
from datetime import datetime, timedelta, timezone
from typing import Protocol
from zoneinfo import ZoneInfo

from ivr.call.business_hours import BusinessHours
from ivr.call.callback_policy import last_digits
from ivr.call.front_desk import chat_links
from ivr.call.messaging import OUTBOX_KEY, OUTBOX_LIMIT
from ivr.dialer import customer_check
from ivr.dialer.attempts import DialAttempts
from ivr.dialer.dialer import AGENT_RING_SECONDS, Dialer
from ivr.runtime.job_queue import dial_enqueuer, job_queue, machine_enqueuer
from ivr.runtime.twilio_rest import make_twilio_client
from ivr.speech.prompts import PromptBook
from ivr.speech.spoken import Speech
from social_bridge.queue.claims import Claims
from social_bridge.queue.work_queue import WorkQueue

log = logging.getLogger(__name__)
LEG_EVENTS = ["initiated", "ringing", "answered", "completed"]
RECONCILE_CANDIDATES = 20   # calls to one agent phone around one attempt; more means a person must look
CLOCK_SKEW_SECONDS = 300


class CallPlacer(Protocol):
    def warm(self) -> None:
        """Loads whatever the first call would load (no network)."""

    def create(self, to: str, from_: str, url: str, status_callback: str) -> str:
        """Places one call; returns its sid. Raises TwilioRestException when refused."""

    def find(self, attempt_id: str, to: str, from_: str, since: float) -> str | None:
        """The sid of the call placed for this attempt, if the provider has one."""

    def update(self, sid: str, twiml: str) -> None:
        """Gives a live call new TwiML (a <Dial>'s child leaves the bridge). Raises when it is over."""


class TwilioCalls:
    """Real mode: Twilio's Calls API through the (possibly redirected) REST client."""

    def __init__(self, client, ring_seconds: int):
        self.client, self.ring_seconds = client, ring_seconds

    def warm(self) -> None:
        """The REST client imports each resource on first use (~0.3 s): do it before workers fork."""
        self.client.calls("CA" + "0" * 32).events  # noqa: B018  (attribute access is the import)

    def create(self, to: str, from_: str, url: str, status_callback: str) -> str:
        # no machine_detection: the agent's own voicemail gets the whisper, times out, and declines
        return self.client.calls.create(
            to=to, from_=from_, url=url, method="POST", status_callback=status_callback,
            status_callback_method="POST", status_callback_event=LEG_EVENTS, timeout=self.ring_seconds).sid

    def update(self, sid: str, twiml: str) -> None:
        self.client.calls(sid).update(twiml=twiml)

    def find(self, attempt_id: str, to: str, from_: str, since: float) -> str | None:
        """A call to the agent whose requests (its Url, its status callbacks) name this attempt.

        The Call resource does not show the Url it was created with; its Events (the requests Twilio
        made for it, answered or not) do, and the `initiated` callback is made as soon as it exists.
        """
        after = datetime.fromtimestamp(since - CLOCK_SKEW_SECONDS, timezone.utc)
        marker = f"attempt={attempt_id}"
        for call in self.client.calls.list(to=to, from_=from_, start_time_after=after, limit=RECONCILE_CANDIDATES):
            for event in self.client.calls(call.sid).events.list(limit=20):
                if marker in str((event.request or {}).get("url", "")):
                    return call.sid
        return None


class DevCalls:
    """Dev mode: the agent leg lands in the dev outbox; nothing pretends to ring anyone."""

    def __init__(self, redis, clock=time.time):
        self.redis, self.clock = redis, clock

    def warm(self) -> None:
        pass

    def create(self, to: str, from_: str, url: str, status_callback: str) -> str:
        entry = {"id": "DEVCA" + secrets.token_hex(6), "kind": "call", "to": to, "from": from_,
                 "body": f"agent-first callback: Twilio would fetch {url}", "url": url, "at": self.clock()}
        with self.redis.pipeline() as pipe:
            pipe.lpush(OUTBOX_KEY, json.dumps(entry, ensure_ascii=False))
            pipe.ltrim(OUTBOX_KEY, 0, OUTBOX_LIMIT - 1).execute()
        return entry["id"]

    def update(self, sid: str, twiml: str) -> None:
        entry = {"id": "DEVUP" + secrets.token_hex(6), "kind": "call_update", "to": sid, "from": "",
                 "body": f"Twilio would give call {sid} new TwiML", "twiml": twiml, "at": self.clock()}
        with self.redis.pipeline() as pipe:
            pipe.lpush(OUTBOX_KEY, json.dumps(entry, ensure_ascii=False))
            pipe.ltrim(OUTBOX_KEY, 0, OUTBOX_LIMIT - 1).execute()

    def find(self, attempt_id: str, to: str, from_: str, since: float) -> str | None:
        for raw in self.redis.lrange(OUTBOX_KEY, 0, -1):
            entry = json.loads(raw)
            if entry.get("kind") == "call" and f"attempt={attempt_id}" in entry.get("url", ""):
                return entry["id"]
        return None


class CustomerNotices:
    """The SMS a customer gets when a callback did not reach them; one per attempt, whatever retries.

    Prompts are loaded on first use: a worker placing calls never needs them. With `codes` (handoff
    RefCodes), the SMS after the last attempt carries a code that keeps the customer's place.
    """

    def __init__(self, messages, settings, chat_links=None, prompts=None, speech=None, codes=None):
        self.messages, self.settings, self._links = messages, settings, chat_links
        self._prompts, self._speech, self.codes = prompts, speech, codes
        self.tz = ZoneInfo(settings.timezone)

    @property
    def prompts(self):
        if self._prompts is None:
            self._prompts = PromptBook.load(self.settings.prompts_dir)
        return self._prompts

    @property
    def speech(self):
        if self._speech is None:
            self._speech = Speech.load(self.settings.prompts_dir / "spoken.yaml")
        return self._speech

    def chat_links(self, code: str = "") -> list[tuple[str, str]]:
        return self._links(code) if self._links is not None else chat_links(self.settings, code)

    def missed(self, attempt, retry_at: float, now: float | None = None) -> None:
        lang, now = attempt.lang, datetime.fromtimestamp(now or time.time(), self.tz)
        when = self.speech.moment(datetime.fromtimestamp(retry_at, self.tz), now, lang)
        body = self.prompts.text(lang, "sms.callback_missed", when=when, last_digits=last_digits(attempt.customer))
        self.messages.send_sms(attempt.customer, body, key=f"dial-missed:{attempt.id}", lang=lang)

    def machine_twiml(self, attempt) -> str:
        """What a machine found after the bridge hears (the message, if on), then the leg hangs up."""
        voices = {"it": self.settings.voice_it, "en": self.settings.voice_en}
        leave_message = self.settings.callback_machine_message == "on"
        last = attempt.outcome == "gave_up"
        return customer_check.machine(self.prompts, attempt.lang, voices, leave_message, last=last)

    def gave_up(self, attempt, item=None) -> None:
        """The last attempt failed: a reply (with the code, or in a chat through its link) keeps the place."""
        lang, code = attempt.lang, self.handoff_code(attempt, item)
        links = "".join(self.prompts.text(lang, f"sms.chat_link_{channel}", url=url)
                        for channel, url in self.chat_links(code))
        body = self.prompts.text(lang, "sms.callback_gave_up_code" if code else "sms.callback_gave_up",
                                 links=links, code=code)
        self.messages.send_sms(attempt.customer, body, key=f"dial-gave-up:{attempt.id}", lang=lang)

    def handoff_code(self, attempt, item) -> str:
        """One code per attempt (a settle run again finds it), holding the time the customer first asked."""
        if self.codes is None or item is None:
            return ""
        redis, key = self.codes.redis, f"nohold:{{handoff}}:attempt:{attempt.id}"
        known = redis.get(key)
        if known:
            return known
        code = self.codes.issue({"item_id": item.id, "call_sid": item.call_sid, "acquired_at": item.acquired_at,
                                 "lang": attempt.lang, "intent": item.intent, "summary": item.summary,
                                 "caller": attempt.customer})
        if not redis.set(key, code, nx=True, ex=self.codes.ttl_seconds):
            self.codes.redeem(code)  # a twin got there first: its code is the one sent
            return redis.get(key)
        self.codes.remember_texted(attempt.customer, code)  # a plain reply to the SMS links, no typing
        return code


def build_dialer(settings, redis, messages, clock=time.time, claims=None, queue=None, prompts=None,
                 speech=None, hours=None, chat_links=None, enqueue_job=None, twilio=None, on_decided=None,
                 codes=None, on_machine=None, enqueue_machine=None):
    """The Dialer with what the composition root passes; what is not passed is built from the settings
    (tests build one from settings, Redis and Messages alone)."""
    queue = queue or WorkQueue(redis, clock=clock)
    claims = claims or Claims(redis, clock=clock, lease_seconds=settings.lease_seconds,
                              other_language_after=settings.other_language_after,
                              max_attempts=settings.callback_max_attempts)
    hours = hours or BusinessHours.parse(settings.business_hours, settings.timezone, settings.holiday_country)
    twilio = twilio or make_twilio_client(settings)
    calls = DevCalls(redis, clock) if twilio is None else TwilioCalls(twilio, AGENT_RING_SECONDS)
    notices = CustomerNotices(messages, settings, chat_links, prompts, speech, codes)
    enqueue_job = enqueue_job or dial_enqueuer(job_queue(settings.redis_url))
    enqueue_machine = enqueue_machine or machine_enqueuer(job_queue(settings.redis_url))
    dialer = Dialer(DialAttempts(redis, clock), claims, queue, calls, enqueue_job, settings, hours, notices, clock,
                    enqueue_machine)
    if on_decided is not None:
        dialer.on_decided = on_decided
    if on_machine is not None:
        dialer.on_machine = on_machine
    return dialer

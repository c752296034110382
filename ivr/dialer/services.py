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
from ivr.dialer.attempts import DialAttempts
from ivr.call.messaging import OUTBOX_KEY, OUTBOX_LIMIT

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

    def find(self, attempt_id: str, to: str, from_: str, since: float) -> str | None:
        for raw in self.redis.lrange(OUTBOX_KEY, 0, -1):
            entry = json.loads(raw)
            if entry.get("kind") == "call" and f"attempt={attempt_id}" in entry.get("url", ""):
                return entry["id"]
        return None


class CustomerNotices:
    """The SMS a customer gets when a callback did not reach them; one per attempt, whatever retries.

    Prompts are loaded on first use: a worker placing calls never needs them.
    """

    def __init__(self, messages, settings, chat_links=None, prompts=None, speech=None):
        self.messages, self.settings, self._links = messages, settings, chat_links
        self._prompts, self._speech = prompts, speech
        self.tz = ZoneInfo(settings.timezone)

    @property
    def prompts(self):
        if self._prompts is None:
            from ivr.speech.prompts import PromptBook
            self._prompts = PromptBook.load(self.settings.prompts_dir)
        return self._prompts

    @property
    def speech(self):
        if self._speech is None:
            from ivr.speech.spoken import Speech
            self._speech = Speech.load(self.settings.prompts_dir / "spoken.yaml")
        return self._speech

    def chat_links(self) -> list[tuple[str, str]]:
        if self._links is None:
            from ivr.call.front_desk import FrontDesk  # only its list of configured written channels
            self._links = FrontDesk(None, None, None, None, None, None, self.settings).chat_links
        return self._links()

    def missed(self, attempt, retry_at: float, now: float | None = None) -> None:
        lang, now = attempt.lang, datetime.fromtimestamp(now or time.time(), self.tz)
        when = self.speech.moment(datetime.fromtimestamp(retry_at, self.tz), now, lang)
        body = self.prompts.text(lang, "sms.callback_missed", when=when, last_digits=last_digits(attempt.customer))
        self.messages.send_sms(attempt.customer, body, key=f"dial-missed:{attempt.id}", lang=lang)

    def gave_up(self, attempt) -> None:
        lang = attempt.lang
        links = "".join(self.prompts.text(lang, f"sms.chat_link_{channel}", url=url)
                        for channel, url in self.chat_links())
        body = self.prompts.text(lang, "sms.callback_gave_up", links=links)
        self.messages.send_sms(attempt.customer, body, key=f"dial-gave-up:{attempt.id}", lang=lang)


def dial_enqueuer(queue):
    """The callable the dialer uses to hand an attempt id to the workers."""
    from ivr.dialer.dialer import place_agent_leg

    def enqueue(attempt_id: str) -> None:
        job_id = f"dial-{attempt_id}"
        # a sweep re-queues jobs lost with their worker; one still in the queue's list is not lost
        if queue.connection.lpos(queue.key, job_id) is not None:
            return
        # no RQ retry: a second run finds the attempt past "created" and does nothing
        queue.enqueue(place_agent_leg, attempt_id, job_id=job_id, job_timeout=60, failure_ttl=7 * 86400)

    return enqueue


def build_dialer(settings, redis, messages, clock=time.time, claims=None, queue=None, prompts=None,
                 speech=None, hours=None, chat_links=None, enqueue_job=None, twilio=None):
    """The same Dialer for the web process (which passes what it has) and the workers (which build it)."""
    from ivr.dialer.dialer import AGENT_RING_SECONDS, Dialer
    from ivr.jobs.messages import job_queue
    from ivr.runtime.twilio_rest import make_twilio_client
    from social_bridge.queue.claims import Claims
    from social_bridge.queue.work_queue import WorkQueue

    queue = queue or WorkQueue(redis, clock=clock)
    claims = claims or Claims(redis, clock=clock, lease_seconds=settings.lease_seconds,
                              other_language_after=settings.other_language_after,
                              max_attempts=settings.callback_max_attempts)
    hours = hours or BusinessHours.parse(settings.business_hours, settings.timezone, settings.holiday_country)
    twilio = twilio or make_twilio_client(settings)
    calls = DevCalls(redis, clock) if twilio is None else TwilioCalls(twilio, AGENT_RING_SECONDS)
    notices = CustomerNotices(messages, settings, chat_links, prompts, speech)
    enqueue_job = enqueue_job or dial_enqueuer(job_queue(settings.redis_url))
    return Dialer(DialAttempts(redis, clock), claims, queue, calls, enqueue_job, settings, hours, notices, clock)


def schedule_sweeps(queue, redis, every: float = 60.0) -> bool:
    """Keeps one sweep scheduled however many workers start; False when one already is."""
    from ivr.dialer.dialer import sweep_dials

    if not redis.set("nohold:{dials}:sweep_scheduled", "1", nx=True, ex=max(int(every) - 5, 1)):
        return False
    queue.enqueue_in(timedelta(seconds=every), sweep_dials, failure_ttl=86400)
    return True

"""The voice side's part of privacy requests: what it keeps about a person, and Twilio's recordings.

Erasure and export in social_bridge/privacy never import ivr: these parts are handed to them by
`build_privacy` (ivr/app/services.py), like every other collaborator.
"""
from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass

from twilio.base.exceptions import TwilioRestException

from ivr.call.booking_limits import BookingLimits
from ivr.runtime import keys
from social_bridge.chat.threads import Threads
from social_bridge.privacy.access_log import AccessLog
from social_bridge.privacy.customers_part import CustomerRecords
from social_bridge.privacy.erasure import Erasure
from social_bridge.privacy.person import Person, PersonRecords, scan
from social_bridge.privacy.pseudonyms import PersonKeys
from social_bridge.privacy.retention import Retention, RetentionPolicy

log = logging.getLogger(__name__)


def recording_deleter(twilio):
    """RecordingSid -> True once Twilio has deleted it (or never had it: 404); dev mode has nothing at Twilio."""
    def delete(sid: str) -> bool:
        if twilio is None:
            return True
        try:
            twilio.recordings(sid).delete()
        except TwilioRestException as exc:
            if exc.status == 404:
                return True
            log.warning("recording %s… not deleted at Twilio: HTTP %s", sid[:6], exc.status)
            return False
        return True
    return delete


def _text(value) -> str:
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value


def _names(text: str, numbers: set[str]) -> bool:
    return any(n in text or n.lstrip("+") in text for n in numbers)


class VoiceRecords:
    """Outbound SMS (and their dedupe keys), the dev outbox, call state, callback offers, booking-limit
    entries and dial attempts of a person."""

    def __init__(self, redis, persons: PersonKeys):
        self.redis, self.persons = redis, persons

    def _messages(self, numbers: set[str]) -> list[tuple[str, dict]]:
        found = []
        for key in scan(self.redis, f"{keys.PREFIX}:{{msg:*"):
            h = self.redis.hgetall(key) if self.redis.type(key) == "hash" else {}
            if h.get("to", "").removeprefix("whatsapp:") in numbers:
                found.append((key, h))
        return found

    def _outbox(self, numbers: set[str]) -> list[str]:
        return [raw for raw in self.redis.lrange(keys.OUTBOX, 0, -1)
                if json.loads(raw).get("to", "").removeprefix("whatsapp:") in numbers]

    def _calls(self, person: Person) -> set[str]:
        sids = set(person.call_sids)
        for key in scan(self.redis, f"{keys.PREFIX}:{{call:*}}"):
            kind = self.redis.type(key)
            value = self.redis.get(key) if kind == "string" else self.redis.hgetall(key) if kind == "hash" else ""
            if _names(_text(value), person.numbers):
                sids.add(key.removeprefix(f"{keys.PREFIX}:{{call:").removesuffix("}"))
        return sids

    def _attempts(self, item_ids: set[str]) -> list[str]:
        found = []
        for item_id in item_ids:
            attempts = self.redis.hvals(f"{keys.PREFIX}:{{dialitem:{item_id}}}")
            found.append(f"{keys.PREFIX}:{{dialitem:{item_id}}}")
            for attempt in attempts:
                found += list(scan(self.redis, f"{keys.PREFIX}:{{dial:{attempt}}}*"))
                for index in (f"{keys.PREFIX}:{{dials}}:open", f"{keys.PREFIX}:{{dials}}:review"):
                    self.redis.zrem(index, attempt)
        return found

    def export(self, person: Person) -> dict:
        """What the voice side holds about the person (for art. 15), without internal ids of other people."""
        return {"sms_sent": [{k: h.get(k, "") for k in ("to", "body", "status", "created_at", "lang")}
                             for _, h in self._messages(person.numbers)],
                "dev_outbox": [json.loads(raw) for raw in self._outbox(person.numbers)],
                "calls_in_progress": sorted(self._calls(person))}

    def erase(self, person: Person, item_ids: set[str]) -> dict[str, int]:
        removed = {"sms sent": 0, "outbox copies": 0, "calls": 0, "booking-limit entries": 0, "dial attempts": 0}
        messages = self._messages(person.numbers)
        ids = {h.get("id") for _, h in messages}
        for key, h in messages:
            self.redis.zrem(keys.OUTBOX_PENDING, h.get("id", ""))
            removed["sms sent"] += self.redis.delete(key)
        for key in scan(self.redis, f"{keys.PREFIX}:{{msgkey:*"):
            if self.redis.get(key) in ids:
                self.redis.delete(key)
        for raw in self._outbox(person.numbers):
            removed["outbox copies"] += self.redis.lrem(keys.OUTBOX, 0, raw)
        for sid in self._calls(person):
            removed["calls"] += self.redis.delete(keys.call_state(sid)) > 0
            for key in (keys.call_replies(sid), keys.call_seen(sid), keys.call_ended(sid)):
                self.redis.delete(key)
        limits = BookingLimits(self.redis, persons=self.persons)
        for number in person.numbers:
            self.redis.delete(keys.callback_offer(self.persons.of(number)))
            removed["booking-limit entries"] += self.redis.delete(limits.number_key(number))
        for key in self._attempts(item_ids):
            removed["dial attempts"] += self.redis.delete(key)
        return removed


@dataclass(frozen=True)
class Privacy:
    """The privacy requests' parts, built once in build_services."""

    persons: PersonKeys
    records: PersonRecords
    voice: VoiceRecords
    customers: CustomerRecords
    erasure: Erasure
    retention: Retention
    access_log: AccessLog
    delete_recording: object     # RecordingSid -> bool

    def erase(self, person: Person, who: str, subject: str) -> dict[str, int]:
        """Erases the person (resolved) and logs who did it, for which request, with counts only."""
        removed = self.erasure.erase(person)
        self.access_log.record(who, "erase", subject, detail=", ".join(f"{k} {n}" for k, n in sorted(removed.items())))
        return removed

    def erase_item_person(self, item_id: str, who: str) -> dict[str, int]:
        """The supervisor's button: the person behind one work item."""
        return self.erase(self.records.by_item(item_id), who, f"item:{item_id}")

    def subject(self, phone: str = "", item: str = "", thread: str = "", case: str = "", customer: str = "") -> str:
        """How the access log names a request: ids as they are, a number by its pseudonym."""
        return (f"phone:{self.persons.of(phone)}" if phone else f"item:{item}" if item else f"thread:{thread}"
                if thread else f"case:{case}" if case else f"customer:{customer}")


def policy_from(settings) -> RetentionPolicy:
    if settings is None:
        return RetentionPolicy()
    s = settings
    return RetentionPolicy(s.retention_recording_days, s.retention_message_days, s.retention_closed_days,
                           s.retention_access_log_days, s.thread_messages_max)


def build_privacy(client, twilio, persons: PersonKeys, threads: Threads, settings=None, clock=time.time) -> Privacy:
    customers = CustomerRecords(client, persons)
    records = PersonRecords(client, threads, wideners=[customers.widen])
    voice = VoiceRecords(client, persons)
    delete = recording_deleter(twilio)
    erasure = Erasure(client, records, persons, delete, extra=[voice.erase, customers.erase])
    access_log = AccessLog(client, clock)
    retention = Retention(client, records, erasure, delete, policy_from(settings), clock=clock,
                          trim_log=access_log.trim, forget_item=(customers.forget_item,))
    return Privacy(persons, records, voice, customers, erasure, retention, access_log, delete)


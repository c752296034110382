"""Outbound SMS: persisted first, sent by a job, idempotent on a caller-chosen key."""
from __future__ import annotations

import json
import logging
import secrets
import time
from typing import Callable, Protocol

from ivr.call.callback_policy import mask

log = logging.getLogger(__name__)


from ivr.runtime.keys import OUTBOX as OUTBOX_KEY, OUTBOX_PENDING as PENDING_KEY
from ivr.runtime.keys import message as _message_key, message_dedupe as _dedupe_key

OUTBOX_LIMIT = 500
# ids of the messages not yet sent (queued or sending), scored by when they were stored: what the
# minute sweep looks through for a message whose job died with a worker (jobs.sweep_messages)
FINAL = ("sent", "failed", "unknown")


class SmsSender(Protocol):
    def send(self, to: str, body: str, sender: str, content_sid: str = "") -> str:
        """Delivers one SMS (with content_sid: that approved template, the body as its {{1}}); the provider's id."""


class Messages:
    """Stores outbound messages and hands their ids to the job queue."""

    def __init__(self, redis, enqueue_job: Callable[[str], None], clock=time.time):
        self.redis, self.enqueue_job, self.clock = redis, enqueue_job, clock

    def send_sms(self, to: str, body: str, key: str, lang: str = "it", content_sid: str = "") -> str:
        """Queues one SMS; the same key twice queues it once. content_sid: a WhatsApp template (Twilio Content API)
        that carries `body` as its variable {{1}}, for a number outside its 24-hour session."""
        message_id = "MS" + secrets.token_hex(8)
        if not self.redis.set(_dedupe_key(key), message_id, nx=True, ex=7 * 86400):
            existing = self.redis.get(_dedupe_key(key))
            if existing and self.redis.exists(_message_key(existing)):
                return existing
            message_id = existing or message_id
        now = self.clock()
        pipe = self.redis.pipeline(transaction=False)  # two slots: the index entry goes first
        pipe.zadd(PENDING_KEY, {message_id: now})
        pipe.hset(_message_key(message_id), mapping={
            "id": message_id, "to": to, "body": body, "lang": lang, "status": "queued",
            "created_at": now, "channel": "sms", **({"content_sid": content_sid} if content_sid else {})})
        pipe.expire(_message_key(message_id), 30 * 86400)
        pipe.execute()
        self.enqueue_job(message_id)
        log.info("sms %s queued to %s", message_id, mask(to))
        return message_id

    def get(self, message_id: str) -> dict | None:
        data = self.redis.hgetall(_message_key(message_id))
        return data or None

    def claim_for_sending(self, message_id: str) -> bool:
        """queued → sending, once: a message already sending or sent is never sent again."""
        return bool(self.redis.eval(
            "if redis.call('HGET', KEYS[1], 'status') == 'queued' then "
            "redis.call('HSET', KEYS[1], 'status', 'sending', 'claimed_at', ARGV[1]) "
            "redis.call('HINCRBY', KEYS[1], 'attempts', 1) return 1 end return 0",
            1, _message_key(message_id), self.clock()))

    def mark(self, message_id: str, status: str, **fields) -> None:
        self.redis.hset(_message_key(message_id), mapping={"status": status, **fields})
        if status in FINAL:
            self.forget(message_id)

    def forget(self, message_id: str) -> None:
        """Out of the pending index: sent, given up, or gone."""
        self.redis.zrem(PENDING_KEY, message_id)

    def pending(self, older_than: float) -> list[str]:
        """Ids of messages stored over older_than seconds ago and not yet sent, oldest first."""
        return self.redis.zrangebyscore(PENDING_KEY, "-inf", self.clock() - older_than, start=0, num=1000)


class DevOutbox:
    """Dev mode: messages land in a Redis list the console and `python -m ivr outbox` show."""

    def __init__(self, redis, clock=time.time):
        self.redis, self.clock = redis, clock

    def send(self, to: str, body: str, sender: str, content_sid: str = "") -> str:
        entry = {"id": "DEV" + secrets.token_hex(6), "kind": "sms", "to": to, "from": sender,
                 "body": body, "at": self.clock(), **({"content_sid": content_sid} if content_sid else {})}
        pipe = self.redis.pipeline()
        pipe.lpush(OUTBOX_KEY, json.dumps(entry, ensure_ascii=False))
        pipe.ltrim(OUTBOX_KEY, 0, OUTBOX_LIMIT - 1)
        pipe.execute()
        return entry["id"]

    def entries(self, limit: int = 50) -> list[dict]:
        return [json.loads(raw) for raw in self.redis.lrange(OUTBOX_KEY, 0, limit - 1)]


class TwilioSms:
    """Real mode: Twilio's Messages API through the (possibly redirected) REST client."""

    def __init__(self, client):
        self.client = client

    def send(self, to: str, body: str, sender: str, content_sid: str = "") -> str:
        if content_sid:  # an approved template: no Body, the text goes in as the template's variable {{1}}
            return self.client.messages.create(to=to, from_=sender, content_sid=content_sid,
                                               content_variables=json.dumps({"1": body}, ensure_ascii=False)).sid
        return self.client.messages.create(to=to, from_=sender, body=body).sid


def deliver(messages: Messages, sender: SmsSender, message_id: str, from_number: str, whatsapp_number: str = "") -> str:
    """The job's work: send a queued message at most once."""
    message = messages.get(message_id)
    if message is None:
        log.warning("sms %s vanished before sending", message_id)
        return "missing"
    if not messages.claim_for_sending(message_id):
        return message.get("status", "unknown")
    try:
        to, template = message["to"], {"content_sid": message["content_sid"]} if message.get("content_sid") else {}
        provider_id = sender.send(to, message["body"], f"whatsapp:{whatsapp_number}" if to.startswith("whatsapp:")
                                  else from_number, **template)
    except Exception as exc:  # the provider refused: record why, let the job retry policy decide
        messages.mark(message_id, "queued", error=type(exc).__name__)
        raise
    messages.mark(message_id, "sent", provider_id=provider_id, sent_at=time.time())
    log.info("sms %s sent to %s", message_id, mask(message["to"]))
    return "sent"

"""Written conversations: one thread per (channel, sender), its messages, and where it stands.

A thread is who the customer is on one channel (identity unique on channel + sender id) and the
messages exchanged: the customer's ("in"), ours ("out", by an agent or automatic) and private notes
for agents ("note", never sent). Its place among the work is a `thread` work item (see inbox.py).
All keys live under the queue's hash tag, so a script may touch any of them on Redis Cluster.
"""
from __future__ import annotations

import json
import re
import time
from dataclasses import asdict, dataclass, field, fields
from typing import Callable

from social_bridge.channels import CHANNELS, Inbound
from social_bridge.ids import new_id
from social_bridge.privacy.inbound_limits import InboundLimits
from social_bridge.privacy.pseudonyms import PersonKeys
from social_bridge.queue.keys import QueueKeys

SENDER_ID = re.compile(r"^[A-Za-z0-9+_.@-]{1,128}$")
PROVIDER_ID = re.compile(r"^[A-Za-z0-9+_.:@=-]{1,256}$")
SEEN_TTL = 30 * 86400  # Meta retries for 36 h, X and Twilio less; a signed event replayed later is still known
DIRECTIONS = ("in", "out", "note")
PHONE_CHANNELS = ("sms", "whatsapp")  # channels whose sender id is the customer's phone number

# KEYS: identity, seen. ARGV: new thread id, thread prefix, message prefix, now, ttl, then the message:
# id, text, at, provider id, kind, and the thread's channel, sender, lang, the sender's natural key, and the
# most messages a thread keeps (the oldest beyond it go with their hashes: a flood cannot grow a thread), and the
# message's attachments as JSON (their provider references go with the message's hash).
# Records a customer's message once per provider id: {"dup", "<thread>|<stage>"} or {"new", thread, created}.
_RECORD = """
local seen = redis.call('GET', KEYS[2])
if seen then return {'dup', seen} end
local tid, created = redis.call('GET', KEYS[1]), '0'
local thread = ARGV[2]
if not tid then
  tid, created = ARGV[1], '1'
  redis.call('SET', KEYS[1], tid)
  redis.call('HSET', thread .. tid, 'id', tid, 'channel', ARGV[11], 'sender_id', ARGV[12], 'lang', ARGV[13],
             'created_at', ARGV[4], 'natural', ARGV[14])
end
redis.call('HSET', ARGV[3] .. ARGV[6], 'id', ARGV[6], 'thread_id', tid, 'direction', 'in', 'text', ARGV[7],
           'at', ARGV[8], 'provider_id', ARGV[9], 'kind', ARGV[10], 'attachments', ARGV[16])
redis.call('RPUSH', thread .. tid .. ':messages', ARGV[6])
local surplus = redis.call('LLEN', thread .. tid .. ':messages') - tonumber(ARGV[15])
while surplus > 0 do
  redis.call('DEL', ARGV[3] .. redis.call('LPOP', thread .. tid .. ':messages'))
  surplus = surplus - 1
end
redis.call('HSET', thread .. tid, 'last_inbound_at', ARGV[8])
redis.call('SET', KEYS[2], tid .. '|recorded', 'EX', ARGV[5])
return {'new', tid, created}
"""

# KEYS: message. ARGV: allowed states (comma separated), new state, then field/value pairs.
_MOVE = """
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {0, ''} end
for allowed in string.gmatch(ARGV[1], '[^,]+') do
  if allowed == state then
    redis.call('HSET', KEYS[1], 'state', ARGV[2], unpack(ARGV, 3))
    return {1, state}
  end
end
return {0, state}
"""

# KEYS: message, the thread's message list. ARGV: most messages a thread keeps, then field/value pairs. Ours count too.
_ADD = """
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('RPUSH', KEYS[2], ARGV[2])
for _ = 1, redis.call('LLEN', KEYS[2]) - tonumber(ARGV[1]) do
  redis.call('DEL', string.sub(KEYS[1], 1, -1 - #ARGV[2]) .. redis.call('LPOP', KEYS[2]))
end
"""

_NOTE = "if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'attachments', ARGV[1]) end"  # not erased


@dataclass
class Thread:
    id: str
    channel: str
    sender_id: str
    lang: str = "it"
    created_at: float = 0.0
    last_inbound_at: float = 0.0
    item_id: str = ""          # the pending work item, when there is one
    call_sid: str = ""         # the call it continues, when linked by a ref code
    context: dict = field(default_factory=dict)   # what the call knew: intent, summary, tried...
    acked_at: float = 0.0      # the last automatic acknowledgement
    acked_eta: float = 0.0     # the wait it announced, seconds
    natural: str = ""          # its natural key in the queue, named by the sender's pseudonym (PersonKeys)

    @property
    def customer(self) -> str:
        return f"{self.channel}:{self.sender_id}"

    @property
    def natural_key(self) -> str:
        return self.natural or f"thread:{self.channel}:{self.sender_id}"  # the second: threads from before PersonKeys

    # -- the one rule for "the phone number of this thread" -------------------------------------
    @property
    def caller(self) -> str:
        """The number of the call this thread continues (linked by its handoff code); "" when it continues none."""
        number = str((self.context or {}).get("caller", ""))
        return number if number.startswith("+") else ""

    def phone_numbers(self) -> list[str]:
        """The customer's phone numbers, surest first: the SMS/WhatsApp sender, then the caller of the linked call."""
        numbers = [self.sender_id] if self.channel in PHONE_CHANNELS else []
        return numbers + ([self.caller] if self.caller else [])

    @property
    def phone_number(self) -> str:
        """The number we know this customer by (records, outages, self-service); "" when there is none."""
        return next(iter(self.phone_numbers()), "")


@dataclass
class Message:
    id: str
    thread_id: str
    direction: str             # in | out | note
    text: str
    at: float
    provider_id: str = ""
    kind: str = "message"      # message | postback | referral | auto | agent
    state: str = ""            # out: queued | sending | sent | failed | unknown
    agent: str = ""
    tag: str = ""
    error: str = ""
    attachments: list = field(default_factory=list)  # in: the customer's files, as dicts (chat/attachments.py)


@dataclass(frozen=True)
class Recorded:
    thread: Thread
    duplicate: bool            # this provider id was recorded before
    queued: bool               # ...and its work item was placed (nothing left to do)
    created: bool = False      # the first message of this identity


def _load(cls, h: dict):
    out = {}
    for f in fields(cls):
        if f.name not in h:
            continue
        raw = h[f.name]
        out[f.name] = json.loads(raw) if f.type == "dict" or f.type == "list" and raw else float(raw) if f.type == "float" else raw
    return cls(**out)


class Threads:
    def __init__(self, redis, persons: PersonKeys, clock: Callable[[], float] = time.time,
                 keys: QueueKeys | None = None, limits: InboundLimits | None = None, max_messages: int = 500):
        self.redis, self.clock, self.keys = redis, clock, keys or QueueKeys()
        self.limits, self.max_messages = limits, max_messages  # inbound abuse: per sender, per thread
        self.persons = persons  # key names hold a pseudonym of the sender (a phone number, a PSID), never the id
        self._record, self._add = redis.register_script(_RECORD), redis.register_script(_ADD)
        self._move = redis.register_script(_MOVE)

    # -- keys --------------------------------------------------------------------------------
    @property
    def _thread_prefix(self) -> str:
        return f"{self.keys.base}:thread:"

    @property
    def _message_prefix(self) -> str:
        return f"{self.keys.base}:message:"

    def identity_key(self, channel: str, sender_id: str) -> str:
        """String: the thread id of one sender on one channel (erasure and retention remove it with the thread)."""
        return self._identity(channel, sender_id)

    def _identity(self, channel: str, sender_id: str) -> str:
        return f"{self.keys.base}:identity:{channel}:{self.persons.of(sender_id)}"

    def _seen(self, inbound: Inbound) -> str:
        # a postback or referral has no mid: its provider id is made of the sender's PSID and the time, so the
        # key holds the id's pseudonym, like every key that could name a person
        return f"{self.keys.base}:seen:{inbound.channel}:{self.persons.of(inbound.provider_id)}"

    # -- customers' messages -----------------------------------------------------------------
    def over_limit(self, inbound: Inbound) -> str | None:
        """Counts the sender's message: "minute" or "day" when they wrote more than a person does."""
        if self.limits is None or not SENDER_ID.fullmatch(inbound.sender_id or ""):
            return None
        return self.limits.refusal(inbound.channel, inbound.sender_id)

    def record_inbound(self, inbound: Inbound, lang: str) -> Recorded:
        """Stores the customer's message once however often the provider delivers it."""
        if inbound.channel not in CHANNELS or not SENDER_ID.fullmatch(inbound.sender_id) \
                or not PROVIDER_ID.fullmatch(inbound.provider_id):
            raise ValueError(f"unusable inbound from {inbound.channel!r}")
        now = self.clock()
        at = inbound.sent_at if 0 < inbound.sent_at <= now + 300 else now
        reply = self._record(
            keys=[self._identity(inbound.channel, inbound.sender_id), self._seen(inbound)],
            args=[new_id(), self._thread_prefix, self._message_prefix, repr(now), SEEN_TTL,
                  new_id(), self.limits.cut(inbound.text) if self.limits else inbound.text,
                  repr(at), inbound.provider_id, inbound.kind,
                  inbound.channel, inbound.sender_id, lang,
                  self.persons.thread(inbound.channel, inbound.sender_id), max(1, self.max_messages),
                  json.dumps([asdict(a) for a in inbound.attachments], ensure_ascii=False)])
        if reply[0] == "dup":
            thread_id, _, stage = reply[1].partition("|")
            return Recorded(self.get(thread_id), duplicate=True, queued=stage == "queued")
        return Recorded(self.get(reply[1]), duplicate=False, queued=False, created=reply[2] == "1")

    def mark_queued(self, inbound: Inbound, thread_id: str) -> None:
        """Everything this message caused is done: a redelivery changes nothing."""
        self.redis.set(self._seen(inbound), f"{thread_id}|queued", keepttl=True)

    # -- threads ------------------------------------------------------------------------------
    def get(self, thread_id: str) -> Thread | None:
        h = self.redis.hgetall(self._thread_prefix + thread_id) if thread_id else {}
        return _load(Thread, h) if h else None

    def for_customer(self, channel: str, sender_id: str) -> Thread | None:
        if not SENDER_ID.fullmatch(sender_id or ""):
            return None
        return self.get(self.redis.get(self._identity(channel, sender_id)) or "")

    def update(self, thread_id: str, **values) -> None:
        stored = {k: json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else repr(v) if isinstance(v, float)
                  else str(v) for k, v in values.items()}
        self.redis.hset(self._thread_prefix + thread_id, mapping=stored)

    # -- messages -----------------------------------------------------------------------------
    def add(self, thread_id: str, direction: str, text: str, **values) -> Message:
        """Our message (state "queued" until sent) or a private note."""
        if direction not in ("out", "note"):
            raise ValueError("only our messages and notes are added here")
        message = Message(id=new_id(), thread_id=thread_id, direction=direction, text=text,
                          at=self.clock(), **values)
        stored = {f.name: repr(value) if f.type == "float" else json.dumps(value) if f.type == "list" else str(value)
                  for f in fields(Message) for value in [getattr(message, f.name)]}
        self._add(keys=[self._message_prefix + message.id, self._thread_prefix + thread_id + ":messages"],
                  args=[max(1, self.max_messages), message.id, *[part for pair in stored.items() for part in pair]])
        return message

    def message(self, message_id: str) -> Message | None:
        h = self.redis.hgetall(self._message_prefix + message_id) if PROVIDER_ID.fullmatch(message_id or "") else {}
        return _load(Message, h) if h else None

    def note_attachment(self, message_id: str, n: int, **values) -> None:
        """What fetching a customer's attachment taught us (its size, its checked type), for the next page."""
        found = self.message(message_id)
        if found is not None and 0 <= n < len(found.attachments):
            found.attachments[n].update(values)
            self.redis.eval(_NOTE, 1, self._message_prefix + message_id, json.dumps(found.attachments))

    def messages(self, thread_id: str, limit: int = 200) -> list[Message]:
        ids = self.redis.lrange(self._thread_prefix + thread_id + ":messages", -limit, -1)
        pipe = self.redis.pipeline(transaction=False)
        for message_id in ids:
            pipe.hgetall(self._message_prefix + message_id)
        return [_load(Message, h) for h in pipe.execute() if h]

    def move(self, message_id: str, from_states: tuple[str, ...], to_state: str, **values) -> tuple[bool, str]:
        """Atomically moves an outgoing message between states; (moved, the state it was in)."""
        flat = [x for pair in values.items() for x in (pair[0], str(pair[1]))]
        moved, before = self._move(keys=[self._message_prefix + message_id],
                                   args=[",".join(from_states), to_state, *flat])
        return bool(moved), before

"""Canned replies (issue 19): texts an agent inserts in a reply, per language, with placeholders.

A placeholder is a name in braces, such as {name}. Only the names in PLACEHOLDERS are accepted when a reply is
saved; filling one for an item puts in what the item knows and leaves the others as typed, for the agent to
complete (the reset link is one: the customer backend sends it only to the number on file).
"""
from __future__ import annotations

import json
import re
import time
from dataclasses import asdict, dataclass
from typing import Callable

from social_bridge.chat.canned_keys import CannedKeys

LANGS = ("it", "en")
PLACEHOLDERS = ("name", "case_number", "wait", "reset_link")
MAX_TITLE, MAX_TEXT = 80, 1600
_BRACES = re.compile(r"\{([^{}]*)\}")


class CannedRefused(ValueError):
    """A reply that cannot be saved; the message says why, in the words an editor can act on."""


@dataclass(frozen=True)
class CannedReply:
    id: str
    lang: str
    title: str
    text: str
    updated_by: str = ""
    updated_at: float = 0.0


def unknown_placeholders(text: str) -> list[str]:
    return sorted({name for name in _BRACES.findall(text) if name not in PLACEHOLDERS})


def check(lang: str, title: str, text: str) -> None:
    """Raises CannedRefused with a clear sentence when the reply cannot be saved as it is."""
    if lang not in LANGS:
        raise CannedRefused(f"lang must be one of: {', '.join(LANGS)}")
    if not title.strip() or len(title) > MAX_TITLE:
        raise CannedRefused(f"the title is required, up to {MAX_TITLE} characters")
    if not text.strip() or len(text) > MAX_TEXT:
        raise CannedRefused(f"the text is required, up to {MAX_TEXT} characters")
    unknown = unknown_placeholders(text)
    if unknown:
        raise CannedRefused("unknown placeholder " + ", ".join("{" + n + "}" for n in unknown)
                            + "; the ones available are " + ", ".join("{" + n + "}" for n in PLACEHOLDERS))


def fill(text: str, values: dict[str, str]) -> str:
    """The text with every placeholder the values know replaced; the others stay as typed."""
    return _BRACES.sub(lambda m: values.get(m.group(1)) or m.group(0), text)


def item_values(item, customers, now: float) -> dict[str, str]:
    """What an item knows: the customer's name (customers desk), its case number, how long they have waited."""
    values = {"wait": f"{max(1, round((now - item.acquired_at) / 60))} min"}
    if item.case_number:
        values["case_number"] = f"{item.case_number[:4]} {item.case_number[4:]}"
        case = customers.cases.get(item.case_number) if customers is not None else None
        person = customers.customers.get(case.customer_id) if case is not None and case.customer_id else None
        if person is not None and person.name:
            values["name"] = person.name
    return values


class CannedReplies:
    def __init__(self, redis, clock: Callable[[], float] = time.time, keys: CannedKeys | None = None):
        self.redis, self.clock, self.keys = redis, clock, keys or CannedKeys()

    def all(self, lang: str | None = None) -> list[CannedReply]:
        replies = [CannedReply(**json.loads(raw)) for raw in self.redis.hvals(self.keys.replies)]
        return sorted((r for r in replies if lang in (None, r.lang)), key=lambda r: (r.lang, r.title.lower(), r.id))

    def get(self, reply_id: str) -> CannedReply | None:
        raw = self.redis.hget(self.keys.replies, reply_id)
        return CannedReply(**json.loads(raw)) if raw else None

    def create(self, lang: str, title: str, text: str, by: str) -> CannedReply:
        check(lang, title, text)
        reply_id = str(self.redis.incr(self.keys.sequence))
        return self._save(CannedReply(reply_id, lang, title.strip(), text.strip(), by, self.clock()))

    def update(self, reply_id: str, lang: str, title: str, text: str, by: str) -> CannedReply | None:
        """None when there is no such reply (one deleted meanwhile is not brought back: WATCH, then write)."""
        check(lang, title, text)
        reply = CannedReply(reply_id, lang, title.strip(), text.strip(), by, self.clock())

        def write(pipe) -> CannedReply | None:
            if not pipe.hexists(self.keys.replies, reply_id):
                return None
            pipe.multi()
            pipe.hset(self.keys.replies, reply_id, json.dumps(asdict(reply)))
            return reply

        return self.redis.transaction(write, self.keys.replies, value_from_callable=True)

    def delete(self, reply_id: str) -> bool:
        return bool(self.redis.hdel(self.keys.replies, reply_id))

    def _save(self, reply: CannedReply) -> CannedReply:
        self.redis.hset(self.keys.replies, reply.id, json.dumps(asdict(reply)))
        return reply

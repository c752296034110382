"""Customers: one record per person, with the identities proven to be theirs and the backend's account.

An identity is (kind, value): phone (E.164), whatsapp (E.164), messenger (PSID), x (user id). A new record
is made from the identity a contact arrives with; any further identity joins only with a Proof
(proofs.py). If that identity already belongs to another record, the two records become one (merge):
identities, cases and account move to the record that is kept. Key names carry pseudonyms only.
"""
from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Callable

from social_bridge.customers.keys import CustomerKeys
from social_bridge.customers.proofs import Proof
from social_bridge.privacy.pseudonyms import PersonKeys

IDENTITY_KINDS = ("phone", "whatsapp", "messenger", "x", "web")  # web: a widget's visitor (chat/web_chat.py)
CHANNEL_KIND = {"voice": "phone", "sms": "phone", "whatsapp": "whatsapp", "messenger": "messenger", "x": "x",
                "web": "web"}


@dataclass
class Customer:
    id: str
    created_at: float = 0.0
    name: str = ""
    customer_code: str = ""
    line_number: str = ""
    identities: dict = field(default_factory=dict)   # "kind:value" -> {"proof": ..., "detail": ..., "at": ...}

    def values(self, kind: str) -> list[str]:
        return [key.split(":", 1)[1] for key in self.identities if key.split(":", 1)[0] == kind]


def identity_of(channel: str, sender_id: str) -> tuple[str, str]:
    """The identity a channel's sender stands for ("whatsapp:+39…" senders are numbers too)."""
    return CHANNEL_KIND.get(channel, channel), sender_id.removeprefix("whatsapp:")


def identity_of_item(item) -> tuple[str, str] | None:
    """The identity a new work item came from: a thread's sender, or the number of a callback / voice message."""
    if item.kind == "thread" and ":" in item.customer:
        return identity_of(*item.customer.split(":", 1))
    return ("phone", item.customer) if item.customer.startswith("+") else None


class Customers:
    def __init__(self, redis, persons: PersonKeys, clock: Callable[[], float] = time.time,
                 keys: CustomerKeys | None = None):
        self.redis, self.persons, self.clock, self.keys = redis, persons, clock, keys or CustomerKeys()

    def _identity_key(self, kind: str, value: str) -> str:
        if kind not in IDENTITY_KINDS or not value:
            raise ValueError(f"not an identity: {kind!r}")
        return self.keys.identity(kind, self.persons.of(value))

    def get(self, customer_id: str) -> Customer | None:
        if not customer_id or ":" in customer_id or "{" in customer_id:
            return None
        h = self.redis.hgetall(self.keys.customer(customer_id))
        if not h:
            return None
        identities = {k: json.loads(v) for k, v in self.redis.hgetall(self.keys.identities(customer_id)).items()}
        return Customer(id=customer_id, created_at=float(h.get("created_at", 0)), name=h.get("name", ""),
                        customer_code=h.get("customer_code", ""), line_number=h.get("line_number", ""),
                        identities=identities)

    def find(self, kind: str, value: str) -> Customer | None:
        """The customer an identity is proven to belong to, or None."""
        if kind not in IDENTITY_KINDS or not value:
            return None
        return self.get(self.redis.get(self._identity_key(kind, value)) or "")

    def ensure(self, kind: str, value: str, detail: str = "") -> Customer:
        """The customer of this identity; a new record holding it when nobody has it yet."""
        known = self.find(kind, value)
        if known is not None:
            return known
        customer_id = "cu_" + secrets.token_hex(8)
        if not self.redis.set(self._identity_key(kind, value), customer_id, nx=True):
            return self.find(kind, value)  # a concurrent contact made it first
        self.redis.hset(self.keys.customer(customer_id), mapping={"id": customer_id, "created_at": repr(self.clock())})
        self._add_identity(customer_id, kind, value, Proof("contact", detail))
        return self.get(customer_id)

    def join(self, customer_id: str, kind: str, value: str, proof: Proof) -> Customer:
        """Adds a proven identity; a record that held it before is merged into this one."""
        if not isinstance(proof, Proof) or proof.kind == "contact":
            raise ValueError("an identity joins only with a proof (handoff code, one-time code, backend)")
        owner = self.redis.get(self._identity_key(kind, value))
        if owner and owner != customer_id:
            return self.merge(customer_id, owner, proof)
        self.redis.set(self._identity_key(kind, value), customer_id)
        self._add_identity(customer_id, kind, value, proof)
        return self.get(customer_id)

    def _add_identity(self, customer_id: str, kind: str, value: str, proof: Proof) -> None:
        self.redis.hset(self.keys.identities(customer_id), f"{kind}:{value}",
                        json.dumps({"proof": proof.kind, "detail": proof.detail, "at": self.clock()}))

    def merge(self, keep_id: str, other_id: str, proof: Proof) -> Customer:
        """One person found to be two records: `other` moves into `keep` (identities, cases, account)."""
        keep, other = self.get(keep_id), self.get(other_id)
        if keep is None or other is None or keep_id == other_id:
            raise ValueError("merge needs two existing customers")
        with self.redis.pipeline(transaction=True) as pipe:
            for identity, record in other.identities.items():
                kind, value = identity.split(":", 1)
                pipe.set(self._identity_key(kind, value), keep_id)
                pipe.hset(self.keys.identities(keep_id), identity, json.dumps({**record, "merged_by": proof.kind}))
            for field_name in ("name", "customer_code", "line_number"):
                if getattr(other, field_name) and not getattr(keep, field_name):
                    pipe.hset(self.keys.customer(keep_id), field_name, getattr(other, field_name))
            pipe.zunionstore(self.keys.cases_of(keep_id), [self.keys.cases_of(keep_id), self.keys.cases_of(other_id)],
                             aggregate="MIN")
            for number in self.redis.zrange(self.keys.cases_of(other_id), 0, -1):
                pipe.hset(self.keys.case(number), "customer_id", keep_id)
            pipe.delete(self.keys.customer(other_id), self.keys.identities(other_id), self.keys.cases_of(other_id))
            pipe.zrem(self.keys.names, f"{other.name.lower()}\x00{other_id}")
            pipe.execute()
        if other.name and not keep.name:
            self.set_account(keep_id, name=other.name)
        return self.get(keep_id)

    def set_account(self, customer_id: str, name: str = "", customer_code: str = "", line_number: str = "") -> None:
        """What the customer backend confirmed: the name, the customer code, the line number."""
        current = self.get(customer_id)
        given = (("name", name), ("customer_code", customer_code), ("line_number", line_number))
        values = {k: v for k, v in given if v}
        with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(self.keys.customer(customer_id), mapping=values)
            if name:
                if current and current.name:
                    pipe.zrem(self.keys.names, f"{current.name.lower()}\x00{customer_id}")
                pipe.zadd(self.keys.names, {f"{name.lower()}\x00{customer_id}": 0})
            for account in (customer_code, line_number):
                if account:
                    pipe.set(self.keys.code_index(self.persons.of(account)), customer_id)
            pipe.execute()

    def by_account(self, code_or_line: str) -> Customer | None:
        return self.get(self.redis.get(self.keys.code_index(self.persons.of(code_or_line.strip()))) or "")

    def by_name(self, prefix: str, limit: int = 20) -> list[Customer]:
        start = prefix.strip().lower()
        if not start:
            return []
        found = self.redis.zrangebylex(self.keys.names, f"[{start}", f"[{start}\xff", start=0, num=limit)
        return [c for c in (self.get(entry.split("\x00", 1)[1]) for entry in found) if c]

    def key_names(self, customer_id: str) -> list[str]:
        """Every Redis key naming this person (erasure walks these; case hashes are listed by cases_of)."""
        customer = self.get(customer_id)
        if customer is None:
            return []
        names = [self.keys.customer(customer_id), self.keys.identities(customer_id), self.keys.cases_of(customer_id)]
        names += [self._identity_key(*identity.split(":", 1)) for identity in customer.identities]
        names += [self.keys.code_index(self.persons.of(a)) for a in (customer.customer_code, customer.line_number) if a]
        numbers = self.redis.zrange(self.keys.cases_of(customer_id), 0, -1)
        return names + [self.keys.case(n) for n in numbers]

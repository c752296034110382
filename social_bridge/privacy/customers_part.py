"""The customers package's part of a person (issue 17: social_bridge/customers, keys under {customers}).

Read through CustomerKeys only: a customer is found by the pseudonym of any identity (or by a case
number), widens the person to every identity proven to be theirs, and its keys (record, identities,
case list, cases, item links, the name index entry, account indexes) go with an erasure.
"""
from __future__ import annotations

import json

from social_bridge.customers.keys import CustomerKeys
from social_bridge.privacy.person import Person
from social_bridge.privacy.pseudonyms import PersonKeys

KIND_OF_CHANNEL = {"sms": "phone", "whatsapp": "whatsapp", "messenger": "messenger", "x": "x"}
CHANNELS_OF_KIND = {"phone": ("sms",), "whatsapp": ("whatsapp",), "messenger": ("messenger",), "x": ("x",)}


class CustomerRecords:
    def __init__(self, redis, persons: PersonKeys, keys: CustomerKeys | None = None):
        self.redis, self.persons, self.keys = redis, persons, keys or CustomerKeys()

    def customer_ids(self, person: Person) -> set[str]:
        found = set()
        identities = [("phone", n) for n in person.numbers] + [("whatsapp", n) for n in person.numbers]
        identities += [(KIND_OF_CHANNEL.get(c, c), s.removeprefix("whatsapp:")) for c, s in person.senders]
        for kind, value in identities:
            customer_id = self.redis.get(self.keys.identity(kind, self.persons.of(value)))
            if customer_id:
                found.add(customer_id)
        for item_id in person.item_ids:
            number = self.redis.get(self.keys.case_of_item(item_id))
            customer_id = self.redis.hget(self.keys.case(number), "customer_id") if number else None
            if customer_id:
                found.add(customer_id)
        return found

    def by_case(self, number: str) -> Person:
        case = self.redis.hgetall(self.keys.case(number))
        person = Person(item_ids={case["item_id"]} if case.get("item_id") else set())
        if case.get("customer_id"):
            self.widen_customer(person, case["customer_id"])
        return person

    def by_customer(self, customer_id: str) -> Person:
        person = Person()
        self.widen_customer(person, customer_id)
        return person

    def widen_customer(self, person: Person, customer_id: str) -> None:
        """Every identity and case of the customer belongs to the person."""
        for identity in self.redis.hkeys(self.keys.identities(customer_id)):
            kind, _, value = identity.partition(":")
            if kind in ("phone", "whatsapp"):
                person.numbers.add(value)
                person.senders.update((c, value) for c in ("sms", "whatsapp"))
            else:
                person.senders.update((c, value) for c in CHANNELS_OF_KIND.get(kind, (kind,)))
        for number in self.redis.zrange(self.keys.cases_of(customer_id), 0, -1):
            item_id = self.redis.hget(self.keys.case(number), "item_id")
            if item_id:
                person.item_ids.add(item_id)

    def widen(self, person: Person) -> None:
        for customer_id in self.customer_ids(person):
            self.widen_customer(person, customer_id)

    def export(self, person: Person) -> list[dict]:
        out = []
        for customer_id in sorted(self.customer_ids(person)):
            record = self.redis.hgetall(self.keys.customer(customer_id))
            cases = [self.redis.hgetall(self.keys.case(n)) for n in self.redis.zrange(self.keys.cases_of(customer_id), 0, -1)]
            identities = {k: json.loads(v) for k, v in self.redis.hgetall(self.keys.identities(customer_id)).items()}
            out.append({**record, "identities": identities, "cases": cases})
        return out

    def forget_item(self, item_id: str) -> int:
        """Retention removed a finished item: its case goes, and the customer with it once no case is left."""
        number = self.redis.get(self.keys.case_of_item(item_id))
        removed = self.redis.delete(self.keys.case_of_item(item_id))
        if not number:
            return removed
        customer_id = self.redis.hget(self.keys.case(number), "customer_id")
        removed += self.redis.delete(self.keys.case(number))
        if customer_id:
            self.redis.zrem(self.keys.cases_of(customer_id), number)
            if self.redis.zcard(self.keys.cases_of(customer_id)) == 0:
                removed += self._erase_customer(customer_id)
        return removed

    def erase(self, person: Person, item_ids: set[str]) -> dict[str, int]:
        removed = {"customer records": 0, "cases": 0}
        for customer_id in self.customer_ids(person):
            for number in self.redis.zrange(self.keys.cases_of(customer_id), 0, -1):
                removed["cases"] += self.redis.delete(self.keys.case(number))
            self._erase_customer(customer_id)
            removed["customer records"] += 1
        for item_id in item_ids:
            number = self.redis.get(self.keys.case_of_item(item_id))
            if number:
                removed["cases"] += self.redis.delete(self.keys.case(number))
            self.redis.delete(self.keys.case_of_item(item_id))
        return removed

    def _erase_customer(self, customer_id: str) -> int:
        """The record, its identities (and their pseudonym keys), account indexes and name entry."""
        record = self.redis.hgetall(self.keys.customer(customer_id))
        for identity in self.redis.hkeys(self.keys.identities(customer_id)):
            kind, _, value = identity.partition(":")
            self.redis.delete(self.keys.identity(kind, self.persons.of(value)))
        for account in (record.get("customer_code"), record.get("line_number")):
            if account:
                self.redis.delete(self.keys.code_index(self.persons.of(account)))
        for entry in list(self.redis.zscan_iter(self.keys.names, match="*\x00" + customer_id)):
            self.redis.zrem(self.keys.names, entry[0])
        return sum(self.redis.delete(key) for key in (self.keys.customer(customer_id), self.keys.identities(customer_id),
                                                      self.keys.cases_of(customer_id)))

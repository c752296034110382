"""Redis key names of customers, cases and identity proofs, all under one hash tag.

No key name holds a phone number or a handle: an identity is named by its PersonKeys pseudonym (a keyed
HMAC, social_bridge/privacy/pseudonyms.py). Every key of one person is reachable from the customer record:
its identities (-> their pseudonym keys), its cases (-> case hashes, item links) and its proofs expire on
their own. That is what erasure walks (docs/api.md, "Erasing a customer").
"""
from __future__ import annotations

HASH_TAG = "{customers}"


class CustomerKeys:
    """Names every key of the customers package; all in one Redis Cluster slot."""

    def __init__(self, prefix: str = "nohold") -> None:
        if "{" in prefix or "}" in prefix:
            raise ValueError("prefix must not contain braces: the hash tag is added here")
        self.base = f"{prefix}:{HASH_TAG}"

    def case(self, number: str) -> str:
        """Hash: one case (number, item_id, state, acquired_at, customer_id, ...)."""
        return f"{self.base}:case:{number}"

    def case_of_item(self, item_id: str) -> str:
        """String: the case number of a work item."""
        return f"{self.base}:item_case:{item_id}"

    def customer(self, customer_id: str) -> str:
        """Hash: one customer (id, name, customer_code, line_number, created_at)."""
        return f"{self.base}:customer:{customer_id}"

    def identities(self, customer_id: str) -> str:
        """Hash "kind:value" -> JSON {proof, at}: the customer's verified identities (values, never key names)."""
        return f"{self.base}:customer:{customer_id}:identities"

    def cases_of(self, customer_id: str) -> str:
        """Zset case number -> acquired_at: every case of the customer."""
        return f"{self.base}:customer:{customer_id}:cases"

    def identity(self, kind: str, pseudonym: str) -> str:
        """String: the customer id an identity belongs to, named by the identity's pseudonym."""
        return f"{self.base}:identity:{kind}:{pseudonym}"

    @property
    def names(self) -> str:
        """Zset (all scores 0) of "lowercased name\\x00customer id": prefix search by name."""
        return f"{self.base}:names"

    def code_index(self, pseudonym: str) -> str:
        """String: the customer id of a backend customer code / line number, by its pseudonym."""
        return f"{self.base}:account:{pseudonym}"

    def one_time_code(self, purpose: str, pseudonym: str) -> str:
        """Hash: a one-time code sent by SMS (hash of the code, tries left), per purpose and person."""
        return f"{self.base}:otp:{purpose}:{pseudonym}"

    def identifying(self, session: str) -> str:
        """String: the account keyed in a call or thread (session) awaiting its one-time code."""
        return f"{self.base}:identifying:{session}"

    def identified(self, session: str) -> str:
        """String: the number on file a call or thread has proven to hold (its one-time code came back)."""
        return f"{self.base}:identified:{session}"

"""Identification before account data: the line number or customer code, then a one-time code by SMS.

Before a bill or line details are read, a caller whose number is not the one on file (or anyone, with
IDENTIFY_EVERYONE=1) keys in the customer code or line number; a 6-digit code goes by SMS to the number on
file of that account, never to a number the caller gives; typing it back proves they hold that phone. What
is said meanwhile never tells whether the account exists or which number it has. A proven session (a call
sid, a thread id) then reads that account's data; the customer record learns the account (the backend's
confirmation) and the number on file as a proven identity.
"""
from __future__ import annotations

import json
import time
from typing import Callable

from social_bridge.chat.ports import Prompts, Sms
from social_bridge.customers.customers import Customers
from social_bridge.customers.keys import CustomerKeys
from social_bridge.customers.proofs import OneTimeCodes

PURPOSE = "identify"
PENDING_SECONDS = 600
PROVEN_SECONDS = 3600
ACCOUNT_DIGITS = (6, 16)


def account_digits(typed: str) -> str | None:
    """The digits of a customer code or line number as keyed or written ("C-100231" -> "100231")."""
    digits = "".join(ch for ch in (typed or "") if ch.isdigit())
    return digits if ACCOUNT_DIGITS[0] <= len(digits) <= ACCOUNT_DIGITS[1] else None


class Identification:
    def __init__(self, redis, directory, codes: OneTimeCodes, sms: Sms, prompts: Prompts,
                 unavailable: type[Exception], customers: Customers | None = None,
                 clock: Callable[[], float] = time.time, keys: CustomerKeys | None = None):
        self.redis, self.directory, self.codes, self.sms, self.prompts = redis, directory, codes, sms, prompts
        self.unavailable, self.customers, self.clock = unavailable, customers, clock
        self.keys = keys or CustomerKeys()

    def _account(self, digits: str):
        try:
            find = getattr(self.directory, "find_by_account", None)
            return find(digits) if find is not None else None
        except self.unavailable:
            return None

    def ask(self, session: str) -> None:
        """The session was asked for its customer code or line number (a chat waits for it in its next message)."""
        self.redis.set(self.keys.identifying(session), json.dumps({"account": ""}), ex=PENDING_SECONDS)

    def stage(self, session: str) -> str:
        """"account" (asked, not yet given), "code" (a code is out), or "" (nothing under way)."""
        raw = self.redis.get(self.keys.identifying(session))
        return ("code" if json.loads(raw)["account"] else "account") if raw else ""

    def begin(self, session: str, typed: str, lang: str) -> bool:
        """Texts a code to the number on file of the account keyed; False when nothing was keyed that could be one.

        True does not say the account exists: the answer is the same either way."""
        digits = account_digits(typed)
        if digits is None:
            return False
        self.redis.set(self.keys.identifying(session), json.dumps({"account": digits}), ex=PENDING_SECONDS)
        customer = self._account(digits)
        if customer is not None:
            code = self.codes.issue(PURPOSE, customer.phone)
            self.sms.send_sms(customer.phone, self.prompts.text(lang, "sms.identify_code", code=code),
                              key=f"identify:{session}:{self.clock()!r}", lang=lang)
        return True

    def confirm(self, session: str, typed: str) -> str:
        """"ok" (the session now reads that account), "wrong" (try again), "over" (no code left to try)."""
        raw = self.redis.get(self.keys.identifying(session))
        account = json.loads(raw)["account"] if raw else ""
        customer = self._account(account) if account else None
        if customer is None or not self.codes.pending(PURPOSE, customer.phone):
            self.redis.delete(self.keys.identifying(session))
            return "over"
        if not self.codes.verify(PURPOSE, customer.phone, typed):
            return "wrong"
        self.redis.delete(self.keys.identifying(session))
        self.redis.set(self.keys.identified(session), customer.phone, ex=PROVEN_SECONDS)
        self._learn(customer)
        return "ok"

    def _learn(self, customer) -> None:
        if self.customers is None:
            return
        person = self.customers.ensure("phone", customer.phone, detail="backend")
        self.customers.set_account(person.id, name=customer.name, customer_code=customer.id,
                                   line_number=customer.line_id)

    def identified(self, session: str) -> str:
        """The number on file this session proved it holds; "" when none."""
        return self.redis.get(self.keys.identified(session)) or ""

"""What the written channels need from the rest of nohold, each as a narrow Protocol.

social_bridge never imports ivr: the composition root (ivr/app/services.py) hands in the voice side's
objects — the intent classifier, the desk's hours, the prompts, the spoken forms, the customer records —
and each is typed here by the few methods the chat actually calls.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Protocol


class Interpretation(Protocol):
    intent: str                      # "" when nothing was understood


class Classifier(Protocol):
    def interpret(self, text: str, lang: str) -> Interpretation: ...


class Hours(Protocol):
    """The desk's clock and opening hours, in its timezone."""

    def now(self) -> datetime: ...

    def at(self, timestamp: float) -> datetime: ...

    def is_open(self) -> bool: ...

    def next_opening(self) -> datetime: ...

    def promise(self, item) -> object:
        """After hours: when `item` will be served, a span (Spoken.moment says it)."""


class Prompts(Protocol):
    """Every sentence a customer reads (prompts/<lang>.yaml)."""

    def text(self, lang: str, key: str, **values) -> str: ...

    def position(self, lang: str, position: int | None) -> str: ...

    def keys(self) -> set[str]: ...


class Spoken(Protocol):
    """Waits, moments and days in words."""

    def wait(self, seconds: float, lang: str) -> str: ...

    def moment(self, at: datetime, now: datetime, lang: str) -> str: ...

    def day(self, on: date, today: date, lang: str) -> str: ...


class Bookings(Protocol):
    """The phone's limits on new callbacks to a number, which hold for "call me" by message too."""

    def booking_refused(self, number: str) -> str | None: ...   # "daily" | "breaker" | None

    def booking_counted(self, number: str) -> None: ...


class PhoneNumbers(Protocol):
    """The callback number policy (toll fraud, withheld ids, allowed countries)."""

    def callable(self, raw: str) -> str | None: ...   # the E.164 form when we may call it, else None

    def last_digits(self, number: str) -> str: ...    # "the number ending in …"


class Sms(Protocol):
    """The idempotent SMS sender: one message per key, however often it is asked."""

    def send_sms(self, to: str, body: str, key: str, lang: str = "it") -> str: ...


class Counter(Protocol):
    def incr(self, name: str, amount: int = 1, **labels: str) -> None: ...


class CustomerDirectory(Protocol):
    """The operator's customer records, looked up by phone number; may raise the root's `unavailable` error."""

    def find_by_phone(self, e164: str): ...          # a customer (.phone, .area) or None

    def reset_link(self, customer) -> str: ...       # a one-time URL, texted to customer.phone only

    def line_test(self, customer): ...               # .result, .detail, .down_mbps

    def last_bill(self, customer): ...               # .paid, .amount_cents, .issued_date, .due_date, or None


class OutageBoard(Protocol):
    """Known outages (social_bridge.outages.outages.Outages)."""

    def active_for(self, area: str): ...

    def subscribe(self, outage_id: str, contact: str) -> bool: ...

    def report(self, area: str) -> int: ...

"""The one self-service core: what nohold does on its own for a known customer, on the phone and in writing.

The rules live here once — which topic allows which step, the known outage before any line test, the
reset link sent to the number on file only, the sentence that tells a line test or a bill — and each
channel words the outcome its way: the call (ivr/call/self_service.py) says it and asks "was it useful?",
the chat (social_bridge/chat/self_service_text.py) writes it into the first acknowledgement. Plain Python:
the customer records, the outage board and the SMS sender are passed in by the composition root.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from social_bridge.chat.ports import CustomerDirectory, OutageBoard, Prompts, Sms

INTERNET = ("internet_down", "internet_slow")
TOPICS = (*INTERNET, "account_access", "billing")
ACCOUNT_DATA = (*INTERNET, "billing")   # they read line details or the bill: the asker is identified first
# ... when the number is not on file, only for the bill: a fault reported from an unknown number goes to a
# person at once, as before, rather than through a code first (IDENTIFY_EVERYONE asks for all of them)
IDENTIFY_UNKNOWN = ("billing",)


@dataclass(frozen=True)
class Request:
    """One customer's self-service request, and how the asking channel names its sentences."""

    intent: str
    number: str                 # the number to look the customer up by ("" when none is known)
    lang: str
    today: date
    reset_key: str              # the reset SMS's idempotency key: one per call or thread
    prefix: str                 # the channel's sentences: "self_service." (voice) or "chat.self." (chat)
    report: bool = False        # count an internet_down report for the customer's area (the call does)
    identified: bool = False    # `number` is the number on file this call or thread proved it holds (one-time code)
    identify_all: bool = False  # IDENTIFY_EVERYONE: the number on file alone proves nothing either


@dataclass(frozen=True)
class Step:
    """What self-service did: `kind` names it, `key` is the sentence (under the request's prefix) that tells it."""

    kind: str                   # unknown | identify | unavailable | outage | line_test | reset_link | bill | no_bill
    customer: object = None
    key: str = ""
    restart: bool = False       # a modem restart fixes most of these: the advice follows
    outage: object = None
    test: object = None
    bill: object = None
    why: str = ""               # unavailable: what the backend said


class SelfServiceCore:
    def __init__(self, directory: CustomerDirectory | None, outages: OutageBoard | None, sms: Sms,
                 unavailable: type[Exception]):
        """unavailable: the error the directory raises when the operator's systems are slow or down."""
        self.directory, self.outages, self.sms, self.unavailable = directory, outages, sms, unavailable

    def handles(self, intent: str) -> bool:
        """The topics self-service may solve, when there are customer records to solve them with."""
        return self.directory is not None and intent in TOPICS

    def customer(self, number: str):
        """The customer on file for `number`; None when unknown or when the records cannot be reached."""
        try:
            return self.directory.find_by_phone(number) if number and self.directory is not None else None
        except self.unavailable:
            return None

    def outage_for(self, customer):
        return self.outages.active_for(customer.area) if customer is not None and self.outages is not None else None

    def first_step(self, request: Request, prompts: Prompts) -> Step:
        """The topic's step for the customer on file; never raises for a slow or failing backend."""
        try:
            customer = self.directory.find_by_phone(request.number) if request.number else None
            unknown = customer is None and request.intent in IDENTIFY_UNKNOWN
            if request.intent in ACCOUNT_DATA and not request.identified and (unknown or request.identify_all):
                return Step("identify")  # the customer code or line number, then a one-time code, before any data
            if customer is None:
                return Step("unknown")
            if request.intent in INTERNET:
                return self._internet(request, prompts, customer)
            if request.intent == "account_access":
                return self._reset_link(request, prompts, customer)
            return self._bill(request, customer)
        except self.unavailable as why:
            return Step("unavailable", why=str(why))

    def _internet(self, request: Request, prompts: Prompts, customer) -> Step:
        if request.report and request.intent == "internet_down" and self.outages is not None:
            self.outages.report(customer.area)
        outage = self.outage_for(customer)
        if outage is not None:  # the known outage says it all: no line test
            return Step("outage", customer, outage=outage)
        test = self.directory.line_test(customer)
        key = f"{request.prefix}line_{test.result}" + (f".{test.detail}" if test.result != "ok" else "")
        if key not in prompts.keys():  # a detail we have no sentence for: the general one
            key = f"{request.prefix}line_{test.result}_other"
        restart = test.result != "fault" or test.detail == "modem_offline"
        return Step("line_test", customer, key=key, restart=restart, test=test)

    def _reset_link(self, request: Request, prompts: Prompts, customer) -> Step:
        url = self.directory.reset_link(customer)
        # the number on file only: never the number they call or write from, never one they type
        self.sms.send_sms(customer.phone, prompts.text(request.lang, "self_service.reset_sms", url=url),
                          key=request.reset_key, lang=request.lang)
        return Step("reset_link", customer, key=f"{request.prefix}reset_sent")

    def _bill(self, request: Request, customer) -> Step:
        bill = self.directory.last_bill(customer)
        if bill is None:
            return Step("no_bill", customer)
        state = "paid" if bill.paid else "overdue" if bill.due_date < request.today else "due"
        return Step("bill", customer, key=f"{request.prefix}bill_{state}", bill=bill)

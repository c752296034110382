"""What the operator's systems know about a caller: who they are, their line, their last bill."""
from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import NoReturn, Protocol
from urllib.parse import quote

import requests
import yaml

from ivr.call.callback_policy import last_digits

log = logging.getLogger(__name__)

DEMO_CUSTOMERS = Path(__file__).resolve().parent.parent.parent / "data" / "demo_customers.yaml"
RESET_URL = "https://area-clienti.example.it/reset/{token}"
MAX_TIMEOUT = 2.0  # seconds: the caller is on the line, listening to silence
LANGS = frozenset({"it", "en"})
RESULTS = frozenset({"ok", "fault", "degraded"})
DETAILS = frozenset({"", "no_sync", "modem_offline", "noise", "slow_profile"})


@dataclass(frozen=True)
class Customer:
    id: str
    phone: str          # the number on file, E.164
    name: str           # first name, never spoken (privacy): kept for agents
    area: str           # the exchange/area code outages are declared for, e.g. "MI-NORD"
    line_id: str
    lang: str = "it"    # "it" | "en": preferred language


@dataclass(frozen=True)
class LineTest:
    result: str         # "ok" | "fault" | "degraded"
    detail: str = ""    # "no_sync" | "modem_offline" | "noise" | "slow_profile" | "" (ok)
    down_mbps: float | None = None


@dataclass(frozen=True)
class Bill:
    amount_cents: int
    due_date: date
    issued_date: date
    paid: bool = False


class BackendUnavailable(RuntimeError):
    """Slow (timeout), unreachable or answering nonsense: the caller is told and offered a human."""


class CustomerBackend(Protocol):
    def find_by_phone(self, e164: str) -> Customer | None: ...
    def reset_link(self, customer: Customer) -> str: ...   # one-time URL; nohold texts it to customer.phone only
    def line_test(self, customer: Customer) -> LineTest: ...
    def last_bill(self, customer: Customer) -> Bill | None: ...


def masked(e164: str) -> str:
    """A log-safe form of a number: its last 3 digits only."""
    return "***" + last_digits(e164, 3)


# -- one reading of a record, for the demo file and the API alike (raises ValueError on nonsense) --
def _text(data: dict, key: str, default: str | None = None) -> str:
    value = default if data.get(key) is None else data[key]
    if not isinstance(value, str) or (default is None and not value):
        raise ValueError(f"{key}: expected text")
    return value


def _day(data: dict, key: str) -> date:
    value = data.get(key)
    try:  # YAML reads 2026-11-20 as a date already; JSON brings text
        return value if isinstance(value, date) else date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(f"{key}: expected YYYY-MM-DD") from None


def customer_from(data: dict) -> Customer:
    phone, lang = _text(data, "phone"), _text(data, "lang", "it")
    if not phone.startswith("+"):
        raise ValueError("phone: expected E.164")
    return Customer(id=_text(data, "id"), phone=phone, name=_text(data, "name", ""), area=_text(data, "area"),
                    line_id=_text(data, "line_id"), lang=lang if lang in LANGS else "it")


def line_test_from(data: dict) -> LineTest:
    result, detail, down = _text(data, "result"), _text(data, "detail", ""), data.get("down_mbps")
    if result not in RESULTS:
        raise ValueError("result: unknown")
    if down is not None and (isinstance(down, bool) or not isinstance(down, (int, float)) or down < 0):
        raise ValueError("down_mbps: expected a number")
    if detail not in DETAILS:  # a new diagnosis still leaves the result usable
        log.warning("line test: unknown detail %r, kept the result only", detail[:40])
        detail = ""
    return LineTest(result, detail, None if down is None else float(down))


def bill_from(data: dict) -> Bill:
    amount, paid = data.get("amount_cents"), data.get("paid", False)
    if isinstance(amount, bool) or not isinstance(amount, int) or not isinstance(paid, bool):
        raise ValueError("amount_cents/paid: expected integer cents and true/false")
    return Bill(amount, _day(data, "due_date"), _day(data, "issued_date"), paid)


# -- the demo: a YAML file, for dev mode, scenarios and tests ---------------------------------------
@dataclass(frozen=True)
class DemoRecord:
    customer: Customer
    line_test: LineTest
    bill: Bill | None
    slow: bool = False   # every call about this customer times out

    @classmethod
    def read(cls, entry: dict) -> DemoRecord:
        try:
            bill = entry.get("last_bill")
            return cls(customer_from(entry), line_test_from(entry["line_test"]),
                       bill_from(bill) if bill else None, bool(entry.get("slow")))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"demo customer {entry.get('id')!r}: {exc}") from exc


class DemoBackend:
    """Customers from a file; the one marked slow shows the timeout path without a network."""

    def __init__(self, records: list[DemoRecord], slow_seconds: float = MAX_TIMEOUT):
        self._by_phone = {record.customer.phone: record for record in records}
        self._by_id = {record.customer.id: record for record in records}
        self.slow_seconds = slow_seconds  # what the caller waits before HttpBackend would give up

    @classmethod
    def load(cls, path: Path = DEMO_CUSTOMERS, slow_seconds: float = MAX_TIMEOUT) -> DemoBackend:
        document = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        return cls([DemoRecord.read(entry) for entry in document.get("customers") or []], slow_seconds)

    def _record(self, customer: Customer | None = None, phone: str = "") -> DemoRecord | None:
        record = self._by_id.get(customer.id) if customer else self._by_phone.get(phone)
        if record is not None and record.slow:
            time.sleep(self.slow_seconds)
            raise BackendUnavailable("timeout")
        if record is None and customer:  # the interface has no "none" for these
            raise BackendUnavailable("unknown customer")
        return record

    def find_by_phone(self, e164: str) -> Customer | None:
        record = self._record(phone=e164)
        return record.customer if record else None

    def find_by_account(self, digits: str) -> Customer | None:
        """The customer whose code ("C-100231" keyed as 100231) or line id has these digits."""
        for record in self._by_id.values():
            codes = ("".join(ch for ch in value if ch.isdigit()) for value in (record.customer.id, record.customer.line_id))
            if digits in codes:
                return self._record(phone=record.customer.phone).customer
        return None

    def reset_link(self, customer: Customer) -> str:
        self._record(customer)
        return RESET_URL.format(token=secrets.token_urlsafe(24))

    def line_test(self, customer: Customer) -> LineTest:
        return self._record(customer).line_test

    def last_bill(self, customer: Customer) -> Bill | None:
        return self._record(customer).bill


# -- the operator's REST API (docs/customer-backend.openapi.yaml) -----------------------------------
class HttpBackend:
    """The operator's customer API; anything but a sensible answer within `timeout` is BackendUnavailable."""

    ROUTES = {"find_by_phone": ("GET", "/customers"), "find_by_account": ("GET", "/customers"), "reset_link": ("POST", "/customers/{id}/reset-link"),
              "line_test": ("POST", "/customers/{id}/line-test"), "last_bill": ("GET", "/customers/{id}/bills/last")}

    def __init__(self, base_url: str, token: str = "", timeout: float = MAX_TIMEOUT, http=None):
        if not 0 < timeout <= MAX_TIMEOUT:
            raise ValueError(f"timeout must be within (0, {MAX_TIMEOUT}] seconds: the caller is waiting")
        self.base_url, self.timeout = base_url.rstrip("/"), timeout
        self.http = http or requests.Session()
        self.headers = {"Accept": "application/json"} | ({"Authorization": f"Bearer {token}"} if token else {})

    def _ask(self, operation: str, build, customer: Customer | None = None, params: dict | None = None,
             missing_ok: bool = False):
        """`build` applied to the JSON object answered; None for a 404 where that means "none"."""
        method, route = self.ROUTES[operation]
        path = route.format(id=quote(customer.id, safe="")) if customer else route
        try:
            # requests' timeout bounds each wait on the socket (connect, each read): enough for small JSON
            response = self.http.request(method, self.base_url + path, params=params, headers=self.headers,
                                         timeout=self.timeout)
        except requests.Timeout:
            _fail(route, "timeout")
        except requests.RequestException as exc:
            _fail(route, f"unreachable ({type(exc).__name__})")
        if response.status_code == 404 and missing_ok:
            return None
        if not 200 <= response.status_code < 300:
            _fail(route, f"HTTP {response.status_code}")
        try:
            body = response.json()
            if not isinstance(body, dict):
                raise ValueError("not an object")
            return build(body)
        except (KeyError, TypeError, ValueError) as exc:  # our messages name fields, never values
            _fail(route, f"malformed answer ({exc})")

    def find_by_phone(self, e164: str) -> Customer | None:
        customer = self._ask("find_by_phone", customer_from, params={"phone": e164}, missing_ok=True)
        log.info("customer lookup %s: %s", masked(e164), "found" if customer else "not found")
        return customer

    def find_by_account(self, digits: str) -> Customer | None:
        """The customer of a customer code or line number (the digits a caller keyed)."""
        return self._ask("find_by_account", customer_from, params={"account": digits}, missing_ok=True)

    def reset_link(self, customer: Customer) -> str:
        return self._ask("reset_link", _link_from, customer)

    def line_test(self, customer: Customer) -> LineTest:
        return self._ask("line_test", line_test_from, customer)

    def last_bill(self, customer: Customer) -> Bill | None:
        return self._ask("last_bill", bill_from, customer, missing_ok=True)


def _link_from(data: dict) -> str:
    url = _text(data, "url")
    if not url.startswith("https://"):  # it goes out by SMS: nothing else may pass for our link
        raise ValueError("url: expected https")
    return url


def _fail(route: str, reason: str) -> NoReturn:
    log.warning("customer backend %s: %s", route, reason)
    # from None: the chained requests error would carry the URL, and with it the caller's number
    raise BackendUnavailable(f"{route}: {reason}") from None


def backend_from(url: str, token: str, demo_path: Path) -> CustomerBackend:
    """The operator's API when its URL is set, else the demo customers."""
    if url.strip():
        return HttpBackend(url.strip(), token)
    return DemoBackend.load(demo_path)

"""The customer backend: the shipped demo customers, and the HTTP client against a local operator API."""
from __future__ import annotations

import json
import logging
import socket
import threading
import time
from dataclasses import fields
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import phonenumbers
import pytest
import yaml

from ivr.call.customer_backend import (DEMO_CUSTOMERS, BackendUnavailable, Bill, Customer, DemoBackend, HttpBackend,
                                  LineTest, backend_from)

SPEC = Path(__file__).resolve().parent.parent.parent / "docs" / "customer-backend.openapi.yaml"
SLOW_NUMBER = "+393209998887"
GIULIA = Customer("C-100231", "+393471230231", "Giulia", "MI-NORD", "FTTC-MI-NORD-0231")


@pytest.fixture
def demo():
    return DemoBackend.load(DEMO_CUSTOMERS, slow_seconds=0.05)


# -- the demo customers --------------------------------------------------------------------------
@pytest.mark.parametrize("phone, area, lang, line_test, bill", [
    ("+393471230231", "MI-NORD", "it", LineTest("fault", "no_sync"),
     Bill(2990, date(2026, 11, 25), date(2026, 11, 1), paid=True)),
    ("+393331230472", "RM-EUR", "it", LineTest("ok", "", 942.0),
     Bill(3490, date(2026, 11, 25), date(2026, 11, 1), paid=False)),
    ("+390815567123", "NA-VOMERO", "it", LineTest("degraded", "noise", 6.5),
     Bill(2790, date(2026, 11, 25), date(2026, 11, 1), paid=True)),
    ("+390114567890", "TO-CENTRO", "it", LineTest("fault", "modem_offline"),
     Bill(4500, date(2026, 10, 25), date(2026, 10, 1), paid=False)),
    ("+393389876543", "MI-NORD", "en", LineTest("ok", "", 987.5),
     Bill(2990, date(2026, 11, 25), date(2026, 11, 1), paid=True)),
    ("+393488800231", "MI-NORD", "it", LineTest("fault", "no_sync"), None),
    ("+393488800472", "RM-EUR", "it", LineTest("degraded", "slow_profile", 18.0),
     Bill(3490, date(2026, 11, 25), date(2026, 11, 1), paid=False)),
])
def test_demo_customer(demo, phone, area, lang, line_test, bill):
    customer = demo.find_by_phone(phone)
    assert (customer.phone, customer.area, customer.lang) == (phone, area, lang)
    assert customer.name
    assert customer.line_id
    assert customer.id
    assert demo.line_test(customer) == line_test
    assert demo.last_bill(customer) == bill


def test_demo_numbers_are_real_italian_lines():
    entries = yaml.safe_load(DEMO_CUSTOMERS.read_text(encoding="utf-8"))["customers"]
    numbers = [entry["phone"] for entry in entries]
    assert 6 <= len(numbers) <= 8
    assert len(set(numbers)) == len(numbers)
    for number in numbers:
        parsed = phonenumbers.parse(number)
        assert parsed.country_code == 39, number
        assert phonenumbers.is_valid_number(parsed), number
        assert phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == number


def test_unknown_number_is_nobody(demo):
    assert demo.find_by_phone("+393400000000") is None


def test_demo_reset_link_is_one_time(demo):
    links = {demo.reset_link(GIULIA) for _ in range(3)}
    assert len(links) == 3
    assert all(link.startswith("https://area-clienti.example.it/reset/") for link in links)
    assert all(len(link) > 60 for link in links)


def test_demo_knows_only_its_customers(demo):
    stranger = Customer("C-999999", "+393400000000", "X", "MI-NORD", "L-0")
    with pytest.raises(BackendUnavailable):
        demo.line_test(stranger)


@pytest.mark.parametrize("operation", ["find_by_phone", "line_test", "last_bill", "reset_link"])
def test_slow_demo_customer_times_out(demo, operation):
    entry = next(e for e in yaml.safe_load(DEMO_CUSTOMERS.read_text())["customers"] if e.get("slow"))
    slow = Customer(**{f.name: entry[f.name] for f in fields(Customer)})
    assert slow.phone == SLOW_NUMBER
    started = time.monotonic()
    with pytest.raises(BackendUnavailable, match="timeout"):
        getattr(demo, operation)(slow.phone if operation == "find_by_phone" else slow)
    assert 0.05 <= time.monotonic() - started < 0.5


def test_broken_demo_file_is_refused_at_load(tmp_path):
    path = tmp_path / "customers.yaml"
    path.write_text('customers:\n  - {id: C-1, phone: "+393471234567", area: MI-NORD, line_id: L1,\n'
                    '     line_test: {result: maybe}}\n')
    with pytest.raises(ValueError, match="C-1"):
        DemoBackend.load(path)


# -- the operator's API, played by a local server ---------------------------------------------------
API_CUSTOMER = {"id": "C/1 7", "phone": "+393471234567", "name": "Giulia", "area": "MI-NORD",
                "line_id": "FTTC-1", "lang": "en"}   # an id that must be escaped in the path
CUSTOMER = Customer(**API_CUSTOMER)
CALLS = {  # operation -> the request on the wire, how the test makes it, what the API answers when well
    "find_by_phone": ("GET", "/v1/customers", lambda b: b.find_by_phone("+393471234567"), API_CUSTOMER),
    "reset_link": ("POST", "/v1/customers/C%2F1%207/reset-link", lambda b: b.reset_link(CUSTOMER),
                   {"url": "https://area-clienti.example.it/reset/abc"}),
    "line_test": ("POST", "/v1/customers/C%2F1%207/line-test", lambda b: b.line_test(CUSTOMER),
                  {"result": "degraded", "detail": "noise", "down_mbps": 7}),
    "last_bill": ("GET", "/v1/customers/C%2F1%207/bills/last", lambda b: b.last_bill(CUSTOMER),
                  {"amount_cents": 3490, "due_date": "2026-11-25", "issued_date": "2026-11-01", "paid": False}),
}
EXPECTED = {"find_by_phone": CUSTOMER, "reset_link": "https://area-clienti.example.it/reset/abc",
            "line_test": LineTest("degraded", "noise", 7.0),
            "last_bill": Bill(3490, date(2026, 11, 25), date(2026, 11, 1), paid=False)}


class OperatorApi(BaseHTTPRequestHandler):
    """Answers each (method, path) from `answers`: (status, JSON-able body or raw bytes); 404 otherwise."""
    answers: dict
    seen: list
    delay = 0.0

    def _answer(self) -> None:
        url = urlsplit(self.path)
        self.seen.append({"method": self.command, "path": url.path, "query": parse_qs(url.query),
                          "authorization": self.headers.get("Authorization")})
        status, body = self.answers.get((self.command, url.path), (404, {"message": "no such customer"}))
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        time.sleep(self.delay)
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)
        except (BrokenPipeError, ConnectionResetError):  # the client stopped waiting
            pass

    do_GET = do_POST = _answer

    def log_message(self, format, *args) -> None:  # the test reads .seen
        pass

    @classmethod
    def answer(cls, operation: str, status: int, body) -> None:
        method, path, _, _ = CALLS[operation]
        cls.answers[(method, path)] = (status, body)


@pytest.fixture
def api():
    answers = {(method, path): (200, body) for method, path, _, body in CALLS.values()}
    handler = type("Handler", (OperatorApi,), {"answers": answers, "seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    handler.base_url = f"http://127.0.0.1:{server.server_port}/v1/"
    yield handler
    server.shutdown()
    server.server_close()


@pytest.fixture
def backend(api):
    return HttpBackend(api.base_url, token="s3cret", timeout=0.3)


@pytest.mark.parametrize("operation", CALLS)
def test_http_happy_path(api, backend, operation):
    method, path, call, _ = CALLS[operation]
    assert call(backend) == EXPECTED[operation]
    assert [(r["method"], r["path"], r["authorization"]) for r in api.seen] == [(method, path, "Bearer s3cret")]


def test_http_lookup_sends_the_number_in_e164(api, backend):
    backend.find_by_phone("+393471234567")
    assert api.seen[0]["query"] == {"phone": ["+393471234567"]}


def test_http_without_token_sends_no_authorization(api):
    HttpBackend(api.base_url, timeout=0.3).find_by_phone("+393471234567")
    assert api.seen[0]["authorization"] is None


@pytest.mark.parametrize("operation", ["find_by_phone", "last_bill"])
def test_http_404_is_none_where_none_is_allowed(api, backend, operation):
    api.answer(operation, 404, {"message": "not found"})
    assert CALLS[operation][2](backend) is None


@pytest.mark.parametrize("operation, status, body", [
    ("line_test", 404, {"message": "gone"}),   # the interface has no None for a line test
    ("reset_link", 404, {"message": "gone"}),
    ("find_by_phone", 500, {"message": "boom"}),
    ("find_by_phone", 401, {"message": "bad token"}),
    ("find_by_phone", 200, b"{not json"),
    ("find_by_phone", 200, b"[1, 2]"),
    ("find_by_phone", 200, {"id": "C-1", "phone": "3471234567", "area": "MI-NORD", "line_id": "L"}),
    ("find_by_phone", 200, {"id": "C-1", "phone": "+393471234567", "line_id": "L"}),
    ("line_test", 200, {"result": "maybe"}),
    ("line_test", 200, {"result": "ok", "down_mbps": "fast"}),
    ("reset_link", 200, {"url": "http://phish.example/x"}),
    ("reset_link", 200, {}),
    ("last_bill", 200, {"amount_cents": 12.5, "due_date": "2026-11-25", "issued_date": "2026-11-01"}),
    ("last_bill", 200, {"amount_cents": 1250, "due_date": "25/11/2026", "issued_date": "2026-11-01"}),
    ("last_bill", 503, b"<html>maintenance</html>"),
])
def test_http_failures_and_nonsense_are_unavailable(api, backend, caplog, operation, status, body):
    api.answer(operation, status, body)
    with caplog.at_level(logging.INFO, logger="ivr.call.customer_backend"), pytest.raises(BackendUnavailable) as caught:
        CALLS[operation][2](backend)
    assert "3471234567" not in str(caught.value)
    assert "3471234567" not in caplog.text  # no personal data
    assert caught.value.__suppress_context__  # nor in a chained error's URL


def test_unknown_line_test_detail_keeps_the_result(api, backend):
    api.answer("line_test", 200, {"result": "fault", "detail": "fiber_cut"})
    assert backend.line_test(CUSTOMER) == LineTest("fault", "")


def test_lookup_logs_only_the_last_digits(api, backend, caplog):
    with caplog.at_level(logging.INFO, logger="ivr.call.customer_backend"):
        backend.find_by_phone("+393471234567")
    assert "***567" in caplog.text
    assert "1234567" not in caplog.text


def test_http_slow_answer_times_out_in_about_the_timeout(api, backend):
    api.delay = 1.0
    started = time.monotonic()
    with pytest.raises(BackendUnavailable, match="timeout"):
        backend.line_test(CUSTOMER)
    assert 0.25 <= time.monotonic() - started < 0.8


def test_http_connection_refused_is_unavailable():
    with socket.socket() as probe:  # a port nobody listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(BackendUnavailable, match="unreachable"):
        HttpBackend(f"http://127.0.0.1:{port}", timeout=0.3).find_by_phone("+393471234567")


def test_http_timeout_is_bounded_by_the_callers_patience():
    with pytest.raises(ValueError):
        HttpBackend("http://127.0.0.1:1", timeout=5)


def test_openapi_names_every_call_the_client_makes():
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    assert spec["openapi"].startswith("3.")
    for method, route in HttpBackend.ROUTES.values():
        operation = spec["paths"][route][method.lower()]
        assert "200" in operation["responses"]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_backend_from_picks_the_api_when_configured():
    assert isinstance(backend_from("https://customer-api.example.it/v1", "t", DEMO_CUSTOMERS), HttpBackend)
    assert isinstance(backend_from("", "", DEMO_CUSTOMERS), DemoBackend)

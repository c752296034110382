"""Console login limits on the real app (issue 13, item 4): the client address comes from X-Forwarded-For only
as many hops deep as TRUSTED_PROXY_HOPS says; bad tries on a name cost a growing wait, never a lock-out of the
right password; every client address has a cap on attempts, all names together, reached before scrypt runs."""
from __future__ import annotations

import re
import threading

import pytest

from ivr import create_app
from social_bridge.queue import agents as agents_module
from social_bridge.queue.login_limits import LOGIN_PER_ADDRESS, client_network
from tests.integration.test_console import csrf_of

PASSWORD = "a long enough password"
PROXY = "10.0.0.1"  # the reverse proxy: what remote_addr is for everyone behind it


def make_app(settings, clock, **overrides):
    application = create_app({"SETTINGS": settings.with_overrides(**overrides), "CLOCK": clock})
    application.testing = True
    application.extensions["social_bridge"].agents.create("Maria", PASSWORD)
    return application


@pytest.fixture
def proxied(settings, clock, redis_client):
    """Behind one reverse proxy that appends the client's address to X-Forwarded-For."""
    application = make_app(settings, clock, trusted_proxy_hops=1)
    yield application
    application.extensions["nohold"].metrics.close()


@pytest.fixture
def direct(settings, clock, redis_client):
    """No proxy trusted (the default): X-Forwarded-For is whatever the client wrote."""
    application = make_app(settings, clock)
    yield application
    application.extensions["nohold"].metrics.close()


def attempt(app, name: str, password: str = "guess", client_addr: str | None = None, peer: str = PROXY):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = peer
    headers = {"X-Forwarded-For": client_addr} if client_addr else {}
    csrf = csrf_of(client)
    return client.post("/console/login", headers=headers,
                       data={"name": name, "password": password, "csrf_token": csrf})


@pytest.fixture
def hashes(monkeypatch):
    """Counts the password checks (the real scrypt still runs)."""
    calls = []
    real = agents_module.check_password_hash

    def counted(*args):
        calls.append(1)
        return real(*args)
    monkeypatch.setattr(agents_module, "check_password_hash", counted)
    return calls


def test_behind_the_proxy_bad_tries_delay_the_agent_but_never_lock_her_out(proxied, clock):
    """Before: five bad tries by anyone behind the proxy (same remote_addr) gave the real agent 429 for 5 min."""
    for _ in range(5):
        assert attempt(proxied, "maria", client_addr="203.0.113.7").status_code == 401
        clock.advance(10)
    clock.advance(-10)
    waiting = attempt(proxied, "maria", PASSWORD, client_addr="198.51.100.4")
    assert waiting.status_code == 429
    assert waiting.headers["Retry-After"] == "2"
    assert "riprova tra 2 secondi" in waiting.text
    clock.advance(2)
    assert attempt(proxied, "maria", PASSWORD, client_addr="198.51.100.4").status_code == 302


def test_one_address_is_capped_over_all_names_before_any_password_hash_runs(proxied, clock, hashes):
    """Before: random names were never limited, and each one cost a scrypt."""
    for i in range(LOGIN_PER_ADDRESS):
        assert attempt(proxied, f"random-{i}", client_addr="203.0.113.7").status_code == 401
    assert len(hashes) == LOGIN_PER_ADDRESS
    capped = attempt(proxied, "random-x", client_addr="203.0.113.7")
    assert capped.status_code == 429
    assert 1 <= int(capped.headers["Retry-After"]) <= 60
    assert attempt(proxied, "maria", PASSWORD, client_addr="203.0.113.7").status_code == 429  # all names together
    assert len(hashes) == LOGIN_PER_ADDRESS  # refused before scrypt
    assert attempt(proxied, "maria", PASSWORD, client_addr="198.51.100.4").status_code == 302  # another client
    clock.advance(int(capped.headers["Retry-After"]))
    assert attempt(proxied, "maria", PASSWORD, client_addr="203.0.113.7").status_code == 302  # the window ends


def test_the_client_is_the_address_the_trusted_proxy_saw_not_one_written_before_it(proxied):
    for i in range(LOGIN_PER_ADDRESS):  # the client prepends made-up hops; the proxy appends the real one
        assert attempt(proxied, f"random-{i}", client_addr=f"192.0.2.{i}, 203.0.113.7").status_code == 401
    assert attempt(proxied, "random-x", client_addr="192.0.2.99, 203.0.113.7").status_code == 429


def test_without_trusted_hops_x_forwarded_for_changes_nothing(direct, settings):
    assert settings.trusted_proxy_hops == 0
    for i in range(LOGIN_PER_ADDRESS):  # a new made-up address each time does not escape the cap
        assert attempt(direct, f"random-{i}", client_addr=f"192.0.2.{i}", peer="203.0.113.7").status_code == 401
    assert attempt(direct, "random-x", client_addr="192.0.2.99", peer="203.0.113.7").status_code == 429
    assert attempt(direct, "maria", PASSWORD, client_addr="192.0.2.99", peer="198.51.100.4").status_code == 302


def test_the_cap_is_a_setting(settings, clock, redis_client):
    small = make_app(settings, clock, login_attempts_per_address=2)
    try:
        assert [attempt(small, "nobody", peer="203.0.113.7").status_code for _ in range(3)] == [401, 401, 429]
    finally:
        small.extensions["nohold"].metrics.close()


def test_an_unknown_name_gets_exactly_the_answers_a_known_one_gets(proxied, clock):
    def answers(name: str, addr: str) -> list:
        seen = []
        for _ in range(7):
            response = attempt(proxied, name, client_addr=addr)
            said = re.search(r'<p class="flash error"[^>]*>([^<]*)</p>', response.text).group(1)
            seen.append((response.status_code, response.headers.get("Retry-After"), said))
            clock.advance(0.5)
        return seen

    known, unknown = answers("maria", "203.0.113.7"), answers("mario", "198.51.100.4")
    assert known == unknown
    assert [(status, wait) for status, wait, _ in known] == [(401, None)] * 4 + [(429, "1"), (401, None), (429, "2")]


def test_concurrent_guesses_on_one_name_cannot_slip_through_together(proxied):
    """Before: the limit was read, then scrypt ran, then the failure was written: ten guesses sent at once
    were all checked. Now an attempt is counted before its password is."""
    statuses, start = [], threading.Barrier(10)

    def guess(i):
        client = proxied.test_client()
        client.environ_base["REMOTE_ADDR"] = PROXY
        data = {"name": "maria", "password": f"guess {i}", "csrf_token": csrf_of(client)}
        start.wait()
        statuses.append(client.post("/console/login", data=data,
                                    headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [401] * 4 + [429] * 6


@pytest.mark.parametrize("addr, counted_as", [
    ("203.0.113.7", "203.0.113.7"),
    ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
    ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
    ("::ffff:203.0.113.7", "203.0.113.7"),
    ("", ""),
    ("not an address", "not an address"),
])
def test_an_ipv6_client_is_counted_by_its_64(addr, counted_as):
    assert client_network(addr) == counted_as

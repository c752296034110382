"""`make run` (python -m ivr run) with more live console streams open than the web server has threads:
the webhooks and /healthz still answer at once, every stream hears a queue change within a second, an
agent's sixth stream is refused, and chromium's console receives live updates from the stream server.

Issue 13: each stream used to hold one of the web server's 2 x 16 threads; 34 streams of one login made
/healthz take 8 s and a signed /voice/incoming 20 s. The streams here are opened where the console page
says they live (its data-events), as a browser would."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import psutil
import pytest
import redis as redis_lib
import requests
from twilio.request_validator import RequestValidator

from bench.load.stream_clients import StreamClients
from social_bridge.queue.agents import AgentDirectory
from social_bridge.queue.work_item import WorkItem
from social_bridge.queue.work_queue import WorkQueue
from tests.e2e.test_cluster import _eventually, _free_port
from tests.integration.test_console import PASSWORD

ROOT = Path(__file__).resolve().parent.parent.parent
WEB_THREADS = 2 * 16       # what ivr/runtime/launcher.py gives the web server
AGENTS, PER_AGENT = 9, 5   # 45 streams
FAST = 2.0                 # seconds; Twilio gives up on a webhook at 15


def _up(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    """`python -m ivr run` on free ports; the stream server's port is given the way an operator would."""
    tmp = tmp_path_factory.mktemp("make-run")
    port, stream_port = _free_port(), _free_port()
    env = {**os.environ, "NOHOLD_VAR_DIR": str(tmp / "var"), "PORT": str(port), "NOHOLD_DEV_TOKEN": "dev",
           "TRANSCRIPTION_ENGINE": "off", "CONSOLE_STREAM_URL": f"http://localhost:{stream_port}/console/events"}
    for name in ("REDIS_URL", "REDIS_CLUSTER_URL", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "PUBLIC_BASE_URL"):
        env.pop(name, None)
    log = (tmp / "run.log").open("w")
    launcher = subprocess.Popen([sys.executable, "-m", "ivr", "run"], cwd=ROOT, env=env, stdout=log,
                                stderr=subprocess.STDOUT)
    everything: set[int] = set()
    try:
        _eventually("the web server answering /healthz", lambda: _up(f"http://127.0.0.1:{port}/healthz"), 120)
        redis_url = (tmp / "var" / "redis.url").read_text().strip()
        client = redis_lib.Redis.from_url(redis_url, decode_responses=True)
        yield {"port": port, "web": f"http://localhost:{port}", "redis": client, "var": tmp / "var",
               "log": tmp / "run.log"}
        everything |= {p.pid for p in psutil.Process(launcher.pid).children(recursive=True)}
        launcher.send_signal(signal.SIGTERM)
        assert launcher.wait(60) == 0
        left = [pid for pid in everything if psutil.pid_exists(pid) and psutil.Process(pid).status() != "zombie"]
        assert left == [], f"processes left behind: {left}"
    finally:
        if launcher.poll() is None:
            launcher.kill()
        for pid in everything:
            if psutil.pid_exists(pid):
                psutil.Process(pid).kill()
        log.close()


def login(web: str, name: str, password: str = PASSWORD) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{web}/console/login", timeout=10).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = session.post(f"{web}/console/login", data={"name": name, "password": password, "csrf_token": csrf},
                          allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    return session


def stream_url_of(session: requests.Session, web: str) -> str:
    """Where the console page opens its EventSource."""
    page = session.get(f"{web}/console/", timeout=10).text
    return urljoin(f"{web}/console/", re.search(r'data-events="([^"]+)"', page).group(1))


def signed_incoming(web: str) -> tuple[requests.Response, float]:
    caller = "+39347" + str(uuid.uuid4().int)[:7]
    params = {"CallSid": "CA" + uuid.uuid4().hex, "AccountSid": "AC" + "0" * 32, "From": caller, "Caller": caller,
              "To": "+390212345678", "CallStatus": "ringing", "Direction": "inbound", "ApiVersion": "2010-04-01"}
    signature = RequestValidator("dev").compute_signature(f"{web}/voice/incoming", params)
    started = time.monotonic()
    answer = requests.post(f"{web}/voice/incoming", data=params, headers={"X-Twilio-Signature": signature}, timeout=10)
    return answer, time.monotonic() - started


def timed_get(url: str) -> tuple[int, float]:
    started = time.monotonic()
    return requests.get(url, timeout=10).status_code, time.monotonic() - started


def enqueue(client, marker: str) -> None:
    WorkQueue(client).enqueue(WorkItem(id=marker, kind="callback", channel="voice", lang="it", acquired_at=time.time(),
                                       natural_key=f"test:{marker}", customer="+393471234567", intent="internet_down"))


def test_more_streams_than_web_threads_leave_the_webhooks_fast(running):
    web, client = running["web"], running["redis"]
    directory = AgentDirectory(client)
    names = [f"agent{n}" for n in range(AGENTS)]
    for name in names:
        directory.create(name, PASSWORD)
    sessions = [login(web, name) for name in names]
    answer, _ = signed_incoming(web)  # the first call warms the intent model up
    assert answer.status_code == 200
    assert "<Response>" in answer.text
    stream = stream_url_of(sessions[0], web)
    url = urlsplit(stream)
    cookies = [f"session={s.cookies['session']}" for s in sessions for _ in range(PER_AGENT)]
    assert len(cookies) > WEB_THREADS
    health = requests.get(f"http://127.0.0.1:{url.port}/healthz", timeout=5).json()
    assert health["ok"]
    assert health["cooperative"]  # gevent patched threading before the app was built
    clients = StreamClients("127.0.0.1", url.port, url.path, web)
    try:
        clients.add(cookies, timeout=20)  # every stream got the queue: none is waiting for a thread
        for _ in range(3):
            status, took = timed_get(f"http://127.0.0.1:{running['port']}/healthz")
            assert status == 200, f"/healthz took {took:.1f} s"
            assert took < FAST, f"/healthz took {took:.1f} s"
            answer, took = signed_incoming(web)
            assert answer.status_code == 200
            assert "<Response>" in answer.text
            assert took < FAST, f"a signed /voice/incoming took {took:.1f} s with {len(cookies)} streams open"
        marker = "t" + uuid.uuid4().hex[:12]
        clients.mark(marker)
        enqueue(client, marker)
        _eventually("every stream hearing the change", lambda: all(marker in s.seen for s in clients.streams), 5)
        delays = sorted(s.seen[marker][0] for s in clients.streams)
        assert delays[-1] < 1.0, f"slowest stream heard the change after {delays[-1]:.2f} s"
        sixth = requests.get(f"{url.scheme}://127.0.0.1:{url.port}{url.path}", timeout=5,
                             headers={"Accept": "text/event-stream", "Cookie": cookies[0]})
        assert sixth.status_code == 429
        assert "5 live console streams" in sixth.json()["message"]
    finally:
        clients.close()
    # the web server's own route answers at once, holding nothing
    events = sessions[0].get(f"{web}/console/events", allow_redirects=False, timeout=5,
                             headers={"Accept": "text/event-stream"})
    assert events.status_code == 307
    assert events.headers["Location"] == stream


def test_the_console_in_chromium_hears_live_updates_from_the_stream_server(running):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in requirements-dev.txt")
    from tests.e2e.test_console_browser import CHROMIUM, FLAGS  # skips when Debian's chromium is missing

    web, client = running["web"], running["redis"]
    password = (running["var"] / "dev-agent-password").read_text().strip()
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = chromium.new_page(locale="it-IT")
            refused = []  # what the browser says when CSP or CORS stops the stream
            page.on("console", lambda m: refused.append(m.text) if re.search(
                "Content Security Policy|CORS|EventSource", m.text) else None)
            page.goto(f"{web}/console/login")
            page.fill("input[name=name]", "dev")
            page.fill("input[name=password]", password)
            page.click("button[type=submit]")
            page.wait_for_selector("#live:not([hidden]):not(.off)", timeout=10000)
            stream = page.evaluate("document.body.dataset.events")
            assert urlsplit(stream).port != running["port"]  # another server: the stream server
            marker = "b" + uuid.uuid4().hex[:12]
            started = time.monotonic()
            enqueue(client, marker)
            page.wait_for_selector(f"#rows tr[data-id='{marker}']", timeout=3000)
            assert time.monotonic() - started < 1.5
            assert not page.locator("#live.off").count()
            assert refused == [], refused
        finally:
            chromium.close()

"""An agent frozen past the lease (SIGSTOP of a real client process): the item goes to another agent, and the
frozen one's renewals and late completion are refused once it wakes (SIGCONT); the item is the second agent's.

Real Redis, the whole app served over HTTP by werkzeug in a thread, the agent as tests/support/agent_client.py in a
subprocess; LEASE_SECONDS = 2. About 7 s.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from ivr import create_app
from ivr.runtime.redis_server import free_port
from social_bridge.queue.work_item import WorkItem
from tests.support.served import served as serving

ROOT = Path(__file__).resolve().parent.parent.parent
LEASE = 2
PASSWORD = "long enough secret"


@pytest.fixture
def served(settings, redis_client):
    """The app with a 2 s lease on the real clock, listening on a free port."""
    app = create_app({"SETTINGS": settings.with_overrides(lease_seconds=LEASE), "CLOCK": time.time})
    with serving(app, free_port()) as url:
        yield app, url
    app.extensions["nohold"].metrics.close()


class AgentProcess:
    """tests/support/agent_client.py running as its own process; its JSON lines read as they come."""

    def __init__(self, base: str, token: str):
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.support.agent_client", base, token], cwd=ROOT,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.lines: list[dict] = []  # every line so far (appended by the reader thread)
        threading.Thread(target=lambda: [self.lines.append(json.loads(line)) for line in self.proc.stdout],
                         daemon=True).start()

    def next(self, event: str, timeout: float = 15) -> dict:
        """The first line about `event`, waiting for it up to `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [line for line in list(self.lines) if line["event"] == event]
            if found:
                return found[0]
            time.sleep(0.02)
        raise AssertionError(f"the agent process never reported {event!r}: {self.lines}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGCONT)
            self.proc.kill()
        self.proc.wait()


@pytest.fixture
def agents(served):
    app, base = served
    directory = app.extensions["social_bridge"].agents
    directory.create("Maria", PASSWORD)
    directory.create("Luca", PASSWORD)
    return {name: directory.issue_token(name) for name in ("maria", "luca")}


@pytest.mark.timeout(60)
def test_a_frozen_agent_loses_the_item_and_its_late_completion_is_refused(served, agents, nohold):
    app, base = served
    queue_ = app.extensions["nohold"].queue
    item = queue_.enqueue(WorkItem(id="", kind="callback", channel="voice", lang="it", acquired_at=time.time() - 60,
                                   natural_key="callback:+393471234567", customer="+393471234567")).item
    maria = AgentProcess(base, agents["maria"])
    try:
        assert maria.next("claimed")["item"] == item.id
        time.sleep(LEASE + 0.5)  # renewing: the item stays Maria's past one lease
        assert queue_.get(item.id).claimed_by == "maria"

        os.kill(maria.proc.pid, signal.SIGSTOP)
        time.sleep(LEASE + 1)
        luca = requests.Session()
        luca.headers["Authorization"] = f"Bearer {agents['luca']}"
        taken = luca.post(f"{base}/api/claims/next", json={}, timeout=10)
        assert taken.status_code == 200
        assert taken.json()["item"]["id"] == item.id
        luca_fence = taken.json()["fence"]

        os.kill(maria.proc.pid, signal.SIGCONT)
        # woken, the client's renewal loop runs within RENEW seconds; wait for its answer before asking the
        # client to complete, or the completion could end the loop before it ever renews
        renewal = maria.next("renew", timeout=10)
        maria.proc.stdin.write("complete\n")
        maria.proc.stdin.flush()
        late = maria.next("complete")
        print(f"\nfrozen agent after SIGCONT: renew → {renewal['status']} {renewal['body']['error']}, "
              f"complete → {late['status']} {late['body']['error']}")
        assert late["status"] in (403, 409)
        assert renewal["status"] in (403, 409)
        held = queue_.get(item.id)
        assert (held.status, held.claimed_by, held.fence, held.outcome) == ("claimed", "luca", luca_fence, "")

        done = luca.post(f"{base}/api/items/{item.id}/complete", json={"fence": luca_fence, "outcome": "not_reachable"},
                         timeout=10)
        assert done.status_code == 200
        final = queue_.get(item.id)
        assert (final.status, final.outcome) == ("done", "not_reachable")
        assert [e["event"] for e in queue_.history(item.id)].count("completed") == 1
    finally:
        maria.stop()

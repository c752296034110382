"""Kill -9 real workers while they place 200 agent legs: nothing is dialed twice, nothing is lost.

Part of `make test` (about 30 s: the worker preloads before it forks); `make faults` runs it alone, with
its output. FAULTS_SEED changes when the kills land; FAULTS_WORKER replaces `-m ivr worker` (e.g. a script that preloads before forking).
"""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import holidays
import psutil
import pytest
import redis as redis_lib
from rq import Queue

from ivr.dialer.services import build_dialer
from ivr.jobs.messages import QUEUE_NAME
from ivr.call.messaging import Messages
from ivr.app.settings import load_settings
from social_bridge.queue.agents import Agent
from social_bridge.queue.work_item import WorkItem
from tests.support.fake_twilio import FakeTwilio

pytestmark = pytest.mark.faults
ROOT = Path(__file__).resolve().parent.parent.parent
ATTEMPTS = 200
KILLS = 6
WORKER = os.environ.get("FAULTS_WORKER", "-m ivr worker").split()
SETTLED = {"agent_ringing", "needs_review"}  # no one plays the calls back here: ringing is as far as they get


def _ordinary_day_country() -> str:
    """A holiday calendar in which today and tomorrow are working days (the desk must be open)."""
    days = (date.today(), date.today() + timedelta(days=1))
    for country in ("IT", "GB", "JP", "SE", "US", "BR"):
        calendar = holidays.country_holidays(country)
        if not any(day in calendar for day in days):
            return country
    pytest.skip("every candidate country has a holiday today or tomorrow")


@pytest.fixture
def fake():
    # a pause between Twilio recording a call and answering: a kill there leaves a placed call unrecorded
    server = FakeTwilio(auth_token="secret", create_delay=0.05).start()
    yield server
    server.stop()


@pytest.fixture
def env(redis_url, tmp_path, fake):
    return {"REDIS_URL": redis_url, "NOHOLD_VAR_DIR": str(tmp_path / "var"),
            "PUBLIC_BASE_URL": "https://nohold.example.it", "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
            "TWILIO_AUTH_TOKEN": "secret", "TWILIO_NUMBER": "+390212345678", "TWILIO_API_BASE": fake.base_url,
            "SECRET_KEY": "k" * 32, "BUSINESS_HOURS": "mon-sun 00:00-24:00", "HOLIDAY_COUNTRY": _ordinary_day_country(),
            "LEASE_SECONDS": "600"}


class Workers:
    """`python -m ivr worker` processes this test starts, and kills by pid (with their work horses)."""

    def __init__(self, env: dict, log_dir: Path):
        self.env = {**os.environ, **env}
        self.log_dir, self.started = log_dir, 0
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.started += 1
        log = open(self.log_dir / f"worker-{self.started}.log", "w")
        self.process = subprocess.Popen([sys.executable, *WORKER], cwd=ROOT, env=self.env,
                                        stdout=log, stderr=subprocess.STDOUT)
        log.close()

    def kill_9(self) -> None:
        """Like a machine dying: the worker stopped first (no new horse), then it and its horses killed."""
        parent = psutil.Process(self.process.pid)
        parent.suspend()
        family = parent.children(recursive=True)
        for process in [parent, *family]:
            try:
                os.kill(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait()
        psutil.wait_procs(family, timeout=5)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)  # warm shutdown: the current job finishes
        self.process.wait(timeout=30)

    def kill_all(self) -> None:
        """Whatever happens in the test, no worker of ours outlives it."""
        if self.process is not None and self.process.poll() is None:
            self.kill_9()


def _left_half_way(dialer, attempt_ids) -> int:
    with dialer.attempts.redis.pipeline(transaction=False) as pipe:
        for attempt_id in attempt_ids:
            pipe.hget(dialer.attempts.key(attempt_id), "state")
        return sum(state in ("created", "dialing") for state in pipe.execute())


def _wait_until_placed(dialer, attempt_ids, redis_url: str, timeout: float) -> bool:
    queue = Queue(QUEUE_NAME, connection=redis_lib.Redis.from_url(redis_url))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if queue.count == 0 and _left_half_way(dialer, attempt_ids) == 0:
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def workers(env, tmp_path):
    started = Workers(env, tmp_path)
    yield started
    started.kill_all()


@pytest.mark.timeout(400)
def test_killed_workers_never_dial_twice_and_lose_no_attempt(redis_client, redis_url, env, fake, workers):
    began = time.monotonic()
    settings = load_settings(environ=env)
    dialer = build_dialer(settings, redis_client, Messages(redis_client, lambda message_id: None))
    agents = [Agent(f"agent-{n}", f"Agent {n}", "agent", ("it",), f"+3933300000{n:02d}") for n in range(20)]
    attempt_ids = []
    for n in range(ATTEMPTS):
        customer = f"+3934712{n:05d}"
        item = dialer.queue.enqueue(WorkItem(id="", kind="callback", channel="voice", lang="it",
                                             acquired_at=time.time() - n, natural_key=f"callback:{customer}",
                                             customer=customer)).item
        agent = agents[n % len(agents)]
        claim = dialer.claims.claim(item.id, agent.id)
        attempt_ids.append(dialer.start(claim.item, claim, agent))

    rng = random.Random(os.environ.get("FAULTS_SEED", "nohold"))
    for _ in range(KILLS):
        workers.start()
        time.sleep(rng.uniform(0.8, 2.5))  # a worker needs ~0.5 s to start taking jobs
        workers.kill_9()
    states_after_kills = Counter(dialer.attempts.get(a).state for a in attempt_ids)

    swept = dialer.sweep(grace=0)  # what `python -m ivr reconcile` runs; no worker is alive now
    workers.start()
    placed = _wait_until_placed(dialer, attempt_ids, redis_url, timeout=300)
    workers.stop()
    assert placed, f"{_left_half_way(dialer, attempt_ids)} attempts still created or dialing"
    swept_again = dialer.sweep(grace=0)

    per_attempt = Counter(call["url"].rsplit("attempt=", 1)[1] for call in fake.created_calls())
    final = {a: dialer.attempts.get(a) for a in attempt_ids}
    states = Counter(attempt.state for attempt in final.values())
    print(f"\n{ATTEMPTS} attempts, {workers.started} worker starts, {KILLS} kill -9s, "
          f"{time.monotonic() - began:.1f} s"
          f"\n  states after the kills: {dict(states_after_kills)}"
          f"\n  sweep after the kills: {swept}; after the last worker: {swept_again}"
          f"\n  final states: {dict(states)}"
          f"\n  calls.create per attempt: {dict(sorted(Counter(per_attempt[a] for a in attempt_ids).items()))}"
          f" (total {sum(per_attempt.values())})")

    assert max(per_attempt.values()) == 1, "an attempt was dialed twice"
    assert set(per_attempt) <= set(attempt_ids)
    assert set(states) <= SETTLED, f"attempts left half-way: {states}"
    for attempt_id, attempt in final.items():
        if attempt.state == "agent_ringing":  # rang once, and we know which call it is
            assert per_attempt[attempt_id] == 1
            assert fake.calls[attempt.agent_call_sid]["url"].endswith(attempt_id)
        else:  # flagged for a person, and (since reconcile found nothing) never rung
            assert per_attempt[attempt_id] == 0
            assert attempt_id in dialer.attempts.to_review()

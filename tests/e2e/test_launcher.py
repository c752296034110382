"""`make run` itself (python -m ivr run): embedded Redis, web and worker up, a call served end to end;
a worker killed with kill -9 is started again and takes the next jobs; SIGTERM stops everything."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
import redis as redis_lib
import requests
import yaml

from ivr.call.messaging import DevOutbox
from ivr.simulate import HttpTransport, Phone
from tests.e2e.test_cluster import _eventually, _free_port
from tests.faults.test_dialer_faults import _ordinary_day_country

pytestmark = pytest.mark.faults
ROOT = Path(__file__).resolve().parent.parent.parent
SCRIPT = yaml.safe_load((ROOT / "scenarios" / "it_internet_callback.yaml").read_text())


def _worker_of(launcher: psutil.Process) -> psutil.Process | None:
    for child in launcher.children():
        try:
            if child.cmdline()[-2:] == ["ivr", "worker"]:
                return child
        except psutil.NoSuchProcess:
            continue
    return None


def _up(port: int) -> bool:
    try:
        return requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def _redis_view(url: str) -> str:
    """Who is connected and blocked (a job handed to a connection nobody reads is lost), and the queue's lists."""
    client = redis_lib.Redis.from_url(url, decode_responses=True)
    clients = [f"{c['addr']} age={c['age']} idle={c['idle']} cmd={c['cmd']}" for c in client.client_list()]
    lists = [f"{key}: {client.lrange(key, 0, -1)}" for key in sorted(client.keys("rq:queue:*")) if client.type(key) == "list"]
    return "\n".join(clients + lists)


def test_make_run_serves_restarts_a_killed_worker_and_stops_cleanly(tmp_path):
    port = _free_port()
    env = {**os.environ, "NOHOLD_VAR_DIR": str(tmp_path / "var"), "PORT": str(port), "NOHOLD_DEV_TOKEN": "dev",
           "TRANSCRIPTION_ENGINE": "off", "BUSINESS_HOURS": "mon-sun 00:00-24:00",
           "HOLIDAY_COUNTRY": _ordinary_day_country()}
    for name in ("REDIS_URL", "REDIS_CLUSTER_URL", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "PUBLIC_BASE_URL"):
        env.pop(name, None)
    log = (tmp_path / "run.log").open("w")
    launcher = subprocess.Popen([sys.executable, "-m", "ivr", "run"], cwd=ROOT, env=env, stdout=log,
                                stderr=subprocess.STDOUT)
    parent = psutil.Process(launcher.pid)
    everything: set[int] = set()
    try:
        _eventually("the web server answering /healthz", lambda: _up(port), 90)
        redis_url = (tmp_path / "var" / "redis.url").read_text().strip()
        outbox = DevOutbox(redis_lib.Redis.from_url(redis_url, decode_responses=True))
        phone = Phone(f"http://localhost:{port}", "dev", HttpTransport(), out=None)

        def booked(number: str) -> None:
            result = phone.run_script({**SCRIPT, "from": number, "answers": [
                {**a, "expect": "finisce con"} if "finisce con" in a.get("expect", "") else a
                for a in SCRIPT["answers"]]})
            assert result.ok, result.error
            try:
                _eventually("the SMS receipt sent by the worker", lambda: any(e["to"] == number for e in outbox.entries()))
            except AssertionError as error:
                raise AssertionError(f"{error}\n--- Redis at {redis_url}\n{_redis_view(redis_url)}"
                                     f"\n--- make run's output\n{(tmp_path / 'run.log').read_text()[-4000:]}")

        booked("+393471110001")
        first = _eventually("the worker process", lambda: _worker_of(parent), 10)
        everything |= {p.pid for p in parent.children(recursive=True)}
        first.kill()  # kill -9
        second = _eventually("a new worker", lambda: (w := _worker_of(parent)) and w.pid != first.pid and w, 30)
        booked("+393471110002")  # its receipt is sent by the new worker
        assert second.is_running()
        assert "the worker exited (code -9); starting it again" in (tmp_path / "run.log").read_text()
        everything |= {p.pid for p in parent.children(recursive=True)}
        launcher.send_signal(signal.SIGTERM)
        assert launcher.wait(60) == 0
        left = [pid for pid in everything if psutil.pid_exists(pid) and psutil.Process(pid).status() != "zombie"]
        assert left == [], f"processes left behind: {left}"
        with pytest.raises(redis_lib.ConnectionError):
            redis_lib.Redis.from_url(redis_url, socket_connect_timeout=1).ping()  # the embedded Redis stopped too
    finally:
        if launcher.poll() is None:
            launcher.kill()
        for pid in everything:
            if psutil.pid_exists(pid):
                psutil.Process(pid).kill()
        log.close()

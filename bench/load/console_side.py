"""The console's side of the streams benchmark: the stream server process, and agents signed in through the web."""
from __future__ import annotations

import functools
import re
import subprocess
import time
import urllib.request
from pathlib import Path

import psutil
import redis
import requests

from bench.load.processes import ROOT, Processes, Server
from ivr.runtime import streams as stream_server
from social_bridge.queue import agents as agents_module

PASSWORD = "bench password 0123"


def start_stream_server(procs: Processes, port: int, web: Server, log_path: Path) -> subprocess.Popen:
    """The stream server as `make run` starts it, beside `web`; returns once both answer."""
    with open(log_path, "w") as log:
        streams = procs.start(stream_server.command(f"127.0.0.1:{port}", web_origin=web.base),
                              cwd=ROOT, env=web.env, stdout=log, stderr=subprocess.STDOUT)
    web.wait_ready("/healthz")
    wait_healthy(f"http://127.0.0.1:{port}/healthz", streams, log_path)
    return streams


def wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("the stream server exited:\n" + log.read_text()[-3000:])
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the stream server did not answer:\n" + log.read_text()[-3000:])


def stream_server_memory(proc: subprocess.Popen) -> dict:
    """RSS and PSS of the stream server's worker (the master only watches it)."""
    worker = psutil.Process(proc.pid).children()[0]
    info = worker.memory_full_info()
    return {"rss_mb": round(info.rss / 2**20, 1), "pss_mb": round(info.pss / 2**20, 1)}


def signed_in_agents(client: redis.Redis, base: str, count: int) -> list[str]:
    """`count` new agents, each logged in through the web server: their session cookies."""
    # agents with cheap password hashes: 400 logins should not cost minutes of scrypt
    agents_module.generate_password_hash = functools.partial(agents_module.generate_password_hash,
                                                             method="pbkdf2:sha256:1000")
    directory = agents_module.AgentDirectory(client)
    names = [f"bench{n:04d}" for n in range(count)]
    for name in names:
        directory.create(name, PASSWORD)
    return [login(base, name) for name in names]


def login(base: str, name: str) -> str:
    """The session cookie of a console login through the web server."""
    session = requests.Session()
    page = session.get(f"{base}/console/login", timeout=10).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = session.post(f"{base}/console/login", data={"name": name, "password": PASSWORD, "csrf_token": csrf},
                          allow_redirects=False, timeout=10)
    if answer.status_code != 302:
        raise RuntimeError(f"login of {name} answered {answer.status_code}")
    return f"session={session.cookies['session']}"


def check_web_holds_no_stream(base: str, cookie: str) -> dict:
    """The web server's own /console/events answers at once (a redirect to the stream server), holding nothing."""
    started = time.monotonic()
    answer = requests.get(f"{base}/console/events", headers={"Cookie": cookie, "Accept": "text/event-stream"},
                          allow_redirects=False, timeout=5)
    return {"status": answer.status_code, "location": answer.headers.get("Location"),
            "ms": round(1000 * (time.monotonic() - started), 1)}

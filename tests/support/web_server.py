"""The product's web server for fault tests: gunicorn, 2 gthread workers, --preload, as `make run` starts it.

Started in a session of its own, so stopping it (or kill -9 of its workers) touches only what this test started.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil

from ivr.runtime.redis_server import free_port

ROOT = Path(__file__).resolve().parent.parent.parent
DEV_TOKEN = "faults-dev-token-0123456789abcdef"


class WebServer:
    def __init__(self, env: dict, log_dir: Path, workers: int = 2, threads: int = 16):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **env, "PUBLIC_BASE_URL": self.base, "NOHOLD_DEV_TOKEN": DEV_TOKEN}
        for key in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"):
            self.env.pop(key, None)
        self.log = log_dir / f"gunicorn-{self.port}.log"
        self.args = [sys.executable, "-m", "gunicorn", "-c", "python:ivr.runtime.gunicorn_conf", "--no-control-socket", "--preload",
                     "-k", "gthread", "--threads", str(threads), "-w", str(workers),
                     "-b", f"127.0.0.1:{self.port}", "--error-logfile", str(self.log), "ivr:create_app()"]
        self.workers = workers
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 90.0) -> "WebServer":
        self.proc = subprocess.Popen(self.args, cwd=ROOT, env=self.env, start_new_session=True,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.tail()}")
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as resp:
                    if resp.status == 200 and len(self.worker_pids()) == self.workers:
                        return self
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s: {self.tail()}")

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:]) if self.log.exists() else ""

    def worker_pids(self) -> list[int]:
        try:
            return [child.pid for child in psutil.Process(self.proc.pid).children()]
        except psutil.NoSuchProcess:
            return []

    def kill_9(self) -> None:
        """The whole server dies at once, master and workers (a machine losing power)."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        self.kill_9()  # a master gone first may leave workers behind in its session

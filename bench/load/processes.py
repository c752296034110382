"""The processes a load benchmark starts (gunicorn servers, wrk, the stream server), each stopped by its own id."""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil
import redis

from bench.load.signed_calls import DEV_TOKEN
from ivr.app.settings import _ENV as SETTINGS_ENV
from ivr.runtime.redis_server import RedisServer

ROOT = Path(__file__).resolve().parent.parent.parent

# `make run` (ivr/runtime/launcher.py): gunicorn -c python:ivr.runtime.gunicorn_conf --preload -k gthread --threads 16 -w 2, access log on
PRODUCT_KIND = "gthread:16"
WORKERS = 2
ACCESS_LOG_FORMAT = '%(m)s %(U)s %(s)s %(M)sms'


class Processes:
    """Every process this run starts, each in its own session so it is stopped by its own id."""

    def __init__(self):
        self.running: list[subprocess.Popen] = []

    def start(self, args, **kwargs) -> subprocess.Popen:
        proc = subprocess.Popen(args, start_new_session=True, **kwargs)
        self.running.append(proc)
        return proc

    def stop(self, proc: subprocess.Popen, timeout: float = 10.0) -> None:
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)  # the group is the session we created for it
            except ProcessLookupError:
                pass
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait()
        # a gunicorn master that died first may leave workers behind in its group
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if proc in self.running:
            self.running.remove(proc)

    def stop_all(self) -> None:
        for proc in reversed(list(self.running)):
            self.stop(proc)


def _interrupt(*_):
    raise KeyboardInterrupt  # SIGTERM cleans up like Ctrl-C


@contextmanager
def signals_interrupt():
    """SIGTERM, and SIGINT even when started in the background, unwind like Ctrl-C: every finally runs."""
    previous = signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def scratch_redis(stack: ExitStack, prefix: str) -> tuple[Path, RedisServer, redis.Redis]:
    """A temporary work dir, a redis-server in it (no AOF) and a client; all gone when `stack` closes."""
    workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=prefix)))
    server = RedisServer(workdir / "redis", appendonly=False).start()
    stack.callback(server.stop)
    client = redis.Redis.from_url(server.url, decode_responses=True)
    stack.callback(client.close)
    return workdir, server, client


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        sys.exit("wrk is not installed and this is not root: run `sudo apt-get install -y wrk` "
                 "(Debian/Ubuntu) or install wrk from https://github.com/wg/wrk, then `make bench` again.")
    print("wrk is missing: apt-get install -y wrk", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    if subprocess.run(["apt-get", "install", "-y", "wrk"], env=env).returncode != 0:
        subprocess.run(["apt-get", "update"], env=env, check=True)
        subprocess.run(["apt-get", "install", "-y", "wrk"], env=env, check=True)
    found = shutil.which("wrk")
    if not found:
        sys.exit("apt-get did not install wrk")
    return found


@dataclass(frozen=True)
class Kind:
    name: str          # sync | gthread
    threads: int       # gthread threads per worker (1 for sync)

    @classmethod
    def parse(cls, text: str) -> "Kind":
        name, _, threads = text.partition(":")
        if name == "sync":
            return cls("sync", 1)
        if name == "gthread":
            return cls("gthread", int(threads or 4))
        raise argparse.ArgumentTypeError(f"unknown worker kind {text!r}: sync or gthread[:THREADS]")

    @property
    def label(self) -> str:
        return "sync" if self.name == "sync" else f"gthread:{self.threads}"

    def gunicorn_args(self) -> list[str]:
        # no --threads for sync: gunicorn silently turns sync into gthread when threads > 1
        return ["-k", "sync"] if self.name == "sync" else ["-k", "gthread", "--threads", str(self.threads)]


def nohold_env(redis_url: str, var_dir: Path, extra: dict) -> dict:
    """nohold's environment in dev mode with a known dev token; no setting comes from this shell or a .env."""
    env = dict(os.environ)
    for key in SETTINGS_ENV.values():  # empty, not absent: a .env file must not fill them in either
        env[key] = ""
    env.pop("NOHOLD_DEV_TOKEN", None)
    env.update(REDIS_URL=redis_url, NOHOLD_VAR_DIR=str(var_dir), NOHOLD_DEV_TOKEN=DEV_TOKEN,
               PYTHONUNBUFFERED="1", **extra)
    return env


class Server:
    """One gunicorn (master + WORKERS workers) on a free port."""

    def __init__(self, procs: Processes, label: str, app: str, kind: Kind, env: dict, logdir: Path,
                 access_log: bool):
        self.label, self.port = label, free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = dict(env, PUBLIC_BASE_URL=self.base) if label == "nohold" else env
        # the product's gunicorn hooks for both servers (gc.freeze before fork), as `make run` does
        args = [sys.executable, "-m", "gunicorn", "-c", "python:ivr.runtime.gunicorn_conf", "--no-control-socket", "--preload",
                *kind.gunicorn_args(), "-w", str(WORKERS),
                "-b", f"127.0.0.1:{self.port}", "--error-logfile", str(logdir / f"{label}-error.log")]
        if access_log:
            args += ["--access-logfile", str(logdir / f"{label}-access.log"),
                     "--access-logformat", ACCESS_LOG_FORMAT]
        args.append(app)
        self.logdir = logdir
        self.proc = procs.start(args, cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def wait_ready(self, probe: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.label} gunicorn exited: see {self.logdir}/{self.label}-error.log\n"
                                   + self.error_log_tail())
            try:
                req = urllib.request.Request(self.base + probe, method="GET")
                with urllib.request.urlopen(req, timeout=2) as resp:
                    if resp.status < 500 and len(self.workers()) == WORKERS:
                        return
            except OSError as exc:  # refused while booting; 405 from the bare app is an answer too
                if getattr(exc, "code", None) and exc.code < 500 and len(self.workers()) == WORKERS:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"{self.label} did not answer within {timeout:.0f}s\n" + self.error_log_tail())

    def error_log_tail(self) -> str:
        path = self.logdir / f"{self.label}-error.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-30:]) if path.exists() else ""

    def workers(self) -> list[psutil.Process]:
        try:
            return psutil.Process(self.proc.pid).children()
        except psutil.NoSuchProcess:
            return []

    def processes(self) -> list[psutil.Process]:
        """Master and workers (the master does little: it only watches the workers)."""
        return [psutil.Process(self.proc.pid), *self.workers()]

    def memory(self) -> dict:
        """RSS (the bar) and USS: with --preload the workers share the master's pages until they write."""
        workers = self.workers()
        rss = [p.memory_info().rss for p in workers]
        try:
            uss = [p.memory_full_info().uss for p in workers]
        except (psutil.AccessDenied, AttributeError):
            uss = []
        master = psutil.Process(self.proc.pid).memory_info().rss
        mb = lambda n: round(n / 2**20, 1)  # noqa: E731
        return {"workers_rss_mb": [mb(r) for r in rss], "max_worker_rss_mb": mb(max(rss)) if rss else None,
                "workers_uss_mb": [mb(u) for u in uss], "master_rss_mb": mb(master)}

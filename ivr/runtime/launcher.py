"""`make run`: one embedded Redis, a gunicorn web server, the console's stream server and a job worker,
stopped together."""
from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from urllib.parse import urlsplit

from rq import Worker

from ivr.app.services import build_services
from ivr.app.settings import Settings, child_environment, load_settings
from ivr.app.social_services import offered_channels
from ivr.call.callback_policy import mask
from ivr.call.messaging import DevOutbox
from ivr.jobs.runtime import install
from ivr.jobs.sweep import on_worker_start, reconcile_command
from ivr.runtime import streams
from ivr.runtime.embedded import DEFAULT_PORT, ensure_embedded_redis, start_on
from ivr.runtime.job_queue import QUEUE_NAME
from ivr.runtime.redis_client import connect, state_client
from ivr.transcription.worker import alongside
from social_bridge.queue.agents import AgentDirectory

BANNER = """
  nohold is running — nobody waits on hold.

    web        http://localhost:{port}/            (health: /healthz · metrics: /metrics)
    console    http://localhost:{port}/console/     ({login})
    live       {stream}  (the console's live updates: a server of their own)
{outbox}    redis      {redis}
    mode       {mode}
    chat       {chat}  (Messenger and X turn on with MESSENGER_* / X_*: see README)

  Try a call from another terminal:
    .venv/bin/python -m ivr simulate                       (talk to it: type what you'd say, or digits)
    .venv/bin/python -m ivr simulate --script scenarios/it_internet_callback.yaml

  Connect a real Twilio number: set PUBLIC_BASE_URL (https), SECRET_KEY (32+ bytes) and TWILIO_* (see
  README), then point the number's Voice URL to {public}/voice/incoming and its Fallback URL to
  {public}/voice/fallback.
  Ctrl-C stops everything.
"""


def banner(settings, port: int, stream: str, redis_url: str, login: str, public: str) -> str:
    """What `make run` prints: the dev outbox is named only in dev mode (outside it there is none)."""
    mode = ("dev (NOHOLD_DEV_MODE=1 or no Twilio credentials; webhook token in var/dev-auth-token)"
            if settings.dev_mode else "live Twilio")
    outbox = (f"    dev outbox http://localhost:{port}/dev/outbox  (dev mode: SMS are kept here, never sent)\n"
              if settings.dev_mode else "")
    return BANNER.format(port=port, stream=stream, redis=redis_url, login=login, mode=mode, outbox=outbox,
                         chat=", ".join(offered_channels(settings)), public=public)



def _stream_port(settings, port: int, asked: int | None) -> int:
    """--streams-port, else the port of CONSOLE_STREAM_URL, else the web port + 1 (any free one if taken)."""
    chosen = asked or urlsplit(settings.console_stream_url).port
    if chosen:
        return chosen
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port + 1))
        except OSError:
            sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def web_command(bind: str, workers: int) -> list[str]:
    """The web server: webhooks, console pages, API; threads for short requests only (ivr/runtime/gunicorn_conf.py)."""
    return [sys.executable, "-m", "gunicorn", "-c", "python:ivr.runtime.gunicorn_conf", "--no-control-socket",
            "--preload", "-k", "gthread", "--threads", "16", "-w", str(workers), "-b", bind,
            "--access-logfile", "-", "--access-logformat", '%(m)s %(U)s %(s)s %(M)sms', "ivr:create_app()"]


def run(port: int | None, web_workers: int, streams_port: int | None = None) -> int:
    settings = load_settings()
    port = port or settings.port
    server = None
    redis_url = settings.redis_url
    if not redis_url:
        server = start_on(settings.var_dir / "redis", DEFAULT_PORT)  # another nohold's Redis is never shared
        redis_url = server.url
        (settings.var_dir / "redis.url").write_text(redis_url)
    env = child_environment(REDIS_URL=redis_url)
    login = ensure_dev_agent(redis_url, settings) if settings.dev_mode else "agents: python -m ivr agents add NAME"
    if settings.dev_mode and settings.public_base_url == Settings.public_base_url:  # not set: this port
        env["PUBLIC_BASE_URL"] = f"http://localhost:{port}"
    host = settings.host
    # no proxy here: the pages (localhost:port) open their stream on another port, cookies included
    stream_port = _stream_port(settings, port, streams_port)
    env["CONSOLE_STREAM_URL"] = settings.console_stream_url or f"http://localhost:{stream_port}/console/events"
    children = Children({"web": web_command(f"{host}:{port}", web_workers),
                         "streams": streams.command(f"{host}:{stream_port}", web_origin=f"http://localhost:{port}"),
                         "worker": [sys.executable, "-m", "ivr", "worker"]}, env)
    print(banner(settings, port, env["CONSOLE_STREAM_URL"], redis_url, login,
                 env.get("PUBLIC_BASE_URL", settings.public_base_url)), flush=True)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    healthy = True
    try:
        while not stopping and healthy:
            healthy = children.keep_running()
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    children.stop()
    if server:
        server.stop()
    return 0 if healthy else 1


class Children:
    """The web server, the stream server and the worker, started again when one exits (a worker's Redis connection lost
    between two jobs ends it, for one); one that exits over and over stops everything instead.

    Each runs in a process group of its own, and a group whose leader died is killed whole before the
    restart: what the leader had forked (RQ's scheduler, a job's work horse, the transcription worker)
    would otherwise live on, holding copies of its Redis connections — one of them blocked in RQ's
    dequeue, which would hand the next job to a process that is gone (measured: the job sat in RQ's
    intermediate list until the sweep). systemd's control groups do the same for the deploy/ units."""

    MAX_RESTARTS, WINDOW = 5, 60.0

    def __init__(self, commands: dict[str, list[str]], env: dict):
        self.commands, self.env = commands, env
        self.processes = {name: self._start(name) for name in commands}
        self.restarts: list[float] = []

    def _start(self, name: str) -> subprocess.Popen:
        return subprocess.Popen(self.commands[name], env=self.env, start_new_session=True)

    @staticmethod
    def _kill_group(process: subprocess.Popen) -> None:
        try:
            os.killpg(process.pid, signal.SIGKILL)  # the leader started the session: its pid names the group
        except (ProcessLookupError, PermissionError):
            pass

    def keep_running(self) -> bool:
        """Restarts what exited; False when restarts come too often to be worth it."""
        for name, process in self.processes.items():
            if process.poll() is None:
                continue
            now = time.monotonic()
            self.restarts = [t for t in self.restarts if now - t < self.WINDOW] + [now]
            if len(self.restarts) > self.MAX_RESTARTS:
                print(f"nohold: the {name} keeps exiting (code {process.returncode}); stopping", flush=True)
                return False
            self._kill_group(process)
            print(f"nohold: the {name} exited (code {process.returncode}); starting it again", flush=True)
            self.processes[name] = self._start(name)
        return True

    def stop(self) -> None:
        """SIGTERM to each leader (a warm shutdown), then whatever is left of their groups is killed."""
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
            self._kill_group(process)


def _settings_with_redis():
    settings = load_settings()
    return settings if settings.redis_url else settings.with_overrides(
        redis_url=ensure_embedded_redis(settings.var_dir))


def worker() -> int:
    """`python -m ivr worker`: the jobs' services built once (ivr.app.services), then RQ's worker."""
    settings = _settings_with_redis()
    on_worker_start(build_services(settings))  # before jobs fork; schedules the minute sweep
    with alongside(settings):  # voicemails: a worker of their own keeps the speech model loaded
        # maintenance every minute, not every ten: it brings back jobs of killed workers (retried) and
        # a scheduler that lost its Redis connection (delayed jobs, SMS retries) sooner
        Worker([QUEUE_NAME], connection=connect(settings.redis_url), maintenance_interval=60).work(with_scheduler=True)
    return 0


def reconcile(grace: float) -> int:
    install(build_services(_settings_with_redis()))
    return reconcile_command(grace)


def show_outbox(limit: int) -> int:
    settings = load_settings()
    url = settings.redis_url or ensure_embedded_redis(settings.var_dir)
    entries = DevOutbox(state_client(settings.with_overrides(redis_url=url), decode_responses=True)).entries(limit)
    if not entries:
        print("The dev outbox is empty: nothing would have been sent yet.")
    for entry in entries:
        when = time.strftime("%H:%M:%S", time.localtime(entry["at"]))
        print(f"{when}  SMS to {mask(entry['to'])}\n          {entry['body']}\n")
    return 0


def ensure_dev_agent(redis_url: str, settings) -> str:
    """Dev mode: a supervisor agent to log in with, its password kept in var/."""
    directory = AgentDirectory(state_client(settings.with_overrides(redis_url=redis_url), decode_responses=True))
    password_file = settings.var_dir / "dev-agent-password"
    if directory.get("dev") is None or not password_file.exists():
        password = secrets.token_urlsafe(9)
        if directory.get("dev") is None:
            directory.create("dev", password, role="supervisor", languages=("it", "en"), phone="+393331112222")
        else:
            directory.set_password("dev", password)
        password_file.write_text(password)
        password_file.chmod(0o600)
    return f"log in as dev / {password_file.read_text().strip()}"

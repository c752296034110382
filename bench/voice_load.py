"""`make bench`: nohold's signed voice webhooks under load, side by side with a bare Flask app.

What it does, all on 127.0.0.1 and cleaned up on exit (also on Ctrl-C or an error):

  1. starts its own redis-server (no AOF), then two gunicorn servers with the same settings
     (2 workers, the product's worker kind from ivr/runtime/launcher.py, --preload, an access log file):
     nohold (`ivr:create_app()`, dev mode, a known dev token) and the bare app of bench/bare_app.py;
  2. pre-signs distinct Twilio requests in Python (the signature covers URL + params, so each request
     is signed once, ahead of time) and lets wrk replay them through bench/wrk_signed.lua:
       phase 1  POST /voice/incoming           a fresh CallSid per request
       phase 2  POST /voice/step?seq=1         SpeechResult for calls created by phase 1 (or a
                                               seeding run) and still at seq 1: every request does the
                                               real work (load, classifier, flow, commit), none is
                                               a replay served from the reply cache;
     each phase runs against nohold, then against the bare app on the same path;
  3. checks that nothing failed (non-2xx, socket errors) and that every served step advanced its call
     (seq 1 -> 2 in Redis), measures the workers' RSS, prints a table with verdicts against the bars,
     and writes bench/out/voice_load.json.

    python -m bench.voice_load                      # the product's worker kind, 32 then 8 connections
    python -m bench.voice_load --kinds gthread:16,gthread:4,sync --connections 32
    python -m bench.voice_load --strict             # exit 1 when the product kind misses a bar

Bars (from the issue): nohold >= 60 % of the bare app's req/s, p99 <= 25 ms, web worker RSS <= 250 MB.
wrk runs on the same machine and takes CPU from the servers: see docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import psutil
import redis
from twilio.request_validator import RequestValidator

from ivr.runtime.redis_server import RedisServer
from ivr.app.settings import _ENV as SETTINGS_ENV

ROOT = Path(__file__).resolve().parent.parent
LUA = Path(__file__).resolve().parent / "wrk_signed.lua"
OUT = Path(__file__).resolve().parent / "out" / "voice_load.json"

BAR_RATIO = 0.60
BAR_P99_MS = 25.0
# memory: the bar is now the web tier's total PSS with the model (<= 600 MB, bench.web_memory, issue 14);
# the per-worker RSS printed here is a figure beside it, not a bar

# `make run` (ivr/runtime/launcher.py): gunicorn -c python:ivr.runtime.gunicorn_conf --preload -k gthread --threads 16 -w 2, access log on
PRODUCT_KIND = "gthread:16"
WORKERS = 2
ACCESS_LOG_FORMAT = '%(m)s %(U)s %(s)s %(M)sms'

DEV_TOKEN = "bench-dev-token-0123456789abcdef"
INCOMING = "/voice/incoming"
STEP = "/voice/step?seq=1"

# Twilio-like numbers: mostly Italian mobiles, some landlines, some English-speaking callers
PREFIXES = ["+39333", "+39347", "+39328", "+39340", "+3902", "+3906", "+4477", "+1415"]
# What callers say at the first question: clear topics, vaguer ones, and one the classifier may not place
SPEECH = [
    ("Buongiorno, l'ADSL non funziona da ieri sera.", "0.8723"),
    ("non mi va internet da stamattina", "0.91"),
    ("il modem ha la luce rossa fissa", "0.88"),
    ("vorrei parlare della bolletta che è troppo alta", "0.84"),
    ("ho un problema con la fattura", "0.79"),
    ("voglio disdire il contratto", "0.9"),
    ("mi hanno addebitato dei costi che non conosco", "0.76"),
    ("sì ecco volevo sapere una cosa", "0.62"),
]


# -- processes --------------------------------------------------------------------------------------

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


# -- signed requests --------------------------------------------------------------------------------

@dataclass
class Call:
    sid: str
    caller: str


def new_calls(count: int, rng: random.Random) -> list[Call]:
    calls = []
    for _ in range(count):
        prefix = rng.choice(PREFIXES)
        calls.append(Call("CA" + uuid.UUID(int=rng.getrandbits(128)).hex,
                          prefix + "".join(rng.choice("0123456789") for _ in range(13 - len(prefix)))))
    return calls


def _country(number: str) -> str:
    return "GB" if number.startswith("+44") else "US" if number.startswith("+1") else "IT"


def incoming_params(call: Call) -> dict:
    """Like /work/shared/data/payloads/twilio_voice_incoming_call.form, per call."""
    return {"CallSid": call.sid, "AccountSid": "AC00000000000000000000000000000001", "From": call.caller,
            "To": "+390212345678", "CallStatus": "ringing", "ApiVersion": "2010-04-01", "Direction": "inbound",
            "ForwardedFrom": "", "CallerName": "", "ParentCallSid": "", "CallToken": "", "Caller": call.caller,
            "Called": "+390212345678", "FromCity": "", "FromState": "", "FromZip": "",
            "FromCountry": _country(call.caller), "ToCity": "", "ToState": "", "ToZip": "", "ToCountry": "IT"}


def step_params(call: Call, rng: random.Random) -> dict:
    """Like twilio_gather_speech_action.form: the caller's answer to the first question."""
    speech, confidence = rng.choice(SPEECH)
    return {"CallSid": call.sid, "AccountSid": "AC00000000000000000000000000000001", "From": call.caller,
            "To": "+390212345678", "CallStatus": "in-progress", "ApiVersion": "2010-04-01",
            "Direction": "inbound", "SpeechResult": speech, "Confidence": confidence}


def write_requests(path: Path, base: str, route: str, params: list[dict]) -> Path:
    """One line per request: path, X-Twilio-Signature, body; signed for PUBLIC_BASE_URL + path."""
    validator = RequestValidator(DEV_TOKEN)
    with open(path, "w") as out:
        for p in params:
            body = urlencode(p)
            if "\n" in body or "\t" in body:
                raise ValueError("request bodies must be one line")
            out.write(f"{route}\t{validator.compute_signature(base + route, p)}\t{body}\n")
    return path


def calls_at(client: redis.Redis, calls: list[Call], seq: int) -> list[Call]:
    """The calls whose state in Redis is at `seq` (the step the next request answers)."""
    found = []
    for i in range(0, len(calls), 2000):
        chunk = calls[i:i + 2000]
        raws = client.mget([f"nohold:{{call:{c.sid}}}" for c in chunk])
        found += [c for c, raw in zip(chunk, raws) if raw and json.loads(raw).get("seq") == seq]
    return found


# -- wrk --------------------------------------------------------------------------------------------

def _cpu_seconds(group: list[psutil.Process]) -> float:
    total = 0.0
    for p in group:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


def _busy_seconds() -> float:
    t = psutil.cpu_times()
    return sum(t) - t.idle - getattr(t, "iowait", 0.0) - getattr(t, "guest", 0.0) - getattr(t, "guest_nice", 0.0)


QUIET_WAIT = [60.0]  # --quiet-wait
QUIET_CORES = 0.15


def wait_quiet(max_wait: float) -> float:
    """Waits (up to max_wait s) for a second in which the machine is idle: other work skews the figures."""
    if max_wait <= 0:
        return 0.0
    start = time.monotonic()
    while True:
        before = _busy_seconds()
        time.sleep(1.0)
        busy = _busy_seconds() - before
        if busy <= QUIET_CORES or time.monotonic() - start >= max_wait:
            if max_wait and busy > QUIET_CORES:
                print(f"  warning: still {busy:.2f} cores busy elsewhere after {max_wait:.0f}s; measuring anyway",
                      file=sys.stderr, flush=True)
            return busy


def run_wrk(procs: Processes, wrk: str, base: str, requests_file: Path, duration: float, threads: int,
            connections: int, watch: dict[str, list[psutil.Process]] | None = None) -> dict:
    """One wrk run; `watch` names process groups whose CPU time per request is reported too."""
    duration = max(1, math.ceil(duration))  # wrk takes whole seconds
    args = [wrk, f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "5s",
            "-s", str(LUA), base, "--", str(requests_file), str(threads)]
    if watch:
        wait_quiet(QUIET_WAIT[0])
    watch = watch or {}
    before = {name: _cpu_seconds(group) for name, group in watch.items()}
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # wrk is the only child that exits meanwhile
    system = _busy_seconds()
    proc = procs.start(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        out, _ = proc.communicate(timeout=duration + 120)
    finally:
        procs.stop(proc)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = {name: _cpu_seconds(group) - before[name] for name, group in watch.items()}
    cpu["wrk"] = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    # everything else the machine did meanwhile (other users, the bench's own Python): noise to report
    cpu["other"] = max(0.0, _busy_seconds() - system - sum(cpu.values()))
    match = re.search(r"^BENCH_JSON (.*)$", out, re.M)
    if proc.returncode != 0 or not match:
        raise RuntimeError(f"wrk failed (exit {proc.returncode}):\n{out}")
    data = json.loads(match.group(1))
    seconds = data["duration_us"] / 1e6
    errors = data["errors"]
    return {
        "rps": round(data["requests"] / seconds, 1),
        "requests": data["requests"],
        "seconds": round(seconds, 2),
        "p50_ms": round(data["latency_us"]["p50"] / 1000, 2),
        "p90_ms": round(data["latency_us"]["p90"] / 1000, 2),
        "p99_ms": round(data["latency_us"]["p99"] / 1000, 2),
        "max_ms": round(data["latency_us"]["max"] / 1000, 2),
        "mean_ms": round(data["latency_us"]["mean"] / 1000, 2),
        "non_2xx": errors["status"],
        "socket_errors": errors["connect"] + errors["read"] + errors["write"] + errors["timeout"],
        "errors": errors,
        "sent": data["sent"],
        "distinct_loaded": data["distinct_loaded"],
        "wrapped": data["threads_wrapped"] > 0,
        "cpu_s": {name: round(v, 2) for name, v in cpu.items()},
        "cpu_ms_per_request": {name: round(1000 * v / max(data["requests"], 1), 3) for name, v in cpu.items()},
    }


# -- one configuration ------------------------------------------------------------------------------

def nohold_env(redis_url: str, var_dir: Path, extra: dict) -> dict:
    env = dict(os.environ)
    for key in SETTINGS_ENV.values():  # empty, not absent: a .env file must not fill them in either
        env[key] = ""
    env.pop("NOHOLD_DEV_TOKEN", None)
    env.update(REDIS_URL=redis_url, NOHOLD_VAR_DIR=str(var_dir), NOHOLD_DEV_TOKEN=DEV_TOKEN,
               PYTHONUNBUFFERED="1", **extra)
    return env


def run_kind(procs: Processes, wrk: str, kind: Kind, connections: list[int], args, workdir: Path,
             client: redis.Redis, redis_server: RedisServer, rng: random.Random, log) -> dict:
    redis_url = redis_server.url
    redis_proc = [psutil.Process(redis_server.process.pid)]
    logdir = workdir / f"logs-{kind.label.replace(':', '-')}"
    logdir.mkdir()
    env = nohold_env(redis_url, workdir / "var", {"BUSINESS_HOURS": args.business_hours} if args.business_hours else {})
    nohold = Server(procs, "nohold", "ivr:create_app()", kind, env, logdir, args.access_log)
    bare = Server(procs, "bare", "bench.bare_app:create_app()", kind, env, logdir, args.access_log)
    try:
        nohold.wait_ready("/healthz")
        bare.wait_ready("/voice/incoming")
        log(f"  servers up: nohold {nohold.base}, bare {bare.base} ({kind.label}, {WORKERS} workers)")
        watch_n = {"server": nohold.processes(), "redis": redis_proc}
        watch_b = {"server": bare.processes(), "redis": redis_proc}
        files = workdir / f"requests-{kind.label.replace(':', '-')}"
        files.mkdir()

        def incoming_file(name: str, calls: list[Call]) -> Path:
            return write_requests(files / name, nohold.base, INCOMING, [incoming_params(c) for c in calls])

        # warm-up: imports, first connections, the classifier's first calls; these calls also feed phase 2
        warm = new_calls(min(args.pool, 20000), rng)
        run_wrk(procs, wrk, nohold.base, incoming_file("warm.txt", warm), args.warmup, args.wrk_threads, 8)
        run_wrk(procs, wrk, bare.base, incoming_file("warm.txt", warm), args.warmup, args.wrk_threads, 8)
        created = list(warm)
        rows = []
        for conns in connections:
            # phase 1: /voice/incoming, a fresh CallSid per request
            fresh = new_calls(args.pool, rng)
            created += fresh
            path = incoming_file(f"incoming-c{conns}.txt", fresh)
            log(f"  c={conns}: {INCOMING} nohold …")
            inc_n = run_wrk(procs, wrk, nohold.base, path, args.duration, args.wrk_threads, conns, watch_n)
            log(f"  c={conns}: {INCOMING} bare …")
            inc_b = run_wrk(procs, wrk, bare.base, path, args.duration, args.wrk_threads, conns, watch_b)
            rows.append(row(INCOMING, kind, conns, inc_n, inc_b))

            # phase 2: the gather step for calls at seq 1; top up with a seeding run when too few
            ready = calls_at(client, created, 1)
            need = int(max(inc_n["rps"], 200) * args.duration * args.step_headroom)
            seeded = 0
            while len(ready) < need:
                seed = new_calls(max(need - len(ready), 1000), rng)
                created += seed
                secs = min(60.0, max(2.0, 1.2 * (need - len(ready)) / max(inc_n["rps"], 50)))
                log(f"  c={conns}: seeding {need - len(ready)} calls at seq 1 ({secs:.0f}s of {INCOMING}) …")
                run_wrk(procs, wrk, nohold.base, incoming_file(f"seed-{len(created)}.txt", seed), secs,
                        args.wrk_threads, conns)
                seeded += 1
                ready = calls_at(client, created, 1)
                if seeded >= 5:
                    break
            attempt = 0
            while True:
                attempt += 1
                rng.shuffle(ready)
                step_calls = ready
                path = write_requests(files / f"step-c{conns}-{attempt}.txt", nohold.base, STEP,
                                      [step_params(c, rng) for c in step_calls])
                log(f"  c={conns}: {STEP} nohold ({len(step_calls)} calls at seq 1) …")
                step_n = run_wrk(procs, wrk, nohold.base, path, args.duration, args.wrk_threads, conns, watch_n)
                advanced = len(step_calls) - len(calls_at(client, step_calls, 1))
                step_n["calls_advanced"] = advanced
                step_n["calls_available"] = len(step_calls)
                if not step_n["wrapped"] or attempt >= 3:
                    break
                log(f"  c={conns}: {STEP} wrapped around its {len(step_calls)} calls: seeding more and again")
                seed = new_calls(step_n["requests"] * 2, rng)
                created += seed
                run_wrk(procs, wrk, nohold.base, incoming_file(f"seed-{len(created)}.txt", seed),
                        2.4 * step_n["requests"] / max(inc_n["rps"], 50), args.wrk_threads, conns)
                ready = calls_at(client, created, 1)
            log(f"  c={conns}: {STEP} bare …")
            step_b = run_wrk(procs, wrk, bare.base, path, args.duration, args.wrk_threads, conns, watch_b)
            rows.append(row(STEP, kind, conns, step_n, step_b))
        memory = {"nohold": nohold.memory(), "bare": bare.memory()}
        return {"kind": kind.label, "rows": rows, "memory": memory}
    finally:
        procs.stop(nohold.proc)
        procs.stop(bare.proc)


def row(endpoint: str, kind: Kind, conns: int, n: dict, b: dict) -> dict:
    ratio = n["rps"] / b["rps"] if b["rps"] else 0.0
    # CPU (server + redis + wrk) per request, bare over nohold: what the ratio would be on a machine with
    # nothing else running; it moves far less than req/s when other processes take CPU during a run
    def cpu(m):
        per = m["cpu_ms_per_request"]
        return per.get("server", 0) + per.get("redis", 0) + per.get("wrk", 0)
    cpu_ratio = cpu(b) / cpu(n) if cpu(n) else 0.0
    return {"endpoint": endpoint, "kind": kind.label, "connections": conns, "nohold": n, "bare": b,
            "ratio": round(ratio, 3), "cpu_ratio": round(cpu_ratio, 3),
            "errors": n["non_2xx"] + n["socket_errors"] + b["non_2xx"] + b["socket_errors"],
            "ok_ratio": ratio >= BAR_RATIO, "ok_p99": n["p99_ms"] <= BAR_P99_MS}


# -- report -----------------------------------------------------------------------------------------

def machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    wrk_version = ""
    if shutil.which("wrk"):
        first = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.splitlines()
        wrk_version = first[0].split(" Copyright")[0].strip() if first else ""
    from importlib.metadata import version

    return {"cpu": model or platform.processor(), "logical_cpus": os.cpu_count(),
            "usable_cpus": len(os.sched_getaffinity(0)), "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "os": platform.platform(), "python": platform.python_version(), "gunicorn": version("gunicorn"),
            "flask": version("flask"), "wrk": wrk_version}


def code_version() -> dict:
    """The commit measured, and whether the working tree differed from it (read-only git)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", "ivr", "social_bridge",
                                "prompts"], cwd=ROOT, capture_output=True, text=True)
        return {"commit": head.stdout.strip(), "product_code_modified": bool(dirty.stdout.strip())}
    except OSError:
        return {}


def desk_state(business_hours: str | None) -> str:
    from ivr.call.business_hours import BusinessHours
    from ivr.app.settings import Settings

    s = Settings()
    hours = BusinessHours.parse(business_hours or s.business_hours, s.timezone, s.holiday_country)
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return "open" if hours.is_open(datetime.now(ZoneInfo(s.timezone))) else "closed"


def table(results: list[dict]) -> str:
    head = (f"{'endpoint':<20} {'workers':<11} {'conns':>5} {'nohold r/s':>10} {'bare r/s':>9} {'ratio':>6} "
            f"{'cpu ratio':>9} {'p50 ms':>7} {'p99 ms':>7} {'bare p99':>8} {'errors':>6}  verdict")
    lines = [head, "-" * len(head)]
    for res in results:
        for r in res["rows"]:
            n, b = r["nohold"], r["bare"]
            verdict = ("ratio " + ("ok" if r["ok_ratio"] else "MISS") + ", p99 " + ("ok" if r["ok_p99"] else "MISS"))
            lines.append(f"{r['endpoint']:<20} {r['kind']:<11} {r['connections']:>5} {n['rps']:>10.0f} "
                         f"{b['rps']:>9.0f} {r['ratio']:>5.0%} {r['cpu_ratio']:>9.0%} {n['p50_ms']:>7.1f} {n['p99_ms']:>7.1f} "
                         f"{b['p99_ms']:>8.1f} {r['errors']:>6}  {verdict}")
    return "\n".join(lines)


def _interrupt(*_):
    raise KeyboardInterrupt  # SIGTERM cleans up like Ctrl-C


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.voice_load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--kinds", default=PRODUCT_KIND,
                        help=f"comma-separated gunicorn worker kinds: sync, gthread:THREADS (default {PRODUCT_KIND}, "
                             "what `make run` uses)")
    parser.add_argument("--connections", default="32,8",
                        help="comma-separated wrk connection counts; the first one is the headline (default 32,8)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement (default 10)")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up per server (default 3)")
    parser.add_argument("--wrk-threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--pool", type=int, default=60000, help="distinct signed /voice/incoming requests per run")
    parser.add_argument("--step-headroom", type=float, default=1.5,
                        help="calls at seq 1 prepared per expected step request (default 1.5)")
    parser.add_argument("--business-hours", default="mon-sun 00:00-24:00",
                        help="BUSINESS_HOURS for nohold (default: always open, the daytime path; '' = product default)")
    parser.add_argument("--no-access-log", dest="access_log", action="store_false",
                        help="run both servers without gunicorn's access log (`make run` has one)")
    parser.add_argument("--quiet-wait", type=float, default=60.0,
                        help="before each measurement, wait up to this many seconds for the machine to be idle "
                             "(other processes' CPU skews the figures; default 60, 0 = don't wait)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--strict", action="store_true", help="exit 1 when the product kind misses a bar")
    args = parser.parse_args(argv)
    QUIET_WAIT[0] = args.quiet_wait
    kinds = [Kind.parse(k.strip()) for k in args.kinds.split(",") if k.strip()]
    connections = [int(c) for c in args.connections.split(",") if c.strip()]

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    wrk = ensure_wrk()
    before = _busy_seconds()
    time.sleep(1.0)
    background = round(_busy_seconds() - before, 2)  # cores busy before we start anything
    if background > 0.25:
        log(f"warning: the machine is not idle ({background:.2f} cores busy before the run): figures will be low")
    procs = Processes()
    previous = signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # also when started in the background
    rng = random.Random(args.seed)
    results = []
    started = time.time()
    try:
        with ExitStack() as stack:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="nohold-bench-")))
            server = RedisServer(workdir / "redis", appendonly=False).start()
            stack.callback(server.stop)
            client = redis.Redis.from_url(server.url, decode_responses=True)
            log(f"redis-server {server.url}; work dir {workdir}")
            for kind in kinds:
                log(f"{kind.label}:")
                results.append(run_kind(procs, wrk, kind, connections, args, workdir, client, server, rng, log))
            client.close()
    except KeyboardInterrupt:
        log("interrupted: stopping everything")
        return 130
    finally:
        procs.stop_all()
        signal.signal(signal.SIGTERM, previous)

    product = Kind.parse(PRODUCT_KIND).label
    headline = next((r for r in results if r["kind"] == product), results[0])
    head_rows = [r for r in headline["rows"] if r["connections"] == connections[0]]
    rss = headline["memory"]["nohold"]["max_worker_rss_mb"]
    bars = {
        "ratio": {"bar": f">= {BAR_RATIO:.0%} of bare req/s", "ok": all(r["ok_ratio"] for r in head_rows),
                  "values": {r["endpoint"]: r["ratio"] for r in head_rows}},
        "p99": {"bar": f"<= {BAR_P99_MS:g} ms", "ok": all(r["ok_p99"] for r in head_rows),
                "values": {r["endpoint"]: r["nohold"]["p99_ms"] for r in head_rows}},
        "rss": {"bar": "reported (the memory bar is the tier's PSS: python -m bench.web_memory)", "ok": rss is not None,
                "values": {"max_worker_rss_mb": rss}},
        "errors": {"bar": "0 non-2xx / socket errors", "ok": all(r["errors"] == 0 for res in results for r in res["rows"])},
        "step_did_work": {"bar": "every served step advanced a call from seq 1 to 2",
                          "ok": all(r["nohold"].get("calls_advanced", 0) >= r["nohold"]["requests"]
                                    and not r["nohold"]["wrapped"]
                                    for res in results for r in res["rows"] if r["endpoint"] == STEP)},
    }
    by_conns = {c: {r["endpoint"]: {"ratio": r["ratio"], "ok_ratio": r["ok_ratio"], "p99_ms": r["nohold"]["p99_ms"],
                                   "ok_p99": r["ok_p99"]}
                    for r in headline["rows"] if r["connections"] == c} for c in connections}
    report = {"started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
              "code": code_version(),
              "machine": dict(machine(), background_cores_before=background), "desk": desk_state(args.business_hours),
              "settings": {"workers": WORKERS, "kinds": [k.label for k in kinds], "product_kind": product,
                           "preload": True, "access_log": args.access_log, "connections": connections,
                           "duration_s": args.duration, "wrk_threads": args.wrk_threads,
                           "business_hours": args.business_hours or "product default"},
              "headline": {"kind": product if headline["kind"] == product else headline["kind"],
                           "connections": connections[0]},
              "bars": bars, "bars_by_connections": by_conns, "results": results}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")

    m = report["machine"]
    print()
    print(f"machine  {m['cpu']}, {m['usable_cpus']} usable CPUs (wrk shares them), {m['memory_gb']} GB, "
          f"Python {m['python']}, gunicorn {m['gunicorn']}, {m['wrk']}")
    code = report["code"]
    print(f"code     {code.get('commit', '?')}" + (" + uncommitted product changes" if code.get("product_code_modified") else ""))
    print(f"idle     {background:.2f} cores busy before the run (others' processes)")
    print(f"setup    {WORKERS} workers, --preload, access log {'on' if args.access_log else 'off'}, "
          f"wrk -t{args.wrk_threads} -d{args.duration:g}s, desk {report['desk']}")
    print()
    print(table(results))
    print()
    for res in results:
        mem = res["memory"]
        print(f"RSS {res['kind']:<11} nohold workers {mem['nohold']['workers_rss_mb']} MB (USS "
              f"{mem['nohold']['workers_uss_mb']}; master {mem['nohold']['master_rss_mb']}), "
              f"bare workers {mem['bare']['workers_rss_mb']} MB")
    for res in results:
        for r in res["rows"]:
            if r["endpoint"] == STEP:
                n = r["nohold"]
                print(f"step {res['kind']:<11} c={r['connections']}: {n['requests']} served, "
                      f"{n['calls_advanced']} calls advanced seq 1->2 of {n['calls_available']} prepared"
                      + (" (WRAPPED: some were replays)" if n["wrapped"] else ""))
    print("\nCPU ms per request (server = gunicorn master + workers); cores busy: ours, and others' (noise, incl. kernel softirq):")
    for res in results:
        for r in res["rows"]:
            parts = []
            for app in ("nohold", "bare"):
                m = r[app]
                per, busy = m["cpu_ms_per_request"], sum(m["cpu_s"].values()) / m["seconds"]
                other = m["cpu_s"]["other"] / m["seconds"]
                parts.append(f"{app}: server {per.get('server', 0):.2f}, redis {per.get('redis', 0):.2f}, "
                             f"wrk {per['wrk']:.2f}; {busy - other:.2f} cores ours, {other:.2f} others")
            print(f"  {r['endpoint']:<18} {res['kind']:<11} c={r['connections']:<3} " + " | ".join(parts))
    print()
    print(f"verdicts ({headline['kind']}, {connections[0]} connections):")
    for name, bar in bars.items():
        values = bar.get("values")
        print(f"  {name:<14} {'PASS' if bar['ok'] else 'MISS'}  {bar['bar']}" + (f"  {values}" if values else ""))
    for c in connections[1:]:
        print(f"  at {c} connections: " + "; ".join(
            f"{ep} ratio {v['ratio']:.0%} {'PASS' if v['ok_ratio'] else 'MISS'}, p99 {v['p99_ms']:g} ms "
            f"{'PASS' if v['ok_p99'] else 'MISS'}" for ep, v in by_conns[c].items()))
    print(f"\nwritten {args.out}")
    missed = [name for name, bar in bars.items() if not bar["ok"]]
    return 1 if missed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())

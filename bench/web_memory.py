"""`python -m bench.web_memory`: the web tier's memory with the intent model — PSS summed over gunicorn's
master and workers, the bar being <= 600 MB (issue 14).

What it does, all on 127.0.0.1, each process stopped by its own id at the end:

  1. starts a redis-server of its own (ivr/runtime/redis_server.py, no AOF) and the web tier with the very
     command `make run` uses (ivr/runtime/launcher.py's web_command: gunicorn --preload, gthread, 2 workers),
     in dev mode with a known token, the desk open, INTENT_ENGINE as configured (the transformer);
  2. once both workers answer, reads the memory ("at start"), then plays --calls calls from several
     connections at once: each a signed POST /voice/incoming and a signed POST /voice/step?seq=1
     whose SpeechResult goes through the intent model (phrases the lexical model is unsure of, so the
     encoder runs too), checks every reply is 200 and every call moved to seq 2 in Redis;
  3. reads the memory again ("after the calls"): per process PSS, RSS and private pages from
     /proc/<pid>/smaps_rollup, their sums, and PSS as if the tier were alone on the machine
     (bench/pss.py), and prints it (--json writes it too).

    python -m bench.web_memory                     # this checkout
    python -m bench.web_memory --rev 1a2b3c4       # the tree of a commit (git archive), same model cache
    python -m bench.web_memory --repeat 2 --json bench/out/web_memory.json

--rev measures another version without touching this checkout: with it the figure of a replaced
implementation stays reproducible (docs/benchmarks.md, "Web tier memory (PSS)").
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import redis
from twilio.request_validator import RequestValidator

from bench.pss import group_memory
from ivr.runtime.redis_server import RedisServer, free_port
from ivr.app.settings import _ENV as SETTINGS_ENV, load_settings

ROOT = Path(__file__).resolve().parent.parent
BAR_MB = 600.0
WORKERS = 2   # `make run` (--web-workers) and deploy/Procfile (WEB_CONCURRENCY) default
TOKEN = "bench-web-memory-token-0123456789"
# answers to the first question: the first five leave the lexical model unsure, so the encoder runs
SPEECH = ["sì ecco volevo sapere una cosa", "ho un problema con la fattura", "il telefono fa cose strane",
          "I have a question about my account", "mi hanno addebitato dei costi che non conosco",
          "non mi va internet da stamattina", "voglio disdire il contratto", "the internet is down"]


def _web_command(tree: Path, bind: str) -> list[str]:
    """The web command of that tree's ivr/runtime/launcher.py, asked in a Python started there."""
    probe = f"import json; from ivr.runtime.launcher import web_command; print(json.dumps(web_command({bind!r}, {WORKERS})))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=tree, capture_output=True, text=True, check=True,
                          env={"PYTHONPATH": str(tree)})
    return json.loads(done.stdout.splitlines()[-1])


def _env(tree: Path, redis_url: str, var: Path, base: str, cache: Path) -> dict:
    env = {key: "" for key in SETTINGS_ENV.values()}  # empty, not absent: a .env file must not fill them in
    env.update(PYTHONPATH=str(tree), PYTHONUNBUFFERED="1", REDIS_URL=redis_url, NOHOLD_VAR_DIR=str(var),
               NOHOLD_DEV_MODE="1", NOHOLD_DEV_TOKEN=TOKEN, PUBLIC_BASE_URL=base,
               BUSINESS_HOURS="mon-sun 00:00-24:00", INTENT_MODEL_CACHE=str(cache))
    return env


def _post(base: str, route: str, params: dict) -> tuple[int, str]:
    signature = RequestValidator(TOKEN).compute_signature(base + route, params)
    request = urllib.request.Request(base + route, data=urllib.parse.urlencode(params).encode(),
                                     headers={"X-Twilio-Signature": signature})
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


def _call(base: str, n: int) -> str:
    sid, caller = "CA" + uuid.uuid4().hex, f"+39333{n:07d}"
    common = {"CallSid": sid, "AccountSid": "AC" + "0" * 32, "From": caller, "To": "+390212345678",
              "ApiVersion": "2010-04-01", "Direction": "inbound"}
    for route, extra in (("/voice/incoming", {"CallStatus": "ringing", "Caller": caller, "FromCountry": "IT"}),
                         ("/voice/step?seq=1", {"CallStatus": "in-progress", "SpeechResult": SPEECH[n % len(SPEECH)],
                                                "Confidence": "0.8"})):
        status, body = _post(base, route, {**common, **extra})
        if status != 200 or "<Response" not in body:
            raise RuntimeError(f"{route} answered {status}: {body[:300]}")
    return sid


class Tier:
    """redis-server + gunicorn (master and workers) of one tree, stopped by their own handles."""

    def __init__(self, tree: Path, work: Path, cache: Path):
        self.redis = RedisServer(work / "redis", appendonly=False).start()
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        command = _web_command(tree, f"127.0.0.1:{self.port}")
        self.log = open(work / "gunicorn.log", "w")
        self.master = subprocess.Popen(command, cwd=tree, env=_env(tree, self.redis.url, work / "var", self.base, cache),
                                       stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    def pids(self) -> list[int]:
        return [self.master.pid, *(p.pid for p in psutil.Process(self.master.pid).children())]

    def wait_ready(self, timeout: float = 300.0) -> float:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.master.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.master.returncode}): see {self.log.name}")
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as reply:
                    if reply.status == 200 and len(self.pids()) == WORKERS + 1:
                        return time.monotonic() - started
            except OSError:
                pass
            time.sleep(0.25)
        raise RuntimeError(f"the web tier did not answer within {timeout:.0f} s: see {self.log.name}")

    def play(self, calls: int, connections: int) -> None:
        with ThreadPoolExecutor(connections) as pool:
            sids = list(pool.map(lambda n: _call(self.base, n), range(calls)))
        client = redis.Redis.from_url(self.redis.url)
        moved = [raw and json.loads(raw).get("seq") for raw in client.mget([f"nohold:{{call:{s}}}" for s in sids])]
        if moved != [2] * calls:
            raise RuntimeError(f"not every call moved to seq 2: {moved}")

    def stop(self) -> None:
        if self.master.poll() is None:
            self.master.terminate()  # gunicorn stops its workers on SIGTERM
            try:
                self.master.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.master.kill()
                self.master.wait()
        self.redis.stop()
        self.log.close()


def measure(tree: Path, cache: Path, calls: int, connections: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="web-memory-") as work:
        tier = Tier(tree, Path(work), cache)
        try:
            ready = tier.wait_ready()
            time.sleep(1.0)
            at_start = group_memory(tier.pids())
            cpu = [psutil.Process(p).cpu_times() for p in tier.pids()[1:]]
            tier.play(calls, connections)
            time.sleep(1.0)
            after = group_memory(tier.pids())
            busy = [round(sum(psutil.Process(p).cpu_times()[:2]) - sum(c[:2]), 2) for p, c in zip(tier.pids()[1:], cpu)]
        finally:
            tier.stop()
    return {"ready_s": round(ready, 1), "at_start": at_start, "after_calls": after, "workers_cpu_s": busy}


def _print(label: str, run: dict, calls: int) -> None:
    for moment, key in (("at start", "at_start"), (f"after {calls} calls", "after_calls")):
        m = run[key]
        each = "  ".join(f"{p['pss_mb']:.0f}/{p['rss_mb']:.0f}/{p['private_mb']:.0f}" for p in m["processes"])
        verdict = "met" if m["pss_mb"] <= BAR_MB else "MISSED"
        print(f"{label} {moment:>16}: PSS {m['pss_mb']:6.1f} MB (alone {m['pss_alone_mb']} MB)  "
              f"RSS sum {m['rss_mb']:6.1f} MB   master+workers PSS/RSS/private: {each}   bar {BAR_MB:.0f}: {verdict}")
    print(f"{label} ready in {run['ready_s']} s; CPU s per worker during the calls: {run['workers_cpu_s']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.web_memory", description=__doc__.split("\n")[0])
    parser.add_argument("--rev", help="measure the tree of this commit (git archive into a temporary folder)")
    parser.add_argument("--calls", type=int, default=64)
    parser.add_argument("--connections", type=int, default=8, help="calls played at once")
    parser.add_argument("--repeat", type=int, default=1, help="fresh starts measured one after another")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    cache = Path(load_settings().intent_model_cache).resolve()  # the built model of this checkout: no rebuild
    with tempfile.TemporaryDirectory(prefix="web-memory-tree-") as exported:
        tree = ROOT
        if args.rev:
            tree = Path(exported)
            archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.rev], capture_output=True, check=True)
            subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
        runs = [measure(tree, cache, args.calls, args.connections) for _ in range(args.repeat)]
    label = args.rev or "checkout"
    for n, run in enumerate(runs, 1):
        _print(f"[{label} #{n}]", run, args.calls)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"rev": args.rev, "calls": args.calls, "workers": WORKERS, "bar_mb": BAR_MB,
                                         "runs": runs}, indent=2))
    return 0 if all(r["after_calls"]["pss_mb"] <= BAR_MB for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())

"""`python -m bench.social_ack`: how fast /social/messenger acknowledges signed Meta deliveries under load.

What it does, all on 127.0.0.1 and cleaned up on exit (also on Ctrl-C, SIGTERM or an error):

  1. starts its own redis-server (no AOF), then gunicorn as `make run` starts it (ivr/runtime/launcher.py:
     gthread, 16 threads, 2 workers, --preload, access log to a file) serving `ivr:create_app()` in dev
     mode with MESSENGER_* and X_* set. No job worker runs, so every batch a webhook stores stays
     pending in Redis, where it is counted;
  2. builds one delivery per request from Meta's recorded text message (tests/data/payloads), each with
     its own mid, sender and time, signs it ahead of time (X-Hub-Signature-256 over the raw bytes) and
     lets wrk replay them through bench/wrk_social.lua: a warm-up, then 10 s at 32 and at 8 connections,
     fresh deliveries for every run;
  3. checks that no answer was non-2xx, that there were no socket errors and that every acknowledged
     delivery left a pending batch (and its job) in Redis, prints the figures with a verdict against
     p99 <= 50 ms, and writes bench/out/social_ack.json;
  4. then, in the same run and with the same gunicorn settings and deliveries, the baseline: bench/bare_app.py
     answering "EVENT_RECEIVED" with no signature check, no JSON and no Redis; the ratio is nohold's req/s
     over the baseline's.

    python -m bench.social_ack
    python -m bench.social_ack --connections 64,32,8 --duration 20 --strict

wrk, redis-server and gunicorn share the machine's cores: see docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import copy
import hashlib
import hmac
import json
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psutil
import redis

from bench.load.processes import (PRODUCT_KIND, WORKERS, Kind, Processes, Server, ensure_wrk, nohold_env,
                                  signals_interrupt)
from bench.load.provenance import described
from bench.load.wrk_runs import run_wrk
from ivr.runtime.job_queue import job_queue
from ivr.runtime.redis_server import RedisServer
from social_bridge.chat.inbound_queue import BASE as INBOX

HERE = Path(__file__).resolve().parent
LUA = HERE / "wrk_social.lua"
OUT = HERE / "out" / "social_ack.json"
PAYLOAD = HERE.parent / "tests" / "data" / "payloads" / "messenger_message_text_quickreply.json"

BAR_P99_MS = 50.0
ROUTE = "/social/messenger"
PENDING = f"{INBOX}:pending"
APP_SECRET, VERIFY_TOKEN, PAGE = "bench-meta-app-secret", "bench-verify-token", "1122334455"
# Both written channels configured; their APIs point at a closed local port (nothing is sent: no worker)
CHANNEL_ENV = {"MESSENGER_APP_SECRET": APP_SECRET, "MESSENGER_VERIFY_TOKEN": VERIFY_TOKEN,
               "MESSENGER_PAGE_TOKEN": "bench-page-token", "MESSENGER_PAGE_ID": PAGE,
               "GRAPH_API_BASE": "http://127.0.0.1:9/v21.0", "X_CONSUMER_SECRET": "bench-x-consumer-secret",
               "X_BEARER_TOKEN": "bench-x-token", "X_ACCOUNT_ID": "1363121963309412354",
               "X_API_BASE": "http://127.0.0.1:9"}
TEXTS = ["Buongiorno, l'ADSL non funziona da ieri sera.", "Ciao, sono Niccolò: la bolletta è troppo alta 😕",
         "Hi, my internet has not been working since this morning", "vorrei disdire il contratto",
         "il modem ha la luce rossa fissa"]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def write_deliveries(path: Path, first: int, count: int) -> Path:
    """Deliveries numbered first..first+count-1, one signed line each ("<path>\\t<signature>\\t<body>")."""
    template = json.loads(PAYLOAD.read_text("utf-8"))
    with open(path, "wb") as out:
        for n in range(first, first + count):
            body = copy.deepcopy(template)
            entry = body["entry"][0]
            event = entry["messaging"][0]
            entry["id"] = event["recipient"]["id"] = PAGE
            entry["time"] = event["timestamp"] = int(time.time() * 1000)
            event["sender"]["id"] = f"7{n:09d}"
            event["message"].update(mid=f"m_bench_{n:09d}", text=TEXTS[n % len(TEXTS)])
            raw = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()  # no tab, no newline
            signature = "sha256=" + hmac.new(APP_SECRET.encode(), raw, hashlib.sha256).hexdigest()
            out.write(f"{ROUTE}\t{signature}\t".encode() + raw + b"\n")
    return path


def check_configured(base: str) -> None:
    """The handshake answers only when MESSENGER_* reached the app (a 404 would measure nothing)."""
    query = f"hub.mode=subscribe&hub.verify_token={VERIFY_TOKEN}&hub.challenge=20261127"
    with urllib.request.urlopen(f"{base}{ROUTE}?{query}", timeout=5) as response:
        if response.read() != b"20261127":
            raise RuntimeError("the Messenger handshake did not echo the challenge")


def counts(client: redis.Redis, jobs) -> tuple[int, int]:
    """Batches pending and draining jobs queued (one at most: a drain handles every batch); no worker runs."""
    return client.llen(PENDING), jobs.count


def measure(result: dict, before: tuple[int, int], after: tuple[int, int]) -> dict:
    """A wrk result with what Redis gained meanwhile: one pending batch per acknowledgement, and a drain
    queued for them (the one the warm-up queued: no worker runs, so it stays wanted)."""
    acknowledged = result["requests"] - result["non_2xx"]
    stored, queued = after[0] - before[0], after[1]
    return dict(result, acknowledged=acknowledged, batches_stored=stored, jobs_queued=queued,
                all_stored=stored >= acknowledged and queued >= 1, ok_p99=result["p99_ms"] <= BAR_P99_MS)


def bench(procs: Processes, wrk: str, args, workdir: Path) -> dict:
    """Starts Redis and nohold, warms up, measures each connection count; stops both whatever happens."""
    server = RedisServer(workdir / "redis", appendonly=False).start()
    try:
        client = redis.Redis.from_url(server.url, decode_responses=True)
        jobs = job_queue(server.url)
        logdir = workdir / "logs"
        logdir.mkdir()
        env = nohold_env(server.url, workdir / "var", CHANNEL_ENV)
        web = Server(procs, "nohold", "ivr:create_app()", Kind.parse(PRODUCT_KIND), env, logdir, args.access_log)
        web.wait_ready("/healthz")
        check_configured(web.base)
        log(f"redis-server {server.url}; nohold {web.base} ({PRODUCT_KIND}, {WORKERS} workers); work dir {workdir}")
        watch = {"server": web.processes(), "redis": [psutil.Process(server.process.pid)]}
        served = 0
        warm = write_deliveries(workdir / "warm.txt", served, args.pool)
        served += args.pool
        result = run_wrk(procs, wrk, LUA, web.base, warm, args.warmup, args.wrk_threads, 8)
        if result["non_2xx"] or result["socket_errors"]:
            raise RuntimeError(f"warm-up: {result['errors']}\n" + web.error_log_tail())
        runs = []
        for conns in args.connections:
            path = write_deliveries(workdir / f"c{conns}.txt", served, args.pool)
            served += args.pool
            before = counts(client, jobs)
            log(f"  c={conns}: POST {ROUTE} …")
            result = run_wrk(procs, wrk, LUA, web.base, path, args.duration, args.wrk_threads, conns, watch,
                             args.quiet_wait)
            time.sleep(0.5)  # requests still in flight when wrk stopped finish (and store) meanwhile
            runs.append(dict(measure(result, before, counts(client, jobs)), connections=conns))
        pending, queued = counts(client, jobs)
        client.close()
        memory = web.memory()
        procs.stop(web.proc)  # one server at a time: they share the two cores
        # the baseline in the same run: bare Flask answering Meta's acknowledgement, same gunicorn settings
        bare = Server(procs, "bare", "bench.bare_app:app", Kind.parse(PRODUCT_KIND), env, logdir, args.access_log)
        bare.wait_ready(ROUTE)  # a GET is a 405 there: an answer, so it is up
        bare_watch = {"server": bare.processes(), "redis": [psutil.Process(server.process.pid)]}
        for run in runs:
            path = write_deliveries(workdir / f"bare-c{run['connections']}.txt", served, args.pool)
            served += args.pool
            log(f"  c={run['connections']}: POST {ROUTE} bare …")
            baseline = run_wrk(procs, wrk, LUA, bare.base, path, args.duration, args.wrk_threads, run["connections"],
                               bare_watch, args.quiet_wait)
            run["bare"] = {key: baseline[key] for key in ("rps", "p50_ms", "p99_ms", "max_ms", "non_2xx")}
            run["ratio"] = run["rps"] / baseline["rps"] if baseline["rps"] else 0.0
        return {"runs": runs, "memory": memory, "pending_batches": pending, "jobs_queued": queued}
    finally:
        procs.stop_all()
        server.stop()


def table(runs: list[dict]) -> str:
    head = (f"{'conns':>5} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'non-2xx':>7} {'sock err':>8} "
            f"{'acked':>7} {'stored':>7} {'jobs':>7} {'bare r/s':>8} {'bare p99':>8} {'ratio':>5}  verdict")
    lines = [head, "-" * len(head)]
    for r in runs:
        lines.append(f"{r['connections']:>5} {r['rps']:>7.0f} {r['p50_ms']:>7.1f} {r['p99_ms']:>7.1f} "
                     f"{r['max_ms']:>7.1f} {r['non_2xx']:>7} {r['socket_errors']:>8} {r['acknowledged']:>7} "
                     f"{r['batches_stored']:>7} {r['jobs_queued']:>7} {r['bare']['rps']:>8.0f} "
                     f"{r['bare']['p99_ms']:>8.1f} {100 * r['ratio']:>4.0f}%  p99 {'ok' if r['ok_p99'] else 'MISS'}"
                     + ("" if r["all_stored"] else ", NOT ALL STORED") + (", WRAPPED" if r["wrapped"] else ""))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.social_ack", description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=lambda s: [int(c) for c in s.split(",") if c.strip()],
                        default=[32, 8], help="comma-separated wrk connection counts (default 32,8)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement (default 10)")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up (default 3)")
    parser.add_argument("--wrk-threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--pool", type=int, default=60000, help="distinct signed deliveries per run (default 60000)")
    parser.add_argument("--no-access-log", dest="access_log", action="store_false",
                        help="run gunicorn without its access log (`make run` has one)")
    parser.add_argument("--quiet-wait", type=float, default=30.0,
                        help="before each measurement wait up to this many seconds for an idle machine (default 30)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a check or the bar is missed")
    args = parser.parse_args(argv)

    wrk = ensure_wrk()
    background = round(psutil.cpu_percent(interval=1.0) / 100 * psutil.cpu_count(), 2)
    if background > 0.25:
        log(f"warning: the machine is not idle ({background:.2f} cores busy before the run): figures will be low")
    started = time.time()
    try:
        with signals_interrupt(), tempfile.TemporaryDirectory(prefix="nohold-social-ack-") as workdir:
            result = bench(Processes(), wrk, args, Path(workdir))  # stops what it started, whatever happens
    except KeyboardInterrupt:
        log("interrupted: everything this run started is stopped")
        return 130

    runs = result["runs"]
    checks = {"p99": all(r["ok_p99"] for r in runs),
              "no_errors": all(r["non_2xx"] == 0 and r["socket_errors"] == 0 for r in runs),
              "every_ack_stored": all(r["all_stored"] for r in runs),
              "distinct_deliveries": not any(r["wrapped"] for r in runs)}
    report = {**described(started, background),
              "settings": {"route": ROUTE, "kind": PRODUCT_KIND, "workers": WORKERS, "preload": True,
                           "access_log": args.access_log, "connections": args.connections,
                           "duration_s": args.duration, "wrk_threads": args.wrk_threads, "job_worker": False},
              "bar": f"p99 <= {BAR_P99_MS:g} ms", "checks": checks, **result}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")

    m, code = report["machine"], report["code"]
    print(f"\nmachine  {m['cpu']}, {m['usable_cpus']} usable CPUs (wrk shares them), {m['memory_gb']} GB, "
          f"Python {m['python']}, gunicorn {m['gunicorn']}, {m['wrk']}")
    print(f"code     {code.get('commit', '?')}" + (" + uncommitted product changes" if code.get("product_code_modified") else ""))
    print(f"idle     {background:.2f} cores busy before the run (others' processes)")
    print(f"setup    POST {ROUTE}, {PRODUCT_KIND} x {WORKERS} workers, --preload, access log "
          f"{'on' if args.access_log else 'off'}, wrk -t{args.wrk_threads} -d{args.duration}s, no job worker\n")
    print(table(runs))
    print("\nCPU ms per request (server = gunicorn master + workers); cores busy elsewhere during the run:")
    for r in runs:
        per, other = r["cpu_ms_per_request"], r["cpu_s"]["other"] / r["seconds"]
        print(f"  c={r['connections']:<3} server {per['server']:.2f}, redis {per['redis']:.2f}, wrk {per['wrk']:.2f}; "
              f"others {other:.2f} cores")
    print(f"RSS      workers {result['memory']['workers_rss_mb']} MB; in Redis: {result['pending_batches']} batches "
          f"pending, {result['jobs_queued']} jobs queued (warm-up included)")
    print("\nverdicts:")
    print(f"  p99 <= {BAR_P99_MS:g} ms        {'PASS' if checks['p99'] else 'MISS'}  "
          + ", ".join(f"{r['p99_ms']:g} ms at {r['connections']}" for r in runs))
    for name in ("no_errors", "every_ack_stored", "distinct_deliveries"):
        print(f"  {name:<20} {'PASS' if checks[name] else 'MISS'}")
    print(f"\nwritten {args.out}")
    return 1 if args.strict and not all(checks.values()) else 0


if __name__ == "__main__":
    sys.exit(main())

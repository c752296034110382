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
import random
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import psutil
import redis

from bench.load.processes import (PRODUCT_KIND, WORKERS, Kind, Processes, Server, ensure_wrk, nohold_env,
                                  scratch_redis, signals_interrupt)
from bench.load.provenance import described, desk_state
from bench.load.signed_calls import (INCOMING, SCRIPT, STEP, Call, calls_at, incoming_params, new_calls, step_params,
                                     write_requests)
from bench.load.voice_report import BAR_P99_MS, BAR_RATIO, print_report, verdicts
from bench.load.wrk_runs import busy_cores, run_wrk
from ivr.runtime.redis_server import RedisServer

OUT = Path(__file__).resolve().parent / "out" / "voice_load.json"


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

        def wrk_run(base: str, path: Path, duration: float, conns: int, watch: dict | None = None) -> dict:
            return run_wrk(procs, wrk, SCRIPT, base, path, duration, args.wrk_threads, conns, watch, args.quiet_wait)

        def incoming_file(name: str, calls: list[Call]) -> Path:
            return write_requests(files / name, nohold.base, INCOMING, [incoming_params(c) for c in calls])

        # warm-up: imports, first connections, the classifier's first calls; these calls also feed phase 2
        warm = new_calls(min(args.pool, 20000), rng)
        wrk_run(nohold.base, incoming_file("warm.txt", warm), args.warmup, 8)
        wrk_run(bare.base, incoming_file("warm.txt", warm), args.warmup, 8)
        created = list(warm)
        rows = []
        for conns in connections:
            # phase 1: /voice/incoming, a fresh CallSid per request
            fresh = new_calls(args.pool, rng)
            created += fresh
            path = incoming_file(f"incoming-c{conns}.txt", fresh)
            log(f"  c={conns}: {INCOMING} nohold …")
            inc_n = wrk_run(nohold.base, path, args.duration, conns, watch_n)
            log(f"  c={conns}: {INCOMING} bare …")
            inc_b = wrk_run(bare.base, path, args.duration, conns, watch_b)
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
                wrk_run(nohold.base, incoming_file(f"seed-{len(created)}.txt", seed), secs, conns)
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
                step_n = wrk_run(nohold.base, path, args.duration, conns, watch_n)
                advanced = len(step_calls) - len(calls_at(client, step_calls, 1))
                step_n["calls_advanced"] = advanced
                step_n["calls_available"] = len(step_calls)
                if not step_n["wrapped"] or attempt >= 3:
                    break
                log(f"  c={conns}: {STEP} wrapped around its {len(step_calls)} calls: seeding more and again")
                seed = new_calls(step_n["requests"] * 2, rng)
                created += seed
                wrk_run(nohold.base, incoming_file(f"seed-{len(created)}.txt", seed),
                        2.4 * step_n["requests"] / max(inc_n["rps"], 50), conns)
                ready = calls_at(client, created, 1)
            log(f"  c={conns}: {STEP} bare …")
            step_b = wrk_run(bare.base, path, args.duration, conns, watch_b)
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


def arguments(argv: list[str] | None):
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
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    kinds = [Kind.parse(k.strip()) for k in args.kinds.split(",") if k.strip()]
    connections = [int(c) for c in args.connections.split(",") if c.strip()]

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    wrk = ensure_wrk()
    background = round(busy_cores(), 2)  # cores busy before we start anything
    if background > 0.25:
        log(f"warning: the machine is not idle ({background:.2f} cores busy before the run): figures will be low")
    procs = Processes()
    rng = random.Random(args.seed)
    results = []
    started = time.time()
    with signals_interrupt():
        try:
            with ExitStack() as stack:
                workdir, server, client = scratch_redis(stack, "nohold-bench-")
                log(f"redis-server {server.url}; work dir {workdir}")
                for kind in kinds:
                    log(f"{kind.label}:")
                    results.append(run_kind(procs, wrk, kind, connections, args, workdir, client, server, rng, log))
        except KeyboardInterrupt:
            log("interrupted: stopping everything")
            return 130
        finally:
            procs.stop_all()

    product = Kind.parse(PRODUCT_KIND).label
    headline = next((r for r in results if r["kind"] == product), results[0])
    bars, by_conns = verdicts(results, headline, connections)
    report = {**described(started, background), "desk": desk_state(args.business_hours),
              "settings": {"workers": WORKERS, "kinds": [k.label for k in kinds], "product_kind": product,
                           "preload": True, "access_log": args.access_log, "connections": connections,
                           "duration_s": args.duration, "wrk_threads": args.wrk_threads,
                           "business_hours": args.business_hours or "product default"},
              "headline": {"kind": product if headline["kind"] == product else headline["kind"],
                           "connections": connections[0]},
              "bars": bars, "bars_by_connections": by_conns, "results": results}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print_report(report, args)
    missed = [name for name, bar in bars.items() if not bar["ok"]]
    return 1 if missed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())

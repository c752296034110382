"""`python -m bench.console_streams`: live console streams held open during the voice load benchmark.

What it does, all on 127.0.0.1 and cleaned up on exit (also on Ctrl-C, SIGTERM or an error):

  1. starts its own redis-server, the web server exactly as bench/voice_load.py does (2 gthread workers,
     --preload, access log) and the stream server as `make run` does (ivr/runtime/streams.py: gevent, 1 worker);
  2. creates one agent per 5 streams (the per-agent cap), logs each in through the web server's
     /console/login and keeps its session cookie;
  3. the voice load without streams: /voice/incoming then /voice/step?seq=1 with wrk and pre-signed
     Twilio requests (bench/load/: signed_calls.py's requests and wrk script, wrk_runs.py's accounting), 32 connections;
  4. for each stream count (500, then 2,000): opens that many /console/events streams on the stream
     server (asyncio raw sockets, HTTP/1.0, the session cookie, reconnecting like EventSource when a
     stream ends; one thread at nice 10, as the stream server's worker is: they stand for browsers
     elsewhere), measures the stream server's RSS and PSS, and runs the same voice load again while
     a few items are enqueued; every stream's delay to see each of them is recorded;
  5. closes the streams and runs the load without streams again (the machine may have drifted meanwhile:
     p99 is compared with the mean of the runs before and after);
  6. prints the figures and verdicts, writes bench/out/console_streams.json.

    python -m bench.console_streams                       # 500 then 2,000 streams
    python -m bench.console_streams --streams 500 --duration 5

Bars (issue 13): with 500 streams open (moonshot 2,000) webhook p99 <= 1.2 x the run without streams,
0 webhook errors, every stream sees each queue change within 1 s; memory per open stream reported.
"""
from __future__ import annotations

import argparse
import math
import random
import secrets
import sys
import threading
import time
from contextlib import ExitStack
from pathlib import Path

import psutil

from bench.load.console_side import (check_web_holds_no_stream, signed_in_agents, start_stream_server,
                                     stream_server_memory)
from bench.load.processes import (PRODUCT_KIND, Kind, Processes, Server, ensure_wrk, free_port, nohold_env,
                                  scratch_redis, signals_interrupt)
from bench.load.signed_calls import (INCOMING, SCRIPT, STEP, calls_at, incoming_params, new_calls, step_params,
                                     write_requests)
from bench.load.stream_clients import StreamClients
from bench.load.stream_report import report, seen
from bench.load.wrk_runs import busy_cores, run_wrk, wait_quiet
from social_bridge.web.console.events import KEEPALIVE_SECONDS, STREAMS_PER_AGENT
from social_bridge.queue.work_item import WorkItem
from social_bridge.queue.work_queue import WorkQueue

OUT = Path(__file__).resolve().parent / "out" / "console_streams.json"


class VoiceLoad:
    """The two phases of bench/voice_load.py against the web server, run again and again in one setting."""

    def __init__(self, procs, wrk, web, files: Path, args, rng, client, watch):
        self.procs, self.wrk, self.web, self.files, self.args = procs, wrk, web, files, args
        self.rng, self.client, self.watch = rng, client, watch
        self.created: list = []  # calls made by /voice/incoming runs and not stepped yet

    def requests_for(self, name: str, endpoint: str, calls: list) -> Path:
        params = [incoming_params(c) if endpoint == INCOMING else step_params(c, self.rng) for c in calls]
        return write_requests(self.files / f"{name}.txt", self.web.base, endpoint, params)

    def warm_up(self) -> None:
        warm = new_calls(20000, self.rng)
        self.created += warm
        run_wrk(self.procs, self.wrk, SCRIPT, self.web.base, self.requests_for("warm", INCOMING, warm), 3,
                self.args.wrk_threads, 8)

    def run(self, label: str, clients: "StreamClients | None" = None, changes: int = 0) -> dict:
        """One /voice/incoming run, then one /voice/step run on calls at seq 1; `changes` items enqueued during each."""
        out, args = {}, self.args
        for endpoint in (INCOMING, STEP):
            if endpoint == INCOMING:
                calls = new_calls(args.pool, self.rng)
                self.created += calls
            else:
                calls = calls_at(self.client, self.created, 1)
                self.rng.shuffle(calls)
                self.created = []  # every call at seq 1 is in this run's requests
            path = self.requests_for(f"{endpoint.strip('/').split('?')[0].replace('/', '-')}-{label}", endpoint, calls)
            wait_quiet(args.quiet_wait)  # here, not in run_wrk: before the queue changes' timer starts
            markers: list[str] = []
            timer = threading.Thread(target=enqueue_during, args=(clients, self.client, args.duration, changes, markers))
            timer.start()
            result = run_wrk(self.procs, self.wrk, SCRIPT, self.web.base, path, args.duration, args.wrk_threads,
                             args.connections, self.watch)
            timer.join()
            if changes:
                time.sleep(2.0)  # the last change's stragglers
                result["seen"] = seen(clients, markers)
            out[endpoint] = result
            print(f"  {label:<11} {endpoint:<18} {result['rps']:7.0f} req/s  p99 {result['p99_ms']:6.1f} ms  "
                  f"errors {result['non_2xx'] + result['socket_errors']}", file=sys.stderr, flush=True)
        return out


def enqueue_during(clients: StreamClients | None, client, duration: float, changes: int, markers: list) -> None:
    """`changes` new callbacks, evenly spread over the run; the clients note when each was made."""
    queue = WorkQueue(client)
    for n in range(changes):
        time.sleep(duration / (changes + 1))
        marker = "bench" + secrets.token_hex(6)
        clients.mark(marker)
        # first in line (the voice load books callbacks too): a console lists the first 200 waiting items
        queue.enqueue(WorkItem(id=marker, kind="callback", channel="voice", lang="it", acquired_at=1e9 + n,
                               natural_key=f"bench:{marker}", customer="+393330000000", intent="internet_down"))
        markers.append(marker)


def arguments(argv: list[str] | None):
    parser = argparse.ArgumentParser(prog="python -m bench.console_streams", description=__doc__.split("\n\n")[0])
    parser.add_argument("--streams", default="500,2000", help="stream counts, each measured in turn (default 500,2000)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run (default 10)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (default 32)")
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--changes", type=int, default=3, help="queue changes during each run with streams")
    parser.add_argument("--pool", type=int, default=40000, help="signed /voice/incoming requests per run")
    parser.add_argument("--quiet-wait", type=float, default=30.0,
                        help="before each run, wait up to this long for an idle second (others' CPU skews p99)")
    parser.add_argument("--business-hours", default="mon-sun 00:00-24:00")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    wrk = ensure_wrk()
    background = round(busy_cores(), 2)
    started = time.time()
    with signals_interrupt():
        try:
            runs, held = measure(args, wrk)
        except KeyboardInterrupt:
            print("interrupted: stopping everything", file=sys.stderr)
            return 130
    return report(runs, held, args, background, started)


def measure(args, wrk: str) -> tuple[list[dict], dict]:
    """The load without streams, with each count of streams open, and without again; stops all it started."""
    counts = sorted(int(n) for n in args.streams.split(",") if n.strip())
    procs = Processes()
    rng, clients = random.Random(args.seed), None
    try:
        with ExitStack() as stack:
            work, server, client = scratch_redis(stack, "nohold-streams-")
            (logs := work / "logs").mkdir()
            (files := work / "requests").mkdir()
            stream_port = free_port()
            stream_url = f"http://127.0.0.1:{stream_port}/console/events"
            env = nohold_env(server.url, work / "var", {"BUSINESS_HOURS": args.business_hours,
                                                        "CONSOLE_STREAM_URL": stream_url,
                                                        "LOGIN_ATTEMPTS_PER_ADDRESS": "1000000"})
            web = Server(procs, "nohold", "ivr:create_app()", Kind.parse(PRODUCT_KIND), env, logs, True)
            streams = start_stream_server(procs, stream_port, web, logs / "streams.log")
            cookies = signed_in_agents(client, web.base, math.ceil(counts[-1] / STREAMS_PER_AGENT))
            print(f"web {web.base}, streams {stream_url}, {len(cookies)} agents signed in", file=sys.stderr, flush=True)
            held = check_web_holds_no_stream(web.base, cookies[0])
            stream_procs = [psutil.Process(streams.pid), *psutil.Process(streams.pid).children()]
            watch = {"server": web.processes(), "redis": [psutil.Process(server.process.pid)],
                     "streams": stream_procs, "clients": [psutil.Process()]}
            load = VoiceLoad(procs, wrk, web, files, args, rng, client, watch)
            load.warm_up()
            idle_memory = stream_server_memory(streams)
            runs = [{"label": "none", "streams": 0, "memory": idle_memory, "load": load.run("no streams")}]
            clients = StreamClients("127.0.0.1", stream_port, "/console/events", web.base)
            for n in counts:
                wanted = [cookies[i // STREAMS_PER_AGENT] for i in range(len(clients.streams), n)]
                opened_in = clients.add(wanted)
                time.sleep(2.0)
                mem = stream_server_memory(streams)
                per = {k: round((mem[k] - idle_memory[k]) * 1024 / n, 1) for k in ("rss_mb", "pss_mb")}
                print(f"{n} streams open in {opened_in:.1f} s; stream server {mem} (+{per} KB per stream)",
                      file=sys.stderr, flush=True)
                figures = load.run(f"{n} streams", clients, args.changes)
                runs.append({"label": str(n), "streams": n, "opened_in_s": round(opened_in, 1), "memory": mem,
                             "kb_per_stream": {"rss": per["rss_mb"], "pss": per["pss_mb"]}, "load": figures,
                             "refused": clients.statuses(), "client_errors": sum(s.errors for s in clients.streams),
                             "reconnects": sum(max(0, s.conn - 1) for s in clients.streams)})
            clients.close()
            clients = None
            time.sleep(KEEPALIVE_SECONDS)  # the stream server notices closed streams at its next keepalive
            # the baseline again: how far the machine (shared with others) drifted during the run
            runs.append({"label": "none after", "streams": 0, "memory": stream_server_memory(streams),
                         "load": load.run("no streams")})
        return runs, held
    finally:
        if clients is not None:
            clients.close()
        procs.stop_all()


if __name__ == "__main__":
    sys.exit(main())

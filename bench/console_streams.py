"""`python -m bench.console_streams`: live console streams held open during the voice load benchmark.

What it does, all on 127.0.0.1 and cleaned up on exit (also on Ctrl-C, SIGTERM or an error):

  1. starts its own redis-server, the web server exactly as bench/voice_load.py does (2 gthread workers,
     --preload, access log) and the stream server as `make run` does (ivr/runtime/streams.py: gevent, 1 worker);
  2. creates one agent per 5 streams (the per-agent cap), logs each in through the web server's
     /console/login and keeps its session cookie;
  3. the voice load without streams: /voice/incoming then /voice/step?seq=1 with wrk and pre-signed
     Twilio requests (bench/voice_load.py's requests, wrk script and accounting), 32 connections;
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
import asyncio
import functools
import json
import math
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import redis
import requests

from bench import voice_load as vl
from ivr.runtime import streams as stream_server
from ivr.runtime.redis_server import RedisServer
from social_bridge.queue import agents as agents_module
from social_bridge.web.console.events import KEEPALIVE_SECONDS, STREAMS_PER_AGENT
from social_bridge.queue.work_item import WorkItem
from social_bridge.queue.work_queue import WorkQueue

OUT = Path(__file__).resolve().parent / "out" / "console_streams.json"
BAR_P99_RATIO, BAR_SEEN_S = 1.2, 1.0
PASSWORD = "bench password 0123"
RETRY_S = 1.0  # what the stream's `retry:` asks of EventSource
CLIENT_NICE = 10


@dataclass
class Stream:
    index: int
    cookie: str
    conn: int = 0                 # connections that got a 200
    connected: bool = False
    first_event: float | None = None
    statuses: dict = field(default_factory=dict)   # non-200 answers by code
    errors: int = 0
    seen: dict = field(default_factory=dict)       # marker -> (seconds after it was enqueued, same connection)


class StreamClients:
    """Streams like a console's EventSource, on one asyncio loop in a thread of its own."""

    def __init__(self, host: str, port: int, path: str, origin: str):
        self.host, self.port, self.path, self.origin = host, port, path, origin
        self.streams: list[Stream] = []
        self.markers: dict[str, tuple[float, list]] = {}  # marker -> (t0, each stream's connection at t0)
        self.stopping = False
        self.tasks: list = []
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._loop, name="stream-clients", daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        # these clients stand for browsers on other machines: on this one they yield the cores to the
        # servers measured (this thread only; Linux gives threads their own nice value). Their CPU is reported.
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), CLIENT_NICE)
        self.loop.run_forever()

    def add(self, cookies: list[str], timeout: float = 120.0) -> float:
        """Opens one stream per cookie, 50 at a time; seconds until all had their first event."""
        started = time.monotonic()
        for i in range(0, len(cookies), 50):
            batch = [Stream(len(self.streams) + n, cookie) for n, cookie in enumerate(cookies[i:i + 50])]
            self.streams += batch
            # kept: the loop holds its tasks weakly, and a collected task would drop its stream mid-run
            self.tasks += [asyncio.run_coroutine_threadsafe(self._run(stream), self.loop) for stream in batch]
            while any(s.first_event is None for s in batch) and time.monotonic() - started < timeout:
                time.sleep(0.05)
        if any(s.first_event is None for s in self.streams):
            raise RuntimeError(f"{sum(s.first_event is None for s in self.streams)} streams never got an event; "
                               f"answers {self.statuses()}")
        return time.monotonic() - started

    def mark(self, marker: str) -> None:
        """Call just before the change that shows `marker` is made."""
        self.markers[marker] = (time.monotonic(), [s.conn if s.connected else None for s in self.streams])

    def statuses(self) -> dict:
        out: dict = {}
        for s in self.streams:
            for code, n in s.statuses.items():
                out[code] = out.get(code, 0) + n
        return out

    async def _run(self, s: Stream) -> None:
        request = (f"GET {self.path} HTTP/1.0\r\nHost: {self.host}:{self.port}\r\nAccept: text/event-stream\r\n"
                   f"Origin: {self.origin}\r\nCookie: {s.cookie}\r\n\r\n").encode()
        while not self.stopping:
            writer = None
            try:
                reader, writer = await asyncio.open_connection(self.host, self.port, limit=1 << 24)
                writer.write(request)
                code = int((await reader.readline()).split()[1])
                while (await reader.readline()) not in (b"\r\n", b""):
                    pass
                if code != 200:
                    s.statuses[code] = s.statuses.get(code, 0) + 1
                else:
                    s.conn, s.connected = s.conn + 1, True
                    while line := await reader.readline():
                        if line.startswith(b"data: "):
                            self._saw(s, line, time.monotonic())
            except (OSError, ValueError, IndexError):
                s.errors += 1
            finally:
                s.connected = False
                if writer is not None:
                    writer.close()
            await asyncio.sleep(RETRY_S)

    def _saw(self, s: Stream, line: bytes, now: float) -> None:
        if s.first_event is None:
            s.first_event = now
        for marker, (t0, at_t0) in list(self.markers.items()):
            if marker not in s.seen and marker.encode() in line:
                s.seen[marker] = (now - t0, s.index < len(at_t0) and at_t0[s.index] == s.conn)

    def close(self) -> None:
        self.stopping = True

        async def cancel_all():
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(cancel_all(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


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


def memory(proc: subprocess.Popen) -> dict:
    """RSS and PSS of the stream server's worker (the master only watches it)."""
    worker = psutil.Process(proc.pid).children()[0]
    info = worker.memory_full_info()
    return {"rss_mb": round(info.rss / 2**20, 1), "pss_mb": round(info.pss / 2**20, 1)}


class VoiceLoad:
    """bench/voice_load.py's two phases against the web server, run again and again in one setting."""

    def __init__(self, procs, wrk, web, files: Path, args, rng, client, watch):
        self.procs, self.wrk, self.web, self.files, self.args = procs, wrk, web, files, args
        self.rng, self.client, self.watch = rng, client, watch
        self.created: list = []  # calls made by /voice/incoming runs and not stepped yet

    def requests_for(self, name: str, endpoint: str, calls: list) -> Path:
        params = [vl.incoming_params(c) if endpoint == vl.INCOMING else vl.step_params(c, self.rng) for c in calls]
        return vl.write_requests(self.files / f"{name}.txt", self.web.base, endpoint, params)

    def warm_up(self) -> None:
        warm = vl.new_calls(20000, self.rng)
        self.created += warm
        vl.run_wrk(self.procs, self.wrk, self.web.base, self.requests_for("warm", vl.INCOMING, warm), 3,
                   self.args.wrk_threads, 8)

    def run(self, label: str, clients: "StreamClients | None" = None, changes: int = 0) -> dict:
        """One /voice/incoming run, then one /voice/step run on calls at seq 1; `changes` items enqueued during each."""
        out, args = {}, self.args
        for endpoint in (vl.INCOMING, vl.STEP):
            if endpoint == vl.INCOMING:
                calls = vl.new_calls(args.pool, self.rng)
                self.created += calls
            else:
                calls = vl.calls_at(self.client, self.created, 1)
                self.rng.shuffle(calls)
                self.created = []  # every call at seq 1 is in this run's requests
            path = self.requests_for(f"{endpoint.strip('/').split('?')[0].replace('/', '-')}-{label}", endpoint, calls)
            vl.wait_quiet(args.quiet_wait)
            markers: list[str] = []
            timer = threading.Thread(target=enqueue_during, args=(clients, self.client, args.duration, changes, markers))
            timer.start()
            result = vl.run_wrk(self.procs, self.wrk, self.web.base, path, args.duration, args.wrk_threads,
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


def seen(clients: StreamClients, markers: list[str]) -> dict:
    """Per change and stream: seconds to see it. Streams between two connections when it was made (EventSource's
    1 s retry after a stream's minute ends) are counted apart: they see it in their new stream's first event."""
    steady, reconnecting, missed = [], [], 0
    for marker in markers:
        for s in clients.streams:
            if marker not in s.seen:
                missed += 1
                continue
            delay, same = s.seen[marker]
            (steady if same else reconnecting).append(delay)
    q = lambda xs, p: round(sorted(xs)[min(len(xs) - 1, math.ceil(p * len(xs)) - 1)], 3) if xs else None  # noqa: E731
    return {"changes": len(markers), "streams": len(clients.streams), "missed": missed,
            "open_streams": {"n": len(steady), "p50_s": q(steady, 0.5), "p99_s": q(steady, 0.99),
                             "max_s": q(steady, 1.0), "over_1s": sum(d > BAR_SEEN_S for d in steady)},
            "reconnecting": {"n": len(reconnecting), "max_s": q(reconnecting, 1.0)}}


def main(argv: list[str] | None = None) -> int:
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
    args = parser.parse_args(argv)
    counts = sorted(int(n) for n in args.streams.split(",") if n.strip())
    vl.QUIET_WAIT[0] = 0  # voice_load() waits itself, before the queue changes are timed
    wrk = vl.ensure_wrk()
    before = vl._busy_seconds()
    time.sleep(1.0)
    background = round(vl._busy_seconds() - before, 2)
    procs = vl.Processes()
    previous = signal.signal(signal.SIGTERM, vl._interrupt)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    import random

    rng, clients, started = random.Random(args.seed), None, time.time()
    try:
        with ExitStack() as stack:
            work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="nohold-streams-")))
            server = RedisServer(work / "redis", appendonly=False).start()
            stack.callback(server.stop)
            client = redis.Redis.from_url(server.url, decode_responses=True)
            (logs := work / "logs").mkdir()
            (files := work / "requests").mkdir()
            stream_port = vl.free_port()
            stream_url = f"http://127.0.0.1:{stream_port}/console/events"
            env = vl.nohold_env(server.url, work / "var", {"BUSINESS_HOURS": args.business_hours,
                                                           "CONSOLE_STREAM_URL": stream_url,
                                                           "LOGIN_ATTEMPTS_PER_ADDRESS": "1000000"})
            web = vl.Server(procs, "nohold", "ivr:create_app()", vl.Kind.parse(vl.PRODUCT_KIND), env, logs, True)
            with open(logs / "streams.log", "w") as log:
                streams = procs.start(stream_server.command(f"127.0.0.1:{stream_port}", web_origin=web.base),
                                      cwd=vl.ROOT, env=web.env, stdout=log, stderr=subprocess.STDOUT)
            web.wait_ready("/healthz")
            wait_healthy(f"http://127.0.0.1:{stream_port}/healthz", streams, logs / "streams.log")
            # agents with cheap password hashes: 400 logins should not cost minutes of scrypt
            agents_module.generate_password_hash = functools.partial(agents_module.generate_password_hash,
                                                                     method="pbkdf2:sha256:1000")
            directory = agents_module.AgentDirectory(client)
            names = [f"bench{n:04d}" for n in range(math.ceil(counts[-1] / STREAMS_PER_AGENT))]
            for name in names:
                directory.create(name, PASSWORD)
            cookies = [login(web.base, name) for name in names]
            print(f"web {web.base}, streams {stream_url}, {len(names)} agents signed in", file=sys.stderr, flush=True)
            held = check_web_holds_no_stream(web.base, cookies[0])
            stream_procs = [psutil.Process(streams.pid), *psutil.Process(streams.pid).children()]
            watch = {"server": web.processes(), "redis": [psutil.Process(server.process.pid)],
                     "streams": stream_procs, "clients": [psutil.Process()]}
            load = VoiceLoad(procs, wrk, web, files, args, rng, client, watch)
            load.warm_up()
            idle_memory = memory(streams)
            runs = [{"label": "none", "streams": 0, "memory": idle_memory, "load": load.run("no streams")}]
            clients = StreamClients("127.0.0.1", stream_port, "/console/events", web.base)
            for n in counts:
                wanted = [cookies[i // STREAMS_PER_AGENT] for i in range(len(clients.streams), n)]
                opened_in = clients.add(wanted)
                time.sleep(2.0)
                mem = memory(streams)
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
            runs.append({"label": "none after", "streams": 0, "memory": memory(streams),
                         "load": load.run("no streams")})
    except KeyboardInterrupt:
        print("interrupted: stopping everything", file=sys.stderr)
        return 130
    finally:
        if clients is not None:
            clients.close()
        procs.stop_all()
        signal.signal(signal.SIGTERM, previous)
    return report(runs, held, args, background, started)


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


def check_web_holds_no_stream(base: str, cookie: str) -> dict:
    """The web server's own /console/events answers at once (a redirect to the stream server), holding nothing."""
    started = time.monotonic()
    answer = requests.get(f"{base}/console/events", headers={"Cookie": cookie, "Accept": "text/event-stream"},
                          allow_redirects=False, timeout=5)
    return {"status": answer.status_code, "location": answer.headers.get("Location"),
            "ms": round(1000 * (time.monotonic() - started), 1)}


def report(runs: list[dict], held: dict, args, background: float, started: float) -> int:
    baselines = [run["load"] for run in runs if not run["streams"]]  # before and after the runs with streams
    base = {endpoint: statistics.mean(b[endpoint]["p99_ms"] for b in baselines) for endpoint in baselines[0]}
    rows, bars = [], {}
    for run in runs:
        for endpoint, r in run["load"].items():
            ratio = r["p99_ms"] / base[endpoint] if base[endpoint] else 0.0
            cores = {k: round(r["cpu_s"].get(k, 0) / r["seconds"], 2) for k in ("server", "streams", "clients", "other")}
            rows.append({"run": run["label"], "streams": run["streams"], "endpoint": endpoint, "rps": r["rps"], "p50_ms": r["p50_ms"],
                         "p99_ms": r["p99_ms"], "p99_ratio": round(ratio, 2), "errors": r["non_2xx"] + r["socket_errors"],
                         "wrapped": r["wrapped"], "cores": cores, "seen": r.get("seen"),
                         "web_cpu_ms_per_request": r["cpu_ms_per_request"].get("server")})
    for run in (run for run in runs if run["streams"]):
        mine = [row for row in rows if row["run"] == run["label"]]
        bars[run["streams"]] = {
            "p99": all(row["p99_ratio"] <= BAR_P99_RATIO for row in mine),
            "errors": all(row["errors"] == 0 for row in mine),
            "seen_1s": all(row["seen"]["missed"] == 0 and row["seen"]["open_streams"]["over_1s"] == 0 for row in mine),
            "reconnecting_within": max((row["seen"]["reconnecting"]["max_s"] or 0) for row in mine)}
    result = {"started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)), "code": vl.code_version(),
              "machine": dict(vl.machine(), background_cores_before=background),
              "settings": {"duration_s": args.duration, "connections": args.connections, "changes": args.changes,
                           "streams_per_agent": STREAMS_PER_AGENT, "web": f"{vl.PRODUCT_KIND} x {vl.WORKERS}",
                           "stream_server": "gevent x 1"},
              "web_events_route": held, "p99_baseline_ms": base, "runs": runs, "rows": rows, "bars": bars}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    m = result["machine"]
    print(f"\nmachine  {m['cpu']}, {m['usable_cpus']} usable CPUs, Python {m['python']}, gunicorn {m['gunicorn']}; "
          f"{background:.2f} cores busy before the run; code {result['code'].get('commit')}"
          + (" + uncommitted changes" if result["code"].get("product_code_modified") else ""))
    print(f"web's own /console/events: {held['status']} in {held['ms']} ms -> {held['location']}\n")
    print("x base: p99 over the mean p99 of the two runs without streams (before and after); web cpu: ms of the web\n"
          "server's CPU per request (moves far less than p99 when others' processes take the cores)")
    print(f"{'streams':>10} {'endpoint':<18} {'req/s':>6} {'p50 ms':>7} {'p99 ms':>7} {'x base':>6} {'errors':>6} "
          f"{'seen p50/p99/max s':>19} {'late':>4} {'missed':>6} {'web cpu':>7}  cores web/streams/clients/others")
    for row in rows:
        s = row["seen"]
        seen_txt = (f"{s['open_streams']['p50_s']}/{s['open_streams']['p99_s']}/{s['open_streams']['max_s']}"
                    if s else "")
        c = row["cores"]
        print(f"{row['run']:>10} {row['endpoint']:<18} {row['rps']:>6.0f} {row['p50_ms']:>7.1f} {row['p99_ms']:>7.1f} "
              f"{row['p99_ratio']:>6.2f} {row['errors']:>6} {seen_txt:>19} "
              f"{s['open_streams']['over_1s'] if s else '':>4} {s['missed'] if s else '':>6} "
              f"{row['web_cpu_ms_per_request']:>7.2f}  "
              f"{c['server']}/{c['streams']}/{c['clients']}/{c['other']}" + ("  WRAPPED" if row["wrapped"] else ""))
    print()
    for run in runs:
        extra = (f", +{run['kb_per_stream']['rss']} KB RSS / +{run['kb_per_stream']['pss']} KB PSS per stream; "
                 f"opened in {run['opened_in_s']} s, {run['reconnects']} reconnects, refused {run['refused']}, "
                 f"client errors {run['client_errors']}") if run["streams"] else ""
        print(f"stream server, streams {run['label']:>10}: RSS {run['memory']['rss_mb']} MB, "
              f"PSS {run['memory']['pss_mb']} MB{extra}")
    print()
    for n, bar in bars.items():
        verdict = lambda ok: "PASS" if ok else "MISS"  # noqa: E731
        print(f"{n:>5} streams: p99 <= {BAR_P99_RATIO}x {verdict(bar['p99'])}, 0 errors {verdict(bar['errors'])}, "
              f"every open stream sees each change <= {BAR_SEEN_S:g} s {verdict(bar['seen_1s'])} "
              f"(streams between two connections saw it within {bar['reconnecting_within']} s)")
    print(f"\nwritten {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

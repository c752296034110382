"""The console streams benchmark's figures: what the streams saw, the bars per stream count, the report."""
from __future__ import annotations

import json
import math
import statistics

from bench.load.processes import PRODUCT_KIND, WORKERS
from bench.load.provenance import described
from bench.load.stream_clients import StreamClients
from social_bridge.web.console.events import STREAMS_PER_AGENT

BAR_P99_RATIO, BAR_SEEN_S = 1.2, 1.0


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


def report(runs: list[dict], held: dict, args, background: float, started: float) -> int:
    """The bars per stream count, written to args.out and printed with a row per run and endpoint."""
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
    result = {**described(started, background),
              "settings": {"duration_s": args.duration, "connections": args.connections, "changes": args.changes,
                           "streams_per_agent": STREAMS_PER_AGENT, "web": f"{PRODUCT_KIND} x {WORKERS}",
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

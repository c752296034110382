"""The voice load's verdicts against the bars, and its printed report (table, memory, CPU, verdicts)."""
from __future__ import annotations

from bench.load.processes import WORKERS
from bench.load.signed_calls import STEP

BAR_RATIO = 0.60
BAR_P99_MS = 25.0
# memory: the bar is now the web tier's total PSS with the model (<= 600 MB, bench.web_memory, issue 14);
# the per-worker RSS printed here is a figure beside it, not a bar


def verdicts(results: list[dict], headline: dict, connections: list[int]) -> tuple[dict, dict]:
    """The bars at the headline's first connection count, and the headline's ratio and p99 at each count."""
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
    return bars, by_conns


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


def print_report(report: dict, args) -> None:
    """What main wrote to the JSON, for a person: setup, table, memory, step checks, CPU, verdicts."""
    results, m, code = report["results"], report["machine"], report["code"]
    print()
    print(f"machine  {m['cpu']}, {m['usable_cpus']} usable CPUs (wrk shares them), {m['memory_gb']} GB, "
          f"Python {m['python']}, gunicorn {m['gunicorn']}, {m['wrk']}")
    print(f"code     {code.get('commit', '?')}" + (" + uncommitted product changes" if code.get("product_code_modified") else ""))
    print(f"idle     {m['background_cores_before']:.2f} cores busy before the run (others' processes)")
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
            print(f"  {r['endpoint']:<18} {res['kind']:<11} c={r['connections']:<3} "
                  + " | ".join(_cpu_figures(app, r[app]) for app in ("nohold", "bare")))
    _print_verdicts(report)
    print(f"\nwritten {args.out}")


def _cpu_figures(app: str, m: dict) -> str:
    per, busy = m["cpu_ms_per_request"], sum(m["cpu_s"].values()) / m["seconds"]
    other = m["cpu_s"]["other"] / m["seconds"]
    return (f"{app}: server {per.get('server', 0):.2f}, redis {per.get('redis', 0):.2f}, "
            f"wrk {per['wrk']:.2f}; {busy - other:.2f} cores ours, {other:.2f} others")


def _print_verdicts(report: dict) -> None:
    headline, bars, by_conns = report["headline"], report["bars"], report["bars_by_connections"]
    print()
    print(f"verdicts ({headline['kind']}, {headline['connections']} connections):")
    for name, bar in bars.items():
        values = bar.get("values")
        print(f"  {name:<14} {'PASS' if bar['ok'] else 'MISS'}  {bar['bar']}" + (f"  {values}" if values else ""))
    for c in report["settings"]["connections"][1:]:
        print(f"  at {c} connections: " + "; ".join(
            f"{ep} ratio {v['ratio']:.0%} {'PASS' if v['ok_ratio'] else 'MISS'}, p99 {v['p99_ms']:g} ms "
            f"{'PASS' if v['ok_p99'] else 'MISS'}" for ep, v in by_conns[c].items()))

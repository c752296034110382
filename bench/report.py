"""`python -m bench.report`: one page of the latest benchmark figures, each beside its baseline.

Reads what the benchmarks wrote to bench/out/ (voice_load, social_ack, queue_claims, intent_latency),
prints nohold against the baseline measured in the same run (bare Flask for webhooks, raw Redis
commands for the queue, the lexical model for intents) as ratios, and plots them to
docs/benchmarks.png with the machine described. `make bench` runs every benchmark, then this.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PNG = ROOT / "docs" / "benchmarks.png"


def _load(name: str) -> dict | None:
    path = OUT / f"{name}.json"
    return json.loads(path.read_text()) if path.is_file() else None


def rows() -> list[dict]:
    """One row per measure: ours, the baseline's, their ratio, the bar and its verdict."""
    out = []
    voice = _load("voice_load")
    if voice:
        for result in voice["results"]:
            for row in result["rows"]:
                ours, bare = row["nohold"], row["bare"]
                out.append({"group": "voice webhooks (req/s)", "what": f"{row['endpoint']} c={row['connections']}",
                            "ours": ours["rps"], "baseline": bare["rps"], "baseline_name": "bare Flask",
                            "ratio": row["ratio"], "bar": "≥ 60 %", "ok": row["ok_ratio"],
                            "p99": ours["p99_ms"], "baseline_p99": bare["p99_ms"]})
    social = _load("social_ack")
    if social:
        for run in social["runs"]:
            if "bare" not in run:
                continue
            out.append({"group": "social webhook acks (req/s)", "what": f"/social/messenger c={run['connections']}",
                        "ours": run["rps"], "baseline": run["bare"]["rps"], "baseline_name": "bare Flask",
                        "ratio": run["ratio"], "bar": "p99 ≤ 50 ms", "ok": run["ok_p99"],
                        "p99": run["p99_ms"], "baseline_p99": run["bare"]["p99_ms"]})
    queue = _load("queue_claims")
    if queue:
        for run in queue["runs"]:
            ops = run["ops"]
            raw = ops.get("raw ZADD+ZPOPMIN")
            for name in ("enqueue", "claim_next", "complete"):
                if raw and name in ops:  # ops/s: higher is better, as for the webhooks
                    out.append({"group": "queue operations (ops/s, one client)", "what": f"{name} AOF {run['appendonly']}",
                                "ours": 1000 / ops[name]["p50_ms"], "baseline": 1000 / raw["p50_ms"],
                                "baseline_name": "raw ZADD+ZPOPMIN", "ratio": raw["p50_ms"] / ops[name]["p50_ms"],
                                "bar": "p99 ≤ 5 ms", "ok": ops[name]["p99_ms"] <= queue["bar_p99_ms"],
                                "p99": ops[name]["p99_ms"], "baseline_p99": raw["p99_ms"]})
    intent = _load("intent_latency")
    if intent:
        base = intent["rows"]["lexical (baseline)"]
        for name in ("transformer (served)", "encoder path alone"):
            row = intent["rows"][name]
            out.append({"group": "intent model (utterances/s, one thread)", "what": name,
                        "ours": 1000 / row["p50_ms"], "baseline": 1000 / base["p50_ms"], "baseline_name": "lexical",
                        "ratio": base["p50_ms"] / row["p50_ms"], "bar": "p50 ≤ 15 ms",
                        "ok": row["p50_ms"] <= intent["bar_p50_ms"], "p99": row["p99_ms"], "baseline_p99": base["p99_ms"]})
    return out


def machine() -> str:
    for name in ("voice_load", "social_ack"):
        data = _load(name)
        if data and "machine" in data:
            m = data["machine"]
            return (f"{m['cpu']}, {m['usable_cpus']} CPUs, {m['memory_gb']} GB, Python {m['python']}, "
                    f"gunicorn {m['gunicorn']}, {m['wrk']}; measured {data.get('started_at', '')}")
    return "machine not recorded"


def plot(table: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = list(dict.fromkeys(r["group"] for r in table))
    fig, axes = plt.subplots(len(groups), 1, figsize=(10, 2.4 * len(groups) + 0.8), squeeze=False)
    for ax, group in zip(axes[:, 0], groups):
        items = [r for r in table if r["group"] == group]
        ys = range(len(items))
        ax.barh([y + 0.2 for y in ys], [r["baseline"] for r in items], height=0.4, color="#bbbbbb",
                label=items[0]["baseline_name"] + " (baseline, same run)")
        ax.barh([y - 0.2 for y in ys], [r["ours"] for r in items], height=0.4,
                color=["#2a7ab9" if r["ok"] else "#d9534f" for r in items], label="nohold")
        for y, r in zip(ys, items):
            ax.text(r["ours"], y - 0.2, f" {100 * r['ratio']:.0f} %", va="center", fontsize=8)
        ax.set_yticks(list(ys), [r["what"] for r in items], fontsize=8)
        ax.invert_yaxis()
        ax.set_title(group, fontsize=10, loc="left")
        ax.legend(fontsize=7, loc="lower right")
    fig.suptitle("nohold beside its baselines (blue: its bar met, red: missed)", fontsize=11)
    fig.text(0.01, 0.005, machine(), fontsize=7)
    fig.tight_layout(rect=(0, 0.02, 1, 0.98))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)


def main() -> int:
    table = rows()
    if not table:
        print("no benchmark results in bench/out/: run `make bench`", file=sys.stderr)
        return 1
    print(machine())
    print(f"{'measure':<40} {'nohold':>10} {'baseline':>10} {'ratio':>6} {'p99 ms':>8} {'base p99':>8}  bar")
    for r in table:
        print(f"{r['what']:<40} {r['ours']:>10.0f} {r['baseline']:>10.0f} {100 * r['ratio']:>5.0f}% "
              f"{r['p99']:>8.2f} {r['baseline_p99']:>8.2f}  {r['bar']} {'ok' if r['ok'] else 'MISS'}")
    plot(table, PNG)
    print(f"written {PNG}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

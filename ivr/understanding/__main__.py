"""`python -m ivr.understanding eval | bench | classify`: measure an Understanding, or try it by hand."""
from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Callable

import psutil

from ivr.speech.language import DEFAULT_LANGUAGE
from ivr.speech.prompts import LANGUAGES
from ivr.app.settings import PROJECT_ROOT, Settings, SettingsError, load_settings
from ivr.understanding import Understanding
from ivr.understanding.evaluation import (evaluate, format_realstyle_report, format_report, load_heldout,
                                          load_realstyle, percentiles_ms)
from ivr.understanding.language_id import MIN_WORDS, trained_language_id

HELDOUT = PROJECT_ROOT / "tests" / "data" / "intents_heldout.yaml"
REALSTYLE = PROJECT_ROOT / "tests" / "data" / "intents_realstyle.yaml"  # as customers write (issue 16)
MENU_EVAL = PROJECT_ROOT / "tests" / "data" / "menu_eval"


def _engine(name: str) -> Callable[[Settings], Understanding]:
    """The classifier the app runs with INTENT_ENGINE=name, built exactly as the app builds it."""
    def build(settings: Settings) -> Understanding:
        from ivr.understanding.loading import load_understanding

        model = load_understanding(settings.with_overrides(intent_engine=name))[1]
        if name == "transformer" and not hasattr(model, "encoder"):
            raise SystemExit("python -m ivr.understanding: the transformer model could not be loaded (see the log)")
        return model
    return build


# name -> builder(settings) -> Understanding: the engines INTENT_ENGINE selects.
MODELS: dict[str, Callable[[Settings], Understanding]] = {name: _engine(name) for name in ("transformer", "lexical")}


def _heldout(path: str):
    # a type= converter, so a missing or malformed file is a bad argument (exit 2) like any other
    try:
        return load_heldout(path)
    except (OSError, ValueError) as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _realstyle(path: str):
    try:
        return load_realstyle(path)
    except (OSError, ValueError) as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _language_of(settings: Settings):
    """The language a text was written in: the model's, when it says, else the call's language identifier."""
    identifier = trained_language_id(settings.prompts_dir, settings.intent_model_cache)
    return lambda o: getattr(o.got, "language", None) or identifier.guess(o.case.text).lang


def _eval(args, model: Understanding) -> int:
    detector = getattr(model, "out_of_scope", None)  # out_of_scope.py: its settings beside its figures
    if detector is not None:
        print(f"out-of-scope detector: encoder weight {detector.encoder_weight:.1f}, word weight "
              f"{detector.word_weight:.1f}, names weight {detector.names_weight:.1f}, threshold "
              f"{detector.threshold:.3f}, never on {', '.join(detector.passes)}"
              + (f"; texts of an out-of-scope shape at {detector.shape_threshold:.3f}"
                 if getattr(detector, "shape_threshold", None) is not None else "")
              + (f"; second encoder's share {1 - detector.first_share:.1f}"
                 if getattr(detector, "second_weights", None) is not None else ""))
    if args.set in ("heldout", "both"):
        print(f"######## held-out set: {len(args.heldout)} utterances written like the catalog, model {args.model}")
        print("\n".join(format_report(evaluate(model, args.heldout), most=args.most)))
    if args.set in ("realstyle", "both"):
        print(f"######## real-style set: {len(args.realstyle)} texts as customers write, model {args.model}")
        print("\n".join(format_realstyle_report(evaluate(model, args.realstyle), most=args.most,
                                                language=_language_of(args.settings), min_words=MIN_WORDS)))
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
    identifier = trained_language_id(args.settings.prompts_dir, args.settings.intent_model_cache)
    for line in sys.stdin:
        text = line.rstrip("\r\n")
        got, language = model.interpret(text, args.lang), identifier.guess(text)
        # an empty line (or one without a word) has no language of its own: the call's
        record = {"text": text, "intent": got.intent, "confidence": round(got.confidence, 4),
                  "complaint": bool(got.complaint), "language": language.lang if language else args.lang}
        print(json.dumps(record, ensure_ascii=False), flush=True)
    return 0


def _cv(args, model: Understanding) -> int:
    from ivr.understanding.cross_validation import catalog_examples, out_of_fold, report
    from ivr.understanding.catalog import load_catalog

    examples = catalog_examples(load_catalog(args.settings.prompts_dir / "intents.yaml"))
    encoder = getattr(model, "encoder", None)
    vectors = encoder.encode([e.text for e in examples], batch_size=1) if encoder is not None else None
    oof = out_of_fold(examples, vectors, folds=args.folds)
    scores = oof.blend(0.0)
    if encoder is not None:  # what the served model does
        from ivr.understanding.transformer import LEXICAL_SURE

        from ivr.understanding.cross_validation import decision_accuracy

        labels = [e.label for e in examples]
        print("== lexical shortcut: decisions right / encoder runs skipped, by LEXICAL_SURE ==")
        for sure in sorted({0.85, 0.9, 0.93, 0.95, 0.97, 0.99, 1.01, LEXICAL_SURE}):
            served = oof.served(model.encoder_weight, model.head.temperature, sure)
            right = decision_accuracy(oof.classes, served, labels, args.settings.reject_below)
            skipped = float((oof.lexical.max(1) >= sure).mean())
            print(f"{sure:4.2f}   right {100 * right:5.2f} %   skipped {100 * skipped:3.0f} %"
                  + ("  <- LEXICAL_SURE" if sure == LEXICAL_SURE else "  (never)" if sure > 1 else ""))
        scores = oof.served(model.encoder_weight, model.head.temperature, LEXICAL_SURE)
        print(f"encoder weight {model.encoder_weight:.1f}, temperature {model.head.temperature:.3f} "
              "(chosen by cross-validation when the head was trained)")
    print(f"model {args.model}: {len(examples)} catalog examples, {args.folds}-fold cross-validation")
    print("\n".join(report(examples, oof.classes, scores, args.settings.reject_below)))
    if getattr(model, "second_opinion", None) is not None:
        _second_opinion_sweep(args, model)
    return 0


def _second_opinion_sweep(args, model) -> None:
    """The margin of the second opinion on `complaint` (grievance_topics.py), out of fold on the training data."""
    from ivr.understanding.catalog import load_catalog
    from ivr.understanding.grievance_topics import GRIEVANCE_TOPICS, load_grievance_topics, margin_sweep
    from ivr.understanding.transformer import clean

    catalog = load_catalog(args.settings.prompts_dir / "intents.yaml")
    lines = load_grievance_topics(args.settings.prompts_dir / GRIEVANCE_TOPICS, catalog)
    second = model.second_opinion.model
    rows = margin_sweep(catalog, lines, lambda texts: model.encoder.encode([clean(t) for t in texts], batch_size=1),
                        (model.encoder_weight, model.head.temperature), (second.encoder_weight, second.head.temperature))
    print("== second opinion on complaint: out-of-fold decisions right (all / the catalog's own), by margin ==")
    for margin, right, own, total in rows:
        mark = "  <- MARGIN" if margin == model.second_opinion.margin else ""
        print(f"{'off' if margin is None else f'{margin:.2f}':>5}   {right}/{total}   catalog's own {own}{mark}")


def _menus(args, model: Understanding) -> int:
    from ivr.understanding.caller import load_caller_understanding
    from ivr.understanding.menu_eval import evaluate_menus, load_menu_eval, menu_report

    menus = load_caller_understanding(args.settings.with_overrides(intent_engine=args.model), model)[1].menus
    cases = load_menu_eval(args.menu_eval)
    evaluate_menus(menus, cases[:20])  # warm-up
    print(f"model {args.model}: {len(cases)} evaluation answers, {len(menus.menus)} menus, "
          f"not understood below {menus.sure}")
    print("\n".join(menu_report(evaluate_menus(menus, cases), show_misses=args.misses)))
    return 0


def _language(args, model: Understanding) -> int:
    from ivr.understanding.caller import load_caller_understanding
    from ivr.understanding.menu_eval import language_cases, language_report

    from ivr.understanding.language_id import training_texts

    language = load_caller_understanding(args.settings, model)[1].language
    seen = frozenset(t for texts in training_texts(args.settings.prompts_dir).values() for t in texts)
    cases = language_cases(HELDOUT, args.menu_eval, language.min_words, seen)
    print(f"language identification on {len(cases)} utterances of {language.min_words}+ words never trained on "
          f"(intent held-out set and menu evaluation sets); a call switches at p >= {language.sure}")
    print("\n".join(language_report(language, cases)))
    return 0


COMMANDS = {"eval": _eval, "bench": _bench, "classify": _classify, "cv": _cv, "menus": _menus,
            "language": _language}


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--model", choices=sorted(MODELS), default=None,
                        help="the engine to measure (default: INTENT_ENGINE, i.e. what the app runs)")
    heldout = argparse.ArgumentParser(add_help=False)
    heldout.add_argument("--heldout", type=_heldout, default=str(HELDOUT),
                         help="held-out utterances (default tests/data/intents_heldout.yaml)")
    parser = argparse.ArgumentParser(prog="python -m ivr.understanding",
                                     description="Measure or try the caller-speech intent model.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("eval", parents=[common, heldout],
                              help="accuracy, confusions, out of scope and latency on the held-out set")
    run.add_argument("--most", type=int, default=10, help="confusion pairs to show")
    run.add_argument("--set", choices=("heldout", "realstyle", "both"), default="both",
                     help="which held-out set: written like the catalog, as customers write, or both")
    run.add_argument("--realstyle", type=_realstyle, default=str(REALSTYLE),
                     help="texts as customers write (default tests/data/intents_realstyle.yaml)")
    bench = commands.add_parser("bench", parents=[common, heldout], help="p50/p95 latency and RSS")
    bench.add_argument("--repeats", type=int, default=20, help="passes over the held-out utterances")
    cv = commands.add_parser("cv", parents=[common],
                             help="cross-validation on the catalog: threshold sweep and calibration")
    cv.add_argument("--folds", type=int, default=5)
    menu_eval = argparse.ArgumentParser(add_help=False)
    menu_eval.add_argument("--menu-eval", default=str(MENU_EVAL), help="folder of menu evaluation files")
    menus = commands.add_parser("menus", parents=[common, menu_eval],
                                help="menu answers: right, wrong action, not understood per menu and language")
    menus.add_argument("--misses", action="store_true", help="list every answer not read right")
    commands.add_parser("language", parents=[common, menu_eval], help="language identification accuracy")
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
    args.model, args.settings = args.model or settings.intent_engine, settings
    if args.model not in MODELS:
        print(f"python -m ivr.understanding: INTENT_ENGINE={args.model!r} is not one of {sorted(MODELS)}",
              file=sys.stderr)
        return 1
    started = time.perf_counter()
    model = MODELS[args.model](settings)
    args.load_seconds = time.perf_counter() - started
    return COMMANDS[args.command](args, model)


if __name__ == "__main__":
    sys.exit(main())

"""`python -m ivr.transcription eval | transcribe FILE | worker`."""
from __future__ import annotations

import argparse
import sys
import time

from ivr.app.settings import load_settings
from ivr.transcription.options import add_flags


def _engine(settings, options=None):
    from ivr.transcription.engine import EngineUnavailable, engine_for, load_engine

    try:
        if options is None:
            return engine_for(settings)
        return load_engine(settings.transcription_engine, settings.transcription_model,
                           settings.transcription_threads, options)
    except EngineUnavailable as error:
        raise SystemExit(f"python -m ivr.transcription: {error}") from None


def _understanding(settings):
    """The classifier the app attaches intents with (nohold.flow.understanding); built without Redis."""
    from ivr.app.services import build_services as build

    return build(settings.with_overrides(redis_url=settings.redis_url or "redis://127.0.0.1:1/0")).flow.understanding


def run_eval(args) -> int:
    from ivr.transcription.evaluation import load_sentences, evaluate
    from ivr.transcription.options import from_flags

    settings = _overrides(load_settings(), args)
    sentences = [s for s in load_sentences() if args.lang in (None, s.lang)]
    options = from_flags(args)
    started = time.perf_counter()
    engine = _engine(settings, options)
    print(f"engine {engine.name} ({settings.transcription_model}, {settings.transcription_threads} threads) "
          f"loaded in {time.perf_counter() - started:.1f} s; {len(sentences)} clips (espeak-ng → sox: 8 kHz µ-law, "
          f"300-3400 Hz); voice {args.voice or 'default'}; {options}")
    evaluate(engine, _understanding(settings), sentences, primed=options.prompt, voice=args.voice)
    return 0


def run_transcribe(args) -> int:
    from ivr.transcription.audio import normalise
    from ivr.transcription.engine import transcribe

    settings = _overrides(load_settings(), args)
    with open(args.file, "rb") as handle:
        audio = normalise(handle.read())
    print(transcribe(_engine(settings), audio, args.lang))
    return 0


def _overrides(settings, args):
    changes = {"transcription_engine": args.engine, "transcription_model": args.model,
               "transcription_threads": args.threads}
    return settings.with_overrides(**{k: v for k, v in changes.items() if v is not None})


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line's arguments (eval's Whisper options: ivr/transcription/options.py)."""
    parser = argparse.ArgumentParser(prog="python -m ivr.transcription", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    evaluation = commands.add_parser("eval", help="WER, intent hits and real-time factor on generated phone clips")
    evaluation.add_argument("--lang", choices=("it", "en"))
    evaluation.add_argument("--no-prompt", action="store_true", help="without the domain initial_prompt")
    evaluation.add_argument("--voice", help="one espeak-ng voice for every clip, e.g. it+f3 (needs --lang)")
    add_flags(evaluation)
    one = commands.add_parser("transcribe", help="one audio file (WAV, µ-law, MP3…) to text")
    one.add_argument("file")
    one.add_argument("--lang", choices=("it", "en"), default="it")
    for command in (evaluation, one):
        command.add_argument("--engine", choices=("faster_whisper", "sphinx"))
        command.add_argument("--model", help="a CTranslate2 Whisper folder (default TRANSCRIPTION_MODEL)")
        command.add_argument("--threads", type=int)
    worker = commands.add_parser("worker", help="the transcription worker (python -m ivr worker starts one)")
    worker.add_argument("--burst", action="store_true", help="stop when the queue is empty")
    args = parser.parse_args(argv)
    if args.command == "eval" and args.voice and not args.lang:
        parser.error("--voice needs --lang (a voice speaks one language)")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.command == "worker":
        from ivr.transcription.worker import work

        return work(args.burst)
    return {"eval": run_eval, "transcribe": run_transcribe}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())

"""Whisper's decoding options, one frozen set per engine, and the eval's flags that change them.

`DEFAULT` is what the transcription worker uses (chosen in docs/transcription.md, "Whisper's options"); every row of docs/transcription.md's options
table is `python -m ivr.transcription eval` with some of the flags below (`add_flags`,
`from_flags`), so each figure can be measured again.
"""
from __future__ import annotations

import argparse
from dataclasses import dataclass, field, replace

FALLBACK = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)   # faster-whisper's own temperature fallback


@dataclass(frozen=True)
class WhisperOptions:
    beam_size: int = 5
    best_of: int = 5                       # candidates sampled at a temperature above 0
    temperature: tuple[float, ...] = FALLBACK
    condition_on_previous_text: bool = False
    # no segment dropped as silence (the VAD removes silence first): the check dropped a whole Italian clip,
    # while without the VAD the domain prompt came back over silence ("Buongiorno. Grazie.")
    no_speech_threshold: float | None = None
    no_repeat_ngram_size: int = 3          # Whisper base loops ("bye bye bye…") over unclear endings
    vad_filter: bool = True                # Silero VAD: only speech reaches Whisper
    vad_parameters: tuple[tuple[str, float], ...] = field(default=())  # Silero VAD's, e.g. (("threshold", 0.3),)
    prompt: bool = True                    # the domain initial_prompt of prompts/transcription.yaml

    def transcribe_kwargs(self) -> dict:
        """The keyword arguments for faster-whisper's `WhisperModel.transcribe` (language and prompt aside)."""
        kwargs = {"beam_size": self.beam_size, "best_of": self.best_of, "temperature": list(self.temperature),
                  "condition_on_previous_text": self.condition_on_previous_text,
                  "no_speech_threshold": self.no_speech_threshold,
                  "no_repeat_ngram_size": self.no_repeat_ngram_size, "vad_filter": self.vad_filter}
        if self.vad_filter and self.vad_parameters:
            kwargs["vad_parameters"] = dict(self.vad_parameters)
        return kwargs


DEFAULT = WhisperOptions()


def _temperatures(text: str) -> tuple[float, ...]:
    """"0" (no fallback) or a comma-separated ladder such as "0,0.2,0.4"."""
    try:
        values = tuple(float(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers separated by commas, got {text!r}") from None
    if not all(0.0 <= value <= 1.0 for value in values):
        raise argparse.ArgumentTypeError(f"temperatures lie between 0 and 1, got {text!r}")
    return values


def _vad_parameter(text: str) -> tuple[str, float]:
    """NAME=VALUE for Silero VAD: threshold, min_silence_duration_ms, speech_pad_ms, min_speech_duration_ms."""
    name, _, value = text.partition("=")
    if name not in ("threshold", "min_silence_duration_ms", "speech_pad_ms", "min_speech_duration_ms"):
        raise argparse.ArgumentTypeError(f"unknown VAD parameter {name!r}")
    try:
        return name, float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {name}=NUMBER, got {text!r}") from None


def _threshold(text: str) -> float | str:
    """A probability, or "off" (no segment is ever dropped as silence)."""
    try:
        return "off" if text == "off" else float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a probability or 'off', got {text!r}") from None


def add_flags(parser: argparse.ArgumentParser) -> None:
    """The eval's decoding flags; each one left out keeps DEFAULT's value."""
    group = parser.add_argument_group("Whisper options (faster-whisper's transcribe; default: the worker's)")
    group.add_argument("--beam-size", type=int, help=f"beam search width ({DEFAULT.beam_size}); 1 = greedy")
    group.add_argument("--best-of", type=int, help=f"samples per fallback temperature ({DEFAULT.best_of})")
    group.add_argument("--temperature", type=_temperatures,
                       help="'0' = no fallback, or a ladder such as '0,0.2,0.4' (default 0,0.2,…,1.0)")
    group.add_argument("--condition-on-previous-text", action=argparse.BooleanOptionalAction,
                       help="feed each 30 s window the previous one's text (default off)")
    group.add_argument("--no-speech-threshold", type=_threshold,
                       help="drop a segment as silence above this no-speech probability (default off; Whisper's own: 0.6)")
    group.add_argument("--vad", action=argparse.BooleanOptionalAction, help="Silero VAD before Whisper (default on)")
    group.add_argument("--vad-param", type=_vad_parameter, action="append", metavar="NAME=VALUE",
                       help="a Silero VAD parameter, e.g. threshold=0.3, min_silence_duration_ms=500 (repeatable)")


def from_flags(args: argparse.Namespace, base: WhisperOptions = DEFAULT) -> WhisperOptions:
    """`base` with what the flags set (and --no-prompt)."""
    given = {"beam_size": args.beam_size, "best_of": args.best_of, "temperature": args.temperature,
             "condition_on_previous_text": args.condition_on_previous_text,
             "vad_filter": args.vad, "vad_parameters": tuple(args.vad_param) if args.vad_param else None}
    changes = {name: value for name, value in given.items() if value is not None}
    if args.no_speech_threshold is not None:
        changes["no_speech_threshold"] = None if args.no_speech_threshold == "off" else args.no_speech_threshold
    if getattr(args, "no_prompt", False):
        changes["prompt"] = False
    return replace(base, **changes)

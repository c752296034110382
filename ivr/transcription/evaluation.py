"""Phone-audio clips made with espeak-ng + sox, word error rate, and the eval report.

Clips are µ-law WAV at 8 kHz band-passed to 300–3400 Hz, like a Twilio recording of a phone
call; they are generated on demand into a cache folder (keyed by text, voice and the sox
effects), so the repository ships sentences, not audio.
"""
from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from ivr.app.settings import PROJECT_ROOT
from ivr.transcription.audio import normalise, seconds
from ivr.transcription.engine import transcribe

SENTENCES = PROJECT_ROOT / "tests" / "data" / "transcription_eval.yaml"
CLIP_CACHE = PROJECT_ROOT / "var" / "cache" / "transcription-clips"
VOICES = {"it": ("it",), "en": ("en-gb", "en-us")}   # alternated clip by clip
SPEED = 130                                           # words per minute: a caller leaving a message
PHONE = ["rate", "8000", "sinc", "300-3400"]          # narrowband, then the telephone band


@dataclass(frozen=True)
class Sentence:
    lang: str
    text: str
    intent: str


def load_sentences(path: Path = SENTENCES) -> list[Sentence]:
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    return [Sentence(lang, row["text"], row["intent"]) for lang, rows in data.items() for row in rows]


def phone_clip(text: str, lang: str, voice: str | None = None, cache: Path = CLIP_CACHE) -> Path:
    """`text` spoken by espeak-ng as a phone recording (µ-law WAV, 8 kHz); made once, then reused."""
    for tool in ("espeak-ng", "sox"):
        if shutil.which(tool) is None:
            raise RuntimeError(f"{tool} is not installed (scripts/system-packages installs it)")
    voice = voice or VOICES[lang][0]
    key = hashlib.sha256(repr((text, voice, SPEED, PHONE)).encode()).hexdigest()[:16]
    clip = cache / f"{lang}-{key}.wav"
    if clip.exists():
        return clip
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        speech, staged = Path(work) / "speech.wav", Path(work) / "phone.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(SPEED), "-w", str(speech), text], check=True)
        subprocess.run(["sox", str(speech), "-c", "1", "-e", "u-law", str(staged), *PHONE], check=True)
        shutil.move(str(staged), clip)
    return clip


def words(text: str) -> list[str]:
    """Lower case, no punctuation or accents' variants: "Perché," and "perche" are one word."""
    folded = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return re.findall(r"[a-z0-9]+", folded.replace("'", " "))


def word_errors(reference: str, hypothesis: str) -> tuple[int, int]:
    """(substitutions + deletions + insertions, reference words): Levenshtein distance over words."""
    ref, hyp = words(reference), words(hypothesis)
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        previous, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (r != h))
    return row[-1], len(ref)


def evaluate(engine, understanding, sentences: list[Sentence], out=print, primed: bool = True,
             voice: str | None = None) -> dict[str, dict]:
    """Transcribes every clip, prints one line each and a summary per language; returns the figures.
    `voice`: one espeak-ng voice (e.g. "it+f3") for every clip instead of VOICES' alternation."""
    totals: dict[str, dict] = {}
    counters: dict[str, int] = {}
    for sentence in sentences:
        n = counters[sentence.lang] = counters.get(sentence.lang, -1) + 1
        voices = (voice,) if voice else VOICES[sentence.lang]
        audio = normalise(phone_clip(sentence.text, sentence.lang, voices[n % len(voices)]).read_bytes())
        started = time.perf_counter()
        try:
            text = transcribe(engine, audio, sentence.lang, primed)
        except RuntimeError as error:  # e.g. sphinx has no Italian: say so, score the rest
            out(f"  {sentence.lang}  skipped: {error}")
            continue
        spent = time.perf_counter() - started
        intent = understanding.interpret(text, sentence.lang).intent if text else None
        errors, length = word_errors(sentence.text, text)
        t = totals.setdefault(sentence.lang, {"clips": 0, "errors": 0, "words": 0, "audio": 0.0, "spent": 0.0,
                                              "intents": 0})
        t["clips"] += 1
        t["errors"] += errors
        t["words"] += length
        t["audio"] += seconds(audio)
        t["spent"] += spent
        t["intents"] += intent == sentence.intent
        mark = "ok " if intent == sentence.intent else "MISS"
        out(f"  {sentence.lang}  WER {errors / length:5.1%}  {mark} {intent or '-':16} {text}")
    for lang, t in totals.items():
        t["wer"] = t["errors"] / t["words"] if t["words"] else 0.0
        t["rtf"] = t["spent"] / t["audio"] if t["audio"] else 0.0
        out(f"{lang}: WER {t['wer']:.1%} over {t['words']} words · intent right {t['intents']}/{t['clips']} · "
            f"{t['audio']:.1f} s of audio in {t['spent']:.1f} s = {t['rtf']:.2f} s per second of audio "
            f"({t['spent'] / t['clips']:.2f} s per clip)")
    return totals

"""Speech engines behind one Protocol, through `speech_recognition`; one loaded model per process.

speech_recognition's own `recognize_faster_whisper` builds a new WhisperModel on every call
(~0.9 s): here the model is built once (`load_engine` is cached) and handed to the library's
Whisper recogniser, which does the AudioData → float array conversion and the transcription.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Protocol

import speech_recognition as sr
import yaml

from ivr.app.settings import PROJECT_ROOT
from ivr.transcription.audio import chunks
from ivr.transcription.model_files import ModelMissing, model_folder
from ivr.transcription.options import DEFAULT, WhisperOptions

ENGINES = ("faster_whisper", "sphinx", "off")
PROMPTS = PROJECT_ROOT / "prompts" / "transcription.yaml"


class EngineUnavailable(RuntimeError):
    """The configured engine cannot run here (not installed, no such model, no such language)."""


class Engine(Protocol):
    name: str
    max_seconds: float          # the longest piece the engine takes at once; longer audio is chunked

    def recognize(self, audio: sr.AudioData, lang: str, prompt: str) -> str: ...


class FasterWhisper:
    """Whisper (CTranslate2) with the language fixed from the call and a domain prompt; int8 on CPU."""

    name = "faster_whisper"
    max_seconds = 30.0          # Whisper's window

    def __init__(self, folder: Path, threads: int, options: WhisperOptions = DEFAULT):
        from faster_whisper import WhisperModel
        from speech_recognition.recognizers.whisper_local.base import WhisperCompatibleRecognizer
        from speech_recognition.recognizers.whisper_local.faster_whisper import TranscribableAdapter

        self.folder, self.options = folder, options
        self.model = WhisperModel(str(folder), device="cpu", compute_type="int8", cpu_threads=threads)
        self._recognizer = WhisperCompatibleRecognizer(TranscribableAdapter(self.model))

    def recognize(self, audio: sr.AudioData, lang: str, prompt: str) -> str:
        # the options (ivr/transcription/options.py) are measured in docs/transcription.md
        return self._recognizer.recognize(audio, language=lang, task="transcribe", initial_prompt=prompt or None,
                                          **self.options.transcribe_kwargs()).strip()


class Sphinx:
    """CMU PocketSphinx through speech_recognition: US English only, keyword-level on phone audio."""

    name = "sphinx"
    max_seconds = 30.0

    def __init__(self):
        try:
            import pocketsphinx  # noqa: F401
        except ImportError:
            raise EngineUnavailable("TRANSCRIPTION_ENGINE=sphinx needs pocketsphinx (pip install pocketsphinx)") from None
        self._recognizer = sr.Recognizer()

    def recognize(self, audio: sr.AudioData, lang: str, prompt: str) -> str:
        if lang != "en":
            raise EngineUnavailable(f"sphinx has no model for {lang!r} (English only)")
        try:
            return self._recognizer.recognize_sphinx(audio, language="en-US").strip()
        except sr.UnknownValueError:
            return ""
        except sr.RequestError as error:
            raise EngineUnavailable(f"sphinx: {error}") from None


@lru_cache(maxsize=2)
def load_engine(name: str, model: str, threads: int, options: WhisperOptions = DEFAULT) -> Engine:
    """The engine for these settings, built once per process (the worker loads it before taking jobs)."""
    if name == "faster_whisper":
        try:
            return FasterWhisper(model_folder(model), max(1, threads), options)
        except ModelMissing as error:
            raise EngineUnavailable(str(error)) from None
    if name == "sphinx":
        return Sphinx()
    raise EngineUnavailable(f"TRANSCRIPTION_ENGINE={name!r}: expected one of {', '.join(ENGINES)}")


def engine_for(settings) -> Engine:
    return load_engine(settings.transcription_engine, settings.transcription_model, settings.transcription_threads)


@lru_cache(maxsize=1)
def domain_prompts(path: Path = PROMPTS) -> dict[str, str]:
    """Per language, the text Whisper is primed with (our vocabulary: it roughly halves the error rate)."""
    with open(path, encoding="utf-8") as handle:
        return {lang: " ".join(str(text).split()) for lang, text in yaml.safe_load(handle)["initial_prompt"].items()}


def transcribe(engine: Engine, audio: sr.AudioData, lang: str, primed: bool = True) -> str:
    """The whole recording's text: each piece within the engine's window, joined (primed: with the domain prompt,
    unless the engine's options say otherwise)."""
    primed = primed and getattr(engine, "options", DEFAULT).prompt
    prompt = domain_prompts().get(lang, "") if primed else ""
    texts = (engine.recognize(piece, lang, prompt) for piece in chunks(audio, engine.max_seconds))
    return " ".join(text for text in texts if text)

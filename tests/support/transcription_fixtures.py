"""Session fixtures of the transcription tests: generated phone clips and the one Whisper model."""
from __future__ import annotations

import pytest

from ivr.transcription.evaluation import load_sentences, phone_clip

SENTENCES = {(s.lang, s.intent): s.text for s in load_sentences()}


@pytest.fixture(scope="session")
def clips(tmp_path_factory):
    """Phone clips (espeak-ng + sox, µ-law 8 kHz) made on demand: clips(lang, intent) -> WAV bytes."""
    folder = tmp_path_factory.mktemp("clips")
    return lambda lang, intent: phone_clip(SENTENCES[(lang, intent)], lang, cache=folder).read_bytes()


@pytest.fixture(scope="session")
def whisper():
    """The real Whisper base from PyPI, loaded once: the job's engine_for(settings) gets this same object."""
    from ivr.transcription.engine import load_engine
    from ivr.app.settings import Settings

    defaults = Settings()
    return load_engine(defaults.transcription_engine, defaults.transcription_model, defaults.transcription_threads)

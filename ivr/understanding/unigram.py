"""A compact reader of a Unigram `tokenizer.json` (XLM-R's kind), giving the ids `tokenizers` gives.

Why not the `tokenizers` library at run time: for e5's 110,414 pieces its Unigram model builds a byte
trie of hash maps that takes ~90 MB in every web worker. Here the pieces are one dict (~15 MB) and
the lattice is walked in Python: the same Viterbi as tokenizers' `encode_optimized` (candidates
tried shortest first, a later one wins only when strictly better, unknown characters scored
min_score - 10 and consecutive ones fused), the same normaliser, pre-tokenizer and template. It costs
~0.1 ms per utterance, against ~4.5 ms for the encoder that follows it.

Only the components this model uses are understood (Sequence / Replace / NFKC normalisers,
WhitespaceSplit / Metaspace pre-tokenizers, a TemplateProcessing post-processor); for anything else
`load` raises Unsupported and the caller uses the `tokenizers` library instead.
tests/test_transformer_understanding.py compares the two on the catalog, the held-out set and
generated text.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import unicodedata
from pathlib import Path

import numpy as np

UNKNOWN_PENALTY = 10.0     # tokenizers' K_UNK_PENALTY
SPACE = "\u2581"           # SentencePiece's visible space
# Rust's char::is_whitespace (Unicode White_Space), which WhitespaceSplit splits on
_WHITESPACE = re.compile("[\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
_RUST_ESCAPE = re.compile(r"\\x\{([0-9a-fA-F]+)\}")


class Unsupported(ValueError):
    """The tokenizer.json uses a component this reader does not implement."""


def _python_regex(pattern: dict) -> re.Pattern:
    if "String" in pattern:
        return re.compile(re.escape(pattern["String"]))
    source = pattern.get("Regex")
    if source is None:
        raise Unsupported(f"Replace pattern {pattern!r}")
    return re.compile(_RUST_ESCAPE.sub(lambda m: f"\\U{int(m.group(1), 16):08x}", source))


def _normaliser(spec: dict | None):
    """text -> normalised text, for the normaliser types XLM-R style tokenizers use."""
    if spec is None:
        return lambda text: text
    kind = spec["type"]
    if kind == "Sequence":
        steps = [_normaliser(s) for s in spec["normalizers"]]

        def sequence(text: str) -> str:
            for step in steps:
                text = step(text)
            return text
        return sequence
    if kind == "Replace":
        pattern, content = _python_regex(spec["pattern"]), spec["content"]
        return lambda text: pattern.sub(content.replace("\\", "\\\\"), text)
    if kind in ("NFKC", "NFC", "NFKD", "NFD"):
        return lambda text: unicodedata.normalize(kind, text)
    raise Unsupported(f"normalizer {kind}")


def _words(spec: dict | None) -> list:
    """The pre-tokenizer as a list of steps, each str -> list[str]."""
    if spec is None:
        return []
    kind = spec["type"]
    if kind == "Sequence":
        return [step for s in spec["pretokenizers"] for step in _words(s)]
    if kind == "WhitespaceSplit":
        return [lambda text: [w for w in _WHITESPACE.split(text) if w]]
    if kind == "Metaspace" and spec.get("prepend_scheme", "always") == "always":
        mark, split = spec.get("replacement", SPACE), spec.get("split", True)

        def metaspace(text: str) -> list[str]:
            text = text.replace(" ", mark)
            if not text.startswith(mark):
                text = mark + text
            if not split:
                return [text]
            starts = [i for i, ch in enumerate(text) if ch == mark]  # each piece begins at a mark
            return [text[a:b] for a, b in zip(starts, starts[1:] + [len(text)])]
        return [metaspace]
    raise Unsupported(f"pre_tokenizer {kind}")


class UnigramTokenizer:
    """tokenizer.json's Unigram pipeline; encode_batch returns padded ids and attention masks."""

    def __init__(self, spec: dict, max_length: int, pad: str, vocabulary: tuple[list, list] | None = None):
        """vocabulary: (pieces, scores) when spec["model"] comes without its "vocab" (see load)."""
        model = spec["model"]
        if model.get("type") != "Unigram" or model.get("byte_fallback"):
            raise Unsupported(f"model {model.get('type')} (byte_fallback={model.get('byte_fallback')})")
        self._normalise, self._pre = _normaliser(spec.get("normalizer")), _words(spec.get("pre_tokenizer"))
        pieces, scores = vocabulary or ([p for p, _ in model["vocab"]], [s for _, s in model["vocab"]])
        self._ids = {piece: i for i, piece in enumerate(pieces)}
        self._scores = [float(score) for score in scores]
        self._longest = max(len(piece) for piece in pieces)
        self._unknown = model["unk_id"]
        self._unknown_score = min(self._scores) - UNKNOWN_PENALTY
        self._head, self._tail = self._template(spec.get("post_processor"))
        added = sorted((t["content"] for t in spec.get("added_tokens", [])), key=len, reverse=True)
        self._added = {t["content"]: t["id"] for t in spec.get("added_tokens", [])}
        self._added_pattern = re.compile("(" + "|".join(map(re.escape, added)) + ")") if added else None
        self.max_length, self.pad_id = max_length, self._ids[pad]

    @classmethod
    def load(cls, path: Path, max_length: int, pad: str) -> "UnigramTokenizer":
        """From tokenizer.json, through a compact copy beside it (written on first load).

        Parsing the 7 MB JSON leaves ~15 MB of freed-but-kept heap in the process; the copy holds the
        pieces as one array and the rest of the spec as text, named by the JSON's hash.
        """
        path = Path(path)
        raw = path.read_bytes()
        compact = path.with_name(f"{path.stem}-{hashlib.sha256(raw).hexdigest()[:16]}.npz")
        if compact.is_file():
            with np.load(compact) as data:
                spec = json.loads(str(data["spec"]))
                vocabulary = (data["pieces"].tolist(), data["scores"].tolist())
            return cls(spec, max_length, pad, vocabulary)
        spec = json.loads(raw)
        del raw
        pieces = np.array([p for p, _ in spec["model"]["vocab"]])
        scores = np.array([s for _, s in spec["model"]["vocab"]], dtype=np.float64)
        tokenizer = cls(spec, max_length, pad)  # refuses what it cannot read before anything is written
        spec["model"] = {k: v for k, v in spec["model"].items() if k != "vocab"}
        tmp = compact.with_name(compact.name + f".tmp{os.getpid()}.npz")
        np.savez(tmp, spec=np.array(json.dumps(spec)), pieces=pieces, scores=scores)
        tmp.rename(compact)  # atomic: another process sees no copy or the whole one
        return tokenizer

    @staticmethod
    def _template(spec: dict | None) -> tuple[list[int], list[int]]:
        """The special ids around a single sequence, e.g. <s> … </s>."""
        if spec is None:
            return [], []
        if spec["type"] != "TemplateProcessing":
            raise Unsupported(f"post_processor {spec['type']}")
        head, tail, seen = [], [], False
        for item in spec["single"]:
            if "Sequence" in item:
                seen = True
                continue
            ids = spec["special_tokens"][item["SpecialToken"]["id"]]["ids"]
            (tail if seen else head).extend(ids)
        return head, tail

    def _viterbi(self, word: str) -> list[int]:
        """The best segmentation of one pre-tokenized word into piece ids (encode_optimized)."""
        size, ids, scores = len(word), self._ids, self._scores
        best = [0.0] * (size + 1)
        start = [-1] * (size + 1)
        piece = [0] * (size + 1)
        start[0] = 0
        for begin in range(size):
            here = best[begin]
            single = False
            for end in range(begin + 1, min(size, begin + self._longest) + 1):
                found = ids.get(word[begin:end])
                if found is None:
                    continue
                candidate = scores[found] + here
                if start[end] < 0 or candidate > best[end]:
                    best[end], start[end], piece[end] = candidate, begin, found
                single = single or end == begin + 1
            if not single:
                candidate = self._unknown_score + here
                if start[begin + 1] < 0 or candidate > best[begin + 1]:
                    best[begin + 1], start[begin + 1], piece[begin + 1] = candidate, begin, self._unknown
        out, end, unknown_end = [], size, None
        while end > 0:  # backwards; runs of unknown characters become one token
            begin = start[end]
            if piece[end] == self._unknown:
                unknown_end = end if unknown_end is None else unknown_end
            else:
                if unknown_end is not None:
                    out.append(ids.get(word[end:unknown_end], self._unknown))
                    unknown_end = None
                out.append(piece[end])
            end = begin
        if unknown_end is not None:
            out.append(ids.get(word[0:unknown_end], self._unknown))
        out.reverse()
        return out

    def _pieces(self, text: str) -> list[int]:
        words = [self._normalise(text)] if text else []
        for step in self._pre:
            words = [part for word in words for part in step(word)]
        return [i for word in words for i in self._viterbi(word)]

    def encode(self, text: str) -> list[int]:
        """Ids with the template's special tokens, truncated to max_length like tokenizers does."""
        parts = self._added_pattern.split(text) if self._added_pattern else [text]
        ids = []
        for n, part in enumerate(parts):  # odd parts are added tokens, matched on the raw text
            ids.extend([self._added[part]] if n % 2 else self._pieces(part))
        room = self.max_length - len(self._head) - len(self._tail)
        return self._head + ids[:room] + self._tail

    def encode_batch(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """input_ids and attention_mask, padded on the right to the longest text."""
        rows = [self.encode(text) for text in texts]
        width = max((len(r) for r in rows), default=0)
        ids = np.full((len(rows), width), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for n, row in enumerate(rows):
            ids[n, :len(row)], mask[n, :len(row)] = row, 1
        return ids, mask

"""The out-of-scope detector: is a text about something this line does not handle?

A second binary model beside the intent head (issue 16 §4), like the complaint flag (complaint.py).
Out-of-scope lines added to the intent catalog moved the class prior and cost short controls ("sì",
"no"), so the question "is this for us at all?" gets its own model: a logistic regression on the
encoder's embedding of the cleaned text (the vector the intent head has just computed: no extra encoder
run; measured better than the text as written), blended with a character n-gram logistic regression on
the normalised words and a word uni- and bigram one (brief H3: out-of-fold recall at the target precision
0.40 → 0.49; whole words tell "netflix" or "palestra" from the line's own "abbonamento" better than their
letters do), and (brief H4) the gazetteer of out_of_scope_names.py: other companies' products and kinds
of request no care line handles, named as whole words. Since brief H15 a text of an out-of-scope shape
(out_of_scope_cues.py: an impersonal question about the world, someone else's account, an errand for someone else)
is judged even when the lexical model is sure (without the second encoder, at a lower threshold chosen by the same
cross-validation). Since issue 16's last round a second encoder (second_encoder.py: USE multilingual v3) is averaged
with those four members, its share chosen by the same cross-validation.

Trained from prompts/out_of_scope.yaml (general-knowledge questions in the line's words, other companies'
services, small talk, insults with no topic — the project's own writing) plus the catalog's out-of-scope
examples as out of scope, against every in-scope example of the catalog and the grievances of
prompts/complaints.yaml (long, angry texts about the line are in scope). The blend's weights and the
threshold are chosen by 5-fold cross-validation on that training data — the highest out-of-fold recall
at precision ≥ TARGET_PRECISION — never on a held-out set. Cached beside the intent head, keyed by the
three files' bytes. The training itself is out_of_scope_training.py's (it runs in the training child only).
"""
from __future__ import annotations

import hashlib
import math
import os
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import numpy as np

from ivr.understanding.catalog import IntentCatalog, load_sections
from ivr.understanding.lexical import LexicalUnderstanding, normalise
from ivr.understanding.out_of_scope_cues import shaped
from ivr.understanding.out_of_scope_names import WORD_C, NamesModel, WordModel, names_bytes


OUT_OF_SCOPE_VERSION = "8"   # 2: the embedding of the cleaned text; 3: + word n-grams; 4: + names; 6: + shape threshold;
# 7: + the second encoder (second_encoder.py); 8: never under the first members where only others are named
HEAD_C = 10.0
SECOND_C = 10.0   # the second encoder's logistic regression (C 1 measured lower out of fold: 0.63 against 0.72)
TARGET_PRECISION = 0.98   # out of fold, on the training data (the variants measured: docs/understanding.md)


SECTIONS = ("out_of_scope", "in_scope")


def load_out_of_scope_examples(path: Path) -> dict[str, dict[str, tuple[str, ...]]]:
    """prompts/out_of_scope.yaml: {out_of_scope: {it: [...], en: [...]}, in_scope: {...}}; malformed → ValueError."""
    return load_sections(path, SECTIONS)


def training_examples(examples: dict[str, dict[str, tuple[str, ...]]], catalog: IntentCatalog,
                      grievances: tuple[str, ...] = ()) -> tuple[list[str], list[int]]:
    """The texts and their labels (1 = out of scope): the file's and the catalog's out-of-scope examples,
    then the file's in-scope texts, the catalog's in-scope examples and the grievances (0)."""
    texts, labels = [], []
    for lang in catalog.languages:
        outside = list(examples["out_of_scope"].get(lang, ())) + catalog.out_of_scope(lang)
        inside = list(examples["in_scope"].get(lang, ())) + [text for text, _ in catalog.examples(lang)]
        texts += outside + inside
        labels += [1] * len(outside) + [0] * len(inside)
    texts += list(grievances)
    labels += [0] * len(grievances)
    return texts, labels


@dataclass
class OutOfScopeDetector:
    """first = we * embedding model + ww * word model + wn * names model + (1 - we - ww - wn) * character n-gram model;
    with the second encoder p(out of scope) = first_share * first + (1 - first_share) * its model (never under `first`
    where the gazetteer reads only someone else's), else p = first; out of scope at or above `threshold`.

    `passes`: the intents it never overrides (the catalog's controls: yes, no, repeat, english).
    `shape_threshold`: the threshold for a text of an out-of-scope shape (out_of_scope_cues.py), by cross-validation."""

    lexical: LexicalUnderstanding
    weights: np.ndarray
    bias: float
    encoder_weight: float
    threshold: float
    passes: tuple[str, ...] = ()
    words: WordModel | None = None
    word_weight: float = 0.0
    names: NamesModel | None = None
    names_weight: float = 0.0
    shape_threshold: float | None = None   # brief H15: the threshold for a text of an out-of-scope shape
    # the second encoder's member (second_encoder.py): p = first_share * (the four members) + (1 - first_share) * it
    second_weights: np.ndarray | None = None
    second_bias: float = 0.0
    first_share: float = 1.0
    second: object = None   # the SecondEncoder serving reads texts with (set after loading; never saved)

    def probability(self, text: str, vector: np.ndarray) -> float:
        first = self.first_probability(text, vector)
        if self.second_weights is None or self.second is None:
            return first
        second = 1.0 / (1.0 + math.exp(-(float(self.second.encode_one(text) @ self.second_weights) + self.second_bias)))
        blend = self.first_share * first + (1 - self.first_share) * second
        # the second encoder knows no brand ("timvision", "Monzo"): where the gazetteer reads only someone else's, it
        # may add to the first members' verdict, never take from it (the same rule in training: choose_second_share)
        return max(first, blend) if self.names_only_someone_else(text) else blend

    def names_only_someone_else(self, text: str) -> bool:
        """The gazetteer reads another company's product or a request no care line handles, and none of ours."""
        if self.names is None or not self.names_weight:
            return False
        other, request, ours = self.names.gazetteer.hits(text)
        return bool((other or request) and not ours)

    def first_probability(self, text: str, vector: np.ndarray) -> float:
        """The blend of the first four members (embedding, character and word n-grams, names)."""
        normalised = normalise(text)
        lexical = float(self.lexical.probabilities(normalised)[1]) if normalised else 0.0
        embedded = 1.0 / (1.0 + math.exp(-(float(vector @ self.weights) + self.bias)))
        worded = self.words.probability(text) if self.words is not None else 0.0
        named = self.names.probability(text) if self.names is not None and self.names_weight else 0.0
        return (self.encoder_weight * embedded + self.word_weight * worded + self.names_weight * named
                + max(0.0, 1 - self.encoder_weight - self.word_weight - self.names_weight) * lexical)

    def names_someone_else(self, text: str) -> bool:
        """The gazetteer reads another company's product or a request no care line handles, and none of the
        line's own words: the detector judges such a text even when the lexical model is sure of an intent
        (out of fold on the training data its precision there is 0.99, above TARGET_PRECISION; brief H4)."""
        return self.names_only_someone_else(text) or self.shaped(text)

    def shaped(self, text: str) -> bool:
        """The text has a shape no request to a care line has (out_of_scope_cues.py: an impersonal question about
        the world, someone else's account, an errand for someone else, a brand in written case; brief H15)."""
        if self.names is None or self.shape_threshold is None:
            return False
        other, request, ours = self.names.gazetteer.hits(text)
        return shaped(text, other or request, ours, self.names.gazetteer.ours)

    def threshold_for(self, text: str) -> float:
        """The threshold this text is judged at: lower for a text of an out-of-scope shape, when the training
        data's cross-validation found one that keeps the target precision (never with the second encoder)."""
        return self.shape_threshold if self.shaped(text) else self.threshold

    def connection_trouble(self, text: str) -> bool:
        """The text says how a connection fails ("netflix va a scatti", "can't get on facebook at home"): never out of
        scope, whatever product it names — people describe a slow or broken line by the app that shows it."""
        return self.names is not None and self.names.gazetteer.names_a_symptom(text)

    def outside(self, text: str, vector: np.ndarray, guess: str | None = None) -> bool:
        """True when the text is out of scope — never for a control the menus need."""
        return (guess not in self.passes and not self.connection_trouble(text)
                and self.probability(text, vector) >= self.threshold_for(text))

    def save(self, path: Path) -> None:
        self.lexical.save(path.with_name(path.stem + ".lexical.npz"))
        tmp = path.with_name(path.name + f".tmp{os.getpid()}.npz")
        words = self.words.arrays() if self.words is not None else {}
        names = self.names.arrays() if self.names is not None else {}
        np.savez(tmp, weights=self.weights, bias=np.array(self.bias), encoder_weight=np.array(self.encoder_weight),
                 threshold=np.array(self.threshold), passes=np.array(self.passes, dtype=str),
                 word_weight=np.array(self.word_weight), names_weight=np.array(self.names_weight),
                 shape_threshold=np.array(np.nan if self.shape_threshold is None else self.shape_threshold),
                 **words, **names, **self._second_arrays())
        tmp.rename(path)  # written last: its presence means both files are whole

    def _second_arrays(self) -> dict[str, np.ndarray]:
        if self.second_weights is None:
            return {}
        return {"second_weights": self.second_weights, "second_bias": np.array(self.second_bias),
                "first_share": np.array(self.first_share)}

    @classmethod
    def load(cls, path: Path) -> "OutOfScopeDetector":
        lexical = LexicalUnderstanding.load(path.with_name(path.stem + ".lexical.npz"), 0.0)
        with np.load(path, allow_pickle=False) as data:
            words = WordModel.from_arrays(data) if "word_grams" in data else None
            names = NamesModel.from_arrays(data) if "names_weights" in data else None
            shape = float(data["shape_threshold"]) if "shape_threshold" in data else math.nan
            second = ((data["second_weights"], float(data["second_bias"]), float(data["first_share"]))
                      if "second_weights" in data else (None, 0.0, 1.0))
            return cls(lexical, data["weights"], float(data["bias"]), float(data["encoder_weight"]),
                       float(data["threshold"]), tuple(str(p) for p in data["passes"]), words,
                       float(data["word_weight"]) if words is not None else 0.0,
                       names, float(data["names_weight"]) if names is not None else 0.0,
                       None if math.isnan(shape) else shape, *second)


def detector_key(path: Path) -> bytes:
    """What of the detector's own files its cache key reads: the examples and the gazetteer beside them."""
    return Path(path).read_bytes() + b"|names|" + names_bytes(path)


def detector_path(encoder_folder: Path, examples_bytes: bytes, catalog_bytes: bytes, grievance_bytes: bytes,
                  second_name: str = "") -> Path:
    """examples_bytes: detector_key(the examples file); second_name: the second encoder's (SecondEncoder.name) the
    detector is trained and served with, '' without one — a detector is never served with another encoder."""
    recipe = (f"|oos{OUT_OF_SCOPE_VERSION}|C{HEAD_C}|word{WORD_C}|p{TARGET_PRECISION}"
              f"|sklearn{version('scikit-learn')}|second{second_name}|C{SECOND_C}").encode()
    key = hashlib.sha256(examples_bytes + b"|" + catalog_bytes + b"|" + grievance_bytes + recipe).hexdigest()[:16]
    return Path(encoder_folder) / "out_of_scope" / f"{key}.npz"

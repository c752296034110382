"""The complaint flag: does a text voice a grievance against the company or its service?

A second output of the classifier beside the intent (issue 16): a grievance about a topic keeps the topic
("internet down again, what a joke" is internet_down with complaint true), and the agent sees the flag.
Two small binary models, blended: a logistic regression on the encoder's embedding of the text as written
(case, punctuation and emoji kept: the intent head's cleaned input drops what carries the anger), and one
on character n-grams of the text with its shouting, "!!!" and emoji spelled out as words.
Trained from prompts/complaints.yaml (grievances and neutral messages in the project's own words) plus
the catalog: the `complaint` intent's examples count as grievances, every other example as neutral.
The file's examples weigh FILE_WEIGHT times a catalog example (they are the shapes customers write; the
catalog's neutral examples outnumber them four to one). The flag is the model's alone: an intent answer of
`complaint` no longer forces it (the model already learns the complaint intent's examples as grievances).
The blend's weight and the threshold are chosen by 5-fold cross-validation on that training data (best
F1), never on a held-out set. Cached beside the intent head, keyed by both files' bytes.
"""
from __future__ import annotations

import hashlib
import logging
import math
import os
import re
import unicodedata
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from ivr.understanding.catalog import IntentCatalog, load_sections
from ivr.understanding.lexical import LexicalUnderstanding, build_pipeline, normalise

log = logging.getLogger(__name__)

COMPLAINT_VERSION = "4"
COMPLAINT_INTENT = "complaint"     # the intent of a text that is only a grievance: its examples train as grievances
SECTIONS = ("complaint", "neutral")
HEAD_C = 10.0
FILE_WEIGHT = 3.0   # measured 1 / 2 / 3: out-of-fold F1 0.877 / 0.884 / 0.884 (docs/understanding.md)
_SHOUT = re.compile(r"\b[A-ZÀ-Ý]{3,}\b")


def flag_text(text: str) -> str:
    """What the n-gram model reads: the normalised words, then shouting, "!!"/"??" and emoji as words."""
    text = text or ""
    marks = ["xshout"] * min(3, len(_SHOUT.findall(text)))
    marks += ["xbang"] * min(3, text.count("!!") + text.count("?!") + text.count("??"))
    for char in text:
        if ord(char) > 0x2100 and unicodedata.category(char) == "So":
            marks.append("x" + unicodedata.name(char, "symbol").lower().replace(" ", "_").replace("-", "_"))
    return " ".join([normalise(text)] + marks).strip()


def load_complaint_examples(path: Path) -> dict[str, dict[str, tuple[str, ...]]]:
    """prompts/complaints.yaml: {complaint: {it: [...], en: [...]}, neutral: {...}}; malformed → ValueError."""
    return load_sections(path, SECTIONS)


def training_examples(examples: dict, catalog: IntentCatalog) -> tuple[list[str], list[int]]:
    """The texts and their flags (1 = grievance): the complaints file, then the catalog's examples per language."""
    texts, flags = [], []
    for section, flag in (("complaint", 1), ("neutral", 0)):
        for phrases in examples[section].values():
            texts += list(phrases)
            flags += [flag] * len(phrases)
    for lang in catalog.languages:
        for text, intent in catalog.examples(lang):
            texts.append(text)
            flags.append(int(intent == COMPLAINT_INTENT))
        texts += catalog.out_of_scope(lang)
        flags += [0] * len(catalog.out_of_scope(lang))
    return texts, flags


def example_weights(examples: dict, count: int) -> np.ndarray:
    """Per training text (training_examples' order): FILE_WEIGHT for the file's examples, 1 for the catalog's."""
    mine = sum(len(phrases) for section in examples.values() for phrases in section.values())
    return np.array([FILE_WEIGHT] * mine + [1.0] * (count - mine))


@dataclass
class ComplaintModel:
    """p(grievance) = w * embedding model + (1 - w) * n-gram model; flagged at or above `threshold`."""

    lexical: LexicalUnderstanding
    weights: np.ndarray          # the embedding model: (dimensions,) and a bias
    bias: float
    encoder_weight: float
    threshold: float

    def probability(self, text: str, vector: np.ndarray) -> float:
        words = flag_text(text)
        lexical = float(self.lexical.probabilities(words)[1]) if words else 0.0
        embedded = 1.0 / (1.0 + math.exp(-(float(vector @ self.weights) + self.bias)))
        return self.encoder_weight * embedded + (1 - self.encoder_weight) * lexical

    def flagged(self, text: str, vector: np.ndarray) -> bool:
        return bool(self.probability(text, vector) >= self.threshold)

    def save(self, path: Path) -> None:
        lexical = path.with_name(path.stem + ".lexical.npz")
        self.lexical.save(lexical)
        tmp = path.with_name(path.name + f".tmp{os.getpid()}.npz")
        np.savez(tmp, weights=self.weights, bias=np.array(self.bias), encoder_weight=np.array(self.encoder_weight),
                 threshold=np.array(self.threshold))
        tmp.rename(path)  # written last: its presence means both files are whole

    @classmethod
    def load(cls, path: Path) -> "ComplaintModel":
        lexical = LexicalUnderstanding.load(path.with_name(path.stem + ".lexical.npz"), 0.0)
        with np.load(path, allow_pickle=False) as data:
            return cls(lexical, data["weights"], float(data["bias"]), float(data["encoder_weight"]),
                       float(data["threshold"]))


def _fit(texts: list[str], vectors: np.ndarray, flags: list[int],
         weights: np.ndarray) -> tuple[LexicalUnderstanding, np.ndarray, float]:
    # balanced: the catalog's neutral examples outnumber the grievances several times over
    pipeline = build_pipeline().set_params(classifier__class_weight="balanced")
    pipeline.fit([flag_text(t) for t in texts], flags, classifier__sample_weight=weights)
    lexical = LexicalUnderstanding.from_pipeline(pipeline, 0.0)
    head = LogisticRegression(C=HEAD_C, max_iter=5000, class_weight="balanced").fit(vectors, flags,
                                                                                     sample_weight=weights)
    return lexical, head.coef_[0].astype(np.float32), float(head.intercept_[0])


def choose_blend(texts: list[str], vectors: np.ndarray, flags: list[int], weights: np.ndarray,
                 folds: int = 5) -> tuple[float, float, float]:
    """(encoder weight, threshold, out-of-fold F1) with the best F1 over 5 folds of the training data."""
    from sklearn.model_selection import StratifiedKFold

    lexical_p, embedded_p = np.zeros(len(texts)), np.zeros(len(texts))
    truth = np.array(flags)
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=0).split(texts, flags):
        lexical, head, bias = _fit([texts[i] for i in train], vectors[train], list(truth[train]), weights[train])
        lexical_p[test] = [lexical.probabilities(flag_text(texts[i]))[1] for i in test]
        embedded_p[test] = 1.0 / (1.0 + np.exp(-(vectors[test] @ head + bias)))
    best = (0.5, 0.5, -1.0)
    for weight in np.linspace(0.0, 1.0, 11):
        blend = weight * embedded_p + (1 - weight) * lexical_p
        for threshold in np.linspace(0.2, 0.8, 25):
            raised = blend >= threshold
            caught = int((raised & (truth == 1)).sum())
            f1 = 2 * caught / (int(raised.sum()) + int(truth.sum())) if caught else 0.0
            if f1 > best[2] + 1e-9:
                best = (float(weight), float(threshold), f1)
    return best


def complaint_path(encoder_folder: Path, examples_bytes: bytes, catalog_bytes: bytes) -> Path:
    recipe = f"|complaint{COMPLAINT_VERSION}|C{HEAD_C}|w{FILE_WEIGHT}|sklearn{version('scikit-learn')}".encode()
    key = hashlib.sha256(examples_bytes + b"|" + catalog_bytes + recipe).hexdigest()[:16]
    return Path(encoder_folder) / "complaints" / f"{key}.npz"


def trained_complaints(encoder, embed, catalog: IntentCatalog, catalog_bytes: bytes, path: Path) -> ComplaintModel:
    """The cached complaint model for these examples and this encoder, or a newly trained (and cached) one.

    embed(text) -> the vector serving computes for that text (so training sees what serving sees)."""
    examples_bytes = path.read_bytes()
    cached = complaint_path(encoder.folder, examples_bytes, catalog_bytes)
    if cached.is_file():
        return ComplaintModel.load(cached)
    examples = load_complaint_examples(path)
    texts, flags = training_examples(examples, catalog)
    weights = example_weights(examples, len(texts))
    log.info("training the complaint flag on %d examples (once per examples file)", len(texts))
    vectors = np.stack([embed(t) for t in texts])
    weight, threshold, f1 = choose_blend(texts, vectors, flags, weights)
    log.info("complaint flag: encoder weight %.1f, threshold %.3f, out-of-fold F1 %.3f", weight, threshold, f1)
    lexical, head, bias = _fit(texts, vectors, flags, weights)
    model = ComplaintModel(lexical, head, bias, weight, threshold)
    cached.parent.mkdir(parents=True, exist_ok=True)
    model.save(cached)
    return model

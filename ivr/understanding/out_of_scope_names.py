"""The out-of-scope detector's word-level members (out_of_scope.py): the word n-gram model (brief H3) and the
gazetteer — whose product, and what kind of request, a text is about (brief H4).

prompts/out_of_scope_names.yaml lists other companies' products and services ("netflix", "iphone",
"playstation", "inps"), kinds of request no telephone and internet care line handles ("ricetta",
"dentist", "tax return") and the words of what the line itself sells ("fibra", "router", "sim"). A text's
hits become five indicators — names another company, names such a request, names our service, and each of
the first two without the third — read by a small class-balanced logistic regression, one more member of the
detector's blend (out_of_scope.py), its weight chosen by the same cross-validation on the training data.
What it adds over the word model: a name the training texts never used ("crunchyroll", "octopus") still
counts as someone else's, because the indicator, not the word, carries the weight.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from ivr.understanding.catalog import load_sections
from ivr.understanding.lexical import normalise

NAMES_FILE = "out_of_scope_names.yaml"   # beside out_of_scope.yaml
SECTIONS = ("others", "requests", "ours", "symptoms")
NAMES_C = 1.0
WORD_C = 10.0
LONGEST = 4   # words in the longest phrase matched


def names_path(examples_path: Path) -> Path:
    return Path(examples_path).with_name(NAMES_FILE)


def names_bytes(examples_path: Path) -> bytes:
    """The gazetteer file's bytes (empty without one): part of the detector's cache key."""
    path = names_path(examples_path)
    return path.read_bytes() if path.is_file() else b""


@dataclass(frozen=True)
class Gazetteer:
    """Normalised phrases per section; both languages' lists together (brands do not change with language)."""

    others: frozenset[str]
    requests: frozenset[str]
    ours: frozenset[str]
    symptoms: frozenset[str] = frozenset()  # how a connection fails ("a scatti", "won't load"): not a model input

    def _grams(self, text: str) -> set[str]:
        words = normalise(text).split()
        return {" ".join(words[i:i + n]) for n in range(1, LONGEST + 1) for i in range(len(words) - n + 1)}

    @classmethod
    def load(cls, path: Path) -> "Gazetteer":
        """prompts/out_of_scope_names.yaml; malformed → ValueError."""
        sections = load_sections(path, SECTIONS)
        return cls(*(frozenset(filter(None, (normalise(p) for texts in sections[name].values() for p in texts)))
                     for name in SECTIONS))

    def hits(self, text: str) -> tuple[bool, bool, bool]:
        """(names another company's product, names a request no care line handles, names our service)."""
        grams = self._grams(text)
        return bool(grams & self.others), bool(grams & self.requests), bool(grams & self.ours)

    def names_a_symptom(self, text: str) -> bool:
        """The text says how a connection fails: an app that "va a scatti" at home is most often our line's fault."""
        return bool(self._grams(text) & self.symptoms)

    def features(self, text: str) -> np.ndarray:
        other, request, ours = self.hits(text)
        return np.array([other, request, ours, other and not ours, request and not ours], dtype=np.float64)

    def arrays(self) -> dict[str, np.ndarray]:
        return {f"names_{name}": np.array(sorted(getattr(self, name)), dtype=np.str_) for name in SECTIONS}

    @classmethod
    def from_arrays(cls, data) -> "Gazetteer":
        return cls(*(frozenset(str(p) for p in data[f"names_{name}"]) if f"names_{name}" in data else frozenset()
                     for name in SECTIONS))


@dataclass
class NamesModel:
    """p(out of scope) from the gazetteer's five indicators: a class-balanced logistic regression."""

    gazetteer: Gazetteer
    weights: np.ndarray
    bias: float

    @classmethod
    def fit(cls, gazetteer: Gazetteer, texts: list[str], labels: list[int]) -> "NamesModel":
        model = LogisticRegression(C=NAMES_C, max_iter=1000, class_weight="balanced")
        model.fit(np.stack([gazetteer.features(t) for t in texts]), labels)
        return cls(gazetteer, model.coef_[0].astype(np.float64), float(model.intercept_[0]))

    def probability(self, text: str) -> float:
        return 1.0 / (1.0 + math.exp(-(float(self.gazetteer.features(text) @ self.weights) + self.bias)))

    def arrays(self) -> dict[str, np.ndarray]:
        return {**self.gazetteer.arrays(), "names_weights": self.weights, "names_bias": np.array(self.bias)}

    @classmethod
    def from_arrays(cls, data) -> "NamesModel":
        return cls(Gazetteer.from_arrays(data), np.asarray(data["names_weights"], dtype=np.float64),
                   float(data["names_bias"]))


def _word_features(vocabulary: dict[str, int] | None = None, idf: np.ndarray | None = None) -> TfidfVectorizer:
    features = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, vocabulary=vocabulary)
    if idf is not None:
        features.idf_ = np.asarray(idf, dtype=np.float64)
    return features


@dataclass
class WordModel:
    """A class-balanced logistic regression on TF-IDF word uni- and bigrams of the normalised text."""

    features: TfidfVectorizer
    weights: np.ndarray
    bias: float

    @classmethod
    def fit(cls, texts: list[str], labels: list[int]) -> "WordModel":
        features = _word_features()
        model = LogisticRegression(C=WORD_C, max_iter=5000, class_weight="balanced")
        model.fit(features.fit_transform([normalise(t) for t in texts]), labels)
        return cls(features, model.coef_[0].astype(np.float64), float(model.intercept_[0]))

    def probability(self, text: str) -> float:
        words = normalise(text)
        if not words:
            return 0.0
        score = float(np.asarray(self.features.transform([words]) @ self.weights)[0]) + self.bias
        return 1.0 / (1.0 + math.exp(-score))

    def arrays(self) -> dict[str, np.ndarray]:
        """The fitted vocabulary (by column), idf, weights and bias, for np.savez (no pickle)."""
        grams = [""] * len(self.features.vocabulary_)
        for gram, column in self.features.vocabulary_.items():
            grams[column] = gram
        return {"word_grams": np.array(grams, dtype=np.str_), "word_idf": self.features.idf_,
                "word_weights": self.weights, "word_bias": np.array(self.bias)}

    @classmethod
    def from_arrays(cls, data) -> "WordModel":
        grams = data["word_grams"].tolist()
        return cls(_word_features(dict(zip(grams, range(len(grams)))), data["word_idf"]),
                   np.asarray(data["word_weights"], dtype=np.float64), float(data["word_bias"]))

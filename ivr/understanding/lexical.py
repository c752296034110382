"""A small bilingual intent classifier: character n-grams into a logistic regression.

scikit-learn fits both (a TF-IDF vectoriser and a logistic regression) and its TfidfVectorizer turns
every utterance into features when serving. The trained model is cached on disk as plain arrays
(n-grams, idf, weights, intercept; no pickle), so a start with the cache present trains nothing.
"""
from __future__ import annotations

import hashlib
import logging
import math
import os
import re
import unicodedata
from importlib.metadata import version
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from ivr.understanding import Interpretation
from ivr.understanding.catalog import OUT_OF_SCOPE, IntentCatalog

log = logging.getLogger(__name__)

LEXICAL_VERSION = "1"  # part of the cache key: bump when normalise, training_data or the file layout change
# The pipeline's hyper-parameters, all part of the cache key (lexical_path).
NGRAM_RANGE = (2, 5)
SUBLINEAR_TF = True
LEXICAL_C = 100.0
LEXICAL_SOLVER = "newton-cg"
LEXICAL_MAX_ITER = 1000

_NOT_WORD = re.compile(r"[^a-z0-9]+")


def normalise(text: str) -> str:
    """Lowercase, accents and punctuation removed, single spaces: the same for train and predict."""
    # Recognisers disagree on accents ("si"/"sì", "perche"/"perché"), so they carry no signal.
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NOT_WORD.sub(" ", plain).strip()


def vectoriser(vocabulary: dict[str, int] | None = None, idf: np.ndarray | None = None,
               sublinear: bool = SUBLINEAR_TF, ngram_range: tuple[int, int] = NGRAM_RANGE) -> TfidfVectorizer:
    """The TF-IDF features: untrained, or fitted from a cached vocabulary and idf."""
    # Character n-grams survive misrecognitions ("moden", "pasword") and Italian inflection;
    # a word-level TF-IDF alongside them measured no better in cross-validation, only slower.
    features = TfidfVectorizer(analyzer="char_wb", ngram_range=tuple(ngram_range), sublinear_tf=sublinear,
                               vocabulary=vocabulary)
    if idf is not None:
        features.idf_ = np.asarray(idf, dtype=np.float64)
    return features


def build_pipeline(random_state: int = 0):
    """The vectoriser and classifier, untrained (a sklearn Pipeline)."""
    features = vectoriser()
    # newton-cg converges in a handful of steps here where lbfgs takes ~5x longer.
    classifier = LogisticRegression(C=LEXICAL_C, solver=LEXICAL_SOLVER, max_iter=LEXICAL_MAX_ITER,
                                    random_state=random_state)
    return Pipeline([("features", features), ("classifier", classifier)])


class LexicalUnderstanding:
    """Understanding backed by a TF-IDF + logistic regression model trained on the catalog."""

    def __init__(self, classes: tuple[str, ...], features: TfidfVectorizer, weights: np.ndarray,
                 intercept: np.ndarray, reject_below: float):
        """features: a fitted vectoriser(); weights: (columns, classes), or (columns, 1) for two classes."""
        self.classes = tuple(classes)
        self.reject_below = reject_below
        self._features = features
        # the logistic regression's arithmetic on plain arrays, as the encoder's head does (transformer.py)
        self._weights = np.ascontiguousarray(weights, dtype=np.float64)
        self._intercept = np.asarray(intercept, dtype=np.float64)

    @classmethod
    def from_pipeline(cls, model, reject_below: float) -> "LexicalUnderstanding":
        """A fitted build_pipeline(): its vectoriser, and its classifier's weights as arrays (sklearn's
        predict_proba on one string costs ~0.2 ms more in checks than the dot product it does)."""
        features, classifier = model.named_steps["features"], model.named_steps["classifier"]
        return cls(tuple(str(label) for label in model.classes_), features,
                   np.asarray(classifier.coef_, dtype=np.float64).T, classifier.intercept_, reject_below)

    @classmethod
    def train(cls, catalog: IntentCatalog, reject_below: float = 0.35) -> "LexicalUnderstanding":
        """Fit one model on every language's examples plus an out-of-scope class (uncached)."""
        texts, labels = training_data(catalog)
        return cls.from_pipeline(build_pipeline().fit(texts, labels), reject_below)

    def save(self, path: Path) -> None:
        """The model's arrays in one .npz, written atomically (the n-grams as one array, by column)."""
        features = self._features
        ngrams = [""] * len(features.vocabulary_)
        for gram, column in features.vocabulary_.items():
            ngrams[column] = gram
        grams = np.array(ngrams, dtype=np.str_)
        if grams.tolist() != ngrams:  # numpy drops trailing NULs; normalised text has none
            raise ValueError("an n-gram does not survive a numpy string array")
        tmp = path.with_name(path.name + f".tmp{os.getpid()}.npz")
        np.savez(tmp, classes=np.array(self.classes, dtype=np.str_), ngrams=grams, idf=features.idf_,
                 weights=self._weights, intercept=self._intercept, sublinear=np.array(features.sublinear_tf),
                 ngram_range=np.array(features.ngram_range))
        tmp.rename(path)  # atomic: a reader sees the old file or the whole new one

    @classmethod
    def load(cls, path: Path, reject_below: float) -> "LexicalUnderstanding":
        with np.load(path, allow_pickle=False) as data:
            ngrams = data["ngrams"].tolist()
            features = vectoriser(dict(zip(ngrams, range(len(ngrams)))), data["idf"], bool(data["sublinear"]),
                                  tuple(data["ngram_range"].tolist()))
            return cls(tuple(str(c) for c in data["classes"]), features, data["weights"], data["intercept"],
                       reject_below)

    def interpret(self, text: str, lang: str) -> Interpretation:
        """Best intent for a transcript, or None when it is out of scope or too uncertain."""
        # One model serves both languages: callers mix them ("english please" in Italian).
        clean = normalise(text or "")
        if not clean:
            return Interpretation(None, 0.0)
        probabilities = self.probabilities(clean)
        best = int(np.argmax(probabilities))
        guess, confidence = self.classes[best], float(probabilities[best])
        if guess == OUT_OF_SCOPE or confidence < self.reject_below:
            return Interpretation(None, confidence, guess)
        return Interpretation(guess, confidence, guess)

    def probabilities(self, clean: str) -> np.ndarray:
        """Class probabilities for a normalised text, as the fitted pipeline's predict_proba([clean])[0]."""
        scores = np.asarray(self._features.transform([clean]) @ self._weights)[0] + self._intercept
        if scores.shape[0] == 1:  # binary: a single logit for the second class
            p = 1.0 / (1.0 + math.exp(-float(scores[0])))
            return np.array([1.0 - p, p])
        scores = np.exp(scores - scores.max())
        return scores / scores.sum()


def lexical_path(catalog_bytes: bytes, cache_folder: Path) -> Path:
    """Where the model trained on this catalog with these hyper-parameters is cached."""
    # a new scikit-learn may fit other numbers: train again
    recipe = (f"|lexical{LEXICAL_VERSION}|char_wb{NGRAM_RANGE}|sublinear{SUBLINEAR_TF}"
              f"|C{LEXICAL_C}|{LEXICAL_SOLVER}|iter{LEXICAL_MAX_ITER}|seed0|sklearn{version('scikit-learn')}")
    key = hashlib.sha256(catalog_bytes + recipe.encode()).hexdigest()[:16]
    return Path(cache_folder) / f"{key}.npz"


def trained_lexical(catalog: IntentCatalog, catalog_bytes: bytes, cache_folder: Path,
                    reject_below: float = 0.35) -> LexicalUnderstanding:
    """The cached model for this catalog, or a newly trained and cached one."""
    path = lexical_path(catalog_bytes, cache_folder)
    if path.is_file():
        try:
            return LexicalUnderstanding.load(path, reject_below)
        except Exception:  # a damaged file: train again and replace it
            log.exception("the cached lexical model %s could not be read: training it again", path)
    log.info("training the lexical intent model (once per catalog)")
    model = LexicalUnderstanding.train(catalog, reject_below)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        model.save(path)
    except OSError:  # a read-only disk costs a training at each start, not the phone line
        log.exception("the lexical model could not be cached in %s", path.parent)
    return model


def training_data(catalog: IntentCatalog) -> tuple[list[str], list[str]]:
    """Normalised texts and their labels, all languages together, out-of-scope included."""
    texts, labels = [], []
    for lang in catalog.languages:
        for text, intent in catalog.examples(lang):
            texts.append(normalise(text))
            labels.append(intent)
        for text in catalog.out_of_scope(lang):
            texts.append(normalise(text))
            labels.append(OUT_OF_SCOPE)
    return texts, labels

"""Heads on the embeddings, each fit(X, labels, texts) and scores(X, texts) -> [n, classes] (higher =
more likely), and the metrics they are scored with."""
from __future__ import annotations

import numpy as np

from .data import OOS


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

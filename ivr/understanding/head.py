"""The embedding head and the temperature: plain arrays that turn sentence embeddings (and a blend of
probabilities) into calibrated intent probabilities.

Shared by the served model (transformer.py) and the cross-validation that chooses the blend and the
temperature when the head is trained (cross_validation.py).
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

HEAD_C = 100.0         # inverse regularisation of the head (chosen by cross-validation)


class EmbeddingHead:
    """Multinomial logistic regression on L2-normalised embeddings; weights kept as plain arrays."""

    def __init__(self, classes: tuple[str, ...], weights: np.ndarray, bias: np.ndarray,
                 encoder_weight: float = 0.7, temperature: float = 1.0):
        self.classes, self.weights, self.bias = classes, weights, bias
        # how the blend with the lexical model is done (see TransformerUnderstanding): both chosen by
        # cross-validation on the catalog when the head is trained
        self.encoder_weight, self.temperature = encoder_weight, temperature

    @classmethod
    def fit(cls, vectors: np.ndarray, labels: list[str]) -> "EmbeddingHead":
        model = LogisticRegression(C=HEAD_C, max_iter=5000).fit(vectors, labels)
        return cls(tuple(str(c) for c in model.classes_), model.coef_.T.astype(np.float32).copy(),
                   model.intercept_.astype(np.float32))

    def probabilities(self, vector: np.ndarray) -> np.ndarray:
        scores = vector @ self.weights + self.bias
        scores = np.exp(scores - scores.max())
        return scores / scores.sum()

    def save(self, path: Path) -> None:
        tmp = path.with_name(path.name + f".tmp{os.getpid()}.npz")
        np.savez(tmp, classes=np.array(self.classes), weights=self.weights, bias=self.bias,
                 encoder_weight=np.array(self.encoder_weight), temperature=np.array(self.temperature))
        tmp.rename(path)  # atomic: a reader sees the old head or the whole new one

    @classmethod
    def load(cls, path: Path) -> "EmbeddingHead":
        with np.load(path) as data:
            return cls(tuple(str(c) for c in data["classes"]), data["weights"], data["bias"],
                       float(data["encoder_weight"]), float(data["temperature"]))


def fit_temperature(classes: tuple[str, ...], scores: np.ndarray, labels: list[str]) -> float:
    """The temperature T making softmax(log p / T) best fit the truth (least log loss), out of fold.

    A blend of two probability models comes out under-confident (both must agree to reach 0.9);
    one scalar puts the confidences back on the scale the call flow's thresholds assume.
    """
    truth = np.array([classes.index(label) for label in labels])
    logp = np.log(np.clip(scores, 1e-9, 1.0))

    def loss(temperature: float) -> float:
        z = logp / temperature
        z = z - z.max(1, keepdims=True)
        return float(-(z[np.arange(len(truth)), truth] - np.log(np.exp(z).sum(1))).mean())

    grid = np.exp(np.linspace(np.log(0.2), np.log(3.0), 121))
    return float(grid[int(np.argmin([loss(t) for t in grid]))])


def with_temperature(scores: np.ndarray, temperature: float) -> np.ndarray:
    """softmax(log p / T) along the last axis: T < 1 sharpens the probabilities, T > 1 softens them."""
    z = np.log(np.clip(scores, 1e-9, 1.0)) / temperature
    z = np.exp(z - z.max(-1, keepdims=True))
    return z / z.sum(-1, keepdims=True)

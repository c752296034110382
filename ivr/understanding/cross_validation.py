"""Cross-validation on prompts/intents.yaml: how to choose thresholds without touching the held-out set.

`python -m ivr.understanding cv` fits the engine on 4/5 of the catalog and scores the other fifth,
five times (folds stratified by intent and language), then sweeps the reject threshold: out-of-scope
precision / recall and in-scope answers at each value, and how well the confidences are calibrated.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ivr.understanding.catalog import OUT_OF_SCOPE, IntentCatalog
from ivr.understanding.evaluation import confidence_bands
from ivr.understanding.head import EmbeddingHead, fit_temperature, with_temperature
from ivr.understanding.lexical import LexicalUnderstanding, build_pipeline, normalise

THRESHOLDS = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6)


@dataclass(frozen=True)
class Example:
    text: str
    lang: str
    label: str


def catalog_examples(catalog: IntentCatalog) -> list[Example]:
    rows = []
    for lang in catalog.languages:
        rows += [Example(text, lang, intent) for text, intent in catalog.examples(lang)]
        rows += [Example(text, lang, OUT_OF_SCOPE) for text in catalog.out_of_scope(lang)]
    return rows


def _lexical_scores(train: list[Example], test: list[Example]) -> tuple[tuple[str, ...], np.ndarray]:
    model = LexicalUnderstanding.from_pipeline(build_pipeline().fit([normalise(e.text) for e in train], [e.label for e in train]), 0.0)
    return model.classes, np.stack([model.probabilities(normalise(e.text)) for e in test])


@dataclass(frozen=True)
class OutOfFold:
    """Every example's class probabilities from models that never saw it: lexical, and embedding head."""

    classes: tuple[str, ...]
    lexical: np.ndarray
    embedded: np.ndarray | None

    def blend(self, encoder_weight: float) -> np.ndarray:
        if self.embedded is None:
            return self.lexical
        return encoder_weight * self.embedded + (1 - encoder_weight) * self.lexical

    def served(self, encoder_weight: float, temperature: float, lexical_sure: float) -> np.ndarray:
        """What the served model answers: the lexical model where it is sure, else the calibrated blend."""
        if self.embedded is None:
            return self.lexical
        sure = self.lexical.max(1, keepdims=True) >= lexical_sure
        return np.where(sure, self.lexical, with_temperature(self.blend(encoder_weight), temperature))


def out_of_fold(examples: list[Example], vectors: np.ndarray | None, folds: int = 5, seed: int = 0) -> OutOfFold:
    """Fit on 4/5, score the other fifth, five times (lexical alone when vectors is None)."""
    from sklearn.model_selection import StratifiedKFold

    strata = [f"{e.label}/{e.lang}" for e in examples]
    lexical = embedded = classes = None
    for train_idx, test_idx in StratifiedKFold(folds, shuffle=True, random_state=seed).split(examples, strata):
        train, test = [examples[i] for i in train_idx], [examples[i] for i in test_idx]
        fold_classes, fold = _lexical_scores(train, test)
        if lexical is None:
            classes, lexical = fold_classes, np.zeros((len(examples), len(fold_classes)))
            embedded = None if vectors is None else np.zeros_like(lexical)
        assert fold_classes == classes
        lexical[test_idx] = fold
        if vectors is not None:
            head = EmbeddingHead.fit(vectors[train_idx], [e.label for e in train])
            assert head.classes == classes
            embedded[test_idx] = np.stack([head.probabilities(v) for v in vectors[test_idx]])
    return OutOfFold(classes, lexical, embedded)


def decision_accuracy(classes: tuple[str, ...], scores: np.ndarray, labels: list[str], reject_below: float) -> float:
    """Share of examples the call flow would handle right: the intent, or "not understood" for out of scope."""
    best = scores.argmax(1)
    right = [(OUT_OF_SCOPE if classes[b] == OUT_OF_SCOPE or scores[i, b] < reject_below else classes[b]) == label
             for i, (b, label) in enumerate(zip(best, labels))]
    return float(np.mean(right))


def choose_blend(oof: OutOfFold, labels: list[str], reject_below: float,
                 weights=(0.5, 0.6, 0.7, 0.8)) -> tuple[float, float]:
    """The encoder weight and temperature under which the out-of-fold decisions are most often right."""
    best = None
    for weight in weights:
        temperature = fit_temperature(oof.classes, oof.blend(weight), labels)
        score = decision_accuracy(oof.classes, with_temperature(oof.blend(weight), temperature), labels, reject_below)
        if best is None or score > best[0] + 1e-9:
            best = (score, weight, temperature)
    return best[1], best[2]


def report(examples: list[Example], classes: tuple[str, ...], scores: np.ndarray, current: float) -> list[str]:
    best = scores.argmax(1)
    guess = [classes[i] for i in best]
    confidence = scores.max(1)
    lines = ["== top-1 per language (out-of-fold) =="]
    for lang in sorted({e.lang for e in examples}):
        idx = [i for i, e in enumerate(examples) if e.lang == lang and e.label != OUT_OF_SCOPE]
        lines.append(f"{lang:<6} {100 * np.mean([guess[i] == examples[i].label for i in idx]):5.1f} %  (n={len(idx)})")
    lines.append("== reject threshold sweep: out-of-scope precision / recall, in-scope answered right ==")
    out = [i for i, e in enumerate(examples) if e.label == OUT_OF_SCOPE]
    inside = [i for i, e in enumerate(examples) if e.label != OUT_OF_SCOPE]
    for threshold in sorted(set(THRESHOLDS) | {current}):
        rejected = [i for i in range(len(examples)) if guess[i] == OUT_OF_SCOPE or confidence[i] < threshold]
        caught = sum(examples[i].label == OUT_OF_SCOPE for i in rejected)
        answered = sum(guess[i] == examples[i].label and confidence[i] >= threshold for i in inside)
        mark = "  <- INTENT_REJECT_BELOW" if threshold == current else ""
        lines.append(f"{threshold:.2f}   P {100 * caught / max(len(rejected), 1):5.1f} %   R {100 * caught / max(len(out), 1):5.1f} %"
                     f"   in-scope right {100 * answered / len(inside):5.1f} %{mark}")
    lines.append("== calibration (top confidence band -> top class right) ==")
    hits = [guess[i] == examples[i].label for i in range(len(examples))]
    for low, high, ratio in confidence_bands(confidence, hits):
        if ratio.total:
            lines.append(f"{low:.2f}-{high:.2f}   {100 * ratio.value:5.1f} %  (n={ratio.total})")
    return lines

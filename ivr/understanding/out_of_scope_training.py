"""Training the out-of-scope detector (out_of_scope.py): its four members (and the second encoder's) fitted on the training data, their
out-of-fold probabilities, the blend and threshold with the best out-of-fold recall at precision >= TARGET_PRECISION,
and the cached detector built from prompts/out_of_scope.yaml, the catalog and the grievances. Runs in the training
child (loading.py), never in a serving process."""
from __future__ import annotations

import logging

import numpy as np
from sklearn.linear_model import LogisticRegression

from ivr.understanding.catalog import IntentCatalog
from ivr.understanding.lexical import LexicalUnderstanding, build_pipeline, normalise
from ivr.understanding.out_of_scope import (HEAD_C, SECOND_C, TARGET_PRECISION, OutOfScopeDetector, detector_key,
                                            detector_path, load_out_of_scope_examples, training_examples)
from ivr.understanding.out_of_scope_cues import choose_shape_threshold, shaped
from ivr.understanding.out_of_scope_names import Gazetteer, NamesModel, WordModel, names_path

log = logging.getLogger(__name__)


def fit_parts(texts: list[str], vectors: np.ndarray,
         labels: list[int]) -> tuple[LexicalUnderstanding, np.ndarray, float, WordModel]:
    pipeline = build_pipeline().set_params(classifier__class_weight="balanced")
    lexical = LexicalUnderstanding.from_pipeline(pipeline.fit([normalise(t) for t in texts], labels), 0.0)
    head = LogisticRegression(C=HEAD_C, max_iter=5000, class_weight="balanced").fit(vectors, labels)
    return lexical, head.coef_[0].astype(np.float32), float(head.intercept_[0]), WordModel.fit(texts, labels)


def out_of_fold(texts: list[str], vectors: np.ndarray, labels: list[int], folds: int = 5,
                gazetteer: Gazetteer | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each text's (embedding, character n-gram, word n-gram, names) probabilities from models that did not
    see it (names all 0 without a gazetteer)."""
    from sklearn.model_selection import StratifiedKFold

    embedded_p, lexical_p, word_p, names_p = (np.zeros(len(texts)) for _ in range(4))
    truth = np.array(labels)
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=0).split(texts, labels):
        lexical, weights, bias, words = fit_parts([texts[i] for i in train], vectors[train], list(truth[train]))
        lexical_p[test] = [lexical.probabilities(normalise(texts[i]))[1] if normalise(texts[i]) else 0.0
                           for i in test]
        embedded_p[test] = 1.0 / (1.0 + np.exp(-(vectors[test] @ weights + bias)))
        word_p[test] = [words.probability(texts[i]) for i in test]
        if gazetteer is not None:
            names = NamesModel.fit(gazetteer, [texts[i] for i in train], list(truth[train]))
            names_p[test] = [names.probability(texts[i]) for i in test]
    return embedded_p, lexical_p, word_p, names_p


def choose_blend(embedded_p: np.ndarray, lexical_p: np.ndarray, labels: list[int], target: float = TARGET_PRECISION,
                 word_p: np.ndarray | None = None,
                 names_p: np.ndarray | None = None) -> tuple[float, float, float, float, float, float]:
    """(encoder weight, word weight, threshold, precision, recall, names weight): the best recall at
    precision ≥ target, out of fold; the character n-gram model weighs the rest. Without word_p (names_p)
    the word (names) weight stays 0."""
    truth = np.array(labels) == 1
    steps = np.linspace(0.0, 1.0, 11)
    best = (0.5, 0.0, 0.5, 0.0, -1.0, 0.0)
    for weight in steps:
        for word_weight in (steps if word_p is not None else (0.0,)):
            for names_weight in (steps[:6] if names_p is not None else (0.0,)):
                rest = 1 - weight - word_weight - names_weight
                if rest < -1e-9:
                    continue
                blend = weight * embedded_p + max(0.0, rest) * lexical_p
                if word_p is not None:
                    blend = blend + word_weight * word_p
                if names_p is not None:
                    blend = blend + names_weight * names_p
                for threshold, precision, recall in meeting_target(blend, truth, target):
                    if recall > best[4] + 1e-9:
                        best = (float(weight), float(word_weight), threshold, precision, recall, float(names_weight))
    return best


THRESHOLDS = np.linspace(0.3, 0.95, 27)   # the thresholds a blend is judged at, out of fold


def meeting_target(blend: np.ndarray, truth: np.ndarray, target: float):
    """(threshold, precision, recall) of each threshold of THRESHOLDS at which the blend's out-of-fold precision is
    ≥ target, in order of threshold."""
    raised = blend[None, :] >= THRESHOLDS[:, None]
    caught = (raised & truth).sum(axis=1)
    precision = np.where(raised.any(axis=1), caught / np.maximum(raised.sum(axis=1), 1), 0.0)
    for k in np.flatnonzero(precision >= target):
        yield float(THRESHOLDS[k]), float(precision[k]), float(caught[k] / int(truth.sum()))


def second_out_of_fold(vectors: np.ndarray, labels: list[int], folds: int = 5) -> np.ndarray:
    """Each text's probability from the second encoder's logistic regression fitted without it (the same folds)."""
    from sklearn.model_selection import StratifiedKFold

    truth, probabilities = np.array(labels), np.zeros(len(labels))
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=0).split(vectors, labels):
        model = LogisticRegression(C=SECOND_C, max_iter=5000, class_weight="balanced").fit(vectors[train], truth[train])
        probabilities[test] = model.predict_proba(vectors[test])[:, 1]
    return probabilities


def second_blend(share: float, first_p: np.ndarray, second_p: np.ndarray, keep_first: np.ndarray | None) -> np.ndarray:
    """share * first + (1 - share) * second; where keep_first (the gazetteer reads only someone else's), never under
    the first members' own probability (OutOfScopeDetector.probability)."""
    blend = share * first_p + (1 - share) * second_p
    return blend if keep_first is None else np.where(keep_first, np.maximum(first_p, blend), blend)


def choose_second_share(first_p: np.ndarray, second_p: np.ndarray, labels: list[int],
                        target: float = TARGET_PRECISION,
                        keep_first: np.ndarray | None = None) -> tuple[float, float, float, float]:
    """(first share, threshold, precision, recall): the blend of second_blend with the best out-of-fold recall at
    precision ≥ target (share 1: the second encoder adds nothing)."""
    truth = np.array(labels) == 1
    best = (1.0, 0.5, 0.0, -1.0)
    for share in np.linspace(1.0, 0.0, 11):   # from the first members alone: of equal recalls, the least change
        for threshold, precision, recall in meeting_target(second_blend(share, first_p, second_p, keep_first), truth,
                                                           target):
            if recall > best[3] + 1e-9:
                best = (float(share), threshold, precision, recall)
    return best


def trained_detector(encoder, embed, catalog: IntentCatalog, catalog_bytes: bytes, path: Path,
                     grievances: tuple[str, ...] = (), grievance_bytes: bytes = b"",
                     second=None) -> OutOfScopeDetector:
    """The cached detector for these examples and this encoder, or a newly trained (and cached) one.

    embed(text) -> the vector serving computes for that text (so training sees what serving sees)."""
    cached = detector_path(encoder.folder, detector_key(path), catalog_bytes, grievance_bytes,
                           second.name if second is not None else "")
    if cached.is_file():
        detector = OutOfScopeDetector.load(cached)
        detector.second = second
        return detector
    texts, labels = training_examples(load_out_of_scope_examples(path), catalog, grievances)
    log.info("training the out-of-scope detector on %d examples (once per examples file)", len(texts))
    vectors = np.stack([embed(t) for t in texts])
    gazetteer = Gazetteer.load(names_path(path)) if names_path(path).is_file() else None
    embedded_p, lexical_p, word_p, names_p = out_of_fold(texts, vectors, labels, gazetteer=gazetteer)
    weight, word_weight, threshold, precision, recall, names_weight = choose_blend(
        embedded_p, lexical_p, labels, word_p=word_p, names_p=names_p if gazetteer is not None else None)
    log.info("out-of-scope detector: encoder weight %.1f, word weight %.1f, names weight %.1f, threshold %.3f, "
             "out of fold P %.3f R %.3f", weight, word_weight, names_weight, threshold, precision, recall)
    lexical, weights, bias, words = fit_parts(texts, vectors, labels)
    names = NamesModel.fit(gazetteer, texts, labels) if gazetteer is not None else None
    detector = OutOfScopeDetector(lexical, weights, bias, weight, threshold, catalog.controls, words, word_weight,
                                  names, names_weight)
    blend = (weight * embedded_p + word_weight * word_p + names_weight * names_p
             + max(0.0, 1 - weight - word_weight - names_weight) * lexical_p)
    if second is not None:
        keep_first = (np.array([detector.names_only_someone_else(t) for t in texts]) if names is not None else None)
        blend = _with_second(detector, second, texts, labels, blend, keep_first)
    if names is not None:
        shapes = np.array([shaped(t, any(gazetteer.hits(t)[:2]), gazetteer.hits(t)[2], gazetteer.ours) for t in texts])
        # with the second encoder, a shaped text is still judged when the lexical model is sure, but at the blend's
        # threshold: only ~2 in-scope training texts show a shape, so the choice fell to the grid's floor (0.3), which
        # measured cost the first held-out set two utterances (docs/understanding.md, "A second encoder")
        detector.shape_threshold = (choose_shape_threshold(blend, labels, shapes, detector.threshold, TARGET_PRECISION)
                                    if second is None else detector.threshold)
        log.info("out-of-scope detector: %d training texts of an out-of-scope shape, their threshold %s",
                 int(shapes.sum()), detector.shape_threshold)
    cached.parent.mkdir(parents=True, exist_ok=True)
    detector.save(cached)
    detector.second = second
    return detector


def _with_second(detector: OutOfScopeDetector, second, texts: list[str], labels: list[int],
                 first_p: np.ndarray, keep_first: np.ndarray | None) -> np.ndarray:
    """Adds the second encoder's member to the detector (its share and the threshold by cross-validation); returns
    the out-of-fold blend the shape threshold is then chosen on."""
    vectors = second.encode(texts)
    second_p = second_out_of_fold(vectors, labels)
    share, threshold, precision, recall = choose_second_share(first_p, second_p, labels, keep_first=keep_first)
    log.info("out-of-scope detector with %s: first members' share %.1f, threshold %.3f, out of fold P %.3f R %.3f",
             second.name, share, threshold, precision, recall)
    model = LogisticRegression(C=SECOND_C, max_iter=5000, class_weight="balanced").fit(vectors, labels)
    detector.second_weights = model.coef_[0].astype(np.float32)
    detector.second_bias, detector.first_share, detector.threshold = float(model.intercept_[0]), share, threshold
    return second_blend(share, first_p, second_p, keep_first)

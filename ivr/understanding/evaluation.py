"""Scoring an Understanding on held-out utterances: accuracy, confusions, out of scope, latency."""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import yaml

from ivr.understanding import Interpretation, Understanding
from ivr.understanding.catalog import OUT_OF_SCOPE, _per_language
from ivr.understanding.lexical import normalise

SECTIONS = ("intents", "cross_lingual", OUT_OF_SCOPE)
REJECTED = "(not understood)"


@dataclass(frozen=True)
class Case:
    """One held-out utterance, the call's language, and the right intent (None = out of scope)."""

    text: str
    lang: str
    expected: str | None
    cross_lingual: bool = False
    complaint: bool | None = None   # labelled grievance flag (real-style set only)


@dataclass(frozen=True)
class Outcome:
    """What the model made of a case, and how long it took."""

    case: Case
    got: Interpretation
    seconds: float

    @property
    def right(self) -> bool:
        return self.got.intent == self.case.expected

    @property
    def guessed(self) -> bool:
        """The top class was right, whether or not the model then dared to answer it."""
        return self.got.best_guess == self.case.expected


@dataclass(frozen=True)
class Ratio:
    """Hits out of a total, printed as a percentage with its counts."""

    hits: int
    total: int

    @property
    def value(self) -> float | None:
        return self.hits / self.total if self.total else None

    def __str__(self) -> str:
        share = "  n/a" if self.value is None else f"{100 * self.value:5.1f} %"
        return f"{share} ({self.hits}/{self.total})"


def load_heldout(path: Path) -> list[Case]:
    """Read the held-out file (format in its header); a malformed file raises ValueError."""
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict) or set(data) != set(SECTIONS):
        raise ValueError(f"{path}: expected exactly the top-level keys {list(SECTIONS)}")
    cases = []
    for section in SECTIONS[:2]:
        if not isinstance(data[section], dict) or not data[section]:
            raise ValueError(f"{path}: {section}: expected a mapping of intent → languages")
        for intent, per_lang in data[section].items():
            if not isinstance(intent, str):  # an unquoted yes/no reads as a boolean
                raise ValueError(f"{path}: {section}: intent name {intent!r} must be quoted")
            for lang, texts in _per_language(per_lang, f"{path}: {section}.{intent}").items():
                cases += [Case(text, lang, intent, section == "cross_lingual") for text in texts]
    for lang, texts in _per_language(data[OUT_OF_SCOPE], f"{path}: {OUT_OF_SCOPE}").items():
        cases += [Case(text, lang, None) for text in texts]
    return cases


def evaluate(model: Understanding, cases: Iterable[Case],
             clock: Callable[[], float] = time.perf_counter) -> list[Outcome]:
    """Interpret every case once, timing each call."""
    outcomes = []
    for case in cases:
        started = clock()
        got = model.interpret(case.text, case.lang)
        outcomes.append(Outcome(case, got, clock() - started))
    return outcomes


def ratio_by(outcomes: Iterable[Outcome], key: Callable[[Outcome], str],
             hit: Callable[[Outcome], bool] = lambda o: o.right) -> dict[str, Ratio]:
    """Hits over totals per group, groups in first-seen order."""
    hits: Counter = Counter()
    totals: Counter = Counter()
    for outcome in outcomes:
        totals[key(outcome)] += 1
        hits[key(outcome)] += hit(outcome)
    return {group: Ratio(hits[group], total) for group, total in totals.items()}


def in_scope(outcomes: Iterable[Outcome], cross_lingual: bool = False) -> list[Outcome]:
    return [o for o in outcomes if o.case.expected is not None and o.case.cross_lingual == cross_lingual]


def confusions(outcomes: Iterable[Outcome], most: int = 10) -> list[tuple[tuple[str, str], int]]:
    """The most frequent (expected, got) pairs among wrong answers, rejections included."""
    pairs = Counter((o.case.expected or OUT_OF_SCOPE, o.got.intent or REJECTED)
                    for o in outcomes if not o.right)
    return pairs.most_common(most)


def out_of_scope_scores(outcomes: Iterable[Outcome]) -> tuple[Ratio, Ratio]:
    """Precision and recall of rejection (intent None) as the detector of out-of-scope speech."""
    outcomes = list(outcomes)
    rejected = [o for o in outcomes if o.got.intent is None]
    caught = sum(o.case.expected is None for o in rejected)
    out = sum(o.case.expected is None for o in outcomes)
    return Ratio(caught, len(rejected)), Ratio(caught, out)


CONFIDENCE_BINS = (0.0, 0.35, 0.5, 0.75, 0.9, 1.0)


def confidence_bands(confidences: Iterable[float], hits: Iterable[bool],
                     bins=CONFIDENCE_BINS) -> list[tuple[float, float, Ratio]]:
    """Hits over totals per band of confidence; the last band includes its upper edge."""
    pairs = list(zip(confidences, hits))
    bands = []
    for low, high in zip(bins, bins[1:]):
        inside = [hit for c, hit in pairs if low <= c < high or (high == bins[-1] and c == high)]
        bands.append((low, high, Ratio(sum(inside), len(inside))))
    return bands


def calibration(outcomes: Iterable[Outcome], bins=CONFIDENCE_BINS) -> list[tuple[float, float, Ratio]]:
    """Reliability: for each band of top confidence, how often the top class was right.

    Out-of-scope utterances count as right when the top class is out of scope. A calibrated model's
    hit rate sits inside its band, which is what lets INTENT_CONFIRM_BELOW / INTENT_REJECT_BELOW mean
    "ask again" and "confirm" at the rates the call flow expects.
    """
    outcomes = list(outcomes)
    hits = [(o.got.best_guess or OUT_OF_SCOPE) == (o.case.expected or OUT_OF_SCOPE) for o in outcomes]
    return confidence_bands([o.got.confidence for o in outcomes], hits, bins)


def percentiles_ms(seconds: Iterable[float], points=(50, 95)) -> list[float]:
    """Latency percentiles in milliseconds (linear interpolation, as numpy does)."""
    return [float(v) for v in np.percentile(np.asarray(list(seconds)) * 1000.0, points)]


def format_report(outcomes: list[Outcome], most: int = 10) -> list[str]:
    """The eval printout: one headed section per measure."""
    mono, cross = in_scope(outcomes), in_scope(outcomes, cross_lingual=True)
    lines = ["== accuracy per language (intent right; a rejection counts as wrong) =="]
    guesses = ratio_by(mono, lambda o: o.case.lang, lambda o: o.guessed)
    for lang, ratio in ratio_by(mono, lambda o: o.case.lang).items():
        lines.append(f"{lang:<18} {ratio}   best guess {guesses[lang]}")
    lines.append("== accuracy per intent ==")
    lines += [f"{intent:<18} {ratio}" for intent, ratio in
              ratio_by(mono, lambda o: o.case.expected).items()]
    lines.append("== cross-lingual (utterance in the other language from the call's) ==")
    lines += [f"{lang + ' call':<18} {ratio}" for lang, ratio in
              ratio_by(cross, lambda o: o.case.lang).items()]
    lines.append(f"{'all':<18} {Ratio(sum(o.right for o in cross), len(cross))}")
    lines.append("== most frequent confusions (expected -> got) ==")
    lines += [f"{count:>4}  {expected} -> {got}" for (expected, got), count in confusions(outcomes, most)]
    precision, recall = out_of_scope_scores(outcomes)
    lines += ["== out of scope (counted as rejected when intent is None) ==",
              f"{'precision':<18} {precision}", f"{'recall':<18} {recall}"]
    lines.append("== calibration (top confidence band -> top class right) ==")
    lines += [f"{low:.2f}-{high:.2f}          {ratio}" for low, high, ratio in calibration(outcomes) if ratio.total]
    p50, p95 = percentiles_ms(o.seconds for o in outcomes)
    lines += ["== latency per utterance ==", f"p50 {p50:.3f} ms   p95 {p95:.3f} ms   n={len(outcomes)}"]
    return lines


# -- the real-style set (tests/data/intents_realstyle.yaml): one labelled entry per text ---------------

REALSTYLE_FIELDS = {"text": str, "intent": str, "complaint": bool, "language": str}


def load_realstyle(path: Path) -> list[Case]:
    """Read the real-style set (format in its header); a malformed entry raises ValueError saying which."""
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict) or set(data) != {"texts"} or not isinstance(data["texts"], list):
        raise ValueError(f"{path}: expected one top-level key 'texts' holding a list of entries")
    cases = []
    for number, entry in enumerate(data["texts"], 1):
        if not isinstance(entry, dict) or set(entry) != set(REALSTYLE_FIELDS):
            raise ValueError(f"{path}: texts #{number}: expected exactly the fields {sorted(REALSTYLE_FIELDS)}")
        # an unquoted yes/no reads as a boolean, so a type is checked, not only presence
        for field, kind in REALSTYLE_FIELDS.items():
            if not isinstance(entry[field], kind) or (kind is str and not entry[field].strip()):
                raise ValueError(f"{path}: texts #{number}: {field} {entry[field]!r} is not a {kind.__name__}"
                                 + (" (quote it)" if kind is str else ""))
        intent = None if entry["intent"] == OUT_OF_SCOPE else entry["intent"]
        cases.append(Case(entry["text"], entry["language"], intent, complaint=entry["complaint"]))
    return cases


def flag_scores(outcomes: Iterable[Outcome], flagged: Callable[[Outcome], bool]) -> tuple[Ratio, Ratio, float | None]:
    """Precision, recall and F1 of a predicted grievance flag against the labelled one."""
    labelled = [o for o in outcomes if o.case.complaint is not None]
    raised = [o for o in labelled if flagged(o)]
    caught = sum(o.case.complaint for o in raised)
    precision, recall = Ratio(caught, len(raised)), Ratio(caught, sum(o.case.complaint for o in labelled))
    if not caught:
        return precision, recall, 0.0 if recall.total else None
    return precision, recall, 2 * precision.value * recall.value / (precision.value + recall.value)


def confusions_by_intent(outcomes: Iterable[Outcome]) -> dict[str, Counter]:
    """Per expected intent (out of scope included), what the wrong answers were."""
    wrong: dict[str, Counter] = {}
    for o in outcomes:
        got = wrong.setdefault(o.case.expected or OUT_OF_SCOPE, Counter())
        if not o.right:
            got[o.got.intent or REJECTED] += 1
    return wrong


def _f1(scores: tuple[Ratio, Ratio, float | None]) -> str:
    precision, recall, f1 = scores
    return f"precision {precision}   recall {recall}   F1 {'n/a' if f1 is None else f'{f1:.3f}'}"


def format_realstyle_report(outcomes: list[Outcome], most: int = 10,
                            language: Callable[[Outcome], str | None] | None = None,
                            min_words: int = 3) -> list[str]:
    """The eval printout for the real-style set: in scope per language, per intent with its confusions,
    out of scope, the complaint flag and language identification when they are predicted."""
    mono = in_scope(outcomes)
    lines = ["== top-1 in scope per language (a rejection counts as wrong) =="]
    guesses = ratio_by(mono, lambda o: o.case.lang, lambda o: o.guessed)
    lines += [f"{lang:<18} {ratio}   best guess {guesses[lang]}" for lang, ratio in
              ratio_by(mono, lambda o: o.case.lang).items()]
    lines += [f"{'with a grievance' if flag else 'without':<18} {ratio}" for flag, ratio in
              ratio_by(mono, lambda o: o.case.complaint).items()]
    lines.append("== per intent: right, and the wrong answers (expected: got x count) ==")
    per_intent = ratio_by(outcomes, lambda o: o.case.expected or OUT_OF_SCOPE)
    for intent, wrong in confusions_by_intent(outcomes).items():
        shown = ", ".join(f"{got} x{count}" for got, count in wrong.most_common(4))
        lines.append(f"{intent:<18} {per_intent[intent]}   {shown}".rstrip())
    lines.append("== most frequent confusions (expected -> got) ==")
    lines += [f"{count:>4}  {expected} -> {got}" for (expected, got), count in confusions(outcomes, most)]
    precision, recall = out_of_scope_scores(outcomes)
    lines += ["== out of scope (counted as rejected when intent is None) ==",
              f"{'precision':<18} {precision}", f"{'recall':<18} {recall}"]
    lines += [f"{'recall, ' + lang:<18} {ratio}" for lang, ratio in ratio_by(
        [o for o in outcomes if o.case.expected is None], lambda o: o.case.lang, lambda o: o.got.intent is None).items()]
    lines.append("== complaint flag ==")
    if all(getattr(o.got, "complaint", None) is not None for o in outcomes):
        lines.append(f"{'model':<18} " + _f1(flag_scores(outcomes, lambda o: o.got.complaint)))
    else:
        lines.append("complaint: not predicted")
    lines.append(f"{'intent=complaint':<18} " + _f1(flag_scores(outcomes, lambda o: o.got.intent == "complaint")))
    lines.append(f"== language identification (texts of {min_words}+ words) ==")
    if language is None:
        lines.append("language: not predicted")
    else:
        long_enough = [o for o in outcomes if len(normalise(o.case.text).split()) >= min_words]
        lines += [f"{lang:<18} {ratio}" for lang, ratio in
                  ratio_by(long_enough, lambda o: o.case.lang, lambda o: language(o) == o.case.lang).items()]
    p50, p95 = percentiles_ms(o.seconds for o in outcomes)
    lines += ["== latency per text ==", f"p50 {p50:.3f} ms   p95 {p95:.3f} ms   n={len(outcomes)}"]
    return lines

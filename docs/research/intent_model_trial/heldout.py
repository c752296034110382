"""`calibrate`, `official`, `learning-curve`: the confidence's reliability, the product's own held-out set
and scorer (ivr.understanding.evaluation), and accuracy against catalog size."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .data import OOS, load_heldout, load_training
from .encoders import make_encoder
from .heads import (EMBEDDING_HEADS, ComboHead, LexicalHead, LRHead, cross_validated_scores, decisions,
                    metrics, tune_threshold)


def run_calibration(variant: str, out_path: Path) -> dict:
    """Is the confidence usable for the call flow's confirm/reprompt thresholds? Reliability of
    the max probability (5-fold CV over intents.yaml, and held-out), and the decisions at the
    product's current settings (confirm_below 0.75, reject_below 0.35)."""
    import torch

    torch.set_num_threads(1)
    train, held = load_training(), load_heldout()
    encoder = make_encoder(variant)
    X_train = np.stack([encoder.encode_one(t) for t, _, _ in train])
    X_held = np.stack([encoder.encode_one(t) for t, _, _ in held])
    heads = {"lr(C=100)": lambda: LRHead(100.0), "lr(C=100)+lexical w=0.7": lambda: ComboHead(100.0, 0.7),
             "lexical": LexicalHead}
    bins = [0.0, 0.35, 0.5, 0.75, 0.9, 1.01]
    result = {"variant": variant, "bins": bins, "heads": {}}
    for name, make in heads.items():
        cv_scores, classes = cross_validated_scores(make, X_train, train)
        head = make().fit(X_train, np.array([l for _, l, _ in train]), [t for t, _, _ in train])
        held_scores = head.scores(X_held, [t for t, _, _ in held])
        row = {}
        for split, scores, items in (("cv", cv_scores, train), ("heldout", held_scores, held)):
            guess, conf, _ = decisions(scores, classes, 0.0)
            truth = [label for _, label, _ in items]
            table = []
            for lo, hi in zip(bins, bins[1:]):
                idx = [i for i, c in enumerate(conf) if lo <= c < hi]
                table.append({"from": lo, "to": min(hi, 1.0), "n": len(idx),
                              "accuracy": (sum(guess[i] == truth[i] for i in idx) / len(idx)) if idx else None})
            ece = sum(abs(np.mean([guess[i] == truth[i] for i in idx]) - np.mean(conf[idx])) * len(idx)
                      for lo, hi in zip(bins, bins[1:])
                      if (idx := [i for i, c in enumerate(conf) if lo <= c < hi])) / len(items)
            at_settings = metrics(scores, classes, items, 0.35)
            confirm = [i for i, c in enumerate(conf) if 0.35 <= c < 0.75 and guess[i] != OOS]
            row[split] = {"reliability": table, "ece": float(ece), "at_reject_0.35": at_settings,
                          "share_asked_to_confirm": len(confirm) / len(items)}
        result["heads"][name] = row
        print(f"{variant} {name}: CV ECE {row['cv']['ece']:.3f}; reliability "
              + ", ".join(f"[{b['from']:.2f},{b['to']:.2f}) n={b['n']} acc={b['accuracy'] if b['accuracy'] is None else round(b['accuracy'], 3)}"
                          for b in row["cv"]["reliability"]), flush=True)
        m = row["heldout"]["at_reject_0.35"]
        print(f"   held-out at reject_below 0.35: it {m['accepted_right_it']:.3f} en {m['accepted_right_en']:.3f} "
              f"accepted-and-right; OOS P {m['oos_precision']:.2f} R {m['oos_recall']:.2f}; "
              f"in-scope rejected {m['in_scope_rejected']:.3f}; asked to confirm "
              f"{row['heldout']['share_asked_to_confirm']:.3f}", flush=True)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(result, indent=1, default=str))
    return result


class TrialUnderstanding:
    """An encoder + a fitted head behind the product's Understanding protocol (for ivr's eval)."""

    def __init__(self, encoder, head, threshold: float):
        self.encoder, self.head, self.threshold = encoder, head, threshold

    def interpret(self, text: str, lang: str):
        from ivr.understanding import Interpretation

        if not (text or "").strip():
            return Interpretation(None, 0.0)
        vector = self.encoder.encode_one(text) if self.encoder is not None else np.zeros(1)
        scores = self.head.scores(vector[None, :], [text])[0]
        best = int(scores.argmax())
        guess, confidence = self.head.classes[best], float(scores[best])
        if guess == OOS or confidence < self.threshold:
            return Interpretation(None, confidence, guess)
        return Interpretation(guess, confidence, guess)


def run_official(variants, heads, out_path: Path, heldout: Path) -> dict:
    """The project's own held-out set and scorer (ivr.understanding.evaluation), as `eval` prints."""
    import torch
    from ivr.understanding.evaluation import (evaluate, format_report, in_scope, load_heldout as
                                              load_cases, out_of_scope_scores, percentiles_ms, ratio_by)

    torch.set_num_threads(1)
    cases = load_cases(heldout)
    train = load_training()
    labels = np.array([l for _, l, _ in train])
    texts = [t for t, _, _ in train]
    makers = {**EMBEDDING_HEADS, "lexical": LexicalHead}
    results = {"heldout": str(heldout), "n_cases": len(cases), "runs": []}
    for variant in variants:
        encoder = None if variant == "lexical" else make_encoder(variant)
        X = (np.zeros((len(train), 1)) if encoder is None
             else np.stack([encoder.encode_one(t) for t in texts]))
        for name in (["lexical"] if variant == "lexical" else heads):
            cv_scores, classes = cross_validated_scores(makers[name], X, train)
            tuned = tune_threshold(cv_scores, classes, train)
            head = makers[name]().fit(X, labels, texts)
            for label, threshold in (("cv-tuned", tuned), ("reject_below 0.35", 0.35)):
                model = TrialUnderstanding(encoder, head, threshold)
                for case in cases[:20]:
                    model.interpret(case.text, case.lang)
                outcomes = evaluate(model, cases)
                mono, cross = in_scope(outcomes), in_scope(outcomes, cross_lingual=True)
                per_lang = ratio_by(mono, lambda o: o.case.lang)
                guessed = ratio_by(mono, lambda o: o.case.lang, lambda o: o.guessed)
                precision, recall = out_of_scope_scores(outcomes)
                p50, p95 = percentiles_ms(o.seconds for o in outcomes)
                row = {"variant": variant, "head": name, "threshold": label, "value": threshold,
                       **{f"acc_{k}": v.value for k, v in per_lang.items()},
                       **{f"best_guess_{k}": v.value for k, v in guessed.items()},
                       "cross": sum(o.right for o in cross) / len(cross),
                       "oos_precision": precision.value, "oos_recall": recall.value,
                       "p50_ms": p50, "p95_ms": p95, "report": format_report(outcomes)}
                results["runs"].append(row)
                print(f"{variant:10} {name:24} {label:18} (t={threshold:.3f}) it {row['acc_it']:.3f} "
                      f"en {row['acc_en']:.3f} cross {row['cross']:.3f} OOS P {row['oos_precision']:.3f} "
                      f"R {row['oos_recall']:.3f} p50 {p50:.2f} ms p95 {p95:.2f} ms", flush=True)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(results, indent=1, default=str))
    return results


def run_learning_curve(variant: str, out_path: Path, heldout: Path, fractions=(0.25, 0.5, 0.75, 1.0),
                       seeds=(0, 1, 2)) -> dict:
    """Does more catalog data help? Heads trained on stratified fractions of intents.yaml, scored
    (argmax, out_of_scope as a class, no extra threshold) on the project's held-out set."""
    import torch
    from sklearn.model_selection import train_test_split
    from ivr.understanding.evaluation import load_heldout as load_cases

    torch.set_num_threads(1)
    train = load_training()
    cases = load_cases(heldout)
    items = [(c.text, c.expected or OOS, c.lang) for c in cases if not c.cross_lingual]
    encoder = make_encoder(variant)
    X = np.stack([encoder.encode_one(t) for t, _, _ in train])
    Xh = np.stack([encoder.encode_one(t) for t, _, _ in items])
    labels = np.array([l for _, l, _ in train])
    strata = np.array([f"{l}/{lang}" for _, l, lang in train])
    heads = {"lexical": LexicalHead, "lr(C=100)": lambda: LRHead(100.0),
             "lr(C=100)+lexical w=0.7": lambda: ComboHead(100.0, 0.7)}
    rows = []
    for fraction in fractions:
        for name, make in heads.items():
            runs = []
            for seed in (seeds if fraction < 1 else seeds[:1]):
                idx = (np.arange(len(train)) if fraction >= 1 else
                       train_test_split(np.arange(len(train)), train_size=fraction, stratify=strata,
                                        random_state=seed)[0])
                head = make().fit(X[idx], labels[idx], [train[i][0] for i in idx])
                runs.append(metrics(head.scores(Xh, [t for t, _, _ in items]), head.classes, items, 0.0))
            row = {"fraction": fraction, "n_train": int(round(fraction * len(train))), "head": name,
                   **{k: float(np.mean([r[k] for r in runs])) for k in
                      ("top1_it", "top1_en", "oos_precision", "oos_recall")}}
            rows.append(row)
            print(f"{fraction:4.2f} ({row['n_train']:4d} examples) {name:24} it {row['top1_it']:.3f} "
                  f"en {row['top1_en']:.3f} OOS P {row['oos_precision']:.2f} R {row['oos_recall']:.2f}", flush=True)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps({"variant": variant, "heldout": str(heldout), "rows": rows}, indent=1))
    return {"rows": rows}

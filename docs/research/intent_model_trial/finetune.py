"""`finetune`: e5-small fine-tuned end to end, measured like the heads (k-fold CV, then the held-out file)."""
from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from .conversion import convert
from .data import OOS, PREFIX, load_heldout, load_training, percentile
from .heads import best_recall_at_precision, decisions, metrics, tune_threshold


class FineTuned:
    """e5-small fine-tuned end to end with a linear head (cross-entropy, out_of_scope a class).

    Mean pooling over tokens -> dropout -> Linear(384, classes). Word embeddings frozen (they
    are 110k x 384 and would dominate every optimiser step); everything else trained with
    AdamW. Returns an HFEncoder-like object whose scores() are the head's softmax.
    """

    def __init__(self, path: Path, epochs: int = 4, lr: float = 5e-5, batch_size: int = 16,
                 seed: int = 0):
        self.path, self.epochs, self.lr, self.batch_size, self.seed = path, epochs, lr, batch_size, seed
        self.name = f"fine-tuned (epochs={epochs}, lr={lr:g})"

    def fit(self, texts, labels):
        import torch
        from transformers import AutoModel, AutoTokenizer

        torch.manual_seed(self.seed)
        rng = np.random.default_rng(self.seed)
        self.tokenizer = AutoTokenizer.from_pretrained(self.path)
        model = AutoModel.from_pretrained(self.path, add_pooling_layer=False)
        model.embeddings.word_embeddings.weight.requires_grad_(False)
        self.classes = sorted(set(labels))
        index = {c: i for i, c in enumerate(self.classes)}
        head = torch.nn.Linear(model.config.hidden_size, len(self.classes))
        dropout = torch.nn.Dropout(0.1)
        params = [{"params": [p for p in model.parameters() if p.requires_grad], "lr": self.lr},
                  {"params": head.parameters(), "lr": 1e-3}]
        optimiser = torch.optim.AdamW(params, weight_decay=0.01)
        steps = self.epochs * ((len(texts) + self.batch_size - 1) // self.batch_size)
        schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda step: max(0.0, 1 - step / steps))
        y = torch.tensor([index[l] for l in labels])
        model.train()
        for _ in range(self.epochs):
            order = rng.permutation(len(texts))
            for start in range(0, len(texts), self.batch_size):
                idx = order[start:start + self.batch_size]
                batch = self.tokenizer([PREFIX + texts[i] for i in idx], return_tensors="pt", padding=True)
                hidden = model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).float()
                pooled = (hidden * mask).sum(1) / mask.sum(1)
                loss = torch.nn.functional.cross_entropy(head(dropout(pooled)), y[idx])
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
                schedule.step()
        model.eval()
        self.model, self.head = model, head
        return self

    def quantise(self):
        import torch
        from torch.ao.quantization import default_dynamic_qconfig, quantize_dynamic
        self.model = quantize_dynamic(self.model, {torch.nn.Linear: default_dynamic_qconfig},
                                      dtype=torch.qint8)
        return self

    def scores_one(self, text: str) -> np.ndarray:
        import torch
        batch = self.tokenizer(PREFIX + text, return_tensors="pt")
        with torch.inference_mode():
            pooled = self.model(**batch).last_hidden_state[0].mean(0)
            return torch.softmax(self.head(pooled), -1).numpy()

    def scores(self, texts) -> np.ndarray:
        return np.stack([self.scores_one(t) for t in texts])


def run_finetune(out_path: Path, epochs: int, lr: float, threads: int = 2, folds: int = 5) -> dict:
    """Fine-tuning measured like the heads: stratified k-fold CV, then full data -> held-out."""
    import torch
    from sklearn.model_selection import StratifiedKFold

    torch.set_num_threads(threads)
    train, held = load_training(), load_heldout()
    path = convert(vocab="latin")
    texts = [t for t, _, _ in train]
    labels = [l for _, l, _ in train]
    strata = [f"{l}/{lang}" for _, l, lang in train]
    cv_scores, classes, seconds = np.zeros((len(train), len(set(labels)))), None, []
    for tr, te in StratifiedKFold(folds, shuffle=True, random_state=0).split(texts, strata):
        t0 = time.perf_counter()
        ft = FineTuned(path, epochs, lr).fit([texts[i] for i in tr], [labels[i] for i in tr])
        seconds.append(time.perf_counter() - t0)
        torch.set_num_threads(1)
        classes = ft.classes
        cv_scores[te] = ft.scores([texts[i] for i in te])
        torch.set_num_threads(threads)
        print(f"fold trained in {seconds[-1]:.0f}s", flush=True)
    threshold = tune_threshold(cv_scores, classes, train)
    t0 = time.perf_counter()
    ft = FineTuned(path, epochs, lr).fit(texts, labels)
    full_seconds = time.perf_counter() - t0
    torch.set_num_threads(1)
    result = {"head": ft.name, "train_seconds_per_fold": seconds, "train_seconds_full": full_seconds,
              "train_threads": threads,
              "cv": metrics(cv_scores, classes, train, threshold)}
    for label in ("fp32", "int8"):
        if label == "int8":
            ft.quantise()
        held_scores = ft.scores([t for t, _, _ in held])
        row = metrics(held_scores, classes, held, threshold)
        row["oracle_recall_at_p90"], _ = best_recall_at_precision(held_scores, classes, held)
        times = []
        for t, _, _ in held[:20]:
            ft.scores_one(t)
        for t, _, _ in held:
            t1 = time.perf_counter(); ft.scores_one(t); times.append((time.perf_counter() - t1) * 1000)
        row["p50_ms"], row["p95_ms"] = percentile(times, 50), percentile(times, 95)
        guess, _, decided = decisions(held_scores, classes, threshold)
        row["errors"] = [(t, l, lang, g, d) for (t, l, lang), g, d in zip(held, guess, decided)
                         if (d or OOS) != l]
        result[f"heldout_{label}"] = row
        print(f"fine-tuned {label}: held-out it {row['top1_it']:.3f} en {row['top1_en']:.3f} OOS P "
              f"{row['oos_precision']:.2f} R {row['oos_recall']:.2f} p50 {row['p50_ms']:.1f} ms", flush=True)
    cv = result["cv"]
    print(f"fine-tuned CV it {cv['top1_it']:.3f} en {cv['top1_en']:.3f} OOS P {cv['oos_precision']:.2f} "
          f"R {cv['oos_recall']:.2f}; {np.mean(seconds):.0f}s per fold, {full_seconds:.0f}s full", flush=True)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(result, indent=1, default=str))
    return result

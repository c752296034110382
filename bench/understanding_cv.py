"""Leave-some-out check of the lexical classifier: stratified 5-fold CV over prompts/intents.yaml, 3 seeds.

    python -m bench.understanding_cv [reject_below]
"""
import sys, time
from collections import Counter
from pathlib import Path
import numpy as np
from sklearn.model_selection import StratifiedKFold
from ivr.understanding.catalog import load_catalog, OUT_OF_SCOPE
from ivr.understanding.lexical import build_pipeline, training_data, LexicalUnderstanding

cat = load_catalog(Path(__file__).resolve().parent.parent / "prompts" / "intents.yaml")
t = time.perf_counter(); u = LexicalUnderstanding.train(cat); print(f"train {time.perf_counter()-t:.2f}s")
X, y = training_data(cat); X, y = np.array(X), np.array(y)
reject = float(sys.argv[1]) if len(sys.argv) > 1 else 0.35
raw_ok = dec_ok = n = 0; wrong_accept = 0; rejected_in = 0; errors = Counter()
for seed in (0, 1, 2):
    for tr, te in StratifiedKFold(5, shuffle=True, random_state=seed).split(X, y):
        m = build_pipeline().fit(X[tr], y[tr])
        P = m.predict_proba(X[te]); cls = m.classes_
        for p, truth, text in zip(P, y[te], X[te]):
            b = cls[p.argmax()]; c = p.max(); n += 1
            raw_ok += b == truth
            decided = None if (b == OUT_OF_SCOPE or c < reject) else b
            want = None if truth == OUT_OF_SCOPE else truth
            dec_ok += decided == want
            if decided is not None and decided != want: wrong_accept += 1
            if decided is None and want is not None: rejected_in += 1
            if decided != want and seed == 0: errors[(truth, str(decided), text)] += 1
print(f"n={n} top1 acc={raw_ok/n:.3f} decision acc={dec_ok/n:.3f} wrong-accept={wrong_accept/n:.3f} rejected-in-scope={rejected_in/n:.3f}")
for (truth, dec, text), _ in sorted(errors.items()): print(f"  {truth:16} -> {dec:16} {text}")

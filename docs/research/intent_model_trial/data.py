"""The trial's data: the catalog it trains on, its own held-out file, where results go."""
from __future__ import annotations

from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]                               # the repository (docs/research/intent_model_trial/)
INTENTS = ROOT / "prompts" / "intents.yaml"
HELDOUT = HERE / "intents_heldout_trial.yaml"        # the trial's own held-out file (too easy: see README)
PROJECT_HELDOUT = ROOT / "tests" / "data" / "intents_heldout.yaml"   # the product's, the one to trust
RESULTS = HERE / "results"                           # the JSON of a run
PREFIX = "query: "
OOS = "out_of_scope"  # same label as ivr.understanding.catalog.OUT_OF_SCOPE


def load_training() -> list[tuple[str, str, str]]:
    """(text, label, lang) for every example of prompts/intents.yaml, out-of-scope included."""
    from ivr.understanding.catalog import OUT_OF_SCOPE, load_catalog

    assert OUT_OF_SCOPE == OOS
    catalog = load_catalog(INTENTS)
    items = []
    for lang in catalog.languages:
        items += [(text, intent, lang) for text, intent in catalog.examples(lang)]
        items += [(text, OOS, lang) for text in catalog.out_of_scope(lang)]
    return items


def load_heldout() -> list[tuple[str, str, str]]:
    import yaml

    data = yaml.safe_load(HELDOUT.read_text(encoding="utf-8"))
    items = [(text, intent, lang) for intent, per_lang in data["intents"].items()
             for lang, texts in per_lang.items() for text in texts]
    items += [(text, OOS, lang) for lang, texts in data["out_of_scope"].items() for text in texts]
    return items


def percentile(values, q):
    return float(np.percentile(np.asarray(values), q))

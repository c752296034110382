"""Which Understanding a process uses, built once per process (before gunicorn or RQ fork)."""
from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

from ivr.understanding.catalog import IntentCatalog, load_catalog
from ivr.understanding.lexical import trained_lexical

log = logging.getLogger(__name__)

ENGINES = ("transformer", "lexical")


@lru_cache(maxsize=4)
def _built(path: Path, mtime: float, engine: str, model: str, cache: Path, threads: int, reject_below: float):
    catalog_bytes = path.read_bytes()
    catalog = load_catalog(path)
    # cached under INTENT_MODEL_CACHE/lexical: a start with the cache present does not import sklearn
    lexical = trained_lexical(catalog, catalog_bytes, cache / "lexical", reject_below)
    if engine == "lexical":
        return catalog, lexical
    try:
        from ivr.understanding.encoder import Encoder, prepare
        from ivr.understanding.transformer import TransformerUnderstanding, trained_head

        encoder = Encoder(prepare(model, cache), threads)
        head = trained_head(encoder, catalog, catalog_bytes, reject_below)
        return catalog, TransformerUnderstanding(encoder, head, lexical, reject_below)
    except Exception:  # the phone line must answer even if the model cannot be built here
        log.exception("the intent model %r could not be loaded: using the lexical classifier", model)
        return catalog, lexical


def load_understanding(settings) -> tuple[IntentCatalog, object]:
    """The catalog and the configured Understanding (again only if intents.yaml changes)."""
    if settings.intent_engine not in ENGINES:
        raise ValueError(f"INTENT_ENGINE={settings.intent_engine!r}: expected one of {', '.join(ENGINES)}")
    path = settings.prompts_dir / "intents.yaml"
    return _built(path, path.stat().st_mtime, settings.intent_engine, settings.intent_model,
                  Path(settings.intent_model_cache), settings.intent_threads, settings.reject_below)

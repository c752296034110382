"""Which Understanding a process uses, built once per process (before gunicorn or RQ fork)."""
from __future__ import annotations

import logging
import sys
from functools import lru_cache
from pathlib import Path

from ivr.understanding.child import run_module
from ivr.understanding.catalog import IntentCatalog, load_catalog
from ivr.understanding.lexical import trained_lexical

log = logging.getLogger(__name__)

ENGINES = ("transformer", "lexical")
COMPLAINT_EXAMPLES = "complaints.yaml"   # beside intents.yaml: trains the complaint flag (complaint.py)
OUT_OF_SCOPE_EXAMPLES = "out_of_scope.yaml"   # beside intents.yaml: trains the out-of-scope detector
GRIEVANCE_TOPICS = "grievance_topics.yaml"   # beside intents.yaml: the second opinion on `complaint` (brief H10)


def _second_opinion_cached(path: Path, folder: Path, cache: Path, catalog_bytes: bytes, reject_below: float) -> bool:
    from ivr.understanding.grievance_topics import second_opinion_bytes
    from ivr.understanding.lexical import lexical_path
    from ivr.understanding.transformer import head_path

    lines = path.with_name(GRIEVANCE_TOPICS)
    if not lines.is_file():
        return True
    key = second_opinion_bytes(catalog_bytes, lines)
    return head_path(folder, key, reject_below).is_file() and lexical_path(key, cache / "lexical").is_file()


def _detector_cached(path: Path, folder: Path, catalog_bytes: bytes) -> bool:
    from ivr.understanding.out_of_scope import detector_key, detector_path
    from ivr.understanding.second_encoder import second_encoder_name

    examples, complaints = path.with_name(OUT_OF_SCOPE_EXAMPLES), path.with_name(COMPLAINT_EXAMPLES)
    grievances = complaints.read_bytes() if complaints.is_file() else b""
    # the name the package promises: if its encoder then fails to load, the training child runs and finds the rest cached
    return not examples.is_file() or detector_path(folder, detector_key(examples), catalog_bytes, grievances,
                                                   second_encoder_name()).is_file()


def _detector(path: Path, encoder, embed, catalog: IntentCatalog, catalog_bytes: bytes, threads: int = 1):
    """The out-of-scope detector (out_of_scope.py) with its second encoder, or None without its examples file."""
    from ivr.understanding.complaint import load_complaint_examples
    from ivr.understanding.out_of_scope_training import trained_detector
    from ivr.understanding.second_encoder import second_encoder

    examples, complaints = path.with_name(OUT_OF_SCOPE_EXAMPLES), path.with_name(COMPLAINT_EXAMPLES)
    if not examples.is_file():
        return None
    grievances, grievance_bytes = (), b""
    if complaints.is_file():  # grievances about the line are in scope, however long and angry
        grievance_bytes = complaints.read_bytes()
        grievances = tuple(t for texts in load_complaint_examples(complaints)["complaint"].values() for t in texts)
    return trained_detector(encoder, embed, catalog, catalog_bytes, examples, grievances, grievance_bytes,
                            second_encoder(threads))


def _trained_elsewhere(path: Path, engine: str, model: str, cache: Path, reject_below: float) -> None:
    """Train in a child process what is not cached yet, so this process keeps none of the training's memory.

    If the child fails, _built trains here as before (and logs what went wrong there)."""
    from ivr.understanding.encoder import cache_folder
    from ivr.understanding.lexical import lexical_path
    from ivr.understanding.transformer import head_path

    from ivr.understanding.complaint import complaint_path

    catalog_bytes, complaints = path.read_bytes(), path.with_name(COMPLAINT_EXAMPLES)
    folder = cache_folder(model, cache)
    cached = lexical_path(catalog_bytes, cache / "lexical").is_file() and (
        engine == "lexical" or head_path(folder, catalog_bytes, reject_below).is_file()) and (
        engine == "lexical" or not complaints.is_file()
        or complaint_path(folder, complaints.read_bytes(), catalog_bytes).is_file()) and (
        engine == "lexical" or _detector_cached(path, folder, catalog_bytes)) and (
        engine == "lexical" or _second_opinion_cached(path, folder, cache, catalog_bytes, reject_below))
    if cached:
        return
    log.info("training the intent model for %s in a child process (once per catalog)", path.name)
    done = run_module("ivr.understanding.loading", str(path), engine, model, str(cache), repr(reject_below))
    if done.returncode != 0:
        log.warning("training in a child process failed (exit %s): %s", done.returncode, done.stderr.strip()[-2000:])


@lru_cache(maxsize=4)
def _built(path: Path, mtime: float, engine: str, model: str, cache: Path, threads: int, reject_below: float,
           train_here: bool = False):
    if not train_here:
        _trained_elsewhere(path, engine, model, cache, reject_below)
    catalog_bytes = path.read_bytes()
    catalog = load_catalog(path)
    # cached under INTENT_MODEL_CACHE/lexical: a start with the cache present trains nothing
    lexical = trained_lexical(catalog, catalog_bytes, cache / "lexical", reject_below)
    if engine == "lexical":
        return catalog, lexical
    try:
        from ivr.understanding.encoder import Encoder, prepare
        from ivr.understanding.complaint import trained_complaints
        from ivr.understanding.grievance_topics import trained_second_opinion
        from ivr.understanding.transformer import TransformerUnderstanding, clean, trained_head

        encoder = Encoder(prepare(model, cache), threads)
        head = trained_head(encoder, catalog, catalog_bytes, reject_below)
        examples = path.with_name(COMPLAINT_EXAMPLES)
        embed = lambda text: encoder.encode([text.strip()])[0]  # noqa: E731 - what serving computes
        complaints = (trained_complaints(encoder, embed, catalog, catalog_bytes, examples)
                      if examples.is_file() else None)
        # the cleaned text, as the intent head reads it (serving reuses the head's vector)
        detector = _detector(path, encoder, lambda text: encoder.encode([clean(text)])[0], catalog, catalog_bytes,
                             threads)
        lines = path.with_name(GRIEVANCE_TOPICS)
        second = (trained_second_opinion(encoder, catalog, catalog_bytes, lines, cache, reject_below)
                  if lines.is_file() else None)
        return catalog, TransformerUnderstanding(encoder, head, lexical, reject_below, complaints, detector,
                                                 second_opinion=second)
    except Exception:  # the phone line must answer even if the model cannot be built here
        log.exception("the intent model %r could not be loaded: using the lexical classifier", model)
        return catalog, lexical


def load_understanding(settings) -> tuple[IntentCatalog, object]:
    """The catalog and the configured Understanding (again only if intents.yaml changes)."""
    if settings.intent_engine not in ENGINES:
        raise ValueError(f"INTENT_ENGINE={settings.intent_engine!r}: expected one of {', '.join(ENGINES)}")
    path = settings.prompts_dir / "intents.yaml"
    # a change to any of these files builds the model again
    beside = [path.with_name(COMPLAINT_EXAMPLES), path.with_name(OUT_OF_SCOPE_EXAMPLES), path.with_name(GRIEVANCE_TOPICS)]
    mtime = max([path.stat().st_mtime] + [f.stat().st_mtime for f in beside if f.is_file()])
    return _built(path, mtime, settings.intent_engine, settings.intent_model,
                  Path(settings.intent_model_cache), settings.intent_threads, settings.reject_below)


if __name__ == "__main__":  # the child of _trained_elsewhere: train and cache, then exit
    catalog_path, engine_name, model_name, cache_path, threshold = sys.argv[1:6]
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    built = _built(Path(catalog_path), 0.0, engine_name, model_name, Path(cache_path), 1, float(threshold),
                   train_here=True)[1]
    sys.exit(0 if engine_name == "lexical" or hasattr(built, "encoder") else 1)

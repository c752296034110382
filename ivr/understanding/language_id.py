"""Which language a caller spoke (it / en), from the words themselves.

A character n-gram TF-IDF model with a logistic regression (the lexical model's pipeline, lexical.py),
trained on the project's own texts per language: every sentence of prompts/it.yaml and en.yaml, and
the example utterances of prompts/intents.yaml and prompts/menus.yaml. Callers mix languages
("internet", "modem", "ok"), so the call switches only on an utterance of at least MIN_WORDS words
said with at least SWITCH_SURE probability (`python -m ivr.understanding language` measures both).
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import numpy as np
import yaml

from ivr.understanding.lexical import LexicalUnderstanding, build_pipeline, normalise

log = logging.getLogger(__name__)

LANGUAGE_ID_VERSION = "1"
MIN_WORDS = 3        # "ok", "sì grazie", "internet": too short to say which language
SWITCH_SURE = 0.9    # the probability of the other language that switches the call
SOURCES = ("it.yaml", "en.yaml", "intents.yaml", "menus.yaml")


@dataclass(frozen=True)
class LanguageGuess:
    lang: str
    confidence: float
    words: int


def _strings(node) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for value in node.values() for s in _strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in _strings(value)]
    return []


def _by_language(node, found: dict[str, list[str]]) -> None:
    """Every string under a key named like a language ("it:", "en:"), anywhere in the tree."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in found:
                found[key] += _strings(value)
            else:
                _by_language(value, found)
    elif isinstance(node, list):
        for value in node:
            _by_language(value, found)


def training_texts(prompts_dir: Path, languages: tuple[str, ...] = ("it", "en")) -> dict[str, list[str]]:
    """The project's own sentences per language: the prompt books, and the examples of both catalogs."""
    found: dict[str, list[str]] = {lang: [] for lang in languages}
    for lang in languages:
        found[lang] += _strings(yaml.safe_load((Path(prompts_dir) / f"{lang}.yaml").read_text(encoding="utf-8")))
    for name in SOURCES[2:]:
        path = Path(prompts_dir) / name
        if path.is_file():
            _by_language(yaml.safe_load(path.read_text(encoding="utf-8")), found)
    # placeholders ("{wait}") say nothing about the language, nor a sentence both books share
    # (the Italian book's "For English, press 9.")
    clean = {lang: {normalise(s.replace("{", " ").replace("}", " ")) for s in texts} - {""}
             for lang, texts in found.items()}
    shared = set.intersection(*clean.values())
    return {lang: sorted(texts - shared) for lang, texts in clean.items()}


class LanguageId:
    """guess(text) -> the more likely language; `switch_to` says whether a call should change to it."""

    def __init__(self, model: LexicalUnderstanding, min_words: int = MIN_WORDS, sure: float = SWITCH_SURE):
        self.model, self.min_words, self.sure = model, min_words, sure

    def guess(self, text: str) -> LanguageGuess | None:
        clean = normalise(text or "")
        if not clean:
            return None
        probabilities = self.model.probabilities(clean)
        best = int(np.argmax(probabilities))
        return LanguageGuess(self.model.classes[best], float(probabilities[best]), len(clean.split()))

    def switch_to(self, text: str, current: str) -> str | None:
        """The other language when the caller clearly spoke it, else None (short or mixed: stay)."""
        guess = self.guess(text)
        if guess is None or guess.lang == current or guess.words < self.min_words or guess.confidence < self.sure:
            return None
        return guess.lang


def trained_language_id(prompts_dir: Path, cache: Path) -> LanguageId:
    """Trained on the project's texts (a second or two), cached by their bytes."""
    sources = b"".join((Path(prompts_dir) / name).read_bytes() for name in SOURCES
                       if (Path(prompts_dir) / name).is_file())
    recipe = f"|langid{LANGUAGE_ID_VERSION}|sklearn{version('scikit-learn')}".encode()
    path = Path(cache) / "language" / f"{hashlib.sha256(sources + recipe).hexdigest()[:16]}.npz"
    if path.is_file():
        return LanguageId(LexicalUnderstanding.load(path, 0.0))
    texts = training_texts(prompts_dir)
    rows = [(t, lang) for lang, items in texts.items() for t in items]
    log.info("training the language identifier on %d sentences (once per prompts)", len(rows))
    model = LexicalUnderstanding.from_pipeline(build_pipeline().fit([r[0] for r in rows], [r[1] for r in rows]), 0.0)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        model.save(path)
    except OSError:
        log.exception("the language identifier could not be cached in %s", path.parent)
    return LanguageId(model)

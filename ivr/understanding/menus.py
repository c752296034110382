"""Answers to the call's menus, said in the caller's own words: one small model per menu.

Each menu of the call (the options, the window choice, yes/no, …) has its answers and their example
utterances in prompts/menus.yaml, both languages together. Per menu, the same two models as the intent
model (transformer.py): a logistic regression on the multilingual encoder's sentence embeddings, and
the character n-gram TF-IDF model (lexical.py), which alone is the fallback when the encoder cannot be
loaded. Their probabilities are averaged; an answer below MENU_SURE, or the menu's `other` class
(something that answers none of the choices), is "not understood": the call asks again rather than
act on a guess. Trained once per examples file (cached on disk, keyed by its bytes and the encoder),
at startup, never in a request.
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from ivr.understanding.head import EmbeddingHead
from ivr.understanding.lexical import LexicalUnderstanding, build_pipeline, normalise

log = logging.getLogger(__name__)

MENUS_VERSION = "1"   # part of the cache key: bump when training changes
OTHER = "other"       # the class of answers that are none of the menu's choices
# Below this blended probability an answer is "not understood" (asked again): set at one half before the
# evaluation sets were written, and not tuned on them (`python -m ivr.understanding menus` measures it).
MENU_SURE = 0.5
ENCODER_WEIGHT = 0.5  # the blend of the two models' probabilities


@dataclass(frozen=True)
class MenuReading:
    """A menu's choice (None = not understood), its probability, and the top class for logs."""

    choice: str | None
    confidence: float
    best_guess: str | None = None


def load_menu_examples(path: Path) -> dict[str, dict[str, dict[str, tuple[str, ...]]]]:
    """menu -> choice -> language -> examples; a malformed file raises ValueError saying where."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("menus"), dict) or not data["menus"]:
        raise ValueError(f"{path}: expected a non-empty 'menus' mapping at the top level")
    menus = {}
    for menu, choices in data["menus"].items():
        if not isinstance(choices, dict) or len(choices) < 2:
            raise ValueError(f"{path}: menu {menu!r}: expected at least two choices")
        menus[menu] = {}
        for choice, per_lang in choices.items():
            if not isinstance(choice, str) or not isinstance(per_lang, dict):  # unquoted yes/no are booleans
                raise ValueError(f"{path}: {menu}.{choice!r}: quote the choice, give it languages")
            for lang, texts in per_lang.items():
                if not isinstance(texts, list) or not all(isinstance(t, str) and t.strip() for t in texts):
                    raise ValueError(f"{path}: {menu}.{choice}.{lang}: expected a list of phrases")
            menus[menu][choice] = {lang: tuple(texts) for lang, texts in per_lang.items()}
    return menus


def menu_rows(examples: dict, menu: str) -> tuple[list[str], list[str], list[str]]:
    """A menu's examples as (normalised texts, choices, languages)."""
    texts, labels, langs = [], [], []
    for choice, per_lang in examples[menu].items():
        for lang, phrases in per_lang.items():
            texts += [normalise(p) for p in phrases]
            labels += [choice] * len(phrases)
            langs += [lang] * len(phrases)
    return texts, labels, langs


@dataclass
class MenuHead:
    """One menu's two models; `head` is None when there is no encoder (lexical only)."""

    lexical: LexicalUnderstanding
    head: EmbeddingHead | None

    @property
    def classes(self) -> tuple[str, ...]:
        return self.lexical.classes


class MenuModel:
    """Reads what the caller said at a menu into one of its choices, or None (not understood)."""

    def __init__(self, heads: dict[str, MenuHead], encoder=None, sure: float = MENU_SURE):
        self.heads, self.encoder, self.sure = heads, encoder, sure

    @property
    def menus(self) -> tuple[str, ...]:
        return tuple(self.heads)

    def probabilities(self, menu: str, text: str) -> np.ndarray | None:
        model = self.heads[menu]
        clean = normalise(text or "")
        if not clean:
            return None
        lexical = model.lexical.probabilities(clean)
        if model.head is None or self.encoder is None:
            return lexical
        embedded = model.head.probabilities(self.encoder.encode_one(clean))
        return ENCODER_WEIGHT * embedded + (1 - ENCODER_WEIGHT) * lexical

    def read(self, menu: str, text: str) -> MenuReading:
        probabilities = self.probabilities(menu, text)
        if probabilities is None:
            return MenuReading(None, 0.0)
        best = int(np.argmax(probabilities))
        guess, confidence = self.heads[menu].classes[best], float(probabilities[best])
        if guess == OTHER or confidence < self.sure:
            return MenuReading(None, confidence, guess)
        return MenuReading(guess, confidence, guess)


def _key(examples_bytes: bytes, encoder) -> str:
    folder = Path(encoder.folder).name if encoder is not None else "lexical-only"
    return hashlib.sha256(examples_bytes + f"|menus{MENUS_VERSION}|{folder}".encode()).hexdigest()[:16]


def fit_menu(texts: list[str], labels: list[str], vectors: np.ndarray | None) -> MenuHead:
    lexical = LexicalUnderstanding.from_pipeline(build_pipeline().fit(texts, labels), 0.0)
    head = EmbeddingHead.fit(vectors, labels) if vectors is not None else None
    if head is not None and head.classes != lexical.classes:
        raise ValueError("the menu's two models were trained on different choices")
    return MenuHead(lexical, head)


def trained_menus(path: Path, cache: Path, encoder=None, sure: float = MENU_SURE) -> MenuModel:
    """The menu models for prompts/menus.yaml: loaded from the cache, or trained and cached."""
    examples_bytes = Path(path).read_bytes()
    examples = load_menu_examples(path)
    folder = Path(cache) / "menus" / _key(examples_bytes, encoder)
    heads = {}
    for menu in examples:
        lexical_file, head_file = folder / f"{menu}-lexical.npz", folder / f"{menu}-head.npz"
        if lexical_file.is_file() and (encoder is None or head_file.is_file()):
            heads[menu] = MenuHead(LexicalUnderstanding.load(lexical_file, 0.0),
                                   EmbeddingHead.load(head_file) if encoder is not None else None)
            continue
        texts, labels, _ = menu_rows(examples, menu)
        log.info("training the %s menu model on %d examples (once per menus.yaml)", menu, len(texts))
        vectors = encoder.encode(texts, batch_size=1) if encoder is not None else None
        heads[menu] = fit_menu(texts, labels, vectors)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            heads[menu].lexical.save(lexical_file)
            if heads[menu].head is not None:
                heads[menu].head.save(head_file)
        except OSError:  # a read-only disk costs a training at each start, not the phone line
            log.exception("the %s menu model could not be cached in %s", menu, folder)
    return MenuModel(heads, encoder, sure)

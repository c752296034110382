"""Phrase files in tests: every text under a YAML node, a plain form to compare texts for overlap, the held-out sets."""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import yaml


def plain(text: str) -> str:
    """Lower case, accents off, only letters and digits: two spellings of one sentence compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return re.sub(r"[^a-z0-9]+", " ", "".join(c for c in decomposed if not unicodedata.combining(c))).strip()


def texts_in(node) -> list[str]:
    """Every string under a YAML node (mappings and lists, any depth)."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [t for value in node.values() for t in texts_in(value)]
    if isinstance(node, list):
        return [t for value in node for t in texts_in(value)]
    return []


def held_out_texts() -> tuple[list[str], list[str]]:
    """The intent model's two held-out sets, evaluation only: the first (tests/data/intents_heldout.yaml, written like
    the catalog) and the real-style one (tests/data/intents_realstyle.yaml, written as customers write)."""
    data = Path(__file__).resolve().parents[1] / "data"
    first = texts_in(yaml.safe_load((data / "intents_heldout.yaml").read_text(encoding="utf-8")))
    realstyle = [e["text"] for e in yaml.safe_load((data / "intents_realstyle.yaml").read_text(encoding="utf-8"))["texts"]]
    return first, realstyle


# How customers write (issue 16): the shapes both real-style held-out sets are checked for.
CUSTOMER_SHAPES = {
    "hashtag or mention": r"[#@]\w",
    "emoji": r"[\U0001F300-\U0001FAFF\u2600-\u27BF]",
    "voicemail transcript": r"^(vocale|voicemail): ",
    "several sentences": r"[.!?]+\s+\S",
    "shouting": r"\b[A-Z]{3,}\b",
}


def shaped_texts(cases, lang: str, shape: str) -> list[str]:
    """The texts in `lang` among cases (with .text and .lang) written in one of CUSTOMER_SHAPES."""
    return [c.text for c in cases if c.lang == lang and re.search(CUSTOMER_SHAPES[shape], c.text)]

"""Phrase files in tests: every text under a YAML node, and a plain form to compare texts for overlap."""
from __future__ import annotations

import re
import unicodedata


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

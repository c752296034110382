"""Understanding what a caller wants: the result type, the pluggable interface, keypad input."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # the catalog module is only needed for the annotation
    from ivr.understanding.catalog import IntentCatalog

__all__ = ["Interpretation", "Understanding", "interpret_digits"]


@dataclass(frozen=True)
class Interpretation:
    """An intent (None = not understood) with its probability, the top class for logs, and whether the
    words voice a grievance against the company (None: the model does not say; see complaint.py)."""

    intent: str | None
    confidence: float
    best_guess: str | None = None
    complaint: bool | None = None


class Understanding(Protocol):
    """Anything that turns a transcript into an Interpretation (lexical, transformer, …)."""

    def interpret(self, text: str, lang: str) -> Interpretation: ...


def interpret_digits(catalog: "IntentCatalog", digits: str) -> Interpretation:
    """One keypad digit mapped through the catalog's menu; anything else is not understood."""
    digit = (digits or "").strip()
    intent = catalog.keypad.get(digit) if len(digit) == 1 else None
    if intent is None:
        return Interpretation(None, 0.0)
    return Interpretation(intent, 1.0, intent)

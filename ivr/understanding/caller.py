"""Everything the call needs to understand a caller: the intent model, the menu models, the language.

CallerUnderstanding is an Understanding (its `interpret` is the intent model's), so the call flow
takes it where it took the intent model; the readers of ivr/call/answers.py also ask its `menus`
(menus.py) and `language` (language_id.py). Built once per process by `load_caller_understanding`,
sharing the intent model's encoder (no second copy of the weights).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ivr.understanding import Interpretation, Understanding
from ivr.understanding.language_id import LanguageId, trained_language_id
from ivr.understanding.loading import load_understanding
from ivr.understanding.menus import MenuModel, trained_menus


@dataclass(frozen=True)
class CallerUnderstanding:
    intents: Understanding
    menus: MenuModel
    language: LanguageId

    def interpret(self, text: str, lang: str) -> Interpretation:
        return self.intents.interpret(text, lang)


@lru_cache(maxsize=4)
def _built(prompts_dir: Path, mtime: float, cache: Path, intents) -> tuple[MenuModel, LanguageId]:
    encoder = getattr(intents, "encoder", None)  # None with INTENT_ENGINE=lexical: the menus are lexical too
    return (trained_menus(prompts_dir / "menus.yaml", cache, encoder),
            trained_language_id(prompts_dir, cache))


def load_caller_understanding(settings, intents=None):
    """The catalog and a CallerUnderstanding over the configured intent model (or `intents`, if given)."""
    catalog, understood = load_understanding(settings)
    intents = intents or understood
    prompts_dir = Path(settings.prompts_dir)
    menus, language = _built(prompts_dir, (prompts_dir / "menus.yaml").stat().st_mtime,
                             Path(settings.intent_model_cache), intents)
    return catalog, CallerUnderstanding(intents, menus, language)

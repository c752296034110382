"""The prompt book: every sentence a customer hears or reads, per language, from prompts/."""
from __future__ import annotations

from pathlib import Path

import yaml

LANGUAGES = ("it", "en")


def _flatten(tree: dict, prefix: str = "") -> dict[str, object]:
    flat: dict[str, object] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


class PromptBook:
    """Looks up prompts by language and dotted key; both languages must have the same keys."""

    def __init__(self, texts: dict[str, dict[str, object]]):
        self._texts = texts
        reference = set(texts[LANGUAGES[0]])
        for lang in LANGUAGES[1:]:
            missing = reference.symmetric_difference(texts[lang])
            if missing:
                raise ValueError(f"prompts differ between languages: {sorted(missing)}")

    @classmethod
    def load(cls, prompts_dir: Path) -> "PromptBook":
        texts = {}
        for lang in LANGUAGES:
            with open(Path(prompts_dir) / f"{lang}.yaml", encoding="utf-8") as handle:
                texts[lang] = _flatten(yaml.safe_load(handle))
        return cls(texts)

    def keys(self) -> set[str]:
        return set(self._texts[LANGUAGES[0]])

    def text(self, lang: str, key: str, **values) -> str:
        template = self._texts[lang if lang in self._texts else LANGUAGES[0]][key]
        return str(template).format(**values)

    def words(self, lang: str, key: str) -> list[str]:
        """A list-valued entry, e.g. the SMS command words."""
        value = self._texts[lang][key]
        return list(value) if isinstance(value, list) else [str(value)]

    def position(self, lang: str, position: int | None) -> str:
        """"la prima" / "la numero 3": the customer's place in the queue, as said or written."""
        if not position or position <= 1:
            return self.text(lang, "voice.position_first")
        return self.text(lang, "voice.position_nth", n=position)

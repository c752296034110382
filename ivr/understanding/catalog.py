"""The intent catalog: intents, keypad digits, recogniser hints and example utterances."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

import yaml

KINDS = ("topic", "control")
OUT_OF_SCOPE = "out_of_scope"


@dataclass(frozen=True)
class Intent:
    """One intent as declared in prompts/intents.yaml."""

    name: str
    kind: str
    keypad: str | None
    hints: Mapping[str, tuple[str, ...]]
    examples: Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class IntentCatalog:
    """All intents in file order, plus the out-of-scope examples, per language."""

    intents: tuple[Intent, ...]
    out_of_scope_examples: Mapping[str, tuple[str, ...]]
    languages: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(intent.name for intent in self.intents)

    @property
    def topics(self) -> tuple[str, ...]:
        return tuple(i.name for i in self.intents if i.kind == "topic")

    @property
    def controls(self) -> tuple[str, ...]:
        return tuple(i.name for i in self.intents if i.kind == "control")

    @property
    def keypad(self) -> dict[str, str]:
        return {i.keypad: i.name for i in self.intents if i.keypad is not None}

    def digit_for(self, intent: str) -> str | None:
        return next((i.keypad for i in self.intents if i.name == intent), None)

    def hints(self, lang: str) -> list[str]:
        self._check_lang(lang)
        # Twilio takes one flat list; the same word may hint several intents.
        return list(dict.fromkeys(hint for i in self.intents for hint in i.hints[lang]))

    def examples(self, lang: str) -> list[tuple[str, str]]:
        self._check_lang(lang)
        return [(text, i.name) for i in self.intents for text in i.examples[lang]]

    def out_of_scope(self, lang: str) -> list[str]:
        self._check_lang(lang)
        return list(self.out_of_scope_examples[lang])

    def _check_lang(self, lang: str) -> None:
        if lang not in self.languages:
            raise ValueError(f"intent catalog has no language {lang!r} (has {self.languages})")


def load_catalog(path: Path) -> IntentCatalog:
    """Read and validate the intents file; a malformed file raises ValueError saying where."""
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict) or not isinstance(data.get("intents"), dict) or not data["intents"]:
        raise ValueError(f"{path}: expected a non-empty 'intents' mapping at the top level")
    intents = tuple(_intent(name, body, path) for name, body in data["intents"].items())
    out_of_scope = _per_language(data.get(OUT_OF_SCOPE), f"{path}: {OUT_OF_SCOPE}")
    # Every language mentioned anywhere must be present everywhere, so none is half-served.
    fields = [(f"intent {i.name!r}: {f}", getattr(i, f)) for i in intents for f in ("hints", "examples")]
    fields.append((OUT_OF_SCOPE, out_of_scope))
    languages = tuple(dict.fromkeys(lang for _, per_lang in fields for lang in per_lang))
    for where, per_lang in fields:
        if set(per_lang) != set(languages):
            raise ValueError(f"{path}: {where} must have languages {list(languages)}, "
                             f"has {list(per_lang)}")
    digits = [i.keypad for i in intents if i.keypad is not None]
    if len(digits) != len(set(digits)):
        raise ValueError(f"{path}: a keypad digit is used by more than one intent: {digits}")
    return IntentCatalog(intents, out_of_scope, languages)


def _intent(name: object, body: object, path: Path) -> Intent:
    # YAML 1.1 reads bare yes/no/on/off as booleans, so a non-string name is a quoting mistake.
    if not isinstance(name, str) or name == OUT_OF_SCOPE:
        raise ValueError(f"{path}: intent name {name!r} must be a quoted string other than "
                         f"{OUT_OF_SCOPE!r}")
    where = f"{path}: intent {name!r}"
    if not isinstance(body, dict):
        raise ValueError(f"{where}: expected a mapping with kind, hints, examples")
    unknown = set(body) - {"kind", "keypad", "hints", "examples"}
    if unknown:
        raise ValueError(f"{where}: unknown field(s) {sorted(unknown)}")
    if body.get("kind") not in KINDS:
        raise ValueError(f"{where}: kind must be one of {KINDS}, got {body.get('kind')!r}")
    keypad = body.get("keypad")
    if keypad is not None and not (isinstance(keypad, str) and len(keypad) == 1
                                   and keypad in "0123456789"):
        raise ValueError(f"{where}: keypad must be one quoted digit like \"1\", got {keypad!r}")
    return Intent(name=name, kind=body["kind"], keypad=keypad,
                  hints=_per_language(body.get("hints"), f"{where}: hints"),
                  examples=_per_language(body.get("examples"), f"{where}: examples"))


def _per_language(value: object, where: str) -> Mapping[str, tuple[str, ...]]:
    if not isinstance(value, dict) or not value:
        raise ValueError(f"{where}: expected a mapping of language → list of phrases")
    result = {}
    for lang, phrases in value.items():
        if not isinstance(phrases, list) or not phrases:
            raise ValueError(f"{where}.{lang}: expected a non-empty list of phrases")
        for phrase in phrases:
            if not isinstance(phrase, str) or not phrase.strip():
                raise ValueError(f"{where}.{lang}: {phrase!r} is not a phrase "
                                 "(quote yes/no/on/off, no empty entries)")
        result[lang] = tuple(phrases)
    return MappingProxyType(result)


def load_sections(path: Path, sections: tuple[str, ...]) -> dict[str, dict[str, tuple[str, ...]]]:
    """A file of phrases under exactly `sections`, each a mapping of language → phrases (prompts/complaints.yaml,
    prompts/out_of_scope.yaml); malformed → ValueError naming the file and the place."""
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict) or set(data) != set(sections):
        raise ValueError(f"{path}: expected exactly the top-level keys {list(sections)}")
    return {section: dict(_per_language(data[section], f"{path}: {section}")) for section in sections}

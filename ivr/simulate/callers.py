"""The two kinds of caller: a YAML script (checks expectations) and a person at the keyboard."""
from __future__ import annotations

import re
from typing import Callable

from .console import Console
from .model import Answer, Ask, HangUp
from .twiml import CallBroken, normalize

ANSWER_KINDS = ("say", "digits", "silence", "record")
SCRIPT_KEYS = {"name", "description", "from", "to", "answers", "expect_end", "max_seconds",
               "then_sms"}
KEYS = re.compile(r"[0-9#*]+")


class ScriptError(ValueError):
    """The scenario file is not in the documented format (a usage error, not a broken call)."""


def _phone(value, where: str) -> str:
    # Unquoted +39… in YAML is read as an int and loses its "+": put it back.
    if isinstance(value, int):
        return f"+{value}"
    if not isinstance(value, str) or not value.strip():
        raise ScriptError(f"{where} must be a phone number in quotes, e.g. \"+393471234567\"")
    return value.strip()


def _expects(value, where: str) -> list[str]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
        raise ScriptError(f"{where}: expect must be a text or a list of texts")
    return values


def validate_script(script) -> dict:
    """A normalised copy of a scenario, or ScriptError saying exactly what is wrong."""
    if not isinstance(script, dict):
        raise ScriptError("a scenario is a YAML mapping (name:, answers:, …)")
    unknown = set(script) - SCRIPT_KEYS
    if unknown:
        raise ScriptError(f"unknown key(s) {sorted(unknown)}; allowed: {sorted(SCRIPT_KEYS)}")
    out = dict(script)
    for key in ("from", "to"):
        if key in out:
            out[key] = _phone(out[key], key)
    answers = []
    for n, raw in enumerate(script.get("answers") or [], 1):
        where = f"answers[{n}]"
        kinds = [k for k in ANSWER_KINDS if isinstance(raw, dict) and k in raw]
        if len(kinds) != 1 or set(raw) - {kinds[0], "expect", "barge_in"}:
            raise ScriptError(f"{where} must have exactly one of {', '.join(ANSWER_KINDS)} "
                              f"(plus an optional expect and barge_in); got {raw!r}")
        if raw.get("barge_in") and ("expect" not in raw or kinds[0] not in ("say", "digits")):
            raise ScriptError(f"{where}: barge_in needs an expect (the caller answers as soon as "
                              "they hear it) and a say or digits answer")
        kind, value = kinds[0], raw[kinds[0]]
        if kind == "digits":
            value = str(value)
            if not KEYS.fullmatch(value):
                raise ScriptError(f"{where}: digits may only contain 0-9, * and #")
        elif kind == "silence":
            if value is not True:
                raise ScriptError(f"{where}: write `silence: true`")
            value = ""
        elif not isinstance(value, str) or not value.strip():
            raise ScriptError(f"{where}: {kind} needs some text")
        answers.append({"kind": kind, "text": value, "barge_in": bool(raw.get("barge_in")),
                        "expect": _expects(raw["expect"], where) if "expect" in raw else []})
    out["answers"] = answers
    out["expect_end"] = _expects(script["expect_end"], "expect_end") \
        if script.get("expect_end") else []
    if "max_seconds" in script and not isinstance(script["max_seconds"], (int, float)):
        raise ScriptError("max_seconds must be a number")
    sms = []
    for n, raw in enumerate(script.get("then_sms") or [], 1):
        if not isinstance(raw, dict) or not isinstance(raw.get("body"), str) \
                or set(raw) - {"body", "expect"}:
            raise ScriptError(f"then_sms[{n}] needs body: \"text\" (and optionally expect:)")
        expect = _expects(raw.get("expect") or [], f"then_sms[{n}]")
        sms.append({"body": raw["body"], "expect": expect})
    out["then_sms"] = sms
    return out


def label(spec: dict) -> str:
    return "silence: true" if spec["kind"] == "silence" else f"{spec['kind']}: {spec['text']!r}"


def recent(lines: list[str], n: int = 4) -> str:
    """The last things nohold said, for failure messages."""
    if not lines:
        return "  (nothing)"
    return "\n".join(f"  ☎ {line}" for line in lines[-n:])


def missing(expects: list[str], lines: list[str]) -> str | None:
    """The first expected text not found in what was said (case- and accent-insensitive)."""
    said = normalize(" ".join(lines))
    return next((e for e in expects if normalize(e) not in said), None)


class ScriptCaller:
    """Answers from a validated scenario, in order, checking what was heard before each."""

    def __init__(self, answers: list[dict], console: Console):
        self.answers, self.console, self.used = answers, console, 0

    def answer(self, ask: Ask) -> Answer:
        n = self.used + 1
        if n > len(self.answers):
            raise CallBroken(f"nohold asked for answer {n} ({ask.describe()}) but the script has "
                             f"only {len(self.answers)}. Last heard:\n{recent(ask.heard_since)}")
        spec = self.answers[self.used]
        self.used = n
        step = f"answer {n} ({label(spec)})"
        absent = missing(spec["expect"], ask.heard_since)
        if absent is not None:
            raise CallBroken(f"{step}: expected to hear “{absent}” before it, but nohold said:\n"
                             f"{recent(ask.heard_since)}")
        needs = {"say": "speech", "digits": "dtmf", "record": "record"}.get(spec["kind"])
        if needs and needs not in ask.inputs:
            raise CallBroken(f"{step}: nohold is waiting for {ask.describe()}, which does not "
                             f"take {spec['kind']}. Last heard:\n{recent(ask.heard_since)}")
        self.console.you("(silence)" if spec["kind"] == "silence" else
                         f"[keys {spec['text']}]" if spec["kind"] == "digits" else spec["text"])
        kind = {"say": "speech"}.get(spec["kind"], spec["kind"])
        return Answer(kind, spec["text"], spec["expect"][-1] if spec.get("barge_in") else None)

    def leftovers(self) -> list[str]:
        rest = enumerate(self.answers[self.used:], self.used + 1)
        return [f"answer {i} ({label(spec)})" for i, spec in rest]


class InteractiveCaller:
    """Reads the caller's answers from the keyboard."""

    def __init__(self, input_fn: Callable[[str], str], console: Console):
        self.input_fn, self.console = input_fn, console

    def answer(self, ask: Ask) -> Answer:
        if ask.hints:
            self.console.note(f"nohold listens for: {ask.hints}")
        try:
            line = self.input_fn(self.console.prompt(self.hint(ask))).strip()
        except (EOFError, KeyboardInterrupt):
            raise HangUp from None
        if line.lower() in ("/hangup", "/bye", "/quit"):
            raise HangUp
        if not line:
            return Answer("silence")
        if ask.verb == "record":
            return Answer("record", line)
        kind, needs = ("digits", "dtmf") if KEYS.fullmatch(line) else ("speech", "speech")
        if needs not in ask.inputs:
            self.console.note(f"this question does not listen for {needs}: Twilio hears nothing")
            return Answer("silence")
        return Answer(kind, line)

    @staticmethod
    def hint(ask: Ask) -> str:
        if ask.verb == "record":
            return "record a message? type what you'd say (empty = stay silent)"
        ways = []
        if "speech" in ask.inputs:
            ways.append("say something")
        if "dtmf" in ask.inputs:
            digits = f"{ask.num_digits} key{'s' if ask.num_digits > 1 else ''}" \
                if ask.num_digits else "keys"
            ways.append(f"press {digits} (0-9 * #)")
        return " or ".join(ways) + ", empty = silence"

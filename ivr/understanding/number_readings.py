"""A callback number said aloud, read the way that makes it a number we may call.

"tre venti quattro …" mixes single digits and a tens word: "venti quattro" is 24 or 20 then 4. Each
reading is checked with the callback policy (ivr/call/callback_policy.py); the one valid reading wins,
and two different valid ones are not understood (the caller is asked again) rather than a guess. A key
said first ("due, il numero è 340 …") is dropped when the rest alone is a valid number: a number said
wins over a leading key.
"""
from __future__ import annotations

from itertools import product

from ivr.call.callback_policy import check_callback_number
from ivr.understanding.lexical import normalise
from ivr.understanding.spoken_numbers import HUNDRED, REPEATS, TENS, UNITS, digits_from_speech

MAX_SPLITS = 4   # tens words that may be read either way; beyond that the plain reading stands


def _readings(words: list[str]) -> list[str]:
    """Every reading of the words, each tens word before a unit joined ("24") or apart ("20", "4")."""
    joins = [i for i, w in enumerate(words[:-1])
             if w in TENS and words[i + 1] in UNITS and UNITS[words[i + 1]] > 0 and words[i + 1] != "oh"]
    if not joins or len(joins) > MAX_SPLITS or set(words) & REPEATS.keys() or set(words) & HUNDRED:
        return [digits_from_speech(" ".join(words))]
    plain = digits_from_speech(" ".join(words))
    readings = [_reading(words, dict(zip(joins, apart))) for apart in product((False, True), repeat=len(joins))]
    return readings if readings[0] == plain else [plain]  # word by word reads it otherwise ("this one"): as said


def _reading(words: list[str], apart: dict[int, bool]) -> str:
    """The digits of one reading: a tens word apart gives its two digits ("20"), joined its sum ("24")."""
    out: list[str] = []
    skip = -1
    for i, word in enumerate(words):
        if i == skip:
            continue
        if i in apart and not apart[i]:
            out.append(str(TENS[word] + UNITS[words[i + 1]]))
            skip = i + 1
        elif i in apart:
            out.append(str(TENS[word]))
        else:
            out.append(digits_from_speech(word))
    return "".join(out)


def number_readings(text: str) -> list[str]:
    """The digit strings the words may be read as, the plain reading first (no duplicates)."""
    words = normalise(text or "").split()
    found = [digits_from_speech(text or "")]
    numbers = [i for i, w in enumerate(words) if digits_from_speech(w)]
    if len(numbers) > 1 and numbers[0] + 1 < len(words) and not digits_from_speech(words[numbers[0] + 1]) \
            and len(digits_from_speech(words[numbers[0]])) == 1:  # "two, the number is 340 …"
        found += _readings(words[numbers[0] + 1:])
    found += _readings(words)
    return list(dict.fromkeys(d for d in found if d))


def number_said(text: str, regions: tuple[str, ...] = ("IT",)) -> str | None:
    """The digits of the number meant: the one valid reading; the plain reading when none is valid (the
    call refuses it); None when two different valid numbers could be meant."""
    readings = number_readings(text)
    if not readings:
        return ""
    valid = list(dict.fromkeys(c.e164 for c in (check_callback_number(r, regions) for r in readings) if c.ok))
    if len(valid) > 1:
        return None
    if valid:
        return next(r for r in readings if check_callback_number(r, regions).e164 == valid[0])
    return readings[0]

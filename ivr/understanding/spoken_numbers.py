"""Phone numbers said aloud, into digits: "tre quattro sette, uno due tre …", "trecentoquarantasette",
"three four seven", "double four", "oh two", or the digits a recogniser already wrote ("347 123 4567").

Callers say a number digit by digit, in groups ("tre quattro sette", "quarantasette"), or as whole
hundreds; each word or group gives its digits in order. "più"/"plus" before a country code keeps the
"+". Words that are not numbers (fillers, "il mio numero è") are skipped.
"""
from __future__ import annotations

import re

from ivr.understanding.lexical import normalise

UNITS = {
    "zero": 0, "uno": 1, "un": 1, "una": 1, "due": 2, "tre": 3, "quattro": 4, "cinque": 5, "sei": 6, "sette": 7,
    "otto": 8, "nove": 9,
    "oh": 0, "nought": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9,
}
TEENS = {
    "dieci": 10, "undici": 11, "dodici": 12, "tredici": 13, "quattordici": 14, "quindici": 15, "sedici": 16,
    "diciassette": 17, "diciotto": 18, "diciannove": 19,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
TENS = {
    "venti": 20, "trenta": 30, "quaranta": 40, "cinquanta": 50, "sessanta": 60, "settanta": 70, "ottanta": 80,
    "novanta": 90,
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90,
}
REPEATS = {"doppio": 2, "doppia": 2, "triplo": 3, "tripla": 3, "double": 2, "triple": 3}
HUNDRED = {"hundred", "cento"}
PLUS = {"piu", "plus"}
# after them "one" is a pronoun ("use this one", "not the mobile one"), never a digit
DETERMINERS = {"this", "that", "the", "which", "another", "other", "a", "any", "each", "new", "different",
               "right", "wrong", "same", "old", "proper", "correct", "mobile", "landline", "work", "home",
               "office", "business", "personal", "private", "fixed", "main", "house", "usual", "spare",
               "first", "second", "last", "other", "newer", "older", "cell", "company", "shop", "family",
               "better", "good", "current", "latest", "real"}
_IT_HUNDREDS = ["cento"] + [f"{u}cento" for u in ("due", "tre", "quattro", "cinque", "sei", "sette", "otto",
                                                  "nove")]
_SPLIT = re.compile(r"(\d+)")


def _italian_below_100(word: str) -> int | None:
    if word in UNITS and word not in ("oh", "nought"):
        return UNITS[word]
    if word in TEENS or word in TENS:
        return TEENS.get(word, TENS.get(word))
    for tens_word, tens in TENS.items():  # "quarantasette", "ventotto" (the vowel falls before uno, otto)
        for stem in (tens_word, tens_word[:-1]):
            rest = word[len(stem):] if word.startswith(stem) else None
            if rest and rest in UNITS and UNITS[rest] > 0:
                return tens + UNITS[rest]
    return None


def italian_word(word: str) -> str | None:
    """One Italian number word up to 999 ("trecentoquarantasette" -> "347"), or None."""
    for hundreds, stem in reversed(list(enumerate(_IT_HUNDREDS, start=1))):
        if not word.startswith(stem[:-1]):
            continue
        rest = word[len(stem) - 1:]  # after "trecent": "o" + the rest, or "ottanta" (the o of cento fallen)
        if rest == "o":
            return str(hundreds * 100)
        # "trecentotrentotto" is cento + trentotto; "novecentottanta" cento + ottanta, its o fallen
        below = _italian_below_100(rest[1:]) if rest.startswith("o") else None
        if below is None and rest.startswith("ott"):
            below = _italian_below_100(rest)
        return None if below is None else str(hundreds * 100 + below)
    below = _italian_below_100(word)
    return None if below is None else str(below)


def _numeric(word: str) -> bool:
    return word.isdigit() or word in UNITS or word in TEENS or word in TENS or word in PLUS or word in REPEATS \
        or italian_word(word) is not None


def _pronoun(words: list[str], i: int) -> bool:
    """"this one", "that one", "un altro": one/un/una as a word, not a digit."""
    word, before = words[i], words[i - 1] if i else ""
    after = words[i + 1] if i + 1 < len(words) else ""
    if word == "one" and before in DETERMINERS:
        return True
    return word in ("un", "una") and not (_numeric(before) or _numeric(after))


def digits_from_speech(text: str) -> str:
    """The digits said, in order ("+" kept before a country code); "" when no number was said."""
    words = []
    for word in normalise(text or "").split():
        words += [w for w in _SPLIT.split(word) if w]
    out: list[str] = []
    repeat, i = 1, 0
    while i < len(words):
        word, nxt = words[i], words[i + 1] if i + 1 < len(words) else ""
        if _pronoun(words, i):
            pass
        elif word in PLUS and not out and not {"non", "not"} & set(words[max(0, i - 5):i]):
            out.append("+")  # not "non ce l'ho più 345 …" (any more)
        elif word in REPEATS:
            repeat = REPEATS[word]
            i += 1
            continue
        elif word.isdigit():
            out.append(word * repeat)
        elif word in TENS and nxt in UNITS and UNITS[nxt] > 0 and nxt != "oh":
            out.append(str(TENS[word] + UNITS[nxt]) * repeat)  # "forty seven", "quaranta sette"
            i += 1
        elif word in UNITS and nxt in HUNDRED:
            i += 1
            value, after = UNITS[word] * 100, words[i + 1] if i + 1 < len(words) else ""
            if after == "and":
                i, after = i + 1, words[i + 2] if i + 2 < len(words) else ""
            if after in TENS or after in TEENS:
                i += 1
                value += TENS.get(after, TEENS.get(after, 0))
                last = words[i + 1] if i + 1 < len(words) else ""
                if after in TENS and last in UNITS and UNITS[last] > 0:
                    i, value = i + 1, value + UNITS[last]
            elif after in UNITS and UNITS[after] > 0:
                i, value = i + 1, value + UNITS[after]
            out.append(str(value))
        elif word in UNITS or word in TEENS or word in TENS:
            out.append(str(UNITS.get(word, TEENS.get(word, TENS.get(word)))) * repeat)
        elif italian_word(word) is not None:
            out.append(italian_word(word) * repeat)
        repeat = 1
        i += 1
    return "".join(out)

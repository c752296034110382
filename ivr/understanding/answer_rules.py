"""The structural part of reading a menu answer, by rule before (or around) the menu models: a key's digit
said aloud, a negation and the alternative after it, a preference for something else at a yes/no.

The menu models (menus.py) learn what words mean; these rules read what the shape of the answer means,
which a few examples cannot teach: "il due" at a keyed menu is key 2 whatever the menu, and in "non serve
che mi richiamiate, lascio un messaggio" only what follows the refusal is the choice.
"""
from __future__ import annotations

from typing import Callable

from ivr.understanding.lexical import normalise
from ivr.understanding.spoken_numbers import UNITS

# said around a key's digit ("premo il due", "option three please", "number one thanks"): nothing else
KEY_WORDS = {"il", "la", "lo", "l", "numero", "tasto", "premo", "premero", "scelgo", "opzione", "digito", "allora",
             "ehm", "ok", "va", "bene", "per", "favore", "grazie", "the", "number", "key", "press", "pressing",
             "option", "please", "thanks", "thank", "you", "um", "er", "erm", "uh", "i", "ll", "choose", "go",
             "for", "with", "cheers", "e", "it", "s", "that", "quello", "quella", "mi", "dia"}
KEY_DIGITS = {word: value for word, value in UNITS.items() if 1 <= value <= 9 and word not in ("un", "una")}
# at a yes/no menu, the keys the call offers: 1 yes, 2 no
YES_NO_KEYS = {1: "yes", 2: "no"}
NEGATORS = {"non", "not", "don", "dont", "no", "nah", "never", "mai", "niente", "nessuna", "nessun", "without"}
ANSWER_NO = {"no", "nah"}   # "no, mi richiami": a no to the question, then the choice (not its refusal)
# "preferisco parlare con qualcuno" at "shall we send the link?": a wish for something else is a no
PREFERENCE = ("preferisco", "preferirei", "piuttosto", "meglio se", "i d rather", "i would rather", "i d prefer",
              "i would prefer", "i prefer", "rather have", "rather speak", "rather talk")
# "non c'è bisogno", "no need": at a yes/no offer the thing is not wanted (at "was it useful?" it is a yes
# — "no need for an agent" — and the model reads it there)
NEEDLESS = ("non serve", "non mi serve", "non c e bisogno", "non ce n e bisogno", "non occorre", "non e necessario",
            "no need", "not necessary", "there s no need", "i don t need it", "don t need one")
YES_WORDS = {"si", "yes", "yeah", "yep", "certo", "sure", "ok", "okay"}
# a leading no that is not the answer: "no problem", "no need (for an agent)", "no, wait"
NOT_A_NO = ("no problem", "no worries", "no prob", "no need", "no idea", "no aspett", "no wait", "no hang",
            "no hold", "no un attimo", "no un momento", "no scusi", "no sorry", "no lo so", "no so")

SCOPE = 4   # words after a negation that it may refuse a choice in
Reader = Callable[[str], "str | None"]   # a menu model's choice for a text, None when not understood


def key_said(text: str) -> int | None:
    """The key named when an answer is only a digit and polite words ("il due", "one please"), else None."""
    words = normalise(text or "").split()
    digits = [w for w in words if w in KEY_DIGITS or (w.isdigit() and len(w) == 1 and w != "0")]
    if len(digits) != 1 or not all(w in KEY_WORDS or w == digits[0] for w in words):
        return None
    return int(digits[0]) if digits[0].isdigit() else KEY_DIGITS[digits[0]]


def prefers_other(text: str, needless: bool = False) -> bool:
    """A wish for something else ("preferisco parlare con qualcuno", "i'd rather have a call"), or with
    `needless` the offer not needed ("non c'è bisogno"): at a yes/no question a no; not when it starts with
    a yes ("sì, preferisco l'SMS")."""
    clean = f" {normalise(text or '')} "
    words = clean.split()
    phrases = PREFERENCE + NEEDLESS if needless else PREFERENCE
    return bool(words) and words[0] not in YES_WORDS and " di si " not in clean \
        and any(f" {p} " in clean for p in phrases)


def leading_no(text: str, reading: str | None) -> str | None:
    """"no, il problema è la bolletta", "no thanks, I need a person": an answer that starts with a no is a
    no, whatever follows (the model may read the rest as yes, or as none of the answers); not "no
    problem", "no idea", "no, wait", nor a no the model reads as "repeat" or "don't know"."""
    words = normalise(text or "").split()
    clean = " ".join(words)
    if reading in (None, "yes") and len(words) > 1 and words[0] in ("no", "nope", "nah") \
            and not any(clean.startswith(p) for p in NOT_A_NO):
        return "no"
    return reading


def after_refusal(read: Reader, text: str, whole: str | None) -> str | None:
    """The choice that follows a refused one ("non mi richiamate, lascio un messaggio" -> the message).

    `whole` is the model's reading of all of it. When the answer refuses a choice (a negation, then words
    read as that choice) and goes on to another, that other is the choice; a refusal with no alternative
    after it is not a choice (None). Otherwise `whole` stands: the rule only overrules the refused choice."""
    words = normalise(text or "").split()
    start = next((i for i, w in enumerate(words) if w in NEGATORS), None)
    if start is None:
        return whole
    # the refused choice is said within a few words of the negation ("non voglio essere richiamato"); in
    # "se non è un problema, mi richiamate" the negation is about something else
    for cut in range(start + 2, min(len(words), start + 1 + SCOPE) + 1):
        refused = read(" ".join(words[start + 1:cut]))
        if refused is None:
            continue
        if not _more_said(words[cut:]):  # a refusal and nothing else: not a choice ("no, mi richiami": a no
            return None if refused == whole and words[start] not in ANSWER_NO else whole  # then a choice)
        alternative = read(" ".join(words[cut:]))
        if alternative is not None and alternative != refused:
            return alternative if whole in (None, refused) else whole
    return whole


def _more_said(rest: list[str]) -> bool:
    """Whether words after a refused choice say more than politeness ("grazie", "per favore")."""
    return any(w not in KEY_WORDS for w in rest)

"""Relief and a question about checking, at "was it useful?" (issue 15 §1, round 10): "meno male", "eh sì meno
male", "per fortuna", "thank goodness" say the trouble is over, a yes ("male" here is no complaint); "how do I tell if
it's working?", "come faccio a capire se va?" ask how to check, neither a yes nor a no.
"""
from __future__ import annotations

import re

from ivr.understanding.answer_words import NEGATIONS, NO_WORDS
from ivr.understanding.lexical import normalise

_RELIEF = re.compile(r"\b(?:meno male|per fortuna|fortunatamente|grazie a dio|grazie al cielo|grazie a ddio|"
                     r"sia lodato|thank god|thank goodness|thank heavens|thank heaven|thank the lord|thank christ|"
                     r"thankfully|fortunately|what a relief|that s a relief|che sollievo|phew|sia ringraziato il cielo"
                     r")\b")
# what may be said beside relief at the other yes/no questions ("eh sì meno male", "oh thank god yes")
BESIDE = {"eh", "oh", "ah", "si", "yes", "yeah", "ok", "okay", "allora", "bene", "ecco", "well", "right", "oh",
          "guardi", "senta", "signora", "grazie", "thanks", "that", "for", "ahh", "ohh", "ehh", "mamma", "mia"}
NOT_BEFORE = NEGATIONS | NO_WORDS | {"purtroppo", "unfortunately", "still", "ancora", "macche"}
# after the relief, what turns it ("per fortuna che c è lei ma non va ancora", "thank god you answered, still dead")
_BUT = re.compile(r"\b(?:ma|pero|but|though|however|eppure|tuttavia)\b")
_HOW_TO_CHECK = re.compile(
    r"\b(?:how (?:do|can|would|will|should|d) (?:i|we|you) (?:tell|know|check|see|find out|be sure|make sure|test)"
    r"|how to (?:tell|check|know)|how can you tell|what should i (?:look for|see|check)"
    r"|come (?:faccio|posso|facciamo|si fa) (?:a |per )?(?:capire|sapere|vedere|verificare|controllare|accorgermi"
    r"|provare|testare)"
    r"|come (?:lo|la) (?:vedo|capisco|so|verifico|controllo)|come si capisce|come capisco|come vedo"
    r"|da cosa (?:lo|la )?(?:capisco|vedo)|cosa devo (?:guardare|controllare|vedere))\b")


def relieved(text: str, alone: bool = False) -> bool:
    """Relief said ("meno male", "thank goodness") with nothing turning it after ("… ma non va"); `alone`: with
    nothing but a yes or a filler beside it (at a question where relief says nothing of the line's state)."""
    words = normalise(text or "")
    match = _RELIEF.search(words)
    if match is None or _BUT.search(words[match.end():]) or set(words[:match.start()].split()) & NOT_BEFORE:
        return False  # "meno male ma non va", "no, meno male che ho un altro telefono"
    return not alone or set(without_relief(words).split()) <= BESIDE


def without_relief(text: str) -> str:
    """The answer without its words of relief ("meno male che adesso va" -> "che adesso va")."""
    return _RELIEF.sub(" ", normalise(text or "")).strip()


def how_to_check(text: str) -> bool:
    """"how do I tell if it's working", "come faccio a capire se va": asking how to check, no answer."""
    return _HOW_TO_CHECK.search(normalise(text or "")) is not None

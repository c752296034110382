"""A yes or a no in formal words (issue 15 §1, round 9): consent given or refused ("acconsento", "non acconsento",
"declino", "respingo", "i accept", "i decline"), and what was read out confirmed or denied as a statement ("quanto da
lei riportato è esatto", "non corrisponde", "mi corre l'obbligo di precisare che non è corretto", "that is
inaccurate"), wherever they stand in the answer. Not after a leading yes or no, which the other rules read.
"""
from __future__ import annotations

from ivr.understanding import answer_words
from ivr.understanding.lexical import normalise

CONSENT = {"acconsento", "accetto", "consento", "concordo", "aderisco", "consent", "accept", "agree", "autorizzo",
           "authorise", "authorize"}
REFUSE = {"declino", "rifiuto", "respingo", "decline", "refuse", "reject", "nego", "diniego"}
NEGATED = answer_words.NEGATED
# said of what was read out: it is right, or it is not
RIGHT = ("e esatto", "e corretto", "e giusto", "corrisponde", "risponde al vero", "is correct", "is accurate",
         "is right", "is exact", "is true", "it s correct", "that s accurate", "that s correct")
WRONG = ("non e esatto", "non e corretto", "non e giusto", "non corrisponde", "non risponde al vero", "e inesatto",
         "e errato", "is not correct", "is not accurate", "is not right", "isn t correct", "isn t accurate",
         "isn t right", "is incorrect", "is inaccurate", "is wrong", "not correct", "not accurate", "inesatto",
         "inaccurate", "incorrect", "non e cosi", "s wrong")
# a doubt or a denial before what was read out called right ("i'm not sure that's correct", "dubito che sia esatto")
DOUBTED = ("don t think", "do not think", "dont think", "not sure", "doubt", "non credo", "non penso",
           "non sono sicuro", "non sono sicura", "dubito")
LEADING = answer_words.ANSWER_WORDS | {"correct"}
# a condition or a question is no statement ("se non è corretto …", "is that correct?")
IF = {"se", "if", "whether", "qualora", "nel"}


def formal_answer(text: str) -> str | None:
    """"yes" for consent or what was read out confirmed, "no" for consent refused or it denied, else None."""
    words = normalise(text or "").split()
    clean = f" {' '.join(words)} "
    if not words or words[0] in LEADING or set(words) & IF:
        return None
    for at, word in enumerate(words):
        negated = bool(set(words[max(0, at - 2):at]) & NEGATED)
        if word in CONSENT and negated and words[at + 1:at + 2] == ["more"]:
            return "yes"  # "i can't agree more"
        if word in REFUSE or (word in CONSENT and negated):
            return "no"
        if word in CONSENT:
            return "yes"
    if any(f" {p} " in clean for p in WRONG):
        return "no"
    if not any(clean.endswith(f" {p} ") for p in RIGHT):
        return None
    return "no" if any(f" {p} " in clean for p in DOUBTED) else "yes"  # "i don't think that's correct"


def saying_refused(text: str) -> bool:
    """"i refuse to say no", "mi rifiuto di dire di no": a word refused, not the offer: no answer (asked again)."""
    words = normalise(text or "").split()
    return any(word in REFUSE and words[at + 1:at + 3] in (["to", "say"], ["di", "dire"])
               for at, word in enumerate(words))

"""The caller did not hear the question, or says the line is cutting out (issue 15 §1, round 8): no answer.

"didn't catch that, the line keeps cutting out", "uh sorry didn't hear", "non ho sentito, c'è rumore" are never a
yes or a no, nor a choice: the question is asked again. Only not hearing the call counts: "the line keeps cutting
out", "c'è rumore sulla linea" or "the picture keeps breaking up" alone, at "was it useful?", describe the fault (a
no), and are not read here.
"""
from __future__ import annotations

from ivr.understanding.answer_words import ANSWER_WORDS
from ivr.understanding.lexical import normalise

# not hearing what was said, or the call's own sound failing
NOT_HEARD = ("didn t catch", "didnt catch", "did not catch", "didn t hear", "didnt hear", "did not hear",
             "couldn t hear", "could not hear", "can t hear you", "cant hear you", "can t hear what",
             "missed that", "missed what you", "you re breaking up", "you are breaking up", "you keep breaking up",
             "you cut out", "you re cutting out", "you keep cutting out", "lost you there", "didn t get what you",
             "non ho sentito", "non l ho sentita", "non l ho sentito", "non la sento", "non vi sento", "non ti sento",
             "non la sentivo", "non ho capito cosa ha detto", "la sento male", "vi sento male", "la sento a tratti",
             "non ho sentito bene", "mi sono perso quello che", "mi sono persa quello che",
             "mi e sfuggito", "mi e sfuggita", "e caduta la linea", "you went quiet",
             "you broke up", "went all crackly", "line went funny", "are you there", "are you still there",
             "hello hello", "pronto pronto", "ci siete ancora", "c e ancora qualcuno")
# the line's own trouble ("the line keeps cutting out", "c'è rumore") is a fault at "was it useful?", so it counts
# only beside one of these; and "sentire" is to notice too: "non ho sentito nessuna differenza" is a no
NOTICED = {"nessuna", "nessun", "alcuna", "alcun", "differenza", "miglioramento", "miglioramenti", "cambiamenti",
           "back", "from", "any", "anything"}
# what may come before it: an apology, a filler ("uh sorry didn't hear", "come scusi non ho sentito"); after words of
# another kind, it is the reason for an answer already given ("whatsapp me instead i can't hear you well")
LEAD_IN = {"sorry", "scusi", "scusa", "mi", "uh", "um", "er", "erm", "ehm", "eh", "come", "pardon", "what", "cosa",
           "i", "oh", "ah", "love", "mate", "dear", "signora", "signorina", "guardi", "senta", "perdoni", "excuse",
           "me", "really", "so", "very", "m", "im", "afraid", "just", "hello", "pronto", "ma", "but", "no", "ehi",
           "hey", "eh", "oops", "guarda", "scusate", "sono", "desolato", "desolata", "non", "ah", "ok", "okay",
           # …or the line's trouble said first ("la linea è pessima, non ho capito", "the line's awful i didn't hear")
           "la", "linea", "line", "the", "s", "is", "e", "pessima", "terrible", "bad", "awful", "disturbata", "signal",
           "segnale", "c", "rumore", "noise", "casino", "qui", "here", "it", "went", "pronto", "hello"}
# a clear answer may still come after it: "non ho sentito bene ma sì è quello"
THEN = {"ma", "but", "comunque", "anyway", "pero"}
ANSWERS = ANSWER_WORDS


def line_trouble(text: str) -> bool:
    """The call not heard ("sorry didn't hear", "non ho sentito c'è rumore"), with no answer given after it."""
    words = normalise(text or "").split()
    clean = f" {' '.join(words)} "
    found = [(clean.index(f" {p} "), clean.index(f" {p} ") + len(p) + 2) for p in NOT_HEARD if f" {p} " in clean
             and not set(clean[clean.index(f" {p} ") + len(p) + 2:].split()[:1]) & NOTICED]
    if not found or not set(clean[:min(found)[0]].split()) <= LEAD_IN:
        return False
    after = clean[max(end for _, end in found):].split()
    turn = next((i for i, w in enumerate(after) if w in THEN), None)
    return turn is None or not set(after[turn + 1:turn + 3]) & ANSWERS

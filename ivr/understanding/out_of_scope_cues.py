"""The shape of an out-of-scope text (brief H15): cues that tell a request to a care line from the rest.

A request to the line almost always carries first-person trouble ("non mi va", "my line", "I can't"); a question
about the world is impersonal ("come funziona …", "what does … stand for"), often framed as homework or a career;
someone else's account names another company's product and nothing of ours; a message meant for someone else reads
like a private errand (an appointment, a pharmacy, a club) with no word of the line. Written text also keeps its
case: a capitalised brand-like token in mid-sentence may name another company ("my Barclays app") — speech text is
lowercase, so that cue does nothing there. Each cue is an indicator; the gazetteer's model (out_of_scope_names.py)
reads them beside its own, with weights by cross-validation on the training data.
"""
from __future__ import annotations

import re

import numpy as np

from ivr.understanding.lexical import normalise

# impersonal questions about the world, on the normalised text (lowercase, no accents or punctuation)
_WORLD = re.compile(
    r"\b(?:come funzion\w+|cosa vuol\w* dire|che vuol\w* dire|cosa significa|che significa|cosa sono|cos e|"
    r"qual e la differenza|che differenza c e|differenza tra|chi ha inventato|chi ha scoperto|chi e stato|"
    r"come si dice|come si scrive|come si pronuncia|quanto guadagna\w*|"
    r"how does|how do they|how do (?:you|u) say|how do (?:you|u) spell|what does \w+(?: \w+)? stand for|"
    r"what (?:does|do) \w+ mean|what is the difference|what s the difference|whats the difference|"
    r"difference between|who invented|who discovered|who was|"
    r"how much does an? \w+(?: \w+)? (?:earn|make|get paid|cost)|what is an?|what s an?|whats an?)\b")
# homework or career framing
_SCHOOL = re.compile(
    r"\b(?:per la scuola|compit\w*|tesina|tesi|interrogazione|verifica di|ricerca per|esame|universita|"
    r"professore|prof|maestra|lavorare come|diventare|stipendio|carriera|colloquio|"
    r"school|homework|assignment|essay|project for|coursework|exam|uni|university|teacher|career|salary|"
    r"earn|job interview|become an?|work as an?)\b")
# first-person trouble: a request to us almost always has it
_FIRST_PERSON = re.compile(
    r"\b(?:mi|mio|mia|miei|mie|ho|abbiamo|noi|nostro|nostra|io|sono|non riesco|non va|non funziona|"
    r"my|im|ive|i m|i ve|i d|i ll|me|we|our|us|mine|cant|can t|won t|doesn t|"
    # the English "i" only before a verb: the Italian article "i" ("i pannelli") is no person
    r"i (?:am|have|had|can|could|need|want|got|was|do|did|dont|don t|didnt|didn t|just|keep|pay|paid|think|would|"
    r"really|still|moved|live|lost|tried|forgot|never|only|called|rang|get|use|bought|signed))\b")
_ACCOUNT = re.compile(
    r"\b(?:account|password|pass|login|log in|logon|accesso|accedere|credenziali|profilo|utente|username|"
    r"sign in|signin|pin|codice di verifica|verification code|two factor|2fa|recuperare|recover|hacked|hackerato)\b")
# a private errand: the shape of a voicemail or text that reached the wrong number
_ERRAND = re.compile(
    r"\b(?:farmacia|ricetta|dentista|dottore|dottoressa|medico|allenamento|cena|pranzo|festa|compleanno|torta|"
    r"passo a prenderti|ti passo a prendere|ci vediamo|a stasera|ti voglio bene|un bacio|"
    r"pharmacy|prescription|dentist|doctor|surgery|football practice|dinner|lunch|party|birthday|cake|"
    r"pick (?:you|her|him|them) up|see you|love you|lots of love)\b")
_GREETING_NAME = re.compile(r"^(?:ciao|hi|hey|hello|caro|cara|dear) ([a-z]+)\b")
_NOT_A_NAME = frozenset("""tutti ragazzi raga a amici there guys all team everyone everybody again sorry scusate
scusa ho i im ive id ill my me we sono sto vorrei volevo buongiorno buonasera good quick just please per non the
avrei mi devo um uh ehm eh ok okay si yes no allora senta scusi come can could is its it so""".split())
# not a company when capitalised mid-sentence: "I've", days and months, regulators about us
_NOT_A_BRAND = frozenset("""i ive im ill id monday tuesday wednesday thursday friday saturday sunday january february
march april may june july august september october november december lunedi martedi mercoledi giovedi venerdi sabato
domenica gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre ofcom agcom
corecom which altroconsumo christmas natale easter pasqua""".split())
_SENTENCE_END = re.compile(r"[.!?:;\n…]\s*$")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_GREETINGS = frozenset("ciao hi hey hello salve caro cara dear buongiorno buonasera grazie thanks".split())

CUES = ("world_question", "school_or_career", "first_person", "impersonal_world", "account_elsewhere",
        "errand_not_ours", "greets_a_name", "capitalised_brand")


def capitalised_brand(text: str, ours: frozenset[str]) -> bool:
    """A capitalised token that starts no sentence, is not "I", is not ours and follows no greeting: maybe another
    company's name ("my Barclays app"). Lowercase (spoken) and shouted texts give nothing."""
    if text == text.lower() or text == text.upper():
        return False
    previous = None
    for match in _WORD.finditer(text):
        word = match.group()
        starts = previous is None or bool(_SENTENCE_END.search(text[:match.start()]))
        if (not starts and word[0].isupper() and word != "I" and not word.isupper() and len(word) > 1
                and normalise(word) not in ours
                and normalise(word).replace(" ", "") not in _NOT_A_BRAND and (previous or "").lower() not in _GREETINGS):
            return True
        previous = word
    return False


def cue_features(text: str, other: bool, ours: bool, ours_words: frozenset[str] = frozenset()) -> list[float]:
    """The cues of CUES, in order, as 0/1; `other` and `ours`: the gazetteer's hits for this text."""
    words = normalise(text)
    world = bool(_WORLD.search(words))
    school = bool(_SCHOOL.search(words))
    first = bool(_FIRST_PERSON.search(words))
    greeting = _GREETING_NAME.search(words)
    names_someone = bool(greeting) and greeting.group(1) not in _NOT_A_NAME
    return [float(world), float(school), float(first), float((world or school) and not first and not ours),
            float(bool(_ACCOUNT.search(words)) and other and not ours),
            float(bool(_ERRAND.search(words)) and not ours), float(names_someone and not ours),
            float(capitalised_brand(text, ours_words) and not ours)]


# the cues the detector's rule reads (out_of_scope.py): each names a text that is not a request to this line
RULE_CUES = ("impersonal_world", "account_elsewhere", "errand_not_ours", "greets_a_name", "capitalised_brand")


def shaped(text: str, other: bool, ours: bool, ours_words: frozenset[str] = frozenset()) -> bool:
    """The text has the shape of something not meant for a care line (any of RULE_CUES)."""
    found = cue_features(text, other, ours, ours_words)
    return any(found[CUES.index(name)] for name in RULE_CUES)


def choose_shape_threshold(blend: np.ndarray, labels: list[int], shapes: np.ndarray, threshold: float,
                           target: float) -> float | None:
    """The threshold for texts of an out-of-scope shape (brief H15): the one, at or under the blend's, with the best
    out-of-fold recall while the precision over all texts stays ≥ target; None when none beats the blend's own."""
    truth = np.array(labels) == 1
    best, best_recall = None, -1.0
    # from the blend's threshold down: of thresholds with the same recall, the highest
    for candidate in np.linspace(threshold, 0.3, int(round((threshold - 0.3) / 0.025)) + 1):
        raised = np.where(shapes, blend >= candidate - 1e-9, blend >= threshold - 1e-9)
        precision = (raised & truth).sum() / max(int(raised.sum()), 1)
        recall = (raised & truth).sum() / max(int(truth.sum()), 1)
        if precision >= target and recall > best_recall + 1e-9:
            best, best_recall = float(candidate), recall
    return None if best is None or best >= threshold - 1e-9 else best

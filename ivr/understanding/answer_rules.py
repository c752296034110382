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
ANSWER_NO = {"no", "nah", "nope"}   # "no, mi richiami": a no to the question, then the choice (not its refusal)
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
            "no hold", "no un attimo", "no un momento", "no scusi", "no sorry", "no lo so", "no so", "mica male",
            "manco male", "nemmeno io", "neanche io")
# no-words other than "no" that lead a refusal whatever follows: "macché", "mica tanto", "manco per sogno"
NO_LEAD = {"no", "nope", "nah", "macche", "mica", "manco", "nemmeno", "neanche", "neppure"}
# a clear yes that leads an answer going on with context ("sì, è la fibra", "yes but be quick"): the yes
YES_LEAD = {"si", "yes", "yeah", "yep", "yup", "affermativo", "esatto", "esattamente", "certo", "certamente",
            "sicuro", "sicuramente", "ovviamente", "absolutely", "definitely", "exactly"}
YES_LEAD_PAIRS = ("eh gia", "uh huh", "mm hmm", "of course", "that s right", "proprio cosi", "come no")
# an unaccented "si" is the pronoun before a verb ("si vede che non va", "si è bloccato"): a yes only before
# these
SI_THEN = {"si", "grazie", "certo", "ok", "okay", "va", "perfetto", "esatto", "guardi", "senta", "allora", "pero",
           "ma", "ecco", "dai", "volentieri", "proprio", "giusto", "infatti", "certamente", "assolutamente"}
# "mica tanto", "mica molto": a no; "mica potete …?" asks a favour
MICA_THEN = {"tanto", "molto", "troppo", "granche", "niente", "per", "poi", "vero"}
# a yes taken back or not meant as the answer: "sì anzi no", "yes sorry what", "certo che no"
TAKEN_BACK = {"no", "not", "nope", "anzi", "actually", "wait", "aspetti", "aspetta", "scusi", "scusa", "sorry",
              "pardon", "cosa", "what", "che"}
# "magari" is a yes please only on its own, or with a thank you ("magari grazie"): "magari domani" is a maybe
MAGARI_WITH = {"magari", "si", "grazie", "volentieri", "dai", "eh", "ah", "proprio", "davvero", "mille"}
# at "was it useful?", a lukewarm answer is a no: "insomma", "così così"
LUKEWARM = {"insomma", "cosi cosi", "so so", "insomma cosi", "mah insomma", "insomma mah", "not really no"}
# an answer that only asks for time ("un attimo che controllo", "hang on i'll check"): asked again, even
# when the model hears a yes or no in what the caller is about to do
HOLDING = ("aspetti", "aspetta", "attenda", "un attimo", "un momento", "un secondo", "un istante", "mi dia un",
           "mi lasci controllare", "mi lasci vedere", "fammi vedere", "fammi controllare", "mi faccia controllare",
           "mi faccia vedere", "one sec", "one second", "one moment", "one minute", "just a sec",
           "just a moment", "just a minute", "hold on", "hang on", "wait", "give me a sec", "give me a minute",
           "give me a moment", "give me a second", "let me check",
           "let me see", "let me have a look", "bear with me", "momento")
# a question about the choices themselves ("che differenza c'è", "what's the difference"): asked again,
# even when it names them
# ("it made no difference" at "was it useful?" is a no, not a question)
ABOUT_CHOICES = ("che differenza", "qual e la differenza", "differenza tra", "differenza fra", "what s the difference",
                 "what is the difference", "difference between", "how do they differ", "cosa cambia", "che cambia",
                 "which is better", "qual e meglio", "quale conviene", "what do you mean by")
ANSWER_WORDS = {"si", "yes", "yeah", "yep", "no", "nope", "nah", "ok", "okay", "certo", "sure"}

# a key's digit led by a verb and followed by a hedge or the reason: "faccio il due", "two sorry", "one i
# think", "il due mi serve qualcuno"; the word after the digit must open a hedge or a clause, never a noun
# ("two minutes", "one sec", "due del pomeriggio")
KEY_LEAD = KEY_WORDS | {"faccio", "metto", "prendo", "vado", "col", "sul", "dico", "take", "pick", "say", "do",
                        "make", "let", "lets", "so", "quindi", "direi", "mm", "eh", "beh", "well", "d", "m"}
KEY_FOLLOW = KEY_WORDS | {"mi", "ho", "ci", "c", "purtroppo", "sorry", "sadly", "unfortunately", "afraid", "direi",
                          "credo", "penso", "suppongo", "forse", "maybe", "perhaps", "guess", "think", "suppose",
                          "reckon", "perche", "because", "cause", "since", "as", "ma", "but", "so", "quindi",
                          "we", "still", "ancora", "scusi", "scusa", "dai", "serve", "need", "voglio", "vorrei",
                          "want", "devo", "sicuramente", "definitely", "mh", "eh", "beh", "ecco", "then", "allora"}
# the last of the choices offered: "the very last one", "l'ultima", "l'ultima opzione"
LAST = {"last", "ultima", "ultimo"}
LAST_WITH = KEY_WORDS | {"very", "one", "option", "opzione", "proprio", "quella", "quello", "choice", "scelta",
                         "of", "them", "delle", "tra", "fra", "quelle", "di", "que", "l", "ll", "take", "have",
                         "prendo", "faccio", "vado", "con", "sulla", "sull", "su"}
# a reason, then the choice: "sono in ufficio non posso parlare preferisco chattare"; what follows the last
# of these is the choice
CHOICE_MARKERS = ("preferisco", "preferirei", "meglio", "scelgo", "opto per", "quindi", "percio", "per cui",
                  "allora", "i d rather", "i d prefer", "i prefer", "i ll go with", "i ll take", "i choose",
                  "i ll go for", "so", "better", "just")
SCOPE = 4   # words after a negation that it may refuse a choice in
Reader = Callable[[str], "str | None"]   # a menu model's choice for a text, None when not understood


def key_said(text: str) -> int | None:
    """The key named when an answer is only a digit and polite words ("il due", "one please"), else None."""
    words = normalise(text or "").split()
    digits = [w for w in words if w in KEY_DIGITS or (w.isdigit() and len(w) == 1 and w != "0")]
    if len(digits) != 1 or not all(w in KEY_WORDS or w == digits[0] for w in words):
        return None
    return int(digits[0]) if digits[0].isdigit() else KEY_DIGITS[digits[0]]


def key_led(text: str) -> int | None:
    """The key named first, led by a verb and followed by a hedge or a reason ("faccio due", "two sorry",
    "number two i still need help"), else None; one digit only."""
    words = normalise(text or "").split()
    digits = [i for i, w in enumerate(words) if w in KEY_DIGITS or (w.isdigit() and len(w) == 1 and w != "0")]
    if len(digits) != 1 or any(w.isdigit() or w in UNITS for w in words[digits[0] + 1:]):
        return None
    at = digits[0]
    word, before = words[at], words[at - 1] if at else ""
    if word == "one" and before in ("the", "that", "this", "which", "a", "another"):
        return None  # "the one i want": a pronoun
    follow = words[at + 1] if at + 1 < len(words) else ""
    if not all(w in KEY_LEAD for w in words[:at]) or (follow and follow not in KEY_FOLLOW):
        return None
    return int(word) if word.isdigit() else KEY_DIGITS[word]


def last_said(text: str) -> bool:
    """"the very last one", "l'ultima opzione": the last choice offered, and nothing else said."""
    words = normalise(text or "").split()
    return bool(set(words) & LAST) and all(w in LAST or w in LAST_WITH for w in words)


def after_reason(text: str) -> str:
    """What follows the last word that introduces a choice after a reason of two words or more ("… non posso
    parlare preferisco chattare" -> "chattare"), or "" when none does."""
    clean = f" {normalise(text or '')} "
    found = [(clean.rfind(f" {m} "), m) for m in CHOICE_MARKERS if f" {m} " in clean]
    start, marker = max(found, default=(-1, ""))
    if len(clean[:start].split()) < 2:  # no reason before it ("preferirei la chat"): the whole answer is read
        return ""
    return clean[start + len(marker) + 2:].strip()


def prefers_other(text: str, needless: bool = False) -> bool:
    """A wish for something else ("preferisco parlare con qualcuno", "i'd rather have a call"), or with
    `needless` the offer not needed ("non c'è bisogno"): at a yes/no question a no; not when it starts with
    a yes ("sì, preferisco l'SMS")."""
    clean = f" {normalise(text or '')} "
    words = clean.split()
    phrases = PREFERENCE + NEEDLESS if needless else PREFERENCE
    return bool(words) and words[0] not in YES_WORDS and " di si " not in clean \
        and any(f" {p} " in clean for p in phrases)


def leading_yes(text: str, reading: str | None) -> str | None:
    """"sì, è per la fibra che non va", "yes but make it quick", "affermativo": an answer that starts with
    a clear yes is a yes, whatever follows (the model may hear a no in "che non va"); not a yes taken
    back ("sì anzi no", "certo che no"), nor one the model reads as "repeat" or "don't know". An unaccented
    "si è …" is the pronoun ("si è bloccato"), left to the model."""
    words = normalise(text or "").split()
    clean = " ".join(words)
    if not words or reading in ("repeat", "dont_know") or set(words[1:3]) & TAKEN_BACK:
        return reading
    accented = (text or "").strip().lower().startswith("sì")
    pronoun = words[0] == "si" and not accented and len(words) > 1 and words[1] not in SI_THEN
    if (words[0] in YES_LEAD and not pronoun) or any(clean == p or clean.startswith(p + " ") for p in YES_LEAD_PAIRS):
        return "yes"
    if words[0] == "magari" and set(words) <= MAGARI_WITH:
        return "yes"
    return reading


def holding_on(text: str) -> bool:
    """"un attimo che controllo", "hang on i'll check if it works": only asking for time, no yes or no."""
    words = normalise(text or "").split()
    clean = " ".join(words)
    return any(clean == p or clean.startswith(p + " ") for p in HOLDING) and not set(words) & ANSWER_WORDS


def about_choices(text: str) -> bool:
    """"che cosa cambia tra la chat e il messaggio": a question about the choices, not one of them."""
    clean = f" {normalise(text or '')} "
    return any(f" {p} " in clean for p in ABOUT_CHOICES)


def lukewarm(text: str) -> bool:
    """"insomma", "così così": at "was it useful?" not really, a no."""
    return " ".join(normalise(text or "").split()) in LUKEWARM


def leading_no(text: str, reading: str | None) -> str | None:
    """"no, il problema è la bolletta", "no thanks, I need a person": an answer that starts with a no is a
    no, whatever follows (the model may read the rest as yes, or as none of the answers); not "no
    problem", "no idea", "no, wait", nor a no the model reads as "repeat" or "don't know"."""
    words = normalise(text or "").split()
    clean = " ".join(words)
    if words[:1] == ["mica"] and len(words) > 1 and words[1] not in MICA_THEN:
        return reading  # "mica potete richiamarmi?": "by any chance", a question
    if reading in (None, "yes") and words and words[0] in NO_LEAD and (len(words) > 1 or words[0] not in ANSWER_NO) \
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
    """Whether words after a refused choice say more than politeness ("grazie", "per favore") or the word
    for it ("not the last one": "one" is the option refused, not key 1)."""
    return any(w not in KEY_WORDS and w not in ("one", "option", "opzione") for w in rest)

"""The structural part of reading a menu answer, by rule before (or around) the menu models: a key's digit
said aloud, a negation and the alternative after it, a preference for something else at a yes/no.

The menu models (menus.py) learn what words mean; these rules read what the shape of the answer means,
which a few examples cannot teach: "il due" at a keyed menu is key 2 whatever the menu, and in "non serve
che mi richiamiate, lascio un messaggio" only what follows the refusal is the choice.
"""
from __future__ import annotations

from typing import Callable

from ivr.understanding.answer_words import DONT, NEGATIONS, NO_WORDS
from ivr.understanding.lexical import normalise
from ivr.understanding.spoken_numbers import DETERMINERS, UNITS

# said around a key's digit ("premo il due", "option three please", "number one thanks"): nothing else
KEY_WORDS = {"il", "la", "lo", "l", "numero", "tasto", "premo", "premero", "scelgo", "opzione", "digito", "allora",
             "ehm", "ok", "va", "bene", "per", "favore", "grazie", "the", "number", "key", "press", "pressing",
             "option", "please", "thanks", "thank", "you", "um", "er", "erm", "uh", "i", "ll", "choose", "go",
             "for", "with", "cheers", "e", "it", "s", "that", "quello", "quella", "mi", "dia"}
KEY_DIGITS = {word: value for word, value in UNITS.items() if 1 <= value <= 9 and word not in ("un", "una")}
# at a yes/no menu, the keys the call offers: 1 yes, 2 no
YES_NO_KEYS = {1: "yes", 2: "no"}
NEGATORS = NEGATIONS | DONT | {"nah", "niente", "nessuna", "nessun", "without"}   # no "t": "t r e tre" is spelt
ANSWER_NO = NO_WORDS   # "no, mi richiami": a no to the question, then the choice (not its refusal)
# a question about the choices themselves ("che differenza c'è", "what's the difference"): asked again,
# even when it names them
# ("it made no difference" at "was it useful?" is a no, not a question)
ABOUT_CHOICES = ("che differenza", "qual e la differenza", "differenza tra", "differenza fra", "what s the difference",
                 "what is the difference", "difference between", "how do they differ", "cosa cambia", "che cambia",
                 "which is better", "qual e meglio", "quale conviene", "what do you mean by", "what s option",
                 "what is option", "what does option", "cos e l opzione", "che cos e l opzione", "cosa e l opzione",
                 "what happens if", "cosa succede se", "che succede se", "quanto ci mettete", "how long do you take")

# a key's digit led by a verb and followed by a hedge or the reason: "faccio il due", "two sorry", "one i
# think", "il due mi serve qualcuno"; the word after the digit must open a hedge or a clause, never a noun
# ("two minutes", "one sec", "due del pomeriggio")
KEY_LEAD = KEY_WORDS | {"faccio", "metto", "prendo", "vado", "col", "sul", "dico", "take", "pick", "say", "do",
                        "make", "let", "lets", "so", "quindi", "direi", "mm", "eh", "beh", "well", "d", "m"}
KEY_FOLLOW = KEY_WORDS | {"mi", "ho", "ci", "c", "purtroppo", "sorry", "sadly", "unfortunately", "afraid", "direi",
                          "credo", "penso", "suppongo", "forse", "maybe", "perhaps", "guess", "think", "suppose",
                          "reckon", "perche", "because", "cause", "since", "as", "ma", "but", "so", "quindi",
                          "we", "still", "ancora", "scusi", "scusa", "dai", "serve", "need", "voglio", "vorrei",
                          "want", "devo", "sicuramente", "definitely", "mh", "eh", "beh", "ecco", "then", "allora",
                          "che"}
# a key then who the caller wants ("two agent please", "due un operatore grazie"): the key, whatever the word
AGENT = {"operator", "operatore", "operatrice", "agent", "agente", "person", "persona", "someone", "qualcuno",
         "human", "advisor", "consulente"}
ARTICLES = {"un", "una", "a", "an", "l", "lo", "la", "the"}
# a key then a wish said with a verb ("due parlo con …", "two put me through"): the key; "let me", "fammi" only
# when speaking or someone follows ("two let me talk to …", never "one let me think")
WISH = {"parlo", "parlare", "passatemi", "passami", "mettetemi", "put", "speak", "talk", "change", "cambio",
        "cambiamo", "cambiate"}
WISH_LEAD = {"let", "lemme", "fammi", "fatemi", "datemi", "give", "gimme", "get"}
# a key said, then why ("premo tre perché fino alle due lavoro", "one since i'm out after four", "uno uno ho
# due minuti"): the key, whatever numbers the reason holds
REASON_AFTER = {"perche", "perch", "che", "siccome", "visto", "poiche", "tanto", "because", "cause", "cos", "coz",
                "since", "as", "ho", "sono", "i", "im"}
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
# a message the caller says for us to listen to is the voice message ("vorrei dettare un messaggio", "i'll
# record it and you listen later"); one we send the caller is the chat ("just message me", "scrivetemi")
IO_SO = {"non", "lo", "io", "ne", "che", "mica", "nemmeno", "neanche", "gia", "ben", "bene"}   # "non so": I know
DICTATED = ("dettare", "dettarvi", "dettarle", "detto io", "dictate", "a voce", "record it", "record a message",
            "record what", "registrare", "registro un", "play it back", "play it later", "listen to it later",
            "listen later", "listen to it", "ascoltate dopo", "lo ascoltate", "ascoltarlo", "lo sentite",
            "say it in a message", "leave a message", "lasciare un messaggio", "voice message", "vocale")
SENT_TO_ME = ("text me", "message me", "send me a message", "send me a text", "drop me a message", "drop me a line",
              "messaggiami", "scrivetemi", "scrivimi", "mi scrivete", "mi scrivete voi", "mandatemi un messaggio",
              "in chat", "via chat", "per chat", "on chat", "by chat", "over chat", "whatsapp me", "chat with me",
              "chattare", "chattiamo", "on whatsapp", "su whatsapp", "ci scriviamo", "scriviamoci", "per scritto",
              "ci messaggiamo", "message each other", "text each other", "message one another", "write to each other",
              "let s text", "let s message", "let s chat", "per iscritto", "per messaggio", "via messaggio", "per sms",
              "in forma scritta", "by text", "over text", "in writing", "by message")
SCOPE = 4   # words after a negation that it may refuse a choice in
# a key named by the verb or word for pressing it ("press two to change it", "digito il due", "tasto tre"): that
# key at every menu, whatever follows
PRESS = {"press", "pressing", "premo", "premero", "premere", "digito", "digitare", "schiaccio", "tasto", "opzione",
         "option", "key"}
PRESS_THEN = {"il", "la", "l", "lo", "the", "number", "numero", "tasto", "key", "option", "opzione"}
# after a key and before its reason, politeness: "three please i'm out all morning", "tre grazie che lavoro"
ASKING = {"what", "which", "how", "cosa", "cos", "che", "quale", "come"}   # "what's option two?": a question
POLITE = {"please", "thanks", "thank", "you", "cheers", "grazie", "per", "favore", "ok", "okay", "pure"}
# "non appena possibile": "as soon as", no negation
NOT_NEGATING = {("non", "appena"), ("not", "only")}
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
    pronoun = {i for i, w in enumerate(words) if w == "one" and i and words[i - 1] in DETERMINERS}  # "another one"
    digits = [i for i, w in enumerate(words)
              if (w in KEY_DIGITS or (w.isdigit() and len(w) == 1 and w != "0")) and i not in pronoun]
    later = range(digits[0] + 1, len(words)) if digits else []  # "premo due, voglio un operatore": "un" an article
    if len(digits) != 1 or any((words[i].isdigit() or (words[i] in UNITS and words[i] not in ("un", "una")))
                               and i not in pronoun for i in later):
        return None
    at = digits[0]
    word, before = words[at], words[at - 1] if at else ""
    if word == "one" and before in ("the", "that", "this", "which", "a", "another"):
        return None  # "the one i want": a pronoun
    follow = words[at + 1] if at + 1 < len(words) else ""
    if follow in ARTICLES and words[at + 2:at + 3] and words[at + 2] in AGENT or follow in AGENT \
            or follow in WISH or (follow in WISH_LEAD and set(words[at + 2:at + 6]) & (WISH | AGENT)):
        follow = "ma"  # "due un operatore", "two put me through": the key, then who or what is wanted
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
    found = [(at, m) for at, m in found if m != "so" or not _i_know(clean[:at].split(), clean[at + 4:].split())]
    start, marker = max(found, default=(-1, ""))
    if start < 0 or len(clean[:start].split()) < 2:  # no reason before it ("preferirei la chat"): all of it is read
        return ""
    return clean[start + len(marker) + 2:].strip()


def _i_know(before: list[str], after: list[str]) -> bool:
    """Italian "so", I know ("non so scrivere", "lo so"), not the English "so" that leads to a choice."""
    return bool(before[-1:] and before[-1] in IO_SO) or bool(after[:1] and after[0].endswith(("are", "ere", "ire")))


def about_choices(text: str) -> bool:
    """"che cosa cambia tra la chat e il messaggio": a question about the choices, not one of them."""
    clean = f" {normalise(text or '')} "
    return any(f" {p} " in clean for p in ABOUT_CHOICES)


def wanted_instead(text: str, choice: str | None) -> str | None:
    """A message dictated ("vorrei dettare un messaggio") is the voice message, one sent to the caller
    ("just message me mate") the chat, when the model reads the other or nothing; a phrase refused ("non in
    chat") is no wish."""
    words = normalise(text or "").split()
    clean = f" {' '.join(words)} "

    def said(phrases: tuple[str, ...]) -> bool:
        return any(f" {p} " in clean and not set(clean[:clean.index(f" {p} ")].split()[-2:]) & NEGATORS
                   for p in phrases)
    if choice in (None, "chat") and said(DICTATED) and not said(SENT_TO_ME):
        return "voicemail"
    if choice in (None, "voicemail") and said(SENT_TO_ME) and not said(DICTATED):
        return "chat"
    return choice


def after_refusal(read: Reader, text: str, whole: str | None) -> str | None:
    """The choice that follows a refused one ("non mi richiamate, lascio un messaggio" -> the message).

    `whole` is the model's reading of all of it. When the answer refuses a choice (a negation, then words
    read as that choice) and goes on to another, that other is the choice; a refusal with no alternative
    after it is not a choice (None). Otherwise `whole` stands: the rule only overrules the refused choice."""
    words = normalise(text or "").split()
    start = next((i for i, w in enumerate(words) if w in NEGATORS and tuple(words[i:i + 2]) not in NOT_NEGATING),
                 None)
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


def key_with_reason(text: str) -> int | None:
    """The key said first (once, or twice over: "uno uno"), led by KEY_LEAD words and followed by a reason
    ("perché", "since", "ho …"), else None: the numbers in the reason are no key."""
    words = normalise(text or "").split()
    at = next((i for i, w in enumerate(words) if w not in KEY_LEAD), len(words))
    if at == len(words) or words[at] not in KEY_DIGITS and not (words[at].isdigit() and len(words[at]) == 1):
        return None
    key = words[at]
    if key == "one" and at and words[at - 1] in ("the", "that", "this", "which", "a", "another"):
        return None  # "the one i want is …": a pronoun
    end = at + 1
    while end < len(words) and words[end] == key and end - at < 3:
        end += 1
    while end < len(words) - 1 and words[end] in POLITE:
        end += 1
    if end >= len(words) or words[end] not in REASON_AFTER or key == "0":
        return None
    return int(key) if key.isdigit() else KEY_DIGITS[key]


def key_pressed(text: str) -> int | None:
    """The key named by the verb or word for it, before any other number ("press two to change it", "digito
    il due", "tasto tre grazie"), else None; not when refused ("non premo il due")."""
    words = normalise(text or "").split()
    for at, word in enumerate(words):
        if word in KEY_DIGITS or word.isdigit() or word in UNITS:
            return None  # a number before the verb: not this shape
        if word not in PRESS or set(words[max(0, at - 2):at]) & NEGATORS or set(words[:at]) & ASKING:
            continue
        after = at + 1
        while after < len(words) and words[after] in PRESS_THEN and after - at < 3:
            after += 1
        key = words[after] if after < len(words) else ""
        if words[after + 1:after + 2] and words[after + 1] in ("o", "or", "oppure"):
            return None  # "option one or two": not chosen yet
        if key in KEY_DIGITS or (key.isdigit() and len(key) == 1 and key != "0"):
            return int(key) if key.isdigit() else KEY_DIGITS[key]
    return None

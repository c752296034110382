"""The outage offer's second key said in words, and strong denials (issue 15 §1, round 9).

At the known outage's offer ("1 for a text when it is fixed, 2 to speak to someone") asking for a person ("get me a
real person", "voglio un operatore in carne e ossa", "can I talk to someone instead") is the second choice, a no — only
there: at "I understood …, is that right?" or "shall we call you on …?" a person asked for answers neither, and is
asked again. A strong denial ("totally wrong", "nowhere near", "sbagliato di grosso", "ma proprio per niente") is a
no at every yes/no question.
"""
from __future__ import annotations

from ivr.understanding import answer_words
from ivr.understanding.answer_words import OK_WORDS
from ivr.understanding.lexical import normalise
from ivr.understanding.yes_tone import DENIALS

PERSON = {"operatore", "operatrice", "operatori", "persona", "qualcuno", "umano", "umana", "agent", "agente", "person",
          "someone", "somebody", "human", "advisor", "adviser", "representative", "rep", "operator", "consulente",
          "people", "persone", "addetto", "addetta", "tecnico", "anyone", "anybody", "carne"}
# a wish for them: a verb of wanting, speaking or passing on
WISH = {"voglio", "vorrei", "passi", "passa", "passate", "passatemi", "passami", "metta", "mettete", "mettetemi",
        "parlare", "parlo", "parlarci", "get", "put", "talk", "speak", "want", "wanna", "like", "let",
        "transfer", "connect", "need", "prefer", "rather", "preferisco", "preferirei", "desidero", "chiedo", "serve",
        "bisogno", "datemi", "dammi", "give", "through"}
# someone asked or consulted, not asked for ("chiedo a qualcuno", "i need to check with someone at home")
CONSULTED = {"ask", "asking", "check", "checking", "chiedo", "chiedere", "domandare", "domando", "sentire", "sento",
             "home", "casa", "else"}
NEGATED = answer_words.NEGATED | {"nessuno", "nobody", "neither", "without", "senza"}
YES_FIRST = answer_words.YES_FIRST | OK_WORDS | {"va", "perfetto", "fine"}   # "va bene", "perfetto", "fine": a yes here
# more strong denials than sarcasm's (yes_tone.DENIALS)
STRONG = DENIALS + ("completely off", "totally off", "way off the mark", "wide of the mark", "off the mark",
                    "sbagliato di grosso", "sbagliata di grosso", "di grosso", "niente affatto", "per nulla",
                    "not in the slightest", "not one bit", "far from it", "nemmeno lontanamente",
                    "neanche lontanamente", "lontanissimo", "manco lontanamente", "assolutamente no", "absolutely not",
                    "certainly not", "definitely not", "proprio no", "no no no", "ma quando mai", "not at all",
                    # a correction of what was read out
                    "devo rettificare", "rettifico", "devo correggerla", "mi permetta di correggerla", "devo correggere",
                    "i must correct you", "i have to correct you", "let me correct you", "i need to correct that")


# the text said after a person: the person only sends it ("i'd like someone to text me when it's fixed")
TEXT_WORDS = {"text", "sms", "message", "messaggio", "avvisare", "scrivere"}
NOT_THAT = {"than", "instead", "invece", "anziche", "piuttosto", "rather", "just", "only", "solo"}


# said around a person named alone ("an agent please", "con una persona", "human please")
ALONE = {"a", "an", "the", "un", "una", "uno", "con", "with", "please", "grazie", "thanks", "per", "favore", "real",
         "actual", "vera", "vero", "umano", "umana", "in", "e", "ossa", "being", "live", "proper", "ok", "okay", "just",
         "solo", "only", "me", "mi", "eh", "um", "uh"}


def person_asked(text: str) -> bool:
    """"get me a real person", "voglio un operatore in carne e ossa", "can I talk to someone instead", "an agent
    please": a person asked for (not "no need for anyone", not after a yes)."""
    words = normalise(text or "").split()
    if not words or words[0] in YES_FIRST or set(words) & CONSULTED:
        return False
    if set(words) & PERSON and set(words) <= PERSON | ALONE:
        return True
    wished = _person_wished(words)
    return wished is not None and not _text_after(words[wished + 1:])


def text_from_someone(text: str) -> bool:
    """"i'd like someone to text me when it's fixed", "vorrei che qualcuno mi avvisasse con un messaggio": a person
    wished for only to send the text, key 1 (a text word after the person word wins)."""
    words = normalise(text or "").split()
    if not words or words[0] in YES_FIRST or set(words) & CONSULTED:
        return False
    wished = _person_wished(words)
    return wished is not None and _text_after(words[wished + 1:])


def _person_wished(words: list[str]) -> int | None:
    """Where a person is named after a wish for them ("get me a real person"), not negated."""
    for at, word in enumerate(words):
        before = words[max(0, at - 5):at]
        if word in PERSON and set(before) & WISH and not set(before) & NEGATED:
            return at
    return None


def _text_after(words: list[str]) -> bool:
    """The person asked to send the text: "… to text me", "… che mi possa avvisare", a text word within a few words
    after "to", "che" or "mi", not refused ("… not a text", "… invece di un messaggio", "someone, a text is no
    use")."""
    if words[:1] not in (["to"], ["che"], ["who"], ["that"], ["per"], ["mi"]):
        return False
    words = words[:7]
    for at, word in enumerate(words):
        said = word in TEXT_WORDS or words[at:at + 3] == ["let", "me", "know"]
        if said and not set(words[max(0, at - 3):at]) & (NEGATED | NOT_THAT):
            return True
    return False


def strongly_denied(text: str) -> bool:
    """"totally wrong", "nowhere near", "sbagliato di grosso", "ma proprio per niente": a no, whatever else."""
    words = normalise(text or "").split()
    clean = f" {' '.join(words)} "
    return bool(words) and words[0] not in YES_FIRST and any(f" {p} " in clean for p in STRONG)

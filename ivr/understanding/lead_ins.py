"""What a caller says before the answer itself (issue 15 §1, round 9): an answer relayed from someone in the room
("mio marito dice che …", "my daughter says …", "secondo mia madre …") or a formal lead-in ("in riferimento alla sua
domanda", "con la presente", "in merito", "with regard to your question"). Both are dropped and what follows read, at
every menu. A relative's own number wanted ("my wife wants you to ring her mobile instead") is another number, a no
at the number question; someone else knowing the number ("il numero lo sa mia figlia") is no answer, asked again.
"""
from __future__ import annotations

import re

from ivr.understanding import answer_words
from ivr.understanding.answer_words import NO_WORDS
from ivr.understanding.lexical import normalise

RELATIVES = ("marito", "moglie", "figlio", "figlia", "madre", "mamma", "padre", "papa", "babbo", "nonno", "nonna",
             "fratello", "sorella", "compagno", "compagna", "nipote", "cognato", "cognata", "suocera", "suocero", "zio",
             "zia", "fidanzato", "fidanzata", "coinquilino", "coinquilina", "vicino", "vicina", "badante", "husband",
             "wife", "son", "daughter", "mum", "mom", "mother", "dad", "father", "gran", "granny", "grandma", "nan",
             "nana", "grandad", "grandpa", "grandson", "granddaughter", "brother", "sister", "partner", "boyfriend",
             "girlfriend", "flatmate", "housemate", "neighbour", "carer", "nephew", "niece", "aunt", "auntie", "uncle",
             "missus", "hubby", "other half", "lad", "kids", "figli", "ragazzi")
_WHO = "|".join(sorted(RELATIVES, key=len, reverse=True))
_OWNER = r"(?:(?:il|la|lo) )?(?:mio|mia|miei|mie|nostro|nostra)|my|our|me|the|la|il"
_SAYS = (r"dice|dicono|ha detto|mi dice|mi ha detto|fa|pensa|crede|vuole|preferisce|chiede|says|said|is saying|"
         r"reckons|thinks|tells me|told me|wants|would like|would rather|prefers|asks|is asking")
# "mio marito dice che …", "my daughter says …", "the wife reckons …", "he says …" (a relay said before)
_RELAY = re.compile(rf"^(?:(?:{_OWNER}) (?:{_WHO})|he|she|they) (?:(?:{_SAYS}) )+(?:che |di |that )?")
_ACCORDING = re.compile(rf"^(?:secondo|according to|per) (?:{_OWNER}) (?:{_WHO}) ")
# fillers before the relay or the formal lead-in
FILLERS = {"allora", "ecco", "eh", "ehm", "um", "uh", "er", "well", "ok", "okay", "guardi", "senta", "so", "right"}
# formal Italian and English lead-ins: a reference to the question, then an announcement
_REFERENCE = re.compile(
    r"^(?:(?:in|con) riferimento|in merito|relativamente|in relazione|per quanto (?:riguarda|concerne)|riguardo"
    r"|in risposta|rispondendo|with (?:regard|regards|reference|respect) to|in (?:reference|regard|relation|response"
    r"|answer|reply) to|regarding|concerning|further to|as regards|pertaining to)"
    r"(?: (?:a|al|alla|all|ai|alle|allo|quanto))?(?: (?:sua|vostra|la sua|la vostra|your|the|my))?"
    r"(?: (?:kind )?(?:domanda|richiesta|quesito|scelta|numero|recapito|questione|proposta|offerta|opzioni|chiesto"
    r"|richiesto|domandato|question|query|request|enquiry|inquiry|offer|options|choice|number))? ")
_ANNOUNCE = re.compile(
    r"^(?:con la presente|per la presente|le comunico che|la informo che|comunico che|preciso che|dichiaro che"
    r"|faccio presente che|desidero comunicarle che|mi pregio di comunicarle che|tengo a precisare che"
    r"|i wish to inform you that|i would like to inform you that|please be advised that|please note that"
    r"|for the record|i hereby|hereby) ")
PHONES = {"mobile", "number", "phone", "cell", "landline", "cellulare", "numero", "telefono", "fisso", "cellphone"}
THEIRS = {"her", "his", "their", "suo", "sua", "loro"}
KNOWS = {"sa", "knows", "conosce", "ricorda", "remembers", "ha", "has", "got", "tiene", "keeps", "deals", "handles",
         "occupa", "saprebbe", "know"}
THING = {"numero", "number", "it", "lo", "l", "that", "recapito", "them", "quello", "cose", "queste", "things", "stuff",
         "all", "tutto"}
YES_FIRST = answer_words.YES_FIRST
# a yes or an agreement after a relative's number: it is confirmed ("it's my mum's landline and yes that's right")
AGREED = YES_FIRST | {"fine", "right", "correct", "ok", "okay", "bene", "giusto", "pure", "yes", "va"}
NOT = answer_words.NEGATED
NO_FIRST = NO_WORDS   # "no quello ce l'ha mio figlio": the number read out is the son's, a no
# a relative asked, not their number wanted ("i'd need to ask my daughter for her number")
ASKED = {"ask", "asking", "chiedere", "chiedo", "domandare", "domando", "check", "sentire", "sento"}


def without_lead_in(text: str) -> str:
    """The answer after a relay or a formal lead-in ("mia moglie dice di sì" -> "sì", "in merito alla sua domanda
    prediligo la forma scritta" -> "prediligo la forma scritta"), as said; the text as it is when none leads or
    nothing follows."""
    clean = " ".join(normalise(text or "").split())
    dropped = 0
    while True:
        words = clean.split()
        lead = 0
        while lead < len(words) and words[lead] in FILLERS:
            lead += 1
        rest = " ".join(words[lead:]) + " "
        found = next((m for m in (pattern.match(rest) for pattern in (_RELAY, _ACCORDING, _REFERENCE, _ANNOUNCE)) if m),
                     None)
        if found is None or not rest[found.end():].strip():
            break
        gone = lead + len(found.group().split())
        dropped, clean = dropped + gone, " ".join(words[gone:])
    return as_said(text, range(dropped, len(normalise(text or "").split()))) if dropped else text


def as_said(text: str, kept) -> str:
    """The tokens of `text` as said (a "sì" keeps its accent) whose normalised words are all at positions in `kept`."""
    kept, seen, tokens = set(kept), 0, []
    for token in (text or "").split():
        width = len(normalise(token).split())
        if width and all(at in kept for at in range(seen, seen + width)):
            tokens.append(token)
        seen += width
    return " ".join(tokens)


def relative_named(words: list[str]) -> bool:
    clean = f" {' '.join(words)} "
    return any(f" {who} " in clean for who in RELATIVES)


def theirs_wanted(text: str) -> bool:
    """"my wife wants you to ring her mobile instead", "chiamate il cellulare di mia moglie": a relative's own
    number asked for, another number than the one read out (a no at the number question)."""
    words = normalise(text or "").split()
    at = _theirs_at(words)
    return at is not None and not _agreed(words[at + 1:])


def theirs_confirmed(text: str) -> bool:
    """"it's my husband's phone but yes call me on it", "that's my wife's mobile, that's fine": a relative's number
    named, then a yes or an agreement: the number read out confirmed (a yes)."""
    words = normalise(text or "").split()
    at = _theirs_at(words)
    return at is not None and _agreed(words[at + 1:])


def _theirs_at(words: list[str]) -> int | None:
    """Where a relative's phone is named ("my wife's mobile", "her number", "il cellulare di mia moglie")."""
    if not words or words[0] in YES_FIRST or set(words) & ASKED or not relative_named(words):
        return None
    for at, word in enumerate(words):
        if word not in PHONES:
            continue
        before, after = words[max(0, at - 3):at], words[at + 1:at + 4]
        if set(before) & THEIRS or (before[-1:] == ["s"] and before[-2:-1] and before[-2] in RELATIVES) \
                or (after[:1] in (["di"], ["of"]) and relative_named(after)):
            return at
    return None


def _agreed(words: list[str]) -> bool:
    """A yes or an agreement said, not negated ("… but yes call me on it", "… that's fine"; not "… not fine")."""
    return any(word in AGREED and not set(words[max(0, at - 2):at]) & NOT and _stated(words, at)
               for at, word in enumerate(words))


def _stated(words: list[str], at: int) -> bool:
    """Not asked ("… is that ok", "… se va bene"); "right" / "correct" of it ("that's right", not "…, right")."""
    if words[max(0, at - 2):at] in (["is", "that"], ["is", "it"]) or set(words[max(0, at - 3):at]) & {"if", "se"}:
        return False
    return words[at] not in ("right", "correct") or words[at - 1:at] in (["s"], ["is"])


def someone_else_knows(text: str) -> bool:
    """"my son knows the number i don't", "il numero lo sa mia figlia": the number known by someone else, no yes
    and no no (asked again)."""
    words = normalise(text or "").split()
    if not words or words[0] in YES_FIRST | NO_FIRST \
            or not (relative_named(words) or {"someone", "qualcuno"} & set(words)):
        return False
    known = [at for at, word in enumerate(words) if word in KNOWS]
    return any(set(words[max(0, at - 4):at + 4]) & THING and (relative_named(words[max(0, at - 3):at + 4])
                                                              or {"someone", "qualcuno"} & set(words[at - 2:at]))
               for at in known)

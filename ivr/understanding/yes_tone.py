"""How a yes is said (the eighth blind evaluation's kinds, issue 15 §1): mocked, exclaimed, or pointed at.

A mocking yes ("sì certo come no, non c'entra niente", "oh yeah right that's my number… not", "sure, spot on…
miles off") is sarcasm: a no when the words after it say the thing is wrong, asked again when nothing does —
never a yes. An exclamation before a yes ("mizzica sì", "bloody hell yes", "mamma mia sì finalmente") is no no:
the answer is what follows it. "È quello", "è lui" with a filler ("ecco brava è quello") points at the thing read
out: a yes.
"""
from __future__ import annotations

from ivr.understanding.lexical import normalise
from ivr.understanding.spoken_numbers import TEENS, UNITS, italian_word
from ivr.understanding.yes_no_rules import asks_what_next

NO, UNSURE = "no", "unsure"
# a yes said first, before a marker of sarcasm or a denial ("sì certo come no", "sure spot on … miles off")
YES_ISH = {"si", "certo", "certamente", "sicuro", "seh", "vabbe", "gia", "yes", "yeah", "yep", "sure", "oh", "ah",
           "eh", "right", "totally", "absolutely", "of", "course", "brilliant", "perfect", "perfetto", "great", "spot",
           "ottimo", "bellissimo", "utilissimo", "grande", "esatto", "exactly", "bravo", "brava", "wonderful",
           "ottima", "bellissima", "utilissima", "perfetta", "lovely", "super", "fantastic", "fantastico"}
# "come no" after these is the Italian sarcasm ("sì come no"); alone it is a yes ("come no!")
COME_NO_AFTER = {"si", "certo", "sicuro", "seh", "vabbe", "gia", "certamente"}
# mocking on their own ("seh", "as if", "… ma per favore" closing the answer): a no
SCOFFS = ("seh", "as if", "e io sono il papa", "e io sono la regina", "and i m the queen", "and i m the pope",
          "my foot", "yeah and pigs fly", "pigs might fly", "in your dreams", "nei tuoi sogni", "e io ci credo",
          "figuriamoci", "manco per sogno", "neanche per sogno", "ma quando mai", "fat lot of", "lot of good that",
          "lot of use that", "much good that", "much use that", "for all the good it", "ma che dice", "ma cosa dice",
          "ma che sta dicendo", "ma che dici", "thanks for nothing", "cheers for nothing", "grazie per niente",
          "grazie tante per niente")
# a marker that makes what follows sarcastic, though it says no no of its own ("oh yeah right")
MARKERS = ("yeah right", "oh yeah right", "yeah yeah right", "ah yeah right")
# …and these only when a denial follows them ("sì vabbè, non è neanche il mio"; "sì vabbè va bene" is a yes)
WEAK_MARKERS = ("si vabbe", "seh vabbe", "vabbe si", "oh sure", "oh yeah sure", "yeah sure", "oh yes", "oh certo")
# after a weak marker, only the thing itself denied counts ("sì vabbè non funziona niente" may confirm the fault)
NOT_IT = ("non e il mio", "non e mio", "non e quello", "non e lui", "non e questo", "non e proprio", "not mine",
          "not my", "isn t mine", "isn t my", "that s not", "non c entra", "non l ho mai", "never been my")
# before "come no" later in the answer they make it mocking ("ma certo proprio quello come no")
MOCKED = COME_NO_AFTER | {"proprio", "perfetto", "giusto", "esatto", "quello", "lui", "questo"}
# the thing denied: after a yes these say it is wrong, whatever the yes ("sure spot on miles off")
DENIALS = ("not even close", "nowhere near", "miles off", "miles away", "way off", "not by a long shot", "miles out",
           "way out", "nowhere close", "not even near", "not even nearly", "not even remotely", "not remotely",
           "not even in the same",
           "non c entra niente", "non c entra nulla", "non c entra proprio", "non c entra per niente", "per niente",
           "tutt altro", "completely wrong", "totally wrong", "tutto sbagliato", "completamente sbagliato")
# …and after a marker of sarcasm, these say it too ("sì come no, non va niente", "yeah right, still dead")
DENY_WORDS = {"non", "not", "no", "nothing", "niente", "nulla", "never", "mai", "dead", "broken", "wrong", "morto",
              "rotto", "sbagliato", "sbagliata", "useless", "inutile", "rubbish", "off", "nope", "macche", "neanche",
              "nemmeno", "manco", "isn", "didn", "doesn", "won", "still"}
# at "was it useful?", after praise: nothing changed ("utilissimo guardi, come prima", "ottimo, peccato che non va")
UNCHANGED = ("come prima", "uguale a prima", "tale e quale", "peccato che non", "same as before", "just like before",
             "still the same", "shame it doesn", "pity it doesn", "shame it still", "pity it still")
# a no that is politeness, not a denial ("sì come no, nessun problema")
POLITE_NO = ("no problem", "no worries", "not a problem", "no prob", "non c e problema", "nessun problema",
             "why not", "perche no", "perche non")
# the "… not" said last, not after these ("sure why not", "i hope not")
NOT_AFTER = {"why", "or", "if", "hope", "think", "guess", "suppose", "certainly", "absolutely", "course", "probably",
             "definitely", "maybe", "perhaps", "else", "whether", "surely"}
EXCLAMATIONS = ("mamma mia", "bloody hell", "oh my god", "oh my goodness", "oh my gosh", "good lord", "good grief",
                "my goodness", "porca miseria", "santo cielo", "dio mio", "madonna santa", "oh my", "oh boy",
                "mizzica", "minchia", "ammazza", "ammazzate", "ostrega", "ostregheta", "ostia", "ajo", "aio", "caspita",
                "accidenti", "perbacco", "cavolo", "madonna", "mannaggia", "cribbio", "urca", "blimey", "crikey", "cor",
                "gosh", "golly", "jeez", "strewth", "crumbs", "wow", "whoa", "heavens", "finally")
ANSWERS = {"si", "yes", "yeah", "yep", "yup", "no", "nope", "nah", "certo", "esatto", "esattamente", "sure",
           "correct", "giusto", "absolutely", "definitely", "exactly", "aye", "affermativo", "confermo"}
# around "è quello": who is praised, a filler, a word that agrees
POINT_FILLERS = {"ecco", "brava", "bravo", "bravi", "bravissima", "bravissimo", "eh", "si", "esatto", "proprio",
                 "guardi", "senta", "signora", "signorina", "oh", "ah", "allora", "beh", "certo", "ok", "okay", "mh",
                 "mm", "ehm", "appunto", "perfetto", "giusto", "sì", "cara", "caro", "ragazza", "ragazzo", "dottore",
                 "yes", "yeah", "yep", "um", "er", "well", "right", "aye"}
POINTED = ("e quello", "e questo", "e lui", "e lei", "e proprio quello", "e proprio lui", "e proprio questo", "quello",
           "questo", "quello e", "questo e", "e il mio", "e proprio il mio", "e esso", "il mio e quello",
           "that s my number", "that s mine", "that s me", "that s my mobile", "that s my phone", "that s my landline",
           "that s the one", "that s it", "that s my one", "that one s mine", "that s my line")
POINT_AFTER = {"giusto", "li", "qui", "la", "proprio", "si", "grazie", "esatto", "ecco", "brava", "bravo", "guardi",
               "signora", "signorina", "quello", "questo", "thanks", "thank", "you", "mate", "love", "yes", "yeah",
               "please", "alright", "right", "indeed", "cheers", "there"}


def sarcasm(text: str, helpful: bool = False) -> str | None:
    """NO for a mocking yes the answer then denies ("sì come no, non c'entra niente", "oh sure that's it, not even
    close", "seh vabbè proprio quello"), UNSURE for one it does not ("sì certo come no"), else None. With `helpful`
    (at "was it useful?") praise then "nothing changed" ("utilissimo, come prima") is a denial too."""
    words = normalise(text or "").split()
    clean = f" {' '.join(words)} "
    if not words:
        return None
    if any(f" {p} " in clean for p in SCOFFS) or clean.endswith(" ma per favore ") and len(words) > 3:
        return NO
    denials = DENIALS + UNCHANGED if helpful else DENIALS
    if words[0] in YES_ISH and any(f" {p} " in clean for p in denials):
        return NO  # "sure spot on miles off": the yes is mocked by what follows
    if len(words) > 3 and clean.endswith(" yeah right "):
        return UNSURE  # "oh sure that's my number yeah right": mocked, asked again
    if words[0] in YES_ISH and len(words) > 3 and words[-1] == "not" and words[-2] not in NOT_AFTER:
        return NO  # "that's totally my number … not"
    at, strong = _marker(words, clean)
    if at is None:
        return None
    rest = f" {' '.join(words[at:])} "
    for polite in POLITE_NO:
        rest = rest.replace(f" {polite} ", " ")
    if not strong:
        return NO if any(f" {p} " in rest for p in NOT_IT) else None
    return NO if set(rest.split()) & DENY_WORDS else UNSURE


def _marker(words: list[str], clean: str) -> tuple[int | None, bool]:
    """Where what a marker of sarcasm mocks begins ("sì come no | proprio quello"), and whether the marker mocks on
    its own (else only a denial after it makes it sarcasm); (None, False) when there is none."""
    for i in range(1, len(words) - 1):
        if words[i:i + 2] == ["come", "no"] and set(words[:i]) & MOCKED and set(words[:i]) & COME_NO_AFTER:
            return i + 2, True
    for markers, strong in ((MARKERS, True), (WEAK_MARKERS, False)):
        for marker in markers:
            if clean.startswith(f" {marker} "):
                return len(marker.split()), strong
    return None, False


def without_exclamation(text: str) -> str:
    """"mizzica sì finalmente" -> "sì finalmente", "bloody hell yes": the answer after the exclamations that lead it,
    as said (a "sì" keeps its accent), when a yes or a no follows them; else the text as it is."""
    said = (text or "").split()
    words = [normalise(token).split() for token in said]
    flat = [w for token in words for w in token]
    at = 0
    while at < len(flat):
        found = next((e for e in EXCLAMATIONS if flat[at:at + len(e.split())] == e.split()), None)
        if found is None:
            break
        at += len(found.split())
    if not 0 < at < len(flat) or flat[at] not in ANSWERS:
        return text
    dropped = 0
    for i, token in enumerate(words):  # the tokens as said, up to the first word after the exclamations
        if dropped >= at:
            return " ".join(said[i:])
        dropped += len(token)
    return text


def pointed_yes(text: str) -> bool:
    """"ecco brava è quello", "eh sì è lui", "è proprio questo": the thing read out pointed at, a yes."""
    clean = " ".join(w for w in normalise(text or "").split())
    words = clean.split()
    at = 0
    while at < len(words) and (words[at] in POINT_FILLERS or words[at] in EXCLAMATIONS):
        at += 1
    rest = " ".join(words[at:])
    for phrase in sorted(POINTED, key=len, reverse=True):
        if rest == phrase or rest.startswith(phrase + " "):
            return all(w in POINT_AFTER for w in rest[len(phrase):].split())
    return False


def no_before_question(text: str) -> bool:
    """"no, so what now?", "nope what do i do then": a no, then a question about what comes next — the no stands."""
    words = normalise(text or "").split()
    return words[:1] in (["no"], ["nope"], ["nah"]) and len(words) > 2 and asks_what_next(" ".join(words[1:]))


# at "shall we call you on …?": the number read out pointed at as where to call ("ring me on that one", "su quello mi
# trovate", "chiamatemi pure lì", "that's where you'll reach me")
THAT = {"that", "there", "quello", "quel", "questo", "li", "this", "it"}
REACH = {"ring", "call", "phone", "get", "reach", "find", "contact", "use", "try", "reachable", "chiamatemi", "chiamate",
         "chiamami", "chiami", "richiamatemi", "richiamate", "richiami", "richiamami", "trovate", "trova", "trovi",
         "raggiungete", "raggiunge", "raggiungi", "reperibile", "rintracciate", "rintracciabile", "usate", "usi",
         "chiamare", "richiamare", "rispondo", "sentirci", "answer", "chiamarmi", "richiamarmi", "contattarmi",
         "trovarmi", "raggiungermi", "sentirmi", "contattate", "contatti"}
OTHERWISE = {"non", "not", "no", "never", "mai", "altro", "altra", "diverso", "diversa", "different", "another", "other",
             "new", "nuovo", "nuova", "instead", "invece", "but", "ma", "pero", "old", "vecchio", "t", "don", "dont",
             "dinnae", "nae", "naw", "nah", "nope", "mica", "manco", "nemmeno", "neanche", "wrong", "sbagliato"}


# …or another one pointed at ("ring me on the other one", "that's the old one", "quello non lo uso più"): a no
OTHER_ONE = ("the other one", "the other number", "l altro", "sull altro", "quell altro", "all altro", "the old one",
             "my old number", "quello vecchio", "numero vecchio", "vecchio numero", "non lo uso piu", "non lo uso",
             "don t use that", "don t use it", "no longer use", "not using that", "disdetto", "cancelled that")
REPEATABLE = {"si", "no", "yes", "yeah", "yep", "ok", "okay", "certo", "grazie", "thanks", "bene", "nope", "sure", "cosi",
              "piano", "tanto", "molto", "very", "so", "male", "presto", "subito", "dai", "bye", "ciao", "tutto",
              "proprio", "mai", "never", "now", "ora", "adesso", "pian", "mica", "niente", "nothing", "much"}
# short words of their own, never a word begun ("è esatto", "a and b", "la last")
SHORT_WORDS = {"e", "a", "i", "o", "la", "le", "li", "lo", "il", "di", "da", "in", "un", "se", "ma", "mi", "ti", "ci",
               "vi", "ne", "the", "an", "to", "it", "is", "on", "of", "at", "me", "my", "we", "he", "be", "do", "go",
               "so", "or", "as", "us", "by", "up", "per", "con", "che", "non", "una", "del", "dal", "sul", "era",
               "for", "and", "but", "can", "get", "you", "all", "are", "not", "now", "see", "ho", "ha", "sa", "va",
               "fa", "sto", "sta", "qui", "qua", "ora", "poi", "gia", "piu", "mia", "mio", "tu", "su", "al", "nel"}


def other_one(text: str) -> bool:
    """"ring me on the other one", "that's the old one call me on my mobile": not the number read out, a no."""
    words = normalise(text or "").split()
    clean = f" {' '.join(words)} "
    return bool(words) and words[0] not in ANSWERS - {"no", "nope", "nah"} and any(f" {p} " in clean for p in OTHER_ONE)


def without_stammer(text: str) -> str:
    """"that that that's my number" -> "that's my number", "qu quello va bene" -> "quello va bene": a word said again
    at once, or begun and said whole, once (a yes or a no said twice stays twice: "no no")."""
    said = (text or "").split()
    kept = []
    for i, token in enumerate(said):
        word, following = normalise(token), normalise(said[i + 1]) if i + 1 < len(said) else ""
        if following and word not in REPEATABLE and not _number_word(word) and (word == following.split()[0] or (
                len(word) <= 3 and word not in SHORT_WORDS and following.startswith(word) and following != word)):
            continue
        kept.append(token)
    return " ".join(kept)


def _number_word(word: str) -> bool:
    return word.isdigit() or word in UNITS or word in TEENS or italian_word(word) is not None


def number_pointed(text: str) -> bool:
    """"ring me on that one", "you can get me on that", "su quello mi trovate", "chiamatemi pure lì": a yes to the
    number read out (no negation, no other number)."""
    words = set(normalise(text or "").split())
    return bool(words & THAT and words & REACH) and not words & OTHERWISE


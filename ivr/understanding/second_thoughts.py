"""Answers changed or put off in the same breath (the seventh blind evaluation's kinds, issue 15 §1).

A caller corrects a yes or a no ("no cioè sì, va bene"), a key ("la tre anzi la quattro") or the number being
dictated ("338 21 no scusi 339 214 …"): the one said last is the answer. A long reason closed by "quindi sì" is
that answer. A key followed by the option's own words ("la due con una persona") is that key. An aside to
someone in the room before the choice ("aspetta tesoro … ecco") is dropped. An answer about checking later
("devo sentire mia figlia", "it's still loading") or about a lost note with the number is no yes and no no.
"""
from __future__ import annotations

from ivr.call.callback_policy import check_callback_number
from ivr.understanding.answer_words import NO_WORDS, TURN_WORDS, YES_FIRST
from ivr.understanding.lexical import normalise
from ivr.understanding.spoken_numbers import UNITS, digits_from_speech

YES = YES_FIRST
NO = NO_WORDS | {"manno"}
# a turn: what follows it takes back what came before ("no cioè sì", "sì anzi no", "la uno anzi la due")
TURNS = TURN_WORDS
# …and these, not first, right before a yes or a no: "well actually no", "ok wait no thanks", "hmm i mean yes"
CORRECTING = {"anzi", "actually", "mean", "cioe", "wait", "sorry"}   # of TURN_WORDS, only those that correct
THEREFORE = {"quindi", "percio", "so", "allora", "dunque"}
ARTICLE = {"la", "il", "l", "lo", "the", "option", "opzione", "numero", "number", "tasto"}
LEADS = {"ecco", "allora", "beh", "dunque", "ok", "okay", "si", "direi", "io", "faccio", "prendo", "scelgo", "dico"}
# after the key, the option's own words or a word about the number read out, never a second choice
KEY_THEN = {"con", "cioe", "ovvero", "quel", "quella", "quello", "questo", "questa", "un", "una", "per", "with",
            "that", "the", "a", "is", "e", "va", "quindi", "perche"}
KEYS = {w: v for w, v in UNITS.items() if 1 <= v <= 9 and w not in ("un", "una")}
AFTER_ASIDE = ("ecco", "allora dicevo", "dicevo", "comunque", "anyway", "right so", "sorry about that")
ASIDE_LEAD = {"aspetta", "aspetti", "un attimo", "un momento", "hang on", "wait", "just a sec", "one sec",
              "hold on", "scusi"}
LATER = ("devo chiedere", "devo sentire", "devo domandare", "chiedo a", "sento mio", "sento mia", "devo provare",
         "have to ask", "need to ask", "got to ask", "ask my", "check with", "still loading", "still spinning",
         "still starting", "still booting", "sta ancora caricando", "sta caricando", "ancora caricando",
         "sta ancora partendo", "non sapere ancora", "non so ancora", "don t know yet", "not sure yet",
         "can t tell yet", "too early to say", "troppo presto per dire", "ancora non lo so", "ancora non so")
PAPER = {"foglio", "foglietto", "fogli", "biglietto", "bigliettino", "appunto", "appunti", "agenda", "rubrica",
         "paper", "note", "notes", "address", "diary", "scrap"}
SEEKING = {"trovo", "ritrovo", "trovare", "cerco", "cercando", "find", "finding", "looking", "lost", "perso"}
PICK = {"scelgo", "prendo", "scegliere", "scelgo io", "pick", "choose", "decido", "take"}
TIMES = {"orari", "orario", "fasce", "fascia", "times", "slots", "windows", "slot", "ore"}
SILENT = ("non c e scritto", "non dice", "non spiega", "non c e niente", "doesn t say", "says nothing",
          "nothing on it", "nothing about", "doesn t tell", "non e scritto")
FOR_SOMEONE = ("calling for my", "ringing for my", "phoning for my", "calling on behalf", "chiamo per mia", "chiamo per mio",
               "chiamo per conto", "chiamo per la", "chiamo per il", "telefono per mia", "telefono per mio")
ABSENT = ("not here", "not in", "out", "popped out", "away", "non c e", "non e qui", "e uscita", "e uscito", "e fuori",
          "non e in casa", "isn t here", "isn t in")
STILL = {"right", "now", "at", "the", "moment", "adesso", "ora", "al", "momento", "in", "questo", "purtroppo",
         "unfortunately", "just", "today", "oggi", "per", "cui", "so"}
# a filler where a number dictated starts again ("347 ehm 347 220 18 90", "three four seven uh three four seven …")
FILLERS = {"uh", "um", "uhm", "umm", "er", "erm", "ehm", "eh", "em", "mm", "hmm", "ah", "ahm"}
NUMBER_DIGITS = 6
NEAR = 3   # words from the turn to the answer it brings ("no cioè sì", "no un momento sì")


def last_answer(text: str) -> str | None:
    """"no cioè sì va bene", "sì un attimo no", "… quindi no": the yes or no said after a turn (or after
    "quindi" ending the answer), when another answer came before it, or right after a turn that is not the first word
    ("well actually no"); else None. (It took over yes_no_rules.corrected, round 8: one reading of a corrected yes/no.)"""
    words = normalise(text or "").split()
    if len(words) >= 2 and words[-2] in THEREFORE and (words[-1] in YES or words[-1] in NO):
        return "yes" if words[-1] in YES else "no"
    answers = [i for i, w in enumerate(words) if w in YES or w in NO]
    if len(answers) >= 2 and answers[0] <= 1:
        first, last = answers[0], answers[-1]
        turns = [i for i in range(first + 1, last) if words[i] in TURNS]
        if turns and last - turns[-1] <= NEAR:  # not "no aspetti che le dico … sì lo uso": no answer taken back
            return "yes" if words[last] in YES else "no"
    for i in range(2, len(words)):  # "well actually no", "ok wait no thanks": the answer right after the turn
        said = "yes" if words[i] in YES | {"ok", "okay"} else "no" if words[i] in NO else None
        if said and words[i - 1] in CORRECTING and words[i + 1:i + 2] in ([], [words[i]], ["grazie"], ["thanks"]):
            return said
    return None


def key_named(text: str) -> int | None:
    """The key said last, with its article, at the head of the answer or after a turn ("la due con un
    operatore", "ecco la uno quel numero va bene", "la uno anzi no la due"), else None."""
    words = normalise(text or "").split()
    found = None
    for i, word in enumerate(words):
        if word not in KEYS and not (word.isdigit() and len(word) == 1 and word != "0"):
            continue
        before = words[:i]
        head = before and before[-1] in ARTICLE and all(w in LEADS | ARTICLE for w in before[:-1])
        turned = found is not None and before and before[-1] in ARTICLE and set(before) & TURNS
        follow = words[i + 1] if i + 1 < len(words) else ""
        if word == "one" and before and before[-1] in ("the", "that", "this"):
            continue  # "the one with the chat": a pronoun
        if (head or turned) and (not follow or follow in KEY_THEN or follow in TURNS or follow in NO):
            found = int(word) if word.isdigit() else KEYS[word]
        elif found is not None:
            return None  # a digit read otherwise ("la due, tre volte"): no key taken
    return found


def without_aside(text: str) -> str:
    """"aspetta amore che la mamma parla, ecco lascio un messaggio" -> "lascio un messaggio": what follows
    the aside's end when the answer opens with a pause; else the text as it is."""
    clean = " ".join(normalise(text or "").split())
    if not any(clean.startswith(lead + " ") for lead in ASIDE_LEAD):
        return text
    for end in AFTER_ASIDE:
        at = clean.rfind(f" {end} ")
        if at > 0:
            return clean[at + len(end) + 2:]
    return text


def number_after_turn(text: str, regions: tuple[str, ...] = ("IT",)) -> str:
    """"347 12 no scusi 348 123 4567": the digits said after the last turn when digits came before it and
    they make a number we may call on their own; else "" (the whole answer is read as before)."""
    words = normalise(text or "").split()
    turns = [i for i, w in enumerate(words) if (w in TURNS or w in NO or w == "i" and words[i + 1:i + 2] == ["mean"])
             and digits_from_speech(" ".join(words[:i]))]
    for at in reversed(turns):
        digits = digits_from_speech(" ".join(words[at + 1:]))
        if len(digits.lstrip("+")) >= NUMBER_DIGITS and check_callback_number(digits, regions).ok:
            return digits
    return ""


def number_restarted(text: str, regions: tuple[str, ...] = ("IT",)) -> str:
    """"347 ehm 347 220 18 90": after a filler the caller starts the number again with the digits said before it —
    a false start, the number is the one after the filler when it is a number we may call; else ""."""
    words = normalise(text or "").split()
    fillers = [i for i, w in enumerate(words) if w in FILLERS]
    for at in reversed(fillers):
        start = max((i + 1 for i in fillers if i < at), default=0)
        before, after = digits_from_speech(" ".join(words[start:at])), digits_from_speech(" ".join(words[at + 1:]))
        if before and after.startswith(before) and len(after) >= NUMBER_DIGITS \
                and check_callback_number(after, regions).ok:
            return after
    return ""


def checking_later(text: str) -> bool:
    """"devo sentire mio figlio se va", "it's still loading": the answer will come later, asked again."""
    clean = f" {' '.join(normalise(text or '').split())} "
    return any(f" {p} " in clean for p in LATER)


def lost_note(text: str) -> bool:
    """"non trovo il foglietto col numero": looking for the number, no yes and no no."""
    words = set(normalise(text or "").split())
    return bool(words & SEEKING and words & PAPER)


def times_then_pick(text: str) -> bool:
    """"mi dica gli orari e ne prendo uno": hear the times and choose one, the window option."""
    words = set(normalise(text or "").split())
    return bool(words & TIMES and words & PICK)


def no_choice_yet(text: str) -> bool:
    """"il foglietto non dice cosa scegliere", "calling for my aunt but she's out right now": no option
    chosen (the note is silent, the one to choose is away), asked again."""
    words = normalise(text or "").split()
    clean = f" {' '.join(words)} "
    if set(words) & PAPER and any(f" {p} " in clean for p in SILENT):
        return True
    if not any(f" {p} " in clean for p in FOR_SOMEONE):
        return False
    for phrase in ABSENT:
        at = clean.rfind(f" {phrase} ")
        if at >= 0 and all(w in STILL for w in clean[at + len(phrase) + 2:].split()):
            return True
    return False

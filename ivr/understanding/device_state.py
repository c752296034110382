"""At "was it useful?", the state of the line or the device said instead of a yes or a no (issue 15 §1, round 9).

Callers answer by what they see: signs that it works again are a yes ("the router light's green now", "I've got the
internet back", "si vede di nuovo la tv", "il telefono squilla di nuovo", "confermo che il disservizio è cessato");
signs that it still fails are a no ("still blinking orange", "la spia è sempre rossa", "ancora morto", "il
disservizio persiste"); a state on its way ("it's restarting", "si sta riavviando") is no answer yet, asked again, and
so are both kinds of sign at once. Not tried yet ("io non ancora provato", "me not check yet") is asked again too.
"""
from __future__ import annotations

import re

from ivr.understanding import answer_words
from ivr.understanding.answer_words import DONT, NEGATED
from ivr.understanding.lexical import normalise

YES, NO, UNSURE = "yes", "no", "unsure"
# it works again: back, restored, a light that is fine, a service heard or seen
GOOD = ("back", "tornato", "tornata", "tornati", "tornate", "ritornato", "ritornata", "ripartito", "ripartita",
        "ripristinato", "ripristinata", "ripristinati", "riattivato", "riattivata", "restored", "cleared", "fixed",
        "resolved", "reconnected", "ricollegato", "ricollegata", "riconnesso", "riconnessa", "green", "verde", "solid",
        "steady", "luce fissa", "spia fissa", "luci fisse", "fissa verde", "online", "on line", "up and running",
        "dial tone", "segnale di linea", "c e linea", "c e la linea", "ho linea", "ho la linea", "navigo", "navigare",
        "squilla", "squillano", "si vede di", "si vede bene", "si vede benissimo", "si vedono", "si sente di",
        "si sente bene", "prende", "cessato", "cessata", "risolto", "risolta", "riesco a", "riusciamo a", "connected",
        "connesso", "connessa", "collegato", "collegata", "ok sign", "normal", "normale", "normali", "regolare",
        "regolari", "a posto", "resumed", "playing", "coming through", "come through", "streaming", "si aprono",
        "si apre", "si carica", "si caricano", "load", "loads", "funziona", "funzionano", "working", "works", "showing",
        "shows up", "compare", "appare", "vedo", "accese", "lights are on", "light s on", "lights on", "segnale c e",
        "c e segnale", "c e il segnale", "c e internet", "internet c e", "la linea c e", "c e campo", "have internet",
        "has internet", "got internet", "ho internet", "c e connessione", "ho la connessione", "getting a signal",
        "got a signal", "got signal", "have signal", "ho segnale", "ho il segnale", "ho campo", "ho di nuovo internet",
        "ho di nuovo la linea", "ho di nuovo il segnale", "internet now", "ripreso", "riprende") + tuple(
    f"{who} can {verb}" for who in ("i", "we")
    for verb in ("see", "hear", "get", "make", "browse", "watch", "use", "call", "ring", "phone", "stream", "connect"))
# it still fails: a light or a line in trouble, a fault that stays
BAD = ("blinking", "flashing", "flickering", "blink", "blinks", "flash", "flashes", "lampeggia", "lampeggiano",
       "lampeggiante", "lampeggiare", "orange", "amber", "red", "arancione", "arancio", "rossa", "rosso", "off",
       "spento", "spenta", "dead", "morto", "morta", "muto", "muta", "down", "giu", "black", "nero", "nera", "nothing",
       "niente", "nulla", "nessun", "nessuna", "no", "frozen", "bloccato", "bloccata", "stuck", "dropped", "dropping",
       "caduta", "caduto", "cade", "cutting", "cut", "crashed", "persiste", "permane", "perdura", "same", "stesso",
       "stessa", "uguale", "disconnected", "disconnesso", "staccato", "staccata", "buffering", "male", "malissimo",
       "badly", "crackly", "disturbata", "disturbato", "zero", "fruscio", "crackling", "tuttora", "presente", "ongoing",
       "remains", "unresolved", "irrisolto", "in corso", "happening", "succede", "lo fa", "doing it", "broken", "rotto",
       "rotta", "guasto", "square one", "punto e a capo", "playing up", "on the blink", "capricci", "bizze",
       "singhiozzo", "va e viene", "comes and goes", "on and off", "off and on", "intermittent", "intermittente", "lento",
       "lenta", "lentissimo", "lentissima", "slow", "a tratti", "cuts out")
# trouble right after a sign turns it ("è tornato il problema", "back to square one"): no sign then
TURNED = BAD + ("problema", "problem", "problems", "problemi", "fault", "issue", "issues")
# a question about the state: no answer yet
QUESTIONS = ("what does", "what do", "what s that", "is that normal", "is it meant", "supposed to", "how long",
             "is that right", "is that ok", "is that good", "cosa vuol dire", "che vuol dire", "cosa significa",
             "che significa", "e normale", "quanto ci mette", "quanto ci vuole", "dovrebbe", "deve essere")
# on its way, not there yet: asked again
PROGRESS = ("restarting", "rebooting", "booting", "loading", "starting up", "coming on", "coming back", "warming up",
            "updating", "syncing", "connecting", "riavviando", "ripartendo", "riavvia", "sta caricando", "caricando",
            "sta tornando", "sta partendo", "si sta", "sta accendendo", "accendendo", "aggiornando", "sincronizzando",
            "collegando", "connettendo", "powering up", "turning on", "waiting", "aspettando", "aspetto che",
            "to come back", "diventare", "tornare", "ripartire", "to go", "will it", "should it") + QUESTIONS
# "again", "di nuovo" say it works only after a sign of working ("squilla di nuovo"; "say that again" is no state)
AGAIN = ("again", "di nuovo", "nuovamente")
WORKING = {"working", "works", "work", "funziona", "funzionano", "va", "vanno", "vede", "vedo", "vediamo", "sento",
           "sentiamo", "squilla", "squillano", "navigo", "navighiamo", "naviga", "online", "connected", "connesso",
           "collegato", "going", "running", "calls", "chiamare", "chiamo", "ring", "rings", "hear", "see", "watch",
           "browse", "stream", "loads", "carica", "prende", "acceso", "accesa", "on", "up", "tv", "internet", "wifi",
           "linea", "line", "signal", "segnale", "telefono", "phone", "broadband", "telly", "picture", "immagine",
           "ok", "fine", "bene"}
# "back" after these is no return of the service ("call me back", "get back to me")
NOT_BACK = {"call", "ring", "phone", "get", "say", "ask", "go", "richiamare", "me", "us", "him", "her", "them"}
NOTHING = {"nessun", "nessuna", "nothing", "niente", "nulla"}
NEGATIONS = answer_words.NEGATIONS | DONT | {"cannot", "nemmeno", "neanche", "manco"} | NOTHING
# signs that it works said with a word of trouble in them ("the red light's gone off", "non lampeggia più", "no
# problems now"): read as one sign that it works
OK_SIGNS = re.compile(r"\b(?:(?:red|orange|amber|rossa|arancione) (?:light )?(?:s |has |is )?(?:gone|went|turned) "
                      r"(?:off|out)|spia (?:rossa|arancione) (?:si e |e )?spenta|stopped (?:flashing|blinking)"
                      r"|smesso di lampeggiare|non lampeggia piu|no longer (?:flashing|blinking|red|orange)"
                      r"|non e piu (?:rossa|arancione)|nessun problema|no problems?|niente problemi|nothing wrong"
                      r"|no issues?|non da piu problemi|mica male|non male|niente male|not bad|not too bad"
                      r"|(?:loading|loads|load|caricano|carica|caricare) (?:again|fine|properly|ok|di nuovo|bene|normally"
                      r"|normalmente)|lift ?off|(?:no longer|not|non e piu|non e|non piu) (?:so |too |cosi |piu )?(?:slow"
                      r"|lento|lenta|lentissimo|dead|morto|morta|off|spento|spenta|red|rossa|rosso|orange|arancione"
                      r"|flashing|blinking|lampeggiante|down|giu|frozen|bloccato|bloccata|muto|muta)(?: any ?more| piu)?)\b")
# the caller back on the phone, not the line ("sorry i'm back", "eccomi sono tornata")
CALLER_BACK = re.compile(r"\b(?:i m back|i am back|sono tornat[oa]|sono di nuovo qui|eccomi)\b")
# "isn't", "can't": the negation as a word of its own
CONTRACTED = re.compile(r"\b(\w+n) t\b")
# where the state said last begins ("it was flashing red but now it's green")
NOW = ("but now", "ma adesso", "ma ora", "pero adesso", "pero ora", "and now", "e adesso", "e ora", "now it s",
       "adesso e", "ora e", "finally", "finalmente")
# answers that lead with a yes or a no are read by the rules and models around this one
ANSWER_FIRST = {"yes", "yeah", "yep", "no", "nope", "nah", "certo", "macche", "affatto"}
# not tried yet, said plainly or as a learner ("io non ancora provato", "me not check yet", "not looked yet")
TRY = {"provato", "provare", "prova", "provo", "guardato", "guardare", "guardo", "controllato", "controllare",
       "controllo", "visto", "vedere", "verificato", "verificare", "check", "checked", "checking", "look", "looked",
       "looking", "try", "tried", "trying", "test", "tested", "see", "seen", "acceso", "accendere", "switched", "turned",
       "restarted", "rebooted", "riavviato", "riacceso"}
# a negation before the check ("haven't looked yet", "non ho ancora guardato")
NOT = NEGATED | {"haven", "hasn", "didn"}


def _found(clean: str, phrases) -> list[int]:
    """Where each phrase of `phrases` begins in the padded text (word positions)."""
    return [len(clean[:clean.index(f" {p} ")].split()) for p in phrases if f" {p} " in clean]


def state_said(text: str) -> str | None:
    """YES for signs that it works again, NO for signs that it still fails, UNSURE for a state on its way or both
    kinds of sign at once, None when the answer says no state (or leads with its own yes or no)."""
    words = normalise(text or "").split()
    said_si = words[:1] == ["si"] and ((text or "").strip().lower().startswith("sì") or words[1:2] in ([], ["grazie"]))
    if not words or words[0] in ANSWER_FIRST or said_si:  # "si vede di nuovo": the pronoun, no answer
        return None
    clean = " " + OK_SIGNS.sub("ok sign", CALLER_BACK.sub("", CONTRACTED.sub(r"\1 not", " ".join(words)))) + " "
    for marker in NOW:  # the state said last is the one now
        if f" {marker} " in clean[1:]:
            clean = " " + clean[clean.rindex(f" {marker} ") + len(marker) + 2:]
    said = clean.split()
    if _found(clean, PROGRESS):
        return UNSURE
    signs = [at for at in _found(clean, GOOD) if said[at] != "back" or not (at and said[at - 1] in NOT_BACK)]
    bad, turned = _found(clean, BAD), _found(clean, TURNED)
    signs += [at for at in _found(clean, AGAIN) if set(said[max(0, at - 4):at]) & WORKING  # not "playing up again"
              and not any(at - 4 <= b < at for b in turned)]
    signs = [at for at in signs if not any(at <= b <= at + 2 for b in turned)]  # "still showing red", "playing up"
    good = [at for at in signs if not _negated(said, at)]
    negated_good = len(signs) > len(good)
    if any(set(said[at + 1:]) & NEGATIONS for at in good):
        return None  # "si vede che ancora non va": a negation after it, left to the rules and the model
    if (good and bad) or (good and negated_good):
        return UNSURE
    if bad or negated_good:
        return NO
    return YES if good else None


def _negated(said: list[str], at: int) -> bool:
    """Whether a negation stands within three words before position `at` ("isn't back", "non è tornata"), or a
    "nothing" right before it ("nothing works"; "nessun operatore, ho risolto" is no negation of it)."""
    return bool(set(said[max(0, at - 3):at]) & NEGATIONS - NOTHING or set(said[at - 1:at]) & NOTHING)


def not_tried_yet(text: str) -> bool:
    """"io non ancora provato", "me not check yet", "haven't looked yet", "non ho ancora guardato": a check denied (a
    negation up to three words before it) and "yet" said, or a learner's "no check"; no answer yet. Not "ho riavviato
    ma ancora non si vede" (the check done, the fault still there)."""
    words = normalise(text or "").split()
    denied = [at for at, w in enumerate(words) if w in TRY and set(words[max(0, at - 4):at]) & NOT]
    yet = bool(set(words) & {"yet", "ancora"})
    learner = any(words[at - 1:at] in (["no"], ["not"]) for at in denied)  # "me no check"
    return bool(denied) and (yet or learner) and len(words) <= 12 \
        and not set(words) & {"works", "working", "funziona", "va", "fixed", "risolto"}

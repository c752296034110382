"""Asides that answer nothing (issue 15 §1, round 9): a word to a child or a pet ("hold on the baby's woken up", "un
attimo che il cane abbaia", "no bruno giù dal divano") at any menu — what is said outside it is read, and when nothing
is, the question is asked again; and asking for more explanation ("mi servirebbero più dettagli", "can you explain
the options"), which chooses nothing.
"""
from __future__ import annotations

from ivr.understanding.answer_words import ANSWER_WORDS
from ivr.understanding.lead_ins import as_said
from ivr.understanding.lexical import normalise

# who the aside is about or to
HOUSEHOLD = {"baby", "babies", "kid", "kids", "toddler", "children", "child", "dog", "dogs", "puppy", "pup", "cat",
             "cats", "kitten", "parrot", "bambino", "bambina", "bambini", "bimbo", "bimba", "bimbi", "piccolo",
             "piccola", "piccoli", "neonato", "neonata", "pupo", "pupa", "cane", "cani", "cagnolino", "cagnolina",
             "cucciolo", "gatto", "gatta", "gattino", "micio", "pappagallo", "little", "pargolo"}
# what it does, said of it: the aside's reason
DOING = {"woken", "awake", "up", "crying", "cries", "screaming", "shouting", "barking", "barks", "whining", "fighting",
         "sick", "knocked", "jumped", "eating", "chewing", "escaped", "running", "wants", "needs", "door", "svegliato",
         "svegliata", "sveglio", "piange", "piangendo", "urla", "urlando", "strilla", "abbaia", "abbaiando", "litigano",
         "scappato", "scappata", "scappa", "salta", "saltato", "mangiando", "rovesciato", "vomitato", "vuole",
         "chiama", "caduto", "caduta", "mad", "crazy", "need", "feeding", "poorly", "accident", "pianto"}
# said to it: a command to a child or a pet, an aside on its own
COMMANDS = ("giu dal", "giu dalla", "scendi dal", "scendi dalla", "cuccia", "smettila", "lascia stare il",
            "lascia stare la", "stai buono", "stai buona", "stai fermo", "stai ferma", "fai il bravo", "fai la brava",
            "non toccare", "metti giu", "molla", "zitto", "zitta", "get down", "get off the", "drop it", "stop it",
            "put that down", "don t touch", "shush", "bad dog", "naughty", "off the sofa", "in your bed", "no biting",
            "not now sweetheart", "not now darling", "adesso no tesoro", "non ora tesoro", "non si tocca",
            "amore non adesso", "amore non ora", "tesoro non adesso", "tesoro non ora", "non adesso amore",
            "non ora amore", "non adesso tesoro", "not now love", "not now honey", "not now dear")
NEAR = 7   # words from who the aside is about to what they do ("the little one's just been sick")
# between a command and what is said to us: its own words ("shush a minute love", "smettila di tirare")
COMMAND_WORDS = {"a", "adesso", "amore", "attimo", "bed", "boy", "brava", "bravo", "buona", "buono", "chair", "da",
                 "dai", "dal", "dalla", "darling", "detto", "di", "divano", "down", "favore", "from", "girl", "giu",
                 "good", "here", "ho", "instant", "it", "la", "letto", "li", "love", "minute", "moment",
                 "momento", "now", "off", "one", "per", "piccola", "piccolo", "please", "qui", "right", "said", "sec",
                 "second", "secondo", "sedia", "sit", "sofa", "stay", "su", "subito", "sweetheart", "table", "tavolo",
                 "tesoro", "that", "the", "there", "this", "ti", "un"}
# a yes or a no after an aside is said to us again ("stai buono un attimo, sì è corretto"), and so is a key or a wish
ANSWERS = ANSWER_WORDS | {"perfetto"}
CHOOSING = {"uno", "due", "tre", "quattro", "one", "two", "three", "four", "voglio", "vorrei", "preferisco", "scelgo",
            "prendo", "want", "prefer", "choose", "take"}
# where an aside begins (an apology or a pause before it) and where the answer takes up again after it
BEFORE = {"sorry", "scusi", "scusa", "scusate", "hold", "hang", "on", "wait", "un", "attimo", "momento", "aspetti",
          "aspetta", "one", "sec", "second", "just", "the", "my", "il", "la", "lo", "l", "i", "che", "mi", "oh", "eh",
          "ah", "oops", "excuse", "me", "no", "dai", "come", "on", "a", "mio", "mia", "our"}
RESUME = ("ecco", "comunque", "anyway", "sorry", "scusi", "scusa", "scusate", "allora dicevo", "dicevo",
          "sorry about that", "scusi tanto", "where was i", "dove eravamo", "right so", "ok so", "as i was saying",
          # a reason's end: what follows is the answer ("the baby's crying so just text me")
          "so", "quindi", "percio", "per questo", "that s why", "which is why", "therefore", "so please")
# a request to us starts again after an aside, and is part of the answer ("the dog's barking, could we do it by text")
REQUESTS = ("can we", "can you", "could we", "could you", "would you", "will you", "let s", "lets", "please",
            "possiamo", "potete", "potreste", "puo", "potrebbe", "fissiamo", "facciamo", "continuiamo", "mandatemi",
            "scrivetemi", "richiamatemi", "mi richiamate", "mi scrivete", "mi mandate")
# asking for more explanation, no choice made
EXPLAIN = ("piu dettagli", "maggiori dettagli", "qualche dettaglio", "piu informazioni", "maggiori informazioni",
           "piu spiegazioni", "spiegarmi", "spiegami", "mi spieghi", "mi spiega", "spiegare meglio", "more detail",
           "more details", "more information", "more info", "explain", "explained", "explaining", "what each one",
           "non e chiaro", "not clear", "don t follow", "non capisco le opzioni", "tell me more", "dirmi di piu",
           "mi dica di piu", "mi dice di piu", "say more", "go through them", "more slowly", "slower", "piu piano",
           "piu lentamente", "piu adagio")
# a question about what a choice is ("what is the chat?", "cos'è la chat", "what does voice message mean")
WHAT_IS = ("what is", "what s", "what are", "cos e", "che cos e", "cosa e", "che e", "cosa sono", "che sono")
MEANS = ("mean", "means", "vuol dire", "significa", "vuole dire", "intende", "intendete")
# what may come before it: a request's own words ("could you explain", "mi servirebbero più dettagli")
EXPLAIN_LEAD = {"a", "allora", "altre", "altri", "any", "avere", "avrei", "before", "bene", "bisogno", "bit", "but",
                "can", "capito", "could", "d", "dare", "darmi", "dear", "desidererei", "di", "eh", "ehm", "favore",
                "first", "get", "gradirei", "guardi", "have", "ho", "i", "just", "lei", "like", "little", "love", "m",
                "ma", "mate", "me", "mi", "need", "non", "not", "ok", "okay", "per", "please", "po", "potete",
                "potrebbe", "potreste", "prima", "puo", "qualche", "scusi", "senta", "serve", "servirebbe",
                "servirebbero", "servono", "signora", "signorina", "so", "some", "sorry", "sure", "to", "uh", "um",
                "un", "una", "volevo", "vorrei", "want", "wanted", "well", "would", "you"}


def outside_aside(text: str) -> str | None:
    """The words said outside a child's or pet's aside ("sì mandatelo pure, scusi il cane abbaia" -> "sì mandatelo
    pure"), "" when nothing is (asked again), or None when there is no such aside."""
    words = normalise(text or "").split()
    clean = f" {' '.join(words)} "
    # (where each aside begins, where its own words end): a command, or who and what they do
    commands = [(at, at + len(c.split()) - 1) for c in COMMANDS if f" {c} " in clean
                for at in [len(clean[:clean.index(f" {c} ")].split())]]
    nouns = [(at, next(i for i in range(at + 1, at + NEAR) if words[i] in DOING)) for at, w in enumerate(words)
             if w in HOUSEHOLD and set(words[at + 1:at + NEAR]) & DOING]
    if not commands + nouns:
        return None
    start = min(at for at, _ in commands + nouns)
    if commands and start == min(commands)[0] and start <= 3:
        start = 0  # "no bruno giù dal divano": the "no" and the name are the aside's
    while start and words[start - 1] in BEFORE:
        start -= 1
    end = _aside_end(words, max(last for _, last in commands + nouns), to_end=not commands)
    kept = words[:start] + words[end:]
    return as_said(text, [*range(start), *range(end, len(words))]) if not set(kept) <= BEFORE | COMMAND_WORDS else ""


def _aside_end(words: list[str], at: int, to_end: bool) -> int:
    """Where what is said to us takes up again after an aside found at `at`: after a word that resumes ("ecco",
    "anyway", "sorry"), at a yes, a no ("stai buono un attimo sì è corretto") or a request ("could we …"); else, with `to_end` (an aside about
    a child or a pet: "the cat just knocked something over"), nowhere, or after a command's own words."""
    for i in range(at + 1, len(words)):
        resumed = next((r for r in RESUME if words[i:i + len(r.split())] == r.split()), None)
        if resumed:
            return i + len(resumed.split())
        if words[i] in ANSWERS or any(words[i:i + len(r.split())] == r.split() for r in REQUESTS):
            return i
    for i in range(at + 1, len(words)):  # "the dog's barking two i want to pick the time": a key or a wish
        if words[i] in CHOOSING:
            return i - 1 if words[i - 1] in ("i", "io") else i
    end = len(words) if to_end else at + 1
    while end < len(words) and (words[end] in COMMAND_WORDS or words[end] in DOING or words[end] in HOUSEHOLD):
        end += 1
    return end


def wants_explaining(text: str) -> bool:
    """"mi servirebbero più dettagli", "can you explain the options": more explanation asked for, no choice."""
    words = normalise(text or "").split()
    clean = f" {' '.join(words)} "
    found = [len(clean[:clean.index(f" {p} ")].split()) for p in EXPLAIN if f" {p} " in clean]
    if any(clean.startswith(f" {p} ") for p in WHAT_IS) and len(words) <= 6 \
            or any(f" {p} " in clean for p in MEANS) and words[0] in ("what", "cosa", "che", "cos"):
        return True  # "what is the chat?", "what does voice message mean"
    return bool(found) and all(w in EXPLAIN_LEAD for w in words[:min(found)])


# not knowing, and nothing else said ("eh non lo so sinceramente", "dunno to be honest"): asked again, never a no
UNKNOWING = ("non lo so", "non so", "non saprei", "boh", "don t know", "dunno", "no idea", "not sure", "non sono sicuro",
             "non sono sicura", "couldn t say", "can t say")
HEDGING = {"eh", "ehm", "mah", "uh", "um", "er", "sinceramente", "davvero", "proprio", "really", "honestly", "to", "be",
           "honest", "guardi", "senta", "i", "io", "mi", "dispiace", "sorry", "scusi", "onestamente", "francamente",
           "truly", "mate", "love", "dear", "signora", "signorina", "cosa", "dire", "what", "say", "che", "le", "you"}


def only_unknowing(text: str) -> bool:
    """"eh non lo so sinceramente", "honestly i don't know": not knowing, with nothing but hedges beside it."""
    clean = f" {' '.join(normalise(text or '').split())} "
    found = False
    for phrase in sorted(UNKNOWING, key=len, reverse=True):
        if f" {phrase} " in clean:
            clean, found = clean.replace(f" {phrase} ", " "), True
    return found and set(clean.split()) <= HEDGING

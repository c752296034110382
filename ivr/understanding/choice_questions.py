"""A question about a choice or the offer is no choice (issue 15 §1, round 11): "is the chat free", "la chat costa
qualcosa", "il vocale lo ascolta una persona" at the options; "is there anything later", "c'è qualcosa più tardi" at the
windows (never the nearest window); "will the text come to this phone", "quale numero avete", "eh come?" at a yes/no
question. Each is asked again. Structural: a question (an opener, or words that only ask about a thing's cost, who
reads it, how it reaches the caller) with no choice, request or answer said before or with it; "the first one, how long
will it take" (option_rules.choice_before_question), "can you call me back", "sì, ma quando arriva?" stay answers."""
from __future__ import annotations

from ivr.understanding.answer_words import ANSWER_WORDS
from ivr.understanding.lexical import normalise

# what a caller asks about an option or the offer: its cost, who reads it, where and how it comes
PROPERTY = ("free", "work", "cost", "costs", "charge", "charged", "pay", "paid", "real person", "a person", "human",
            "anyone", "anybody", "listen", "listens", "landline", "smartphone", "internet", "whatsapp", "in italian",
            "in english", "at night", "gratis", "gratuito", "gratuita", "costa", "si paga", "a pagamento", "pagare",
            "persona", "qualcuno", "ascolta", "la sente", "lo sente", "fisso", "smartphone", "internet", "whatsapp",
            "in italiano", "in inglese", "di notte", "this phone", "this number", "questo numero", "questo telefono",
            "landline or", "mobile or", "fisso o", "cellulare o", "house phone", "che numero", "quale numero",
            "which number", "what number", "su che", "su quale", "arriva")
# words that ask about an option in Italian, said without an opener ("la chat costa qualcosa", "posso chattare dal fisso")
ASKED_IN_ITALIAN = ("gratis", "gratuito", "gratuita", "costa", "si paga", "a pagamento", "ascolta", "la sente",
                    "lo sente", "una persona", "persona vera", "dal fisso", "di notte", "in italiano", "in inglese",
                    "come funziona")
# what a caller asks about the offer of a text or the number read back: its cost, where it comes
OFFER_PROPERTY = ("free", "work", "cost", "costs", "charge", "gratis", "costa", "si paga", "this phone", "this number",
                  "questo numero", "questo telefono", "landline or", "mobile or", "fisso o", "cellulare o",
                  "house phone", "che numero", "quale numero", "which number", "what number", "su che", "su quale",
                  "arriva")
# an English question's opener (after a filler): "is the chat free", "will the text come to this phone"
OPENERS = {"is", "are", "does", "do", "did", "will", "would", "can", "could", "how", "what", "which", "where", "who",
           "when", "isn"}
FILLERS = {"ma", "but", "and", "e", "so", "um", "uh", "eh", "ehm", "oh", "sorry", "scusi", "scusa", "wait", "hang",
           "on", "just", "quick", "question", "una", "domanda", "senta", "senti", "listen"}
# a request phrased as a question ("can you call me back", "mi potete scrivere") or a choice said with it
REQUEST = ("can you", "could you", "would you", "will you", "can someone", "could someone", "call me", "ring me",
           "text me", "message me", "write to me", "potete", "potreste", "puo", "mi richiam", "richiamatemi",
           "chiamatemi", "scrivetemi", "mi scrivete", "mi chiamate", "can i leave", "can i have", "could i have",
           "can i get", "can we", "could we", "posso avere", "i ll", "i d", "i want",
           "i prefer", "preferisco", "voglio", "vorrei", "scelgo", "prendo", "faccio", "lascio", "allora", "then",
           "va bene", "fine", "ok", "okay", "please", "per favore")
# an answer at a yes/no question: a yes or a no said first stays the answer ("sì, ma quando arriva?")
ANSWERS = ANSWER_WORDS | {"giusto", "right", "correct"}
DENIALS = {"not", "nah", "naw", "non", "never", "mai", "macche", "two", "due", "one", "uno"}
# asking for a window other than those offered: something else, later, earlier
OTHER = ("anything", "something", "nothing", "any other", "another", "else", "qualcosa", "qualcos", "niente", "nulla",
         "altro", "altri", "altra", "a later", "an earlier", "any later", "any earlier", "later one", "earlier one")
ASKING = ("is there", "are there", "have you", "do you have", "got any", "any chance", "what about", "can you do",
          "c e", "ci sono", "avete", "non c", "e piu", "anything", "nothing", "niente", "nulla", "qualcosa")
# at a yes/no question an English question opens with these two words ("is that my landline", "will the text …")
OFFER_OPENERS = {"is", "are", "does", "will", "which", "what", "how", "where", "when", "isn"}
OFFER_NEXT = {"it", "that", "this", "the", "my", "there", "i", "a"}
# a choice's key or place said before a question: "the first one how long is it", "la due ma a che ora"
KEYED = {"first", "second", "third", "fourth", "last", "one", "two", "three", "four", "uno", "due", "tre", "quattro",
         "prima", "seconda", "terza", "quarta", "ultima", "option", "opzione", "numero", "number"}
# a window chosen or preferred after "nothing": "niente weekend meglio lunedì", "anything after four works"
PREFERRED = ("works", "good", "perfect", "perfetto", "benissimo", "meglio", "better", "rather", "instead", "prefer",
             "preferisco", "preferirei", "piuttosto", "suits", "do me")
# bare "eh come?", "pardon?": not heard, asked again (never a yes)
HUH = {"eh", "come", "cosa", "pardon", "what", "huh", "sorry", "scusi", "scusa", "prego", "cos", "e", "ah", "eh?"}


def _said(clean: str, phrases) -> bool:
    """A phrase said as whole words; "mi richiam" as the start of a word too ("mi richiamate", "mi richiami")."""
    return any(f" {p} " in clean for p in phrases) or any(f" {p}" in clean and p.endswith("richiam") for p in phrases)


def _opens_a_question(words: list[str]) -> bool:
    rest = list(words)
    while rest and rest[0] in FILLERS:
        rest = rest[1:]
    return bool(rest) and rest[0] in OPENERS


def option_asked_about(text: str) -> bool:
    """"is the chat free", "la chat costa qualcosa", "can i chat from a landline": a question about an option's cost,
    reader or reach, with no request or choice in it ("can you text me", "preferisco la chat che è gratis")."""
    words = normalise(text or "").split()
    clean = f" {' '.join(words)} "
    if _said(clean, REQUEST):
        return False
    return (_opens_a_question(words) and _said(clean, PROPERTY)) or _said(clean, ASKED_IN_ITALIAN)


def window_asked_other(text: str) -> bool:
    """"is there anything later", "non avete niente di domenica", "c'è qualcosa più tardi": a window other than those
    offered asked for, no choice (never the nearest window); "anything after four is fine" chooses."""
    clean = f" {' '.join(normalise(text or '').split())} "
    if clean.split()[:1] in (["la"], ["il"], ["the"]) or _said(clean, ("la piu", "il piu", "the latest", "the earliest")):
        return False  # "la più tardi che avete", "la più presto che c'è": a place among those offered
    asks = _said(clean, ASKING) or _opens_a_question(clean.split())
    other = _said(clean, OTHER) or _said(clean, ("later", "earlier", "sooner", "piu tardi", "piu presto", "prima"))
    return asks and other and not _said(clean, REQUEST + PREFERRED)


def offer_asked_about(text: str) -> bool:
    """"will the text come to this phone", "il messaggio arriva su questo numero", "is that my landline or my mobile",
    "ma è gratis", "eh come?": neither yes nor no, unless a yes or a no is said first ("sì ma quando arriva")."""
    words = normalise(text or "").split()
    if words and set(words) <= HUH:
        return True
    clean = f" {' '.join(words)} "
    if set(words) & (ANSWERS | DENIALS) or _said(clean, REQUEST):
        return False
    asks = len(words) > 1 and words[0] in OFFER_OPENERS and words[1] in OFFER_NEXT
    return asks or _said(clean, OFFER_PROPERTY)


def subject_of_question(text: str, head: str) -> bool:
    """"la chat costa qualcosa": the option named is what the question is about (no key, no "ma" after it), while "il
    vocale ma quanto dura", "the first one how long is it" name the choice, then ask."""
    words, said = normalise(text or "").split(), normalise(head).split()
    after = words[len(said)] if len(words) > len(said) else ""
    return option_asked_about(text) and not set(said) & KEYED and after not in FILLERS

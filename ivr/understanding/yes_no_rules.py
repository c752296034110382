"""A yes or a no read by the shape of the answer, before (or around) the yes/no menu models: a leading yes or
no whatever follows ("sì, è la fibra", "no, il problema è la bolletta"), a wish for something else
("preferirei parlare con qualcuno"), a lukewarm or "not really" answer at "was it useful?", a pause that is
no answer ("un attimo che controllo"), a question about what to do next.
"""
from __future__ import annotations

from ivr.understanding.answer_rules import ANSWER_NO
from ivr.understanding import answer_words
from ivr.understanding.answer_words import DONT, NEGATIONS, OK_WORDS
from ivr.understanding.lexical import normalise

# "preferisco parlare con qualcuno" at "shall we send the link?": a wish for something else is a no
PREFERENCE = ("preferisco", "preferirei", "piuttosto", "meglio se", "i d rather", "i would rather", "i d prefer",
              "i would prefer", "i prefer", "rather have", "rather speak", "rather talk")
# "non c'è bisogno", "no need": at a yes/no offer the thing is not wanted (at "was it useful?" it is a yes
# — "no need for an agent" — and the model reads it there)
NEEDLESS = ("non serve", "non mi serve", "non c e bisogno", "non ce n e bisogno", "non occorre", "non e necessario",
            "no need", "not necessary", "there s no need", "i don t need it", "don t need one")
YES_WORDS = answer_words.YES_FIRST | OK_WORDS
# a leading no that is not the answer: "no problem", "no need (for an agent)", "no, wait"
NOT_A_NO = ("no problem", "no worries", "no prob", "no need", "no idea", "no aspett", "no wait", "no hang",
            "no hold", "no un attimo", "no un momento", "no scusi", "no sorry", "no lo so", "no so", "mica male",
            "manco male", "nemmeno io", "neanche io", "nun lo so", "nun saccio", "nun aggio capito")
# no-words other than "no" that lead a refusal whatever follows: "macché", "mica tanto", "manco per sogno"
NO_LEAD = {"nun", "no", "manno", "nope", "nah", "naw", "nay", "macche", "mica", "manco", "nemmeno", "neanche", "neppure"}
# a leading "wrong": "negativo", "incorrect", "è sbagliato", "that's incorrect", whatever follows
WRONG = {"negativo", "negativa", "negative", "incorrect", "incorretto", "sbagliato", "sbagliata", "errato", "wrong"}
WRONG_LEAD = ("", "that s ", "it s ", "e ", "no e ", "thats ", "its ")
# a no that corrects what the caller said before: "no scusi mi sono spiegato male", "no sorry i misspoke"
MISSPOKE = ("spiegato male", "spiegata male", "espresso male", "espressa male", "detto male", "ho sbagliato",
            "cosa sbagliata", "capito male", "got that wrong", "got it wrong", "misspoke", "mis spoke",
            "said it wrong", "wrong thing", "came out wrong", "meant no", "intendevo no")
# "not really", "non proprio": at a yes/no or "was it useful?", a no, whatever follows ("… ho bisogno di aiuto")
NOT_REALLY = ("non proprio", "non tanto", "non molto", "non particolarmente", "non direi", "not really",
              "not quite", "not exactly", "not much", "not especially", "not so much", "i wouldn t say so")
# praise that leads an answer is a yes ("utilissimo", "brilliant cheers") when nothing in it is negated
PRAISE = {"utilissimo", "utilissima", "utilissimi", "ottimo", "ottima", "benissimo", "perfetto", "perfetta",
          "perfect", "brilliant", "excellent", "fantastic", "splendid", "superb", "fab", "lifesaver", "spot"}
NEGATED = NEGATIONS | DONT | {"ma", "but", "pero", "doesn", "didn", "isn", "still", "ancora"}
# a question about what to do next ("e adesso che devo fare?", "so what now?"): no answer, asked again
WHAT_NEXT = ("che devo fare", "cosa devo fare", "che faccio", "cosa faccio", "che si fa", "cosa si fa",
             "come faccio", "what do i do", "what should i do", "what now", "what am i supposed to do",
             "what do i have to do", "what happens now", "now what", "what next", "what s next")
# a clear yes that leads an answer going on with context ("sì, è la fibra", "yes but be quick"): the yes
YES_LEAD = {"si", "yes", "yeah", "yep", "yup", "affermativo", "esatto", "esattamente", "certo", "certamente",
            "correct", "corretto", "corretta", "confermo", "affirmative", "correcto",
            "sicuro", "sicuramente", "ovviamente", "absolutely", "definitely", "exactly"}
YES_LEAD_PAIRS = ("eh gia", "uh huh", "mm hmm", "of course", "that s right", "proprio cosi", "come no", "please do",
                  "go ahead", "aye")
# a hedge before a clear yes ("abbastanza sì", "well yes mostly"): the yes
HEDGES = {"abbastanza", "direi", "beh", "mah", "diciamo", "well", "mostly", "fairly", "pretty", "eh", "ehm", "um",
          "er", "allora", "ecco", "oh"}
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
ANSWER_WORDS = answer_words.ANSWER_WORDS


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
    lead = 2 if words[:2] == ["come", "no"] else 1  # "come no grazie": the "no" is the yes's own
    if not words or reading in ("repeat", "dont_know") or set(words[lead:lead + 2]) & TAKEN_BACK:
        return reading
    accented = (text or "").strip().lower().startswith("sì")
    pronoun = words[0] == "si" and not accented and len(words) > 1 and words[1] not in SI_THEN
    if (words[0] in YES_LEAD and not pronoun) or any(clean == p or clean.startswith(p + " ") for p in YES_LEAD_PAIRS):
        return "yes"
    hedged_si = words[1:2] == ["si"] and "sì" not in (text or "").lower() and words[2:3] and words[2] not in SI_THEN
    if words[0] in HEDGES and words[1:2] and words[1] in YES_LEAD and not set(words[2:4]) & TAKEN_BACK \
            and not hedged_si:  # "abbastanza sì"; not "beh si vede che non va" (the pronoun)
        return "yes"
    if words[0] == "magari" and set(words) <= MAGARI_WITH:
        return "yes"
    if set(words[:2]) & PRAISE and not set(words) & NEGATED:  # "utilissima grazie", "davvero ottimo"
        return "yes"
    return reading


def holding_on(text: str) -> bool:
    """"un attimo che controllo", "hang on i'll check if it works": only asking for time, no yes or no."""
    words = normalise(text or "").split()
    clean = " ".join(words)
    return any(clean == p or clean.startswith(p + " ") for p in HOLDING) and not set(words) & ANSWER_WORDS


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
    if reading not in (None, "yes") or not words:
        return reading
    corrects = any(f" {p} " in f" {clean} " for p in MISSPOKE)  # "no scusi, mi sono spiegato male": a no
    if words[0] in NO_LEAD and (len(words) > 1 or words[0] not in ANSWER_NO) \
            and (corrects or not any(clean.startswith(p) for p in NOT_A_NO)):
        return "no"
    if any(f"{clean} ".startswith(f"{lead}{wrong} ") for lead in WRONG_LEAD for wrong in WRONG) \
            or any(clean == p or clean.startswith(p + " ") for p in NOT_REALLY):
        return "no"
    return reading


def asks_what_next(text: str) -> bool:
    """"e adesso che devo fare?", "what am I supposed to do now?": a question, no yes or no in it."""
    words = normalise(text or "").split()
    clean = f" {' '.join(words)} "
    return any(f" {p} " in clean for p in WHAT_NEXT) and not set(words) & ANSWER_WORDS


# "non capisco la domanda", "i not understand question": the question not understood, asked again (not a no)
NOT_UNDERSTOOD = ("non capisco", "non ho capito", "non capito", "no capito", "no capisco", "not understand",
                  "no understand", "don t understand", "didn t understand", "dont understand", "didn t get",
                  "don t get")
QUESTION = {"domanda", "question", "cosa", "what", "chiede", "asking", "mean", "intende", "dice", "saying"}


def not_understood(text: str) -> bool:
    """"io non capisco la domanda", "sorry i no understand what you ask": the caller did not understand the
    question (short, or naming the question), no answer to it."""
    words = normalise(text or "").split()
    clean = f" {' '.join(words)} "
    return any(f" {p} " in clean for p in NOT_UNDERSTOOD) and (len(words) <= 5 or bool(set(words) & QUESTION))


NO_AGENT_NEEDED = ("no need for", "non serve", "non c e bisogno di", "don t need", "no need of", "non mi serve")
AGENT_WORDS = {"agent", "operator", "person", "someone", "anyone", "operatore", "operatrice", "persona", "nessuno",
               "qualcuno", "human", "advisor", "anybody", "somebody"}


def agent_not_needed(text: str) -> bool:
    """"no need for an operator now, all sorted": at "was it useful?" a yes (no agent wanted); the agent
    named within three words of the phrase ("non serve a niente, voglio un operatore" is no such answer)."""
    clean = f" {' '.join(normalise(text or '').split())} "
    for phrase in NO_AGENT_NEEDED:
        at = clean.find(f" {phrase} ")
        if at >= 0 and set(clean[at + len(phrase) + 2:].split()[:3]) & AGENT_WORDS:
            return True
    return False


# "vediamo un po'", "we'll see": no answer yet, asked again
WAIT_AND_SEE = ("vediamo", "vedremo", "staremo a vedere", "si vedra", "chissa", "we ll see", "we will see",
                "let s see", "lets see", "time will tell", "remains to be seen", "see how it goes")
# "chi vi ha dato il mio numero?", "how did you get this number?": a question about the number, no answer
HOW_KNOWN = ("come fate ad avere", "come avete avuto", "come avete il", "come fate ad avere il", "chi vi ha dato",
             "chi ve l ha dato", "dove avete preso", "dove l avete preso", "dove avete trovato", "how did you get",
             "how do you have", "how have you got", "how come you have", "where did you get", "who gave you",
             "where d you get", "why do you need", "why do you want", "what do you need my", "perche vi serve",
             "a cosa vi serve", "perche volete", "come mai avete")
# "le do un altro numero", "i'll give you another one to ring": at "shall we call you on …?" a no
ANOTHER_NUMBER = ("altro numero", "numero diverso", "cambiare numero", "cambiare il numero", "another number",
                  "different number", "other number", "give you another", "give you a different", "change the number",
                  "change number", "alternative number", "alternate number", "numero alternativo",
                  "recapito alternativo", "recapito diverso", "altro recapito", "un recapito")
# …and these only when a number follows ("vi do il fisso", not "le do conferma", "vi do l'ok", "give you my consent"),
# changing it only when no negation leads ("non serve cambiarlo", "no need to change it": the number is kept)
GIVE_NUMBER = ("le do", "vi do", "ve ne do", "le detto", "vi detto", "le lascio il", "vi lascio il", "give you my",
               "cambiarlo", "change it")
NUMBER_WORDS = {"numero", "cellulare", "fisso", "telefono", "uno", "altro", "diverso", "quello", "number", "mobile",
                "landline", "cell", "one", "another", "other", "different", "work", "lavoro", "casa", "home"}
KEPT = {"non", "don", "not", "never", "need", "serve", "bisogno", "occorre"}


def no_answer_yet(text: str) -> bool:
    """"mah vediamo", "we'll see", "chi vi ha dato il mio numero": no yes or no in it, asked again."""
    words = normalise(text or "").split()
    clean = f" {' '.join(words)} "
    return any(f" {p} " in clean for p in WAIT_AND_SEE + HOW_KNOWN) and not set(words) & ANSWER_WORDS


def another_number(text: str) -> bool:
    """"aspetti le do il cellulare", "i'll give you a different one": another number offered, a no to the one
    read out; not when a yes leads ("sì, le do anche l'altro numero")."""
    words = normalise(text or "").split()
    clean = f" {' '.join(words)} "
    if not words or words[0] in YES_LEAD:
        return False
    for phrase in GIVE_NUMBER:
        at = clean.find(f" {phrase} ")
        change = phrase in ("cambiarlo", "change it")
        if at >= 0 and (not set(clean[:at].split()[-3:]) & KEPT if change
                        else set(clean[at + len(phrase) + 2:].split()[:3]) & NUMBER_WORDS):
            return True
    return any(f" {p} " in clean for p in ANOTHER_NUMBER)

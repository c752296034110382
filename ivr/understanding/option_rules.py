"""The options menu read by the shape of the answer, before its model: wanting to choose the time is the window;
the option named first wins over words of another option inside the reason that follows; a call asked for right
away ("richiamatemi subito", "call me back straight away", "al più presto") is as soon as possible, whatever time
of day the reason names ("… che smonto dal turno di notte", "… i work evenings").

The menu model learns what the words mean; it cannot learn which part of a long answer is the choice and which the
reason, and a reason full of times or of "scrivere" pulls it towards the window or the chat.
"""
from __future__ import annotations

from ivr.understanding.answer_rules import DICTATED, NEGATORS, SENT_TO_ME, after_reason
from ivr.understanding.lexical import normalise
from ivr.understanding.times_said import time_said
from ivr.understanding.yes_no_rules import HOLDING

# "scelgo io quando", "l'orario lo decido io", "i'll pick the time", "let me choose when": the window
CHOOSER = {"scelgo", "decido", "stabilisco", "dico", "fisso", "scegliere", "decidere", "stabilire", "fissare", "choose",
           "pick", "decide", "set", "say", "name", "fix", "choosing", "scelta"}
WHEN = {"quando", "orario", "ora", "momento", "giorno", "when", "time", "day", "hour", "moment", "slot"}
MINE = {"io", "i", "me", "myself", "my", "mia"}
# the options by their names: said before a reason, the one meant ("un vocale perché non so scrivere")
NAMES = {"voicemail": ("messaggio vocale", "vocale", "segreteria", "voice message", "voicemail", "voice mail",
                       "voice note", "recorded message"),
         "chat": ("chat", "chattare", "whatsapp", "messenger", "chatting")}
OPTION_WORDS = {word for names in NAMES.values() for name in names for word in name.split()}
# where a reason begins, after the choice: "perché …", "che …", "since …", "i'm …"
REASON = {"perche", "perch", "che", "siccome", "visto", "poiche", "dato", "tanto", "because", "cause", "cos", "coz",
          "since", "as", "sono", "ho", "i", "my", "non", "io"}
# after the name, a negation that takes it back: "la chat non la so usare", "il vocale io non lo voglio"
TAKEN_BACK = {"la", "lo", "li", "le", "l", "it", "that", "mi", "ci", "io"}
# a call wanted right away, said after a call verb ("richiamatemi subito", "ring me back now")
NOW = {"subito", "adesso", "ora", "immediatamente", "now", "immediately", "asap", "straightaway"}
NOW_PAIRS = ("straight away", "right away", "right now", "at once", "adesso stesso", "ora stesso", "in fretta")
# …or anywhere, politely ("al più presto", "non appena possibile", "at your earliest convenience")
SOON = ("al piu presto", "quanto prima", "appena possibile", "prima possibile", "il prima possibile", "appena potete",
        "as soon as possible", "as soon as you can", "earliest convenience", "earliest opportunity", "soonest")
# said first, they ask for the call right away too ("subito per favore", "straight away please")
OPENERS = {"subito", "immediatamente", "immediately", "asap", "straightaway", "straight away", "right away",
           "at once"}
CALL = {"richiamatemi", "chiamatemi", "richiamami", "chiamami", "richiamate", "chiamate", "richiamarmi", "chiamarmi",
        "ricontattatemi", "ricontattarmi", "ricontattata", "ricontattato", "richiamata", "richiamato", "call", "ring",
        "phone", "callback", "contact", "richiamare", "chiamare", "fate", "fatemi",
        "richiami", "chiami", "ricontatti"}   # "mi richiami subito": the caller's "Lei"
# a call wanted, after the option's name: a verb asking for it, or a call preferred ("i'd prefer a call")
CALLED = {"richiamatemi", "chiamatemi", "richiamami", "chiamami", "richiamarmi", "chiamarmi", "ricontattatemi",
          "ricontattarmi", "ricontattata", "ricontattato", "richiamata", "richiamato", "richiami", "chiami", "callback"}
CALL_ME = ("call me", "ring me", "phone me", "call back", "ring back", "call you back")
WANT = {"want", "prefer", "rather", "like", "need", "voglio", "vorrei", "preferisco", "preferirei"}
OWNED = {"the", "my", "your", "our", "shop", "home", "mobile", "work", "office", "landline", "a"}   # "the shop phone"
CALL_FILLER = {"me", "back", "mi", "pure", "voi", "you", "please", "per", "favore", "just", "then", "allora", "pero"}
# "richiamatemi voi", "you ring me": the call wanted, no time named, as soon as possible
YOU_CALL = ("richiamatemi voi", "chiamatemi voi", "mi richiamate voi", "mi chiamate voi", "richiamate voi",
            "you call me", "you ring me", "you phone me", "you call back", "you ring back", "you lot ring me")
# where the clause that asks ends and its reason begins
CLAUSE_END = REASON - {"non", "io"} | {"quindi", "percio", "so", "but", "ma", "pero", "and", "e", "intanto",
                                             "meanwhile", "while", "mentre"}
# a correction after it: "richiamata subito, anzi no, meglio la chat" is no call right away
CORRECTION = {"anzi", "actually", "rather", "instead", "invece", "meglio", "preferisco", "preferirei", "better"}
AFTER_NOW = {"dopo", "after", "prima", "before", "domani", "tomorrow", "stasera", "tonight", "later", "piu"}
# a question about the choice just made ("the first one, how long is that roughly?", "la uno ma quanto ci mettete?")
QUESTIONS = ("how long", "how much", "how does", "how do", "how will", "how soon", "how quick", "what time",
             "what happens", "when will", "when would", "is that", "is it", "will it", "will that", "would that",
             "does that", "does it", "quanto ci", "quanto tempo", "quanto costa", "quanto devo", "quanto bisogna",
             "quanto dura", "quanto si", "tra quanto", "fra quanto", "entro quando", "come funziona", "come si fa",
             "a che ora", "che ora", "cosa succede", "che succede", "ci vuole", "ci vorra", "costa", "e gratis")
QUESTION_HEAD = 5   # words before the question, at most: the choice, not a story
JOINS = {"ma", "but", "and", "e", "pero", "so", "quindi", "allora", "then", "ok", "okay"}
# busy at a shop's till or in a queue while asking for a moment ("hang on a sec i'm paying at the till", "un momento
# sono alla cassa"): no choice yet ("till" a till there, never a span of time)
BUSY = {"paying", "pago", "pagare", "pagando", "till", "cassa", "checkout", "queue", "queuing", "fila", "coda",
        "counter", "bancone", "cashier", "cassiera", "cassiere", "parcheggio", "parking", "driving", "guidando"}


def choose_time(text: str) -> bool:
    """"scelgo io quando", "l'orario lo decido io", "i'll pick the time", "let me choose when": the window."""
    words = normalise(text or "").split()
    for at, word in enumerate(words):
        before = set(words[max(0, at - 3):at])
        if word not in CHOOSER or before & (NEGATORS | {"t", "cannot", "you", "voi", "lei", "tu"}):
            continue  # "non scelgo io", "i can't choose", "you choose the time": no wish to choose
        near = set(words[max(0, at - 4):at + 5])
        if _when_chosen(words, at) and (near & MINE or "let" in words[max(0, at - 3):at]):
            return True
    return False


def _when_chosen(words: list[str], at: int) -> bool:
    """Whether a word for the time stands near the chooser at `at` as what is chosen: no option named between them
    ("io dico la chat, ora non posso", "i'd say the chat") and not "no time" ("i'd say chat no time to talk")."""
    for near in range(max(0, at - 4), min(len(words), at + 5)):
        between = set(words[min(at, near) + 1:max(at, near)])
        if words[near] in WHEN and words[near - 1:near] != ["no"] and not between & OPTION_WORDS:
            return True
    return False


def choice_before_question(text: str) -> str:
    """"the first one how long is that roughly" -> "the first one": the few words said before a question about the
    choice (they are the choice), or "" when the answer opens with the question, tells more first, or names a time in
    the question."""
    words = normalise(text or "").split()
    clean = f" {' '.join(words)} "
    found = [len(clean[:clean.index(f" {q} ")].split()) for q in QUESTIONS if f" {q} " in clean]
    at = min(found, default=0)
    head = words[:at]
    while head and head[-1] in JOINS:
        head = head[:-1]
    if not 0 < len(head) <= QUESTION_HEAD or not time_said(" ".join(words[at:])).empty:
        return ""  # "call me back, is that possible tomorrow morning?": the time asked for is in the question
    return " ".join(head)


def busy_paying(text: str) -> bool:
    """"hang on a sec i'm paying at the till", "un momento sono alla cassa": a moment asked for while busy in a shop,
    with no option named and no call asked for: no choice yet."""
    words = normalise(text or "").split()
    clean = f" {' '.join(words)} "
    chosen = set(words) & (OPTION_WORDS | CALL | {"text", "message", "messaggio", "scrivetemi", "messaggi"})
    return bool(set(words) & BUSY) and not chosen and any(f" {p} " in clean for p in HOLDING)


def named_first(text: str, defer: bool = True) -> str | None:
    """The option named before a reason ("un vocale perché non so scrivere" -> voicemail, "the chat please i
    can't talk out loud" -> chat), or None: none named, two named, or the name refused; with `defer`, None too
    when a choice may follow the reason ("il vocale è difficile, meglio la chat": answer_rules.after_reason)."""
    words = normalise(text or "").split()
    cut = next((i for i, w in enumerate(words) if i and w in REASON), len(words))
    refused = (words[cut:cut + 1] == ["io"] and set(words[cut + 1:cut + 2]) & NEGATORS) \
        or (words[cut:cut + 1] == ["non"] and set(words[cut + 1:cut + 2]) & TAKEN_BACK)
    if cut == len(words) or (defer and after_reason(text)) or set(words[:cut]) & NEGATORS or refused \
            or _call_wanted(words[cut:]):
        return None  # none named, a choice after the reason, the name refused ("il vocale io non lo voglio"), or
        # a call wanted after it ("the chat is too hard for me, call me back", "la chat non la so usare, chiamatemi")
    head = f" {' '.join(words[:cut])} "
    named = {option for option, names in NAMES.items() if any(f" {n} " in head for n in names)}
    return named.pop() if len(named) == 1 else None


def _call_wanted(words: list[str]) -> bool:
    """A call asked for ("chiamatemi", "call me back", "i'd prefer a call"): then the option named before it is
    what the caller talks about, not what they choose."""
    clean = f" {' '.join(words)} "
    wish = any(w in CALLED for w in words) or any(f" {p} " in clean for p in CALL_ME)
    return wish or any(w in WANT and set(words[at + 1:at + 4]) & {"call", "chiamata", "telefonata"}
                       for at, w in enumerate(words))


def _clause(words: list[str], at: int, width: int) -> list[str]:
    """The words of the clause around words[at:at + width], between the reasons and choices said around it;
    from the call verb when one leads to it ("finisco il turno di notte, chiamatemi subito": the night a reason)."""
    start = max((i + 1 for i in range(at) if words[i] in CLAUSE_END), default=0)
    start = max([start] + [i for i in range(start, at) if words[i] in CALL])
    end = next((i for i in range(at + width, len(words)) if words[i] in CLAUSE_END
                and not (words[i] == "as" and "soon" in words[i - 1:i + 2])), len(words))  # "as soon as": no end
    return words[start:end]


def asap_asked(text: str) -> bool:
    """A call asked for right away ("richiamatemi subito che smonto dal turno", "ring me now i do nights",
    "vorrei essere ricontattata al più presto", "richiamatemi voi"): as soon as possible, when the clause that
    asks names no day or hour of its own ("chiamatemi subito domani mattina", "subito dopo le sei": a time), and
    not when another option is named with no call asked for ("la chat prima possibile", "send me a text as soon as
    you can": that option, soon)."""
    words = normalise(text or "").split()
    clean = f" {' '.join(words)} "
    other = set(words) & OPTION_WORDS or any(f" {p} " in clean for p in SENT_TO_ME + DICTATED)
    if other and not set(words) & CALL:
        return False
    found = []  # (position, width) of each way of asking right away
    for at, word in enumerate(words):
        if word in NOW and (_after_call(words, at) or (at == 0 and word in OPENERS)):
            found.append((at, 1))
    for phrase in NOW_PAIRS + SOON + YOU_CALL:
        if f" {phrase} " in clean:
            at = len(clean[:clean.index(f" {phrase} ")].split())
            if set(words[max(0, at - 2):at]) & {"se", "if", "when"}:
                continue  # "if you call me …": a condition, no wish
            if phrase not in NOW_PAIRS or _after_call(words, at) or (at == 0 and phrase in OPENERS):
                found.append((at, len(phrase.split())))
    for at, width in found:
        before, after = words[max(0, at - 2):at], words[at + width:at + width + 1]
        if set(before) & NEGATORS - {"non"} or (before[-1:] == ["non"] and words[at:at + 1] != ["appena"]) \
                or set(after) & (AFTER_NOW | {"no"}):
            continue  # "non subito", "now no", "subito dopo le sei", "as soon as possible tomorrow"
        if time_said(" ".join(_clause(words, at, width))).empty and not set(words[at + width:]) & CORRECTION:
            return True
    return False


def _after_call(words: list[str], at: int) -> bool:
    """Whether the word at `at` follows a call verb, with "me", "back", "pure" between; not in a condition ("se
    mi richiamate subito perdo il posto?", "if you call me now": a question about it) nor refused ("non mi
    chiamate ora sono al lavoro", "don't ring me now": no call now)."""
    back = at - 1
    while back >= 0 and words[back] in CALL_FILLER:
        back -= 1
    return back >= 0 and words[back] in CALL \
        and not set(words[max(0, back - 2):back]) & ({"se", "if", "when"} | NEGATORS)


def time_for_call(text: str) -> bool:
    """A time named in the clause that asks for the call ("richiamatemi voi alle sei", "ring me back as soon as you
    can tomorrow morning"): an hour, a part of the day or another day, so the window, whatever else is said."""
    words = normalise(text or "").split()
    at = next((i for i, w in enumerate(words) if w in CALL and not (i and words[i - 1] in OWNED)), None)
    if at is None:
        return False
    said = time_said(" ".join(_clause(words, at, 1)))
    return said.hour is not None or said.part is not None or bool(said.day) or said.weekday is not None \
        or said.date is not None


# a wish to write, said plainly or as a learner ("io preferire scrivere", "me write better", "for me is more easy
# writing", "mandatemi un sms e ci scriviamo"): the chat, never the voice message, "message" in it or not
WRITE = {"scrivere", "scrivo", "scriviamo", "scriviamoci", "scrivendo", "write", "writing", "writes", "typing", "type",
         "written"}
SPOKEN = {"vocale", "voce", "voice", "registrare", "registro", "registrato", "record", "recorded", "recording",
          "dettare", "detto", "dictate", "segreteria", "answerphone", "voicemail", "listen", "ascoltare"}
LEARNER_WISH = {"preferire", "volere", "vuole", "want", "prefer", "like", "meglio", "better"}
# writing something down for oneself is no wish to write to us ("aspetti che mi scrivo l'orario", "write it down")
NOTED = ("mi scrivo", "me lo scrivo", "me lo segno", "write it down", "write down", "write that down", "scrivo l orario",
         "scrivermi il", "scrivo il numero", "lo scrivo", "written down", "written it",
         "written that")


def writing_wished(text: str) -> bool:
    """A wish to write (not refused, not a note for oneself, no voice message named): the chat."""
    words = normalise(text or "").split()
    clean = f" {' '.join(words)} "
    if any(w in SPOKEN and not set(words[max(0, at - 2):at]) & NEGATORS for at, w in enumerate(words)) \
            or any(f" {p} " in clean for p in NOTED):
        return False  # "message write not voice": the voice refused
    if any(w in ("chat", "whatsapp") and set(words[max(0, at - 3):at]) & LEARNER_WISH for at, w in enumerate(words)):
        return True  # "io non parlare bene preferire chat"
    return any(w in WRITE and not set(words[max(0, at - 2):at]) & (NEGATORS | {"can", "cannot", "t", "so"})
               for at, w in enumerate(words))


"""What a spoken answer at each menu means, as the call acts on it: the one reading shared by the call's
readers (ivr/call/answers.py) and the menu evaluation (`python -m ivr.understanding menus`).

Each function returns what the call would do, or None: "not understood", asked again. `repeat` and
`dont_know` are read too (so they are never taken for a choice) and are asked again as well. The shape of
an answer is read by rule first (answer_rules.py: a key's digit said, a refusal and its alternative, a
wish for something else), then its words by the menu model.
"""
from __future__ import annotations

from datetime import datetime

from ivr.understanding.answer_rules import (YES_NO_KEYS, about_choices, after_reason, after_refusal, key_led,
                                            key_pressed, key_said, key_with_reason, last_said, wanted_instead)
from ivr.understanding.yes_no_rules import (agent_not_needed, another_number, asks_what_next, holding_on,
                                            leading_no, leading_yes, lukewarm, no_answer_yet, not_understood,
                                            prefers_other)
from ivr.understanding.choice_questions import (offer_asked_about, option_asked_about, subject_of_question,
                                                window_asked_other)
from ivr.understanding.asides import only_unknowing, outside_aside, wants_explaining
from ivr.understanding.device_state import UNSURE as ON_ITS_WAY, not_tried_yet, state_said
from ivr.understanding.formal_words import formal_answer, saying_refused
from ivr.understanding.lead_ins import someone_else_knows, theirs_confirmed, theirs_wanted, without_lead_in
from ivr.understanding.lexical import normalise
from ivr.understanding.line_trouble import line_trouble
from ivr.understanding.meal_times import next_week_named
from ivr.understanding.menus import MenuModel
from ivr.understanding.number_readings import number_said
from ivr.understanding.outage_offer import person_asked, strongly_denied, text_from_someone
from ivr.understanding.relief import how_to_check, relieved, without_relief
from ivr.understanding.option_rules import (asap_asked, busy_paying, choice_before_question, choose_time, named_first,
                                            time_for_call, writing_wished)
from ivr.understanding.second_thoughts import (checking_later, key_named, last_answer, lost_note, no_choice_yet,
                                               number_after_turn, number_restarted, times_then_pick, without_aside)
from ivr.understanding.spoken_numbers import digits_from_speech
from ivr.understanding.times_said import time_said
from ivr.understanding.window_choice import place_before_reason, resolve
from ivr.understanding.yes_tone import (NO, UNSURE, no_before_question, number_pointed, other_one, pointed_yes,
                                        sarcasm, without_exclamation, without_stammer)

OPTIONS = ("asap", "window", "chat", "voicemail")
# the outage offer (1 a text when fixed, 2 someone to speak to) is read by the yes_no model, with its own rule
OUTAGE = "outage"
YES_NO_MENUS = ("yes_no", OUTAGE)
ORDINALS = {"first": 0, "second": 1, "third": 2}   # "last": the latest window offered
ASKED_AGAIN = (None, "repeat", "dont_know")
# after "un attimo", "hang on": a reason for the pause, no choice ("che suonano", "someone's at the door")
PAUSE_REASONS = {"che", "perche", "mentre", "sto", "devo", "someone", "somebody", "there", "the", "while", "i",
                 "my", "cause", "because", "suonano", "bussano", "squilla", "arriva", "c"}
# "no, è il 347 …" at "shall we call you on …?" carries a number when it has at least this many digits
NUMBER_DIGITS = 6


def option(menus: MenuModel, text: str) -> str | None:
    """asap | window | chat | voicemail, or None. "premo il tre" is key 3; "non richiamatemi, lascio un
    messaggio" the message (the refused choice is not taken); a time named ("stasera", "verso le sei") when
    the model is unsure is a window: the caller wants to be called then. "Two sorry", "faccio il tre" are
    keys; "l'ultima" the last option; after a reason ("… non posso parlare, preferisco chattare") what
    follows "preferisco", "quindi", "so" is the choice. By option_rules.py first: "scelgo io quando" is the
    window, the option named before its reason wins over another's words in it ("un vocale, non so scrivere"),
    and a call asked for right away is as soon as possible whatever time of day the reason names."""
    text = said_to_us(without_aside(text))  # "aspetta amore …, ecco …", "mia moglie dice …", "in merito …"
    if not text:  # "un attimo che il cane abbaia": no choice in an aside
        return None
    key = key_pressed(text) or key_said(text) or key_led(text) or key_with_reason(text) or key_named(text)
    if key is not None:
        return OPTIONS[key - 1] if key <= len(OPTIONS) else None
    if last_said(text):
        return OPTIONS[-1]
    head = choice_before_question(text)  # "the first one, how long is that?": the choice, then a question about it
    if head and not subject_of_question(text, head) and (chosen := option(menus, head)) is not None:
        return chosen
    if option_asked_about(text):  # "is the chat free", "la chat costa qualcosa": a question, asked again (round 11)
        return None
    if about_choices(text) or paused(text) or no_choice_yet(text) or line_trouble(text) or busy_paying(text) \
            or wants_explaining(text):
        return None
    if choose_time(text) or times_then_pick(text):
        return "window"
    named = named_first(text) or ("asap" if asap_asked(text) else None)
    if named is not None:
        return named
    if writing_wished(text):  # "io preferire scrivere", "me write better": the chat
        return "chat"

    def read(part: str) -> str | None:
        choice = menus.read("options", part).choice
        return choice if choice in OPTIONS else None

    tail = after_reason(text)
    chosen = after_refusal(read, tail, read(tail)) if tail else None
    if chosen is not None:
        return wanted_instead(tail, chosen)
    named = named_first(text, defer=False)  # "chat please, … so calls are hard": no choice after the reason
    if named is not None:
        return named
    choice = wanted_instead(text, after_refusal(read, text, read(text)))
    if choice is None and menus.read("options", text).choice is None \
            and (not time_said(text).empty or next_week_named(normalise(text))[1]):  # "la settimana prossima"
        return "window"
    return "window" if choice == "asap" and time_for_call(text) else choice  # "richiamatemi voi alle sei"


def said_to_us(text: str) -> str:
    """The answer without a relay or a formal lead-in ("mia moglie dice che …", "in merito alla sua domanda …") and
    without an aside to a child or a pet; "" when nothing but the aside was said (asides.py, lead_ins.py)."""
    text = without_lead_in(text)
    rest = outside_aside(text)
    return text if rest is None else rest


def paused(text: str) -> bool:
    """"un momento che suonano alla porta", "hang on someone's at the door": a pause and its reason, no
    choice (never "a moment" taken for a time); "un attimo, mi richiamate" goes on to one."""
    if not holding_on(text):
        return False
    rest = normalise(text).split()
    return not rest[2:] or rest[1] in PAUSE_REASONS or rest[2] in PAUSE_REASONS


def yes_or_no(menus: MenuModel, text: str, menu: str = "yes_no") -> str | None:
    """"yes" | "no", or None (not understood, "repeat", "don't know")."""
    choice = _yes_no_reading(menus, menu, text)
    return choice if choice in ("yes", "no") else None


def _yes_no_reading(menus: MenuModel, menu: str, text: str) -> str | None:
    """A yes/no menu's reading: key 1 yes, 2 no (said with a hedge too: "two sorry"); only asking for time,
    not understood; a wish for something else, no; "insomma" at "was it useful?", no; else the model's,
    where an answer led by a clear yes is a yes and one led by a no ("no", "macché", "mica") a no. A mocking
    yes (yes_tone.py) is a no when denied, else asked again; not hearing the call (line_trouble.py) is no answer.
    Round 9: a relay, a formal lead-in or an aside to a child or a pet is left out first; at OUTAGE a person asked for
    is key 2 (outage_offer.py); at "was it useful?" the device's state said is read (device_state.py)."""
    model = "yes_no" if menu == OUTAGE else menu
    if menu != "helpful" and theirs_confirmed(text):  # "it's my husband's phone but yes call me on it"
        return "yes"
    if menu != "helpful" and theirs_wanted(text):  # "ring my wife's mobile instead"
        return "no"
    if menu != "helpful" and someone_else_knows(text):  # "il numero lo sa mia figlia"
        return None
    text = without_stammer(without_exclamation(said_to_us(text)))  # "mizzica sì", "mio marito dice che …", "qu quello"
    if not text:  # "no bruno giù dal divano": said to the dog
        return None
    mocked = sarcasm(text, helpful=menu == "helpful")  # "sì come no, non c'entra niente": never a yes
    if mocked in (NO, UNSURE):
        return "no" if mocked == NO else None
    if saying_refused(text):  # "i refuse to say no": asked again
        return None
    if (last := last_answer(text)) is not None:  # "no cioè sì", "… quindi no": the answer said last
        return last
    key = key_pressed(text) or key_said(text) or key_led(text) or key_named(text)
    if key is not None:
        return YES_NO_KEYS.get(key)
    if holding_on(text) or about_choices(text) or asks_what_next(text) or many_digits(text) \
            or not_understood(text) or wants_explaining(text) or how_to_check(text):  # "how do I tell if it works"
        return None
    if menu in YES_NO_MENUS and offer_asked_about(text):  # "will the text come to this phone", "eh come" (round 11)
        reading = menus.read(model, text).choice
        return reading if reading in ASKED_AGAIN else None
    # "we'll see", "devo sentire mio figlio", "non trovo il foglietto": never a yes or a no ("don't know" asked again)
    if no_answer_yet(text) or checking_later(text) or (menu in YES_NO_MENUS and lost_note(text)) \
            or line_trouble(text) or not_tried_yet(text) or only_unknowing(text):
        reading = menus.read(model, text).choice
        return reading if reading in ASKED_AGAIN else None
    if relieved(text):  # "eh sì meno male", "thank goodness": a yes, unless a fault follows; elsewhere the rest read
        if menu == "helpful" or relieved(text, alone=True):
            return "no" if menu == "helpful" and state_said(without_relief(text)) == "no" else "yes"
        text = without_relief(text)  # "meno male sì è quello": "sì è quello"
    if (menu == OUTAGE and person_asked(text)) or strongly_denied(text):  # the offer's key 2; "sbagliato di grosso"
        return "no"
    if menu == OUTAGE and (agent_not_needed(text) or text_from_someone(text)):  # "no need for a person, just text me"
        return "yes"
    if menu != "helpful" and (formal := formal_answer(text)) is not None:  # "acconsento", "non corrisponde"
        return formal
    if prefers_other(text, needless=menu in YES_NO_MENUS) or (menu == "helpful" and lukewarm(text)) \
            or (menu in YES_NO_MENUS and another_number(text)) or (menu == "yes_no" and other_one(text)):
        return "no"
    if (menu == "helpful" and agent_not_needed(text)) or pointed_yes(text) \
            or (menu == "yes_no" and number_pointed(text)):  # "ecco brava è quello", "ring me on that one"
        return "yes"
    if menu == "helpful" and (state := state_said(text)) is not None:  # "the light's green now", "still dead"
        return None if state == ON_ITS_WAY else state
    if no_before_question(text):  # "no, so what now?": the no stands
        return "no"
    reading = menus.read(model, text).choice
    return leading_no(text, leading_yes(text, reading))


def window(menus: MenuModel, text: str, offered: list[tuple[datetime, datetime]], now: datetime) -> int | None:
    """The index of the offered window named by its key ("il due"), its time ("domani pomeriggio"), its date
    ("il quindici") or its place ("la seconda", "l'ultima")."""
    text = said_to_us(text)
    if not text:
        return None
    key = key_pressed(text) or key_said(text) or key_with_reason(text)
    if key is not None and key <= len(offered):
        return key - 1
    if offered and (place := place_before_reason(text, len(offered))) is not None:
        return place  # "l'ultima perché martedì lavoro": the place, not the reason's day
    if window_asked_other(text):  # "is there anything later", "non avete niente di domenica": asked again (round 11)
        return None
    named, index = resolve(text, offered, now)
    if named or key is not None:  # a time or a date said: only a window then will do; a key not offered
        return index
    key = key_led(text)
    if key is not None:
        return key - 1 if key <= len(offered) else None
    if last_said(text):
        return len(offered) - 1 if offered else None
    choice = menus.read("window", text).choice
    if choice == "last":
        return len(offered) - 1 if offered else None
    index = ORDINALS.get(choice)
    return index if index is not None and index < len(offered) else None


def spoken_number(text: str) -> str:
    """The digits of a number said in a correction ("no, è il 347 …") or started again ("347 ehm 347 …"), or "" when
    fewer than NUMBER_DIGITS or when two readings make two valid numbers (number_readings.py: asked again)."""
    digits = number_after_turn(text) or number_restarted(text) or number_said(text) or ""
    return digits if len(digits.lstrip("+")) >= NUMBER_DIGITS else ""


def many_digits(text: str) -> bool:
    """A number said ("tre venti quattro …"), whether or not it could be read: never a yes or a no."""
    return len(digits_from_speech(text).lstrip("+")) >= NUMBER_DIGITS


def what_was_said(menus: MenuModel, menu: str, text: str) -> str | None:
    """The menu's reading (repeat and dont_know included), for the evaluation's report."""
    if menu in YES_NO_MENUS + ("helpful",):
        return _yes_no_reading(menus, menu, text)
    choice = menus.read(menu, text).choice
    if menu == "options" and choice in OPTIONS:  # an option as the call takes it (a refused one is not)
        return option(menus, text)
    return choice

"""Reading the caller's answer: what they said or keyed, as the kind of answer the state table routes on.

One reader per kind of question (ivr/call/table.py says which node uses which). A reader only reads:
it never speaks and never moves the call; it may ask the Understanding what was meant. `flow` is the
CallFlow (its catalog, config, prompts and understanding), passed in, never imported.
"""
from __future__ import annotations

from dataclasses import dataclass

from ivr.call.callback_policy import check_callback_number
from ivr.call.state import CallState, Inputs
from ivr.understanding import menu_answers
from ivr.understanding.spoken_numbers import digits_from_speech
from social_bridge.chat.commands import normalise  # one rule for what callers say and customers write
from social_bridge.customers.case_numbers import normalize as case_number_in

# -- the kinds of answer ------------------------------------------------------------------------
SILENCE = "silence"      # nothing said, nothing keyed (or an empty recording)
UNCLEAR = "unclear"      # something, but nothing this question can use
GIVE_UP = "give_up"      # SILENCE or UNCLEAR once the node's retries are used up (set by CallFlow.handle)
FAILURES = (SILENCE, UNCLEAR)

YES, NO = "yes", "no"
ENGLISH = "english"      # "9" or "English please"
REPEAT = "repeat"        # "can you repeat?"
SURE = "sure"            # a topic, confidence at or above FlowConfig.confirm_below (any keyed topic)
UNSURE = "unsure"        # a topic below it: to be confirmed
CORRECTED = "corrected"  # at a confirmation: not yes/no but another topic, said with confidence
OPTION_DIGITS = {"1": "asap", "2": "window", "3": "chat", "4": "voicemail"}
ASAP, WINDOW, CHAT, VOICEMAIL = OPTION_DIGITS.values()
CHOSEN = "chosen"        # one of the callback windows offered, by its digit or in words
VALID = "valid"          # a keyed number we may call back
RECORDED = "recorded"    # a voice message with sound in it
ANY = "any"              # whatever comes (the call is over)
CASE = "case"            # a case number keyed ("*" then 8 digits) or said, its check digit right (value: the number)
CASE_ASK = "case_ask"    # "*" alone at the open question: the case number is asked for
PRIVACY = "privacy"      # PRIVACY_DIGIT at the open question or the keypad menu: the short privacy notice
PRIVACY_DIGIT = "8"


@dataclass(frozen=True)
class Answer:
    """The kind of answer, what the caller did, and what was read from it (an Interpretation for
    topics, a NumberCheck for keyed numbers, a window's index)."""

    kind: str
    inputs: Inputs
    value: object = None


def spoken_choice(flow, state: CallState, text: str, choices) -> str | None:
    """The choice whose longest keyword appears in what the caller said."""
    said = f" {normalise(text)} "
    best, best_len = None, 0
    for choice in choices:
        for word in flow.prompts.words(state.lang, f"choices.{choice}"):
            word = normalise(word)
            if f" {word} " in said and len(word) > best_len:
                best, best_len = choice, len(word)
    return best


def menus(flow):
    """The menu models (ivr/understanding/menus.py), or None for a flow given a bare intent model."""
    return getattr(flow.understanding, "menus", None)


def yes_or_no(flow, state: CallState, inputs: Inputs, menu: str = "yes_no") -> str | None:
    if inputs.digits[:1] in ("1", "2"):
        return YES if inputs.digits[:1] == "1" else NO
    if inputs.digits or not inputs.speech.strip():
        return None
    if menus(flow) is not None:  # "repeat", "don't know", not understood: None, asked again
        return menu_answers.yes_or_no(menus(flow), inputs.speech, menu)
    meaning = flow.understanding.interpret(inputs.speech, state.lang)
    return meaning.intent if meaning and meaning.intent in (YES, NO) else None


def _failed(inputs: Inputs, value=None) -> Answer:
    return Answer(SILENCE if inputs.empty else UNCLEAR, inputs, value)


# -- the readers ----------------------------------------------------------------------------------
def reason(flow, state: CallState, inputs: Inputs) -> Answer:
    """The open question: a topic (said or keyed), English, repeat.

    The one reader that changes the call: an answer clearly in the other language (three words or
    more, ivr/understanding/language_id.py) switches state.lang first, so the topic is read, and
    everything after it said, in the caller's language — no need to press 9."""
    language = getattr(flow.understanding, "language", None)
    if language is not None and inputs.speech.strip() and not inputs.digits:
        state.lang = language.switch_to(inputs.speech, state.lang) or state.lang
    meaning = flow.interpret(state, inputs)
    if meaning.intent in (ENGLISH, REPEAT):
        return Answer(meaning.intent, inputs, meaning)
    if meaning.intent in flow.catalog.topics:
        return Answer(SURE if meaning.confidence >= flow.config.confirm_below else UNSURE, inputs, meaning)
    return _failed(inputs)


def confirmation(flow, state: CallState, inputs: Inputs) -> Answer:
    """"I understood … is that right?": another topic said with confidence ("no, è per la bolletta"),
    else yes or no."""
    meaning = flow.interpret(state, inputs) if inputs.speech.strip() and not inputs.digits else None
    if meaning and meaning.intent in flow.catalog.topics and meaning.confidence >= flow.config.confirm_below:
        return Answer(CORRECTED, inputs, meaning)
    answer = yes_or_no(flow, state, inputs)  # keyed: 1 yes, 2 no, as before
    return Answer(answer, inputs) if answer is not None else _failed(inputs)


def keypad(flow, state: CallState, inputs: Inputs) -> Answer:
    """The keypad menu: a topic's digit (or a topic said with confidence), English, or the privacy notice."""
    if inputs.digits.rstrip("#") == PRIVACY_DIGIT:
        return Answer(PRIVACY, inputs)
    meaning = flow.interpret(state, inputs)
    if meaning.intent == ENGLISH:
        return Answer(ENGLISH, inputs, meaning)
    if meaning.intent in flow.catalog.topics and meaning.confidence >= flow.config.confirm_below:
        return Answer(SURE, inputs, meaning)
    return _failed(inputs)


def option(flow, state: CallState, inputs: Inputs) -> Answer:
    """The options after the wait: 1-4 keyed, or said in any words (the options menu model)."""
    choice = OPTION_DIGITS.get(inputs.digits[:1]) if inputs.digits else None
    if choice is None and inputs.speech.strip() and not inputs.digits:
        if menus(flow) is None:
            choice = spoken_choice(flow, state, inputs.speech, OPTION_DIGITS.values())
        else:
            choice = menu_answers.option(menus(flow), inputs.speech)
    return Answer(choice, inputs) if choice in OPTION_DIGITS.values() else _failed(inputs)


def window(flow, state: CallState, inputs: Inputs) -> Answer:
    """One of the windows offered (state.windows): its digit, or said in words."""
    digit = inputs.digits[:1]
    if digit.isdigit() and 1 <= int(digit) <= len(state.windows):
        return Answer(CHOSEN, inputs, int(digit) - 1)
    if not inputs.digits and inputs.speech.strip() and menus(flow) is not None:
        offered = [(flow.desk.at(start), flow.desk.at(end)) for start, end in state.windows]
        index = menu_answers.window(menus(flow), inputs.speech, offered, flow.desk.now())
        if index is not None:
            return Answer(CHOSEN, inputs, index)
    return _failed(inputs)


def yes_no(flow, state: CallState, inputs: Inputs) -> Answer:
    """The outage offer: 1 or "yes", 2 or "no" (someone to speak to: "get me a real person"), said in any words."""
    answer = yes_or_no(flow, state, inputs, menu_answers.OUTAGE)
    return Answer(answer, inputs) if answer is not None else _failed(inputs)


def helpful(flow, state: CallState, inputs: Inputs) -> Answer:
    """"Was it useful?": 1 or yes ("sì, mi è servito"), 2 or no ("no, non ha risolto")."""
    answer = yes_or_no(flow, state, inputs, "helpful")
    return Answer(answer, inputs) if answer is not None else _failed(inputs)


def own_number(flow, state: CallState, inputs: Inputs) -> Answer:
    """"Shall we call you on the number ending …?": yes, no, or a number said ("no, è il 347 …"):
    VALID with its NumberCheck when we may call it, else NO (the number is asked for)."""
    digits = menu_answers.spoken_number(inputs.speech) if inputs.speech.strip() and not inputs.digits else ""
    if digits:
        check = check_callback_number(digits, flow.config.callback_regions)
        return Answer(VALID, inputs, check) if check.ok else Answer(NO, inputs, check)
    answer = yes_or_no(flow, state, inputs)
    return Answer(answer, inputs) if answer is not None else _failed(inputs)


def keyed_number(flow, state: CallState, inputs: Inputs) -> Answer:
    """A callback number keyed and ended with #, or said ("tre quattro sette …"), checked against toll
    fraud (value: the NumberCheck)."""
    raw = inputs.digits.rstrip("#") if inputs.digits else digits_from_speech(inputs.speech)
    check = check_callback_number(raw, flow.config.callback_regions)
    return Answer(VALID, inputs, check) if check.ok else _failed(inputs, check)


def recording(flow, state: CallState, inputs: Inputs) -> Answer:
    """What <Record> reports: a message with some seconds in it, or nothing."""
    if inputs.recording is None or inputs.recording.seconds <= 0:
        return Answer(SILENCE, inputs)
    return Answer(RECORDED, inputs, inputs.recording)


def anything(flow, state: CallState, inputs: Inputs) -> Answer:
    return Answer(ANY, inputs)


def reason_or_case(flow, state: CallState, inputs: Inputs) -> Answer:
    """The open question, where a case number may also be keyed: "*" then its 8 digits (CASE), or "*"
    alone (CASE_ASK); any other answer is read by `reason`."""
    if inputs.digits.rstrip("#") == PRIVACY_DIGIT:
        return Answer(PRIVACY, inputs)
    if inputs.digits.startswith("*") or len(inputs.digits.rstrip("#")) == 8:
        number = case_number_in(inputs.digits.lstrip("*"))
        if number:
            return Answer(CASE, inputs, number)
        return Answer(CASE_ASK, inputs) if inputs.digits.rstrip("#") == "*" else _failed(inputs)
    return reason(flow, state, inputs)


def case_number(flow, state: CallState, inputs: Inputs) -> Answer:
    """A case number keyed (8 digits, # optional) or said digit by digit; only one whose check digit holds."""
    raw = inputs.digits if inputs.digits else digits_from_speech(inputs.speech)
    number = case_number_in(raw or "")
    return Answer(CASE, inputs, number) if number else _failed(inputs)

"""One handler per question the call can be waiting on: node name → handler(flow, state, inputs)."""
from __future__ import annotations

import unicodedata

from ivr.call.state import CallState, Inputs
from ivr.call.flow import MAX_MENU_FAILURES, MAX_REPROMPTS
from ivr.call.callback_policy import check_callback_number
from ivr.call.twiml import Hangup, Reply

OPTION_DIGITS = {"1": "asap", "2": "window", "3": "chat", "4": "voicemail"}
YES, NO = "yes", "no"


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return " ".join("".join(c for c in text if c.isalnum() or c.isspace()).split())


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


def yes_or_no(flow, state: CallState, inputs: Inputs) -> str | None:
    if inputs.digits[:1] in ("1", "2"):
        return YES if inputs.digits[:1] == "1" else NO
    meaning = flow.understanding.interpret(inputs.speech, state.lang) if inputs.speech.strip() else None
    return meaning.intent if meaning and meaning.intent in (YES, NO) else None


def on_reason(flow, state: CallState, inputs: Inputs) -> Reply:
    meaning = flow.interpret(state, inputs)
    if inputs.speech.strip():
        state.heard = inputs.speech.strip()
    if meaning.intent == "english":
        return flow.switch_to_english(state)
    if meaning.intent == "repeat":
        return flow.ask_reason(flow.say(Reply(), state, "voice.repeat_intro"), state)
    if meaning.intent in flow.catalog.topics:
        if meaning.confidence >= flow.config.confirm_below:
            return flow.route(state, meaning.intent, meaning.confidence)
        state.intent, state.confidence = meaning.intent, meaning.confidence
        state.goto("confirm")
        return flow.ask(Reply(), state, flow.t(state, "voice.confirm_intent", topic=flow.topic(state)))
    state.tries += 1
    if state.tries > MAX_REPROMPTS:
        return flow.keypad_menu(Reply(), state)
    key = "voice.ask_reason_silence" if inputs.empty else "voice.ask_reason_again"
    return flow.ask_reason(Reply(), state, key)


def on_confirm(flow, state: CallState, inputs: Inputs) -> Reply:
    answer = yes_or_no(flow, state, inputs)
    if answer == YES:
        return flow.route(state, state.intent, state.confidence)
    if answer == NO:
        state.intent = ""
        return flow.ask_reason(Reply(), state, "voice.ask_reason_again")
    meaning = flow.interpret(state, inputs) if inputs.speech.strip() else None
    if meaning and meaning.intent in flow.catalog.topics and meaning.confidence >= flow.config.confirm_below:
        state.heard = inputs.speech.strip()
        return flow.route(state, meaning.intent, meaning.confidence)  # the caller corrected us
    state.tries += 1
    if state.tries > MAX_REPROMPTS:
        return flow.keypad_menu(Reply(), state)
    return flow.ask(Reply(), state, flow.t(state, "voice.confirm_again"))


def on_keypad(flow, state: CallState, inputs: Inputs) -> Reply:
    meaning = flow.interpret(state, inputs)
    if meaning.intent == "english":
        return flow.switch_to_english(state)
    if meaning.intent in flow.catalog.topics and meaning.confidence >= flow.config.confirm_below:
        if inputs.speech.strip():
            state.heard = inputs.speech.strip()
        return flow.route(state, meaning.intent, meaning.confidence)
    state.tries += 1
    if state.tries >= MAX_MENU_FAILURES:
        state.intent = state.intent or "unknown"
        return flow.offer_options(flow.say(Reply(), state, "voice.safe_path"), state)
    return flow.keypad_menu(flow.say(Reply(), state, "voice.keypad_again"), state)


def on_options(flow, state: CallState, inputs: Inputs) -> Reply:
    choice = OPTION_DIGITS.get(inputs.digits[:1]) if inputs.digits else None
    if choice is None and inputs.speech.strip():
        choice = spoken_choice(flow, state, inputs.speech, OPTION_DIGITS.values())
    if choice == "asap":
        state.windows = []
        return flow.confirm_number(Reply(), state)
    if choice == "window":
        return offer_windows(flow, state)
    if choice == "chat":
        if not flow.desk.send_chat_links(state):
            return flow.offer_options(flow.say(Reply(), state, "voice.chat_unavailable"), state)
        state.outcome = "chat"
        state.goto("done")
        return flow.say(Reply(), state, "voice.chat_sent").add(Hangup())
    if choice == "voicemail":
        return flow.record_message(Reply(), state)
    state.tries += 1
    if state.tries > MAX_MENU_FAILURES:  # safe path: a callback as soon as possible
        return flow.confirm_number(flow.say(Reply(), state, "voice.safe_path"), state)
    return flow.offer_options(flow.say(Reply(), state, "voice.options_again"), state)


def offer_windows(flow, state: CallState) -> Reply:
    windows = flow.desk.windows(flow.config.window_count)
    state.windows = [[w.start.timestamp(), w.end.timestamp()] for w in windows]
    state.goto("window")
    now = flow.desk.now()
    choices = " ".join(flow.t(state, "voice.window_choice", digit=i + 1,
                              window=flow.speech.window(w, now, state.lang)) for i, w in enumerate(windows))
    return flow.ask(Reply(), state, flow.t(state, "voice.window_menu", choices=choices))


def on_window(flow, state: CallState, inputs: Inputs) -> Reply:
    digit = inputs.digits[:1]
    if digit.isdigit() and 1 <= int(digit) <= len(state.windows):
        state.windows = [state.windows[int(digit) - 1]]
        return flow.confirm_number(Reply(), state)
    state.tries += 1
    if state.tries > MAX_MENU_FAILURES:
        state.windows = []
        return flow.confirm_number(flow.say(Reply(), state, "voice.safe_path"), state)
    reply = offer_windows(flow, state)
    return Reply([*flow.say(Reply(), state, "voice.window_again").verbs, *reply.verbs])


def on_number(flow, state: CallState, inputs: Inputs) -> Reply:
    answer = yes_or_no(flow, state, inputs)
    if answer == YES:
        return flow.book(state)
    if answer == NO:
        return flow.ask_number(Reply(), state)
    state.tries += 1
    if state.tries > MAX_MENU_FAILURES:
        return flow.ask_number(Reply(), state)
    return flow.confirm_number(Reply(), state)


def on_enter_number(flow, state: CallState, inputs: Inputs) -> Reply:
    check = check_callback_number(inputs.digits.rstrip("#"), flow.config.callback_regions)
    if check.ok:
        state.callback_number = check.e164
        return flow.book(state)
    state.tries += 1
    if state.tries > MAX_MENU_FAILURES:  # no number we may call: a voice message still reaches us
        return flow.record_message(flow.say(Reply(), state, "voice.number_give_up"), state)
    reply = flow.say(Reply(), state, f"voice.number_refused.{check.reason or 'invalid'}")
    return flow.ask_number(reply, state)


def on_voicemail(flow, state: CallState, inputs: Inputs) -> Reply:
    recording = inputs.recording
    if recording is None or recording.seconds <= 0:
        state.tries += 1
        if state.tries > 1:
            return flow.goodbye(flow.say(Reply(), state, "voice.voicemail_empty"), state)
        return flow.offer_options(flow.say(Reply(), state, "voice.voicemail_empty"), state)
    booking = flow.desk.take_voicemail(state, recording)
    state.item_id, state.outcome = booking.item_id, "voicemail"
    state.goto("done")
    if booking.at is not None:
        reply = flow.say(Reply(), state, "voice.voicemail_saved_after_hours", return_at=flow.return_at(state))
    else:
        reply = flow.say(Reply(), state, "voice.voicemail_saved", position=flow.position(state, booking.position),
                         wait=flow.speech.wait(booking.wait_seconds, state.lang))
    return reply.add(Hangup())


def on_done(flow, state: CallState, inputs: Inputs) -> Reply:
    return flow.goodbye(Reply(), state)


def on_outage(flow, state: CallState, inputs: Inputs) -> Reply:
    return flow.self_service.on_outage(flow, state, inputs)


def on_helpful(flow, state: CallState, inputs: Inputs) -> Reply:
    return flow.self_service.on_helpful(flow, state, inputs)


NODES = {
    "reason": on_reason, "confirm": on_confirm, "keypad": on_keypad, "options": on_options,
    "window": on_window, "number": on_number, "enter_number": on_enter_number,
    "voicemail": on_voicemail, "done": on_done, "outage": on_outage, "helpful": on_helpful,
}

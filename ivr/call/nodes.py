"""The moves: what the caller hears after an answer, and which question the call waits on next.

Each move is move(flow, state, answer) -> Reply; ivr/call/table.py says which answer at which node
makes which move. Moves speak through the CallFlow they are given (its shared moves: ask_reason,
route, offer_options, confirm_number, book, …) and never import it.
"""
from __future__ import annotations

from ivr.call.answers import Answer
from ivr.call.self_service import contained
from ivr.call.state import CallState
from ivr.call.twiml import Hangup, Reply

CASE_DIGITS = 8


# -- the open question, its confirmation, the keypad menu ---------------------------------------------
def in_english(flow, state: CallState, answer: Answer) -> Reply:
    return flow.switch_to_english(state)


def repeat_question(flow, state: CallState, answer: Answer) -> Reply:
    return flow.ask_reason(flow.say(Reply(), state, "voice.repeat_intro"), state)


def reason_after_silence(flow, state: CallState, answer: Answer) -> Reply:
    return flow.ask_reason(Reply(), state, "voice.ask_reason_silence")


def reason_again(flow, state: CallState, answer: Answer) -> Reply:
    return flow.ask_reason(Reply(), state, "voice.ask_reason_again")


def route(flow, state: CallState, answer: Answer) -> Reply:
    """The topic understood (answer.value, an Interpretation), with what the caller said kept as heard."""
    if answer.inputs.speech.strip():
        state.heard = answer.inputs.speech.strip()
    return flow.route(state, answer.value.intent, answer.value.confidence)


def confirm_topic(flow, state: CallState, answer: Answer) -> Reply:
    state.intent, state.confidence = answer.value.intent, answer.value.confidence
    state.goto("confirm")
    return flow.ask(Reply(), state, flow.t(state, "voice.confirm_intent", topic=flow.topic(state)))


def route_confirmed(flow, state: CallState, answer: Answer) -> Reply:
    return flow.route(state, state.intent, state.confidence)


def topic_refused(flow, state: CallState, answer: Answer) -> Reply:
    state.intent = ""
    return flow.ask_reason(Reply(), state, "voice.ask_reason_again")


def confirm_again(flow, state: CallState, answer: Answer) -> Reply:
    return flow.ask(Reply(), state, flow.t(state, "voice.confirm_again"))


def keypad_menu(flow, state: CallState, answer: Answer) -> Reply:
    return flow.keypad_menu(Reply(), state)


def privacy_notice(flow, state: CallState, answer: Answer) -> Reply:
    """8 at the open question: the short privacy notice, then the question again."""
    return flow.ask_reason(flow.say(Reply(), state, "voice.privacy_notice"), state)


def privacy_notice_keypad(flow, state: CallState, answer: Answer) -> Reply:
    return flow.keypad_menu(flow.say(Reply(), state, "voice.privacy_notice"), state)


def keypad_again(flow, state: CallState, answer: Answer) -> Reply:
    return flow.keypad_menu(flow.say(Reply(), state, "voice.keypad_again"), state)


def safe_path_options(flow, state: CallState, answer: Answer) -> Reply:
    """Never understood: the options of the human path, for a topic we do not know."""
    state.intent = state.intent or "unknown"
    return flow.offer_options(flow.say(Reply(), state, "voice.safe_path"), state)


# -- the human path: options, windows, the number, the voice message ---------------------------------
def options(flow, state: CallState, answer: Answer) -> Reply:
    return flow.offer_options(Reply(), state)


def options_again(flow, state: CallState, answer: Answer) -> Reply:
    """Asked again: the options only; the wait was said a moment ago."""
    reply = flow.say(Reply(), state, "voice.options_again")
    options = "voice.options" if flow.desk.is_open() else "voice.options_after_hours"
    return flow.ask(reply, state, flow.t(state, options))


def callback_asap(flow, state: CallState, answer: Answer) -> Reply:
    state.windows = []
    return flow.confirm_number(Reply(), state)


def safe_path_callback(flow, state: CallState, answer: Answer) -> Reply:
    """No option chosen: a callback (as soon as possible) is the safe path."""
    return flow.confirm_number(flow.say(Reply(), state, "voice.safe_path"), state)


def send_chat(flow, state: CallState, answer: Answer) -> Reply:
    if not flow.desk.send_chat_links(state):
        return flow.offer_options(flow.say(Reply(), state, "voice.chat_unavailable"), state)
    state.outcome = "chat"
    state.goto("done")
    return flow.say(Reply(), state, "voice.chat_sent").add(Hangup())


def record_message(flow, state: CallState, answer: Answer) -> Reply:
    return flow.record_message(Reply(), state)


def offer_windows(flow, state: CallState, answer: Answer | None = None, reply: Reply | None = None) -> Reply:
    windows = flow.desk.windows(flow.config.window_count)
    state.windows = [[w.start.timestamp(), w.end.timestamp()] for w in windows]
    state.goto("window")
    now = flow.desk.now()
    choices = " ".join(flow.t(state, "voice.window_choice", digit=i + 1,
                              window=flow.speech.window(w, now, state.lang)) for i, w in enumerate(windows))
    return flow.ask(reply or Reply(), state, flow.t(state, "voice.window_menu", choices=choices))


def windows_again(flow, state: CallState, answer: Answer) -> Reply:
    return offer_windows(flow, state, answer, flow.say(Reply(), state, "voice.window_again"))


def window_chosen(flow, state: CallState, answer: Answer) -> Reply:
    state.windows = [state.windows[answer.value]]
    return flow.confirm_number(Reply(), state)


def safe_path_asap(flow, state: CallState, answer: Answer) -> Reply:
    state.windows = []
    return flow.confirm_number(flow.say(Reply(), state, "voice.safe_path"), state)


def book(flow, state: CallState, answer: Answer) -> Reply:
    return flow.book(state)


def number_again(flow, state: CallState, answer: Answer) -> Reply:
    return flow.confirm_number(Reply(), state)


def ask_number(flow, state: CallState, answer: Answer) -> Reply:
    return number_by_voice_or_keys(flow, Reply(), state)


def number_by_voice_or_keys(flow, reply: Reply, state: CallState) -> Reply:
    """The callback number, keyed or said: the question CallFlow.ask_number asks."""
    return flow.ask_number(reply, state)


def book_keyed(flow, state: CallState, answer: Answer) -> Reply:
    state.callback_number = answer.value.e164
    return flow.book(state)


def number_refused(flow, state: CallState, answer: Answer) -> Reply:
    reply = flow.say(Reply(), state, f"voice.number_refused.{answer.value.reason or 'invalid'}")
    return number_by_voice_or_keys(flow, reply, state)


def voicemail_instead(flow, state: CallState, answer: Answer) -> Reply:
    """No number we may call: a voice message still reaches us."""
    return flow.record_message(flow.say(Reply(), state, "voice.number_give_up"), state)


def save_voicemail(flow, state: CallState, answer: Answer) -> Reply:
    booking = flow.desk.take_voicemail(state, answer.value)
    state.item_id, state.outcome = booking.item_id, "voicemail"
    state.goto("done")
    head = flow.say(Reply(), state, "voice.case_number", digits=flow.desk.case_said(booking.case_number)) \
        if booking.case_number else Reply()
    if booking.at is not None:  # after hours: the span computed from its place at opening and the staffing then
        reply = flow.say(head, state, "voice.voicemail_saved_after_hours",
                         return_at=flow.speech.moment(booking.at, flow.desk.now(), state.lang))
    elif booking.away:  # open, but every agent is away: no wait we could stand by
        reply = flow.say(head, state, "voice.voicemail_saved_all_away")
    else:
        reply = flow.say(head, state, "voice.voicemail_saved", position=flow.position(state, booking.position),
                         wait=flow.speech.wait(booking.wait_seconds, state.lang))
    return reply.add(Hangup())


def voicemail_empty(flow, state: CallState, answer: Answer) -> Reply:
    return flow.offer_options(flow.say(Reply(), state, "voice.voicemail_empty"), state)


def voicemail_empty_goodbye(flow, state: CallState, answer: Answer) -> Reply:
    return flow.goodbye(flow.say(Reply(), state, "voice.voicemail_empty"), state)


def goodbye(flow, state: CallState, answer: Answer) -> Reply:
    return flow.goodbye(Reply(), state)


# -- after self-service (ivr/call/self_service.py) ------------------------------------------------------
def subscribe_outage(flow, state: CallState, answer: Answer) -> Reply:
    return flow.self_service.subscribe(flow, state)


def outage_again(flow, state: CallState, answer: Answer) -> Reply:
    return flow.ask(Reply(), state, flow.t(state, "self_service.outage_subscribe"))


def helped(flow, state: CallState, answer: Answer) -> Reply:
    state.tried.append({"step": "helpful", "result": answer.kind})
    return contained(state, flow.say(Reply(), state, "self_service.helpful_yes"))


def not_helped(flow, state: CallState, answer: Answer) -> Reply:
    state.tried.append({"step": "helpful", "result": answer.kind})
    return flow.offer_options(flow.say(Reply(), state, "self_service.helpful_no"), state)


def helpful_again(flow, state: CallState, answer: Answer) -> Reply:
    return flow.ask(Reply(), state, flow.t(state, "self_service.helpful"))


# -- a case number quoted at the open question (social_bridge/customers/quoting.py) -------------------
def ask_case_number(flow, state: CallState, answer: Answer, reply: Reply | None = None) -> Reply:
    state.goto("case_number")
    return flow.ask(reply or Reply(), state, flow.t(state, "voice.case_ask"), num_digits=CASE_DIGITS,
                    finish_on_key="#", timeout=8)


def case_number_again(flow, state: CallState, answer: Answer) -> Reply:
    return ask_case_number(flow, state, answer, flow.say(Reply(), state, "voice.case_ask_again"))


def case_quoted(flow, state: CallState, answer: Answer) -> Reply:
    """Pending: where it stands, then keep / cancel / add. Resolved lately: reopened at its place. Else the
    open question, for a new request."""
    quoted = flow.desk.quotes.quote(answer.value)
    digits = flow.desk.case_said(answer.value)
    if quoted.case is None or quoted.outcome == "closed":
        reply = flow.say(Reply(), state, "voice.case_unknown" if quoted.case is None else "voice.case_closed",
                         digits=digits, days=int(flow.desk.quotes.cases.reopen_days))
        return flow.ask_reason(reply, state)
    state.item_id = quoted.case.item_id
    position = flow.position(state, quoted.position)
    if quoted.outcome == "reopened":
        state.outcome = "reopened"
        state.goto("done")
        return flow.say(Reply(), state, "voice.case_reopened", digits=digits, position=position).add(Hangup())
    if quoted.case.state == "in_progress":
        where = flow.t(state, "voice.case_claimed", digits=digits)
    elif quoted.position:
        where = flow.t(state, "voice.case_in_line", digits=digits, position=position)
    else:
        when = flow.speech.moment(flow.desk.at(quoted.not_before), flow.desk.now(), state.lang)
        where = flow.t(state, "voice.case_scheduled", digits=digits, when=when)
    state.goto("open_request")
    return flow.ask(Reply(), state, where, flow.t(state, "voice.open_request_menu"))

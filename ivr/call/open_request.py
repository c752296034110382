"""A caller who already has a callback pending hears it at the greeting, with its place, instead of the menu.

"Ha già una richiamata: è la numero 3. Prema 1 per mantenerla, 2 per annullarla, 3 per aggiungere
qualcosa." The place comes from the queue at that moment. Adding something records what the caller
says onto the pending item (its summary), which keeps its place. The readers and moves of the nodes
`open_request` and `add_to_request` of ivr/call/table.py live here.
"""
from __future__ import annotations

from ivr.call.answers import Answer, ENGLISH, SILENCE, UNCLEAR, spoken_choice
from ivr.call.state import CallState, Inputs
from ivr.call.twiml import Hangup, Reply, Say

REQUEST_DIGITS = {"1": "keep", "2": "cancel", "3": "add"}
KEEP, CANCEL, ADD = REQUEST_DIGITS.values()
ADDED = "added"          # something said to add to the pending request (value: the words)


# -- the greeting ------------------------------------------------------------------------------------
def greet(flow, state: CallState, item, head: tuple[Say, ...] = ()) -> Reply:
    """The welcome, then the pending request and what the caller may do with it."""
    state.item_id = item.id
    return ask_about(flow, state, Reply(), head)


def ask_about(flow, state: CallState, reply: Reply, head: tuple[Say, ...] = ()) -> Reply:
    state.goto("open_request")
    return flow.ask(reply, state, where_it_stands(flow, state), flow.t(state, "voice.open_request_menu"), head=head)


def where_it_stands(flow, state: CallState) -> str:
    """Its place now (from the queue), when it is due if scheduled, or that an agent has it."""
    item = flow.desk.queue.get(state.item_id)
    if item is None or item.status == "claimed":
        return flow.t(state, "voice.open_request_claimed")
    position = flow.desk.queue.position(item.id)
    if position:
        return flow.t(state, "voice.open_request", position=flow.position(state, position))
    now = flow.desk.now()
    if item.not_after:
        when = flow.speech.window(flow.desk.window_from((item.not_before, item.not_after)), now, state.lang)
    else:
        when = flow.speech.moment(flow.desk.at(item.not_before), now, state.lang)
    return flow.t(state, "voice.open_request_scheduled", when=when)


# -- the readers -------------------------------------------------------------------------------------
def request_choice(flow, state: CallState, inputs: Inputs) -> Answer:
    """1 keep, 2 cancel, 3 add (keyed or said), 9 English."""
    if inputs.digits[:1] == "9":
        return Answer(ENGLISH, inputs)
    choice = REQUEST_DIGITS.get(inputs.digits[:1]) if inputs.digits else None
    if choice is None and inputs.speech.strip():
        choice = spoken_choice(flow, state, inputs.speech, REQUEST_DIGITS.values())
    if choice:
        return Answer(choice, inputs)
    return Answer(SILENCE if inputs.empty else UNCLEAR, inputs)


def addition(flow, state: CallState, inputs: Inputs) -> Answer:
    """Whatever the caller says to add (keys alone are not words an agent can read)."""
    words = inputs.speech.strip()
    if words:
        return Answer(ADDED, inputs, words)
    return Answer(SILENCE if inputs.empty else UNCLEAR, inputs)


# -- the moves ---------------------------------------------------------------------------------------
def keep(flow, state: CallState, answer: Answer) -> Reply:
    state.outcome = "kept"
    state.goto("done")
    return flow.say(Reply(), state, "voice.open_request_kept").add(Hangup())


def cancel(flow, state: CallState, answer: Answer) -> Reply:
    cancelled = flow.desk.cancel_request(state.item_id)
    state.outcome = "cancelled" if cancelled else "gone"
    state.goto("done")
    return flow.say(Reply(), state, "voice.open_request_cancelled" if cancelled
                    else "voice.open_request_gone").add(Hangup())


def ask_addition(flow, state: CallState, answer: Answer) -> Reply:
    state.goto("add_to_request")
    return flow.ask(Reply(), state, flow.t(state, "voice.open_request_add"), num_digits=None)


def add(flow, state: CallState, answer: Answer) -> Reply:
    added = flow.desk.add_to_request(state.item_id, answer.value)
    state.outcome = "added" if added else "gone"
    state.goto("done")
    return flow.say(Reply(), state, "voice.open_request_added" if added
                    else "voice.open_request_gone").add(Hangup())


def in_english(flow, state: CallState, answer: Answer) -> Reply:
    state.lang = "en"
    return ask_about(flow, state, Reply())


def again(flow, state: CallState, answer: Answer) -> Reply:
    return ask_about(flow, state, flow.say(Reply(), state, "voice.options_again"))


def addition_again(flow, state: CallState, answer: Answer) -> Reply:
    return flow.ask(Reply(), state, flow.t(state, "voice.open_request_add_again"), num_digits=None)

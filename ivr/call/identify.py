"""Identification before account data, in the call: the customer code or line number, then the one-time code.

The readers and moves of the nodes `identify_account` and `identify_code` of ivr/call/table.py. The rules
(what needs it, where the code goes, what proves what) are social_bridge/customers/identification.py's; the
self-service (ivr/call/self_service.py) sends a caller here when its core answers Step("identify").
"""
from __future__ import annotations

from ivr.call.answers import SILENCE, UNCLEAR, VALID, Answer
from ivr.call.state import CallState, Inputs
from ivr.call.twiml import Reply

CODE_DIGITS = 6
SKIP = "skip"            # 0 at the account question: no data read, the human path


def _unusable(inputs: Inputs) -> Answer:
    return Answer(SILENCE if inputs.empty else UNCLEAR, inputs)


def account_keyed(flow, state: CallState, inputs: Inputs) -> Answer:
    """A customer code or line number keyed and ended with # (value: its digits)."""
    digits = "".join(ch for ch in inputs.digits if ch.isdigit())
    if digits == "0":
        return Answer(SKIP, inputs)
    return Answer(VALID, inputs, digits) if 6 <= len(digits) <= 16 else _unusable(inputs)


def one_time_code(flow, state: CallState, inputs: Inputs) -> Answer:
    """The 6-digit code texted to the number on file, keyed (value: the digits; checked by the move)."""
    digits = inputs.digits.rstrip("#")
    return Answer(VALID, inputs, digits) if len(digits) == CODE_DIGITS and digits.isdigit() else _unusable(inputs)


# -- identification before account data (social_bridge/customers/identification.py) --------------------
def _ask_keyed(flow, state: CallState, reply: Reply, key: str, node: str, digits: int | None) -> Reply:
    state.goto(node)
    return flow.ask(reply, state, flow.t(state, key), speech=False, num_digits=digits, finish_on_key="#", timeout=10)


def identify_account_again(flow, state: CallState, answer: Answer) -> Reply:
    return _ask_keyed(flow, state, Reply(), "voice.identify_again", "identify_account", None)


def identify_send_code(flow, state: CallState, answer: Answer) -> Reply:
    """A code to the number on file of that account, if there is one: the caller is not told which."""
    flow.self_service.identification.begin(state.sid, answer.value, state.lang)
    return _ask_keyed(flow, state, Reply(), "voice.identify_code_sent", "identify_code", CODE_DIGITS)


def identify_code_again(flow, state: CallState, answer: Answer) -> Reply:
    return _ask_keyed(flow, state, Reply(), "voice.identify_code_again", "identify_code", CODE_DIGITS)


def identify_check(flow, state: CallState, answer: Answer) -> Reply:
    """The right code: the self-service of the topic, for that account. Wrong: again, while tries are left."""
    result = flow.self_service.identification.confirm(state.sid, answer.value)
    if result == "ok":
        state.tried.append({"step": "identified", "result": "one_time_code"})
        return flow.self_service.start(flow, state, Reply())
    if result == "wrong":
        return _ask_keyed(flow, state, Reply(), "voice.identify_wrong", "identify_code", CODE_DIGITS)
    return identify_failed(flow, state, answer)


def identify_skipped(flow, state: CallState, answer: Answer) -> Reply:
    """0: no code, no account data; a person will help (the wait and the options)."""
    state.tried.append({"step": "identified", "result": "declined"})
    return flow.offer_options(Reply(), state)


def identify_failed(flow, state: CallState, answer: Answer) -> Reply:
    state.tried.append({"step": "identified", "result": "failed"})
    return flow.offer_options(flow.say(Reply(), state, "voice.identify_failed"), state)

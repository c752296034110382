"""The call as one state table: every question the call can wait on, what it accepts, where each answer leads.

Read a row as: at node N the caller's answer is read by `read` (ivr/call/answers.py) into a kind;
the kind picks an edge, `to(move, *nodes)`: the move (ivr/call/nodes.py) says what the caller hears
and the call then waits at one of `nodes`. A silent or unusable answer is asked again `retries`
times, then counts as GIVE_UP; past a cap on the whole call (ivr/call/endings.py) every node
takes its PAST_CAP edge. CallFlow.handle (ivr/call/flow.py) is the only reader of this table;
`python -m ivr.call.table` prints it.

Changing a menu step: its row here, its reader or move, its sentences in prompts/*.yaml, and a
scripted call in scenarios/.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ivr.call import answers as read
from ivr.call import endings
from ivr.call import identify
from ivr.call import nodes as move
from ivr.call import open_request as request
from ivr.call.answers import (ANY, ASAP, CASE, CASE_ASK, CHAT, CHOSEN, CORRECTED, ENGLISH, GIVE_UP, NO, PRIVACY, RECORDED,
                              REPEAT, SILENCE, SURE, UNCLEAR, UNSURE, VALID, VOICEMAIL, WINDOW, YES)
from ivr.call.endings import PAST_CAP
from ivr.call.open_request import ADD, ADDED, CANCEL, KEEP

# where CallFlow.route can lead: self-service first (a known outage, "was it useful?"), else the options
ROUTED = ("outage", "helpful", "options")
# where CallFlow.confirm_number leads: "ends with 4567?" for a number we may call, else keying one in
NUMBER = ("number", "enter_number")
# where CallFlow.book leads: booked, or (too many bookings for that number) a voice message
BOOKED = ("done", "voicemail")
# where a quoted case number leads: its menu when pending, goodbye when reopened, the open question otherwise
QUOTED = ("open_request", "done", "reason")


@dataclass(frozen=True)
class Edge:
    move: Callable    # move(flow, state, answer) -> Reply
    leads_to: tuple[str, ...]


def to(action: Callable, *nodes: str) -> Edge:
    return Edge(action, nodes)


@dataclass(frozen=True)
class Node:
    accepts: str      # what the caller may answer here, in words
    read: Callable    # read(flow, state, inputs) -> Answer
    leads: dict       # answer kind -> Edge
    retries: int = 0  # SILENCE / UNCLEAR answers asked again before GIVE_UP
    transcript: bool = False  # whatever is said here is kept as the caller's words (state.heard)


NODES: dict[str, Node] = {
    "open_request": Node("a callback already pending, heard at the greeting: 1 keep it, 2 cancel it, 3 add "
                         "something (keyed or said), 9 English", request.request_choice, {
        KEEP: to(request.keep, "done"),
        CANCEL: to(request.cancel, "done"),
        ADD: to(request.ask_addition, "add_to_request"),
        ENGLISH: to(request.in_english, "open_request"),
        SILENCE: to(request.again, "open_request"),
        UNCLEAR: to(request.again, "open_request"),
        GIVE_UP: to(request.keep, "done"),
    }, retries=1),

    "add_to_request": Node("what the caller adds to their pending request, said", request.addition, {
        ADDED: to(request.add, "done"),
        SILENCE: to(request.addition_again, "add_to_request"),
        UNCLEAR: to(request.addition_again, "add_to_request"),
        GIVE_UP: to(request.keep, "done"),
    }, retries=1),

    "reason": Node("the open question: a topic said or keyed (prompts/intents.yaml), 9 English, 'repeat', "
                   "* and a case number", read.reason_or_case, {
        CASE: to(move.case_quoted, *QUOTED),
        CASE_ASK: to(move.ask_case_number, "case_number"),
        PRIVACY: to(move.privacy_notice, "reason"),
        SURE: to(move.route, *ROUTED),
        UNSURE: to(move.confirm_topic, "confirm"),
        ENGLISH: to(move.in_english, "reason"),
        REPEAT: to(move.repeat_question, "reason"),
        SILENCE: to(move.reason_after_silence, "reason"),
        UNCLEAR: to(move.reason_again, "reason"),
        GIVE_UP: to(move.keypad_menu, "keypad"),
    }, retries=2, transcript=True),

    "case_number": Node("a case number keyed (8 digits) or said digit by digit", read.case_number, {
        CASE: to(move.case_quoted, *QUOTED),
        SILENCE: to(move.case_number_again, "case_number"),
        UNCLEAR: to(move.case_number_again, "case_number"),
        GIVE_UP: to(move.reason_again, "reason"),
    }, retries=1),

    "identify_account": Node("before account data: the customer code or line number, keyed, ending with #; 0 a person",
                             identify.account_keyed, {
        VALID: to(identify.identify_send_code, "identify_code"),
        identify.SKIP: to(identify.identify_skipped, "options"),
        SILENCE: to(identify.identify_account_again, "identify_account"),
        UNCLEAR: to(identify.identify_account_again, "identify_account"),
        GIVE_UP: to(identify.identify_failed, "options"),
    }, retries=1),

    "identify_code": Node("the 6-digit code texted to the number on file of that account", identify.one_time_code, {
        VALID: to(identify.identify_check, "identify_code", "helpful", "outage", "options"),
        SILENCE: to(identify.identify_code_again, "identify_code"),
        UNCLEAR: to(identify.identify_code_again, "identify_code"),
        GIVE_UP: to(identify.identify_failed, "options"),
    }, retries=1),

    "confirm": Node("yes / no to \"I understood … is that right?\", or another topic", read.confirmation, {
        YES: to(move.route_confirmed, *ROUTED),
        NO: to(move.topic_refused, "reason"),
        CORRECTED: to(move.route, *ROUTED),
        SILENCE: to(move.confirm_again, "confirm"),
        UNCLEAR: to(move.confirm_again, "confirm"),
        GIVE_UP: to(move.keypad_menu, "keypad"),
    }, retries=2),

    "keypad": Node("a topic's digit from the keypad menu (or a topic said clearly), 9 English", read.keypad, {
        SURE: to(move.route, *ROUTED),
        ENGLISH: to(move.in_english, "reason"),
        PRIVACY: to(move.privacy_notice_keypad, "keypad"),
        SILENCE: to(move.keypad_again, "keypad"),
        UNCLEAR: to(move.keypad_again, "keypad"),
        GIVE_UP: to(move.safe_path_options, "options"),
    }, retries=1),

    "outage": Node("yes / no to an SMS when the known outage is fixed", read.yes_no, {
        YES: to(move.subscribe_outage, "done", "options"),
        NO: to(move.options, "options"),
        SILENCE: to(move.outage_again, "outage"),
        UNCLEAR: to(move.outage_again, "outage"),
        GIVE_UP: to(move.options, "options"),
    }, retries=1),

    "helpful": Node("yes / no to \"was it useful?\" after self-service", read.helpful, {
        YES: to(move.helped, "done"),
        NO: to(move.not_helped, "options"),
        SILENCE: to(move.helpful_again, "helpful"),
        UNCLEAR: to(move.helpful_again, "helpful"),
        GIVE_UP: to(move.options, "options"),
    }, retries=1),

    "options": Node("1 callback asap, 2 in a window, 3 chat, 4 voice message (keyed or said)", read.option, {
        ASAP: to(move.callback_asap, *NUMBER),
        WINDOW: to(move.offer_windows, "window"),
        CHAT: to(move.send_chat, "done", "options"),
        VOICEMAIL: to(move.record_message, "voicemail"),
        SILENCE: to(move.options_again, "options"),
        UNCLEAR: to(move.options_again, "options"),
        GIVE_UP: to(move.safe_path_callback, *NUMBER),
    }, retries=2),

    "window": Node("the digit of one of the callback windows offered", read.window, {
        CHOSEN: to(move.window_chosen, *NUMBER),
        SILENCE: to(move.windows_again, "window"),
        UNCLEAR: to(move.windows_again, "window"),
        GIVE_UP: to(move.safe_path_asap, *NUMBER),
    }, retries=2),

    "number": Node("yes / no to \"shall we call you on the number ending …?\", or no and the number said",
                   read.own_number, {
        YES: to(move.book, *BOOKED),
        VALID: to(move.book_keyed, *BOOKED),
        NO: to(move.ask_number, "enter_number"),
        SILENCE: to(move.number_again, *NUMBER),
        UNCLEAR: to(move.number_again, *NUMBER),
        GIVE_UP: to(move.ask_number, "enter_number"),
    }, retries=2),

    "enter_number": Node("a callback number keyed, ending with #", read.keyed_number, {
        VALID: to(move.book_keyed, *BOOKED),
        SILENCE: to(move.number_refused, "enter_number"),
        UNCLEAR: to(move.number_refused, "enter_number"),
        GIVE_UP: to(move.voicemail_instead, "voicemail"),
    }, retries=2),

    "voicemail": Node("a voice message (up to 120 s, # ends it)", read.recording, {
        RECORDED: to(move.save_voicemail, "done"),
        SILENCE: to(move.voicemail_empty, "options"),
        GIVE_UP: to(move.voicemail_empty_goodbye, "done"),
    }, retries=1),

    "done": Node("nothing: the call is over", read.anything, {
        ANY: to(move.goodbye, "done"),
    }),
}


# Every call ends: from any node, past a cap on the call (answers, seconds, unusable answers in a row;
# ivr/call/endings.py) the call says goodbye, texts the ways to reach us once, and hangs up.
for _node in NODES.values():
    _node.leads[PAST_CAP] = to(endings.past_cap, "done")


def describe() -> str:
    """The table as text, one line per edge."""
    lines = []
    for name, node in NODES.items():
        lines.append(f"{name}: {node.accepts}" + (f" (asked again {node.retries}x)" if node.retries else ""))
        for kind, edge in node.leads.items():
            lines.append(f"  {kind:<10} {edge.move.__name__:<24} -> {' | '.join(edge.leads_to)}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(describe())

"""Every call ends: the caps on a call (answers, seconds, unusable answers in a row) and the goodbye past them.

A silent line (a pocket dial, a fax, an answering machine) or a caller repeating what the call cannot
use would otherwise go round the menus until Twilio's 4-hour limit. CallFlow.handle counts each answer
here and, when the call goes on past a cap, ends it instead: a goodbye, one SMS with the ways to reach
us (for a number we may text), Hangup. A caller who hangs up on their own after saying the reason but
before choosing is offered, by one SMS, a callback that keeps the call's place (ivr/call/webhooks.py).
"""
from __future__ import annotations

from ivr.call.state import CallState
from ivr.call.twiml import Hangup, Reply
from ivr.runtime.metrics import Metrics

PAST_CAP = "past_cap"   # the answer kind CallFlow.handle routes on once a cap is reached
CAPS = ("unusable", "turns", "seconds")
# the questions between the reason said and a choice made: a caller who hangs up there is offered a callback
BEFORE_CHOOSING = ("confirm", "options", "window", "number", "enter_number")


def count(state: CallState, left: str, failed: bool) -> None:
    """One more answer; unusable when it failed (silence, nothing usable) or left the call where it was."""
    state.turns += 1
    state.unusable = state.unusable + 1 if failed or state.node == left else 0


def cap_reached(config, state: CallState, now: float) -> str | None:
    """Which cap (CAPS) the call has reached, if any; `config` is the FlowConfig."""
    if state.unusable >= config.max_unusable:
        return "unusable"
    if state.turns >= config.max_turns:
        return "turns"
    if state.started_at and now - state.started_at >= config.max_seconds:
        return "seconds"
    return None


def hung_up_before_choosing(state: CallState | None) -> bool:
    """The call ended with no outcome after the caller said (or keyed) why they called, at one of BEFORE_CHOOSING.

    "unknown" is the topic the safe path gives a caller never understood: a silent line has not said why."""
    return (state is not None and not state.outcome and state.node in BEFORE_CHOOSING
            and bool(state.heard or state.intent not in ("", "unknown")))


def past_cap(flow, state: CallState, answer) -> Reply:
    """The move past a cap (answer.value names it): a goodbye, the ways to reach us by SMS once, Hangup."""
    state.outcome = "capped"
    state.goto("done")
    texted = flow.desk.send_ways_to_reach(state)
    reply = flow.say(Reply(), state, "voice.call_capped_sms" if texted else "voice.call_capped")
    reply.counts[Metrics.field("calls_capped", cap=str(answer.value))] = 1
    return reply.add(Hangup())

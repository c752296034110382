"""Every call ends, and a caller with a pending callback hears it first (issue 15 §3, §5).

CallFlow built directly, as in test_call_flow.py (its fixtures and helpers: real prompts, intent model,
FrontDesk on the test redis-server): a silent line, a caller repeating nonsense, a withheld caller
pressing 3 again and again, each ends within its cap with a goodbye, Hangup and at most one SMS; the
open request at the greeting is kept, cancelled, or added to, keeping its place."""
from __future__ import annotations

from dataclasses import replace

import pytest

from ivr.call.endings import PAST_CAP, hung_up_before_choosing
from ivr.call.flow import CallFlow
from ivr.call.state import CallState, Inputs
from ivr.call.table import NODES
from ivr.call.twiml import Ask, Hangup
from social_bridge.queue.work_item import WorkItem
from tests.unit.test_call_flow import (IT_MOBILE, RECORDING, at_options, flow, new_call, parts, press, say,  # noqa: F401
                                       sent, silence, step, t, texts)

WITHHELD = "anonymous"
LANDLINE = "+390212345678"  # Milan, a fixed line: callable, not a mobile


def flow_with(parts, **caps) -> CallFlow:
    return CallFlow(parts["prompts"], parts["speech"], parts["catalog"], parts["understanding"], parts["desk"],
                    replace(parts["config"], **caps), parts["self_service"])


def until_it_ends(flow, state, answer, limit: int = 200) -> tuple[int, object]:
    """Gives the same answer up to `limit` times; how many it took for the call to hang up, and the last reply."""
    for n in range(1, limit + 1):
        reply = answer(flow, state)
        if reply.ends_call:
            return n, reply
    return limit + 1, reply


# -- the table -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(NODES))
def test_every_node_can_end_the_call_past_a_cap(name):
    assert NODES[name].leads[PAST_CAP].leads_to == ("done",)


# -- §3: every call ends -------------------------------------------------------------------------------
def test_200_silent_answers_end_at_the_unusable_cap_with_one_sms(flow, sent):
    state, _ = new_call(flow)
    answers, reply = until_it_ends(flow, state, silence)
    assert answers == flow.config.max_unusable
    assert reply.verbs[-1] == Hangup()
    assert texts(reply) == [t(flow, state, "voice.call_capped_sms")]
    assert state.outcome == "capped"
    assert state.node == "done"
    assert reply.counts == {"calls_capped|cap=unusable": 1}
    for _ in range(200 - answers):  # Twilio would not post again; if it did, the call stays over
        assert silence(flow, state).ends_call
    assert len(sent) == 1, "one SMS with the ways to reach us, however often the call is asked to end"


def test_a_caller_repeating_nonsense_ends_at_the_unusable_cap(flow, sent):
    state, _ = new_call(flow)
    answers, reply = until_it_ends(flow, state, lambda f, s: say(f, s, "banane volanti sul tetto"))
    assert answers == flow.config.max_unusable
    assert state.outcome == "capped"
    assert len(sent) == 1


def test_a_withheld_caller_pressing_3_again_and_again_ends_without_sms(flow, sent):
    state = at_options(flow, WITHHELD)
    answers, reply = until_it_ends(flow, state, lambda f, s: press(f, s, "3"))
    assert answers == flow.config.max_unusable, "a chat refused leaves the call where it was: unusable"
    assert texts(reply)[-1] == t(flow, state, "voice.call_capped")
    assert reply.verbs[-1] == Hangup()
    assert sent == [], "a withheld number gets no SMS"


def test_the_turn_cap_ends_a_call_that_keeps_moving(parts, sent):
    flow = flow_with(parts, max_turns=12, max_unusable=1000)
    state = at_options(flow, WITHHELD)
    answers, reply = until_it_ends(flow, state, lambda f, s: press(f, s, "3"))
    assert answers == 12 - 1, "12 answers in all: the first settled the topic"
    assert reply.counts == {"calls_capped|cap=turns": 1}


def test_the_seconds_cap_ends_the_call_at_the_next_answer(flow, clock):
    state, _ = new_call(flow)
    clock.advance(flow.config.max_seconds)
    reply = press(flow, state, "1")  # a topic: usable, but the call has lasted long enough
    assert state.outcome == "capped"
    assert reply.counts == {"calls_capped|cap=seconds": 1}


def test_an_answer_that_ends_the_call_is_kept_past_a_cap(flow, parts, clock):
    state = at_options(flow)
    press(flow, state, "4")
    clock.advance(flow.config.max_seconds)
    reply = step(flow, state, Inputs(recording=RECORDING))
    assert state.outcome == "voicemail", "a voice message left is saved, not cut off"
    assert parts["queue"].get(state.item_id).kind == "voicemail"
    assert reply.verbs[-1] == Hangup()


def test_a_usable_answer_starts_the_count_again(flow):
    state, _ = new_call(flow)
    for _ in range(flow.config.max_unusable - 1):
        silence(flow, state)
    assert state.unusable == flow.config.max_unusable - 1
    press(flow, state, "1")  # after 3 silences at the question and 2 at the keypad, the options: 1 is a callback
    assert state.unusable == 0
    assert state.node == "number"


# -- §5: hung up after the reason, before choosing -----------------------------------------------------
@pytest.mark.parametrize("node, outcome, expected", [
    ("options", "", True), ("window", "", True), ("number", "", True), ("enter_number", "", True),
    ("confirm", "", True), ("reason", "", False), ("done", "booked_callback", False), ("options", "capped", False),
])
def test_who_hung_up_before_choosing(node, outcome, expected):
    state = CallState(sid="CA1", caller=IT_MOBILE, node=node, outcome=outcome, intent="internet_down")
    assert hung_up_before_choosing(state) is expected


def test_a_call_that_never_heard_a_reason_was_not_abandoned_before_choosing():
    assert not hung_up_before_choosing(CallState(sid="CA1", caller=IT_MOBILE, node="options"))


def test_a_silent_line_on_the_safe_path_has_given_no_reason(flow):
    state, _ = new_call(flow)
    for _ in range(5):  # the question 3x, the keypad menu 2x: the options, for a topic we do not know
        silence(flow, state)
    assert state.node == "options"
    assert not hung_up_before_choosing(state)


def test_a_reason_keyed_counts_as_said(flow):
    state = at_options(flow)
    assert hung_up_before_choosing(state)


# -- §5: an open request at the greeting -----------------------------------------------------------------
@pytest.fixture
def booked(flow, parts):
    """A callback booked by an earlier call from IT_MOBILE, behind one booked before it."""
    queue, now = parts["queue"], flow.desk.clock()
    queue.enqueue(WorkItem(id="", kind="callback", channel="voice", lang="it", acquired_at=now - 900,
                           natural_key=flow.desk.callback_key("+393331112222"), customer="+393331112222"))
    return queue.enqueue(WorkItem(id="", kind="callback", channel="voice", lang="it", acquired_at=now - 600,
                                  natural_key=flow.desk.callback_key(IT_MOBILE), customer=IT_MOBILE, intent="internet_down",
                                  summary="internet non va")).item


def test_a_caller_with_a_pending_callback_hears_its_place_instead_of_the_menu(flow, booked):
    state, reply = new_call(flow)
    assert state.node == "open_request"
    ask = reply.verbs[-1]
    assert isinstance(ask, Ask)
    assert [s.text for s in ask.says[-2:]] == [t(flow, state, "voice.open_request", position=flow.position(state, 2)),
                                               t(flow, state, "voice.open_request_menu")]


def test_the_place_heard_is_the_queues_now(flow, parts, booked):
    parts["queue"].cancel(parts["queue"].pending_for(parts["desk"].callback_key("+393331112222")).id, reason="test")
    state, reply = new_call(flow)
    assert texts(reply)[-2] == t(flow, state, "voice.open_request", position=flow.position(state, 1))


def test_one_keeps_the_pending_callback(flow, parts, booked):
    state, _ = new_call(flow)
    reply = press(flow, state, "1")
    assert texts(reply) == [t(flow, state, "voice.open_request_kept")]
    assert reply.verbs[-1] == Hangup()
    assert parts["queue"].get(booked.id).status == "waiting"
    assert state.outcome == "kept"


def test_two_cancels_the_pending_callback(flow, parts, booked):
    state, _ = new_call(flow)
    reply = say(flow, state, "vorrei annullarla")
    assert texts(reply) == [t(flow, state, "voice.open_request_cancelled")]
    assert parts["queue"].get(booked.id).status == "cancelled"


def test_three_adds_what_the_caller_says_onto_the_item_which_keeps_its_place(flow, parts, booked):
    state, _ = new_call(flow)
    press(flow, state, "3")
    assert state.node == "add_to_request"
    reply = say(flow, state, "il modem adesso lampeggia rosso")
    assert texts(reply) == [t(flow, state, "voice.open_request_added")]
    item = parts["queue"].get(booked.id)
    assert item.summary == "internet non va | il modem adesso lampeggia rosso"
    assert item.acquired_at == booked.acquired_at
    assert parts["queue"].position(booked.id) == 2
    assert state.outcome == "added"


def test_silence_at_the_open_request_keeps_it(flow, parts, booked):
    state, _ = new_call(flow)
    again = silence(flow, state)
    assert state.node == "open_request"
    assert texts(again)[0] == t(flow, state, "voice.options_again")
    reply = silence(flow, state)
    assert texts(reply) == [t(flow, state, "voice.open_request_kept")]
    assert parts["queue"].get(booked.id).status == "waiting"


def test_nine_at_the_open_request_says_it_again_in_english(flow, booked):
    state, _ = new_call(flow)
    reply = press(flow, state, "9")
    assert state.lang == "en"
    assert texts(reply)[-1] == t(flow, state, "voice.open_request_menu")


def test_the_caps_and_the_offer_are_settings():
    from ivr.app.settings import load_settings

    settings = load_settings(environ={"CALL_MAX_TURNS": "12", "CALL_MAX_SECONDS": "300", "CALL_MAX_UNUSABLE": "4",
                                      "ABANDONED_CALL_SMS": "off"}, dotenv=False)
    assert (settings.call_max_turns, settings.call_max_seconds, settings.call_max_unusable,
            settings.abandoned_call_sms) == (12, 300, 4, "off")

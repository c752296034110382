"""The call as a state machine: the table of ivr/call/table.py, walked one answer at a time.

CallFlow opens the call (`start`), then for each answer (`handle`) reads it at the node the call
waits on and makes the move the table gives for that kind of answer. It also holds the moves
many nodes share (the open question, the options, the callback number, booking, the voice message).
No Flask and no Redis here: the flow talks to a FrontDesk (bookings, hours, waits) and an
Understanding (intents), both passed in, so every edge can be tested on its own
(tests/unit/test_call_flow.py).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from ivr.call import endings, open_request
from ivr.call.answers import FAILURES, GIVE_UP, Answer
from ivr.call.callback_policy import check_callback_number, last_digits
from ivr.call.state import CallState, Inputs
from ivr.call.table import NODES, Node
from ivr.call.twiml import Ask, Hangup, RecordMessage, Reply, Say
from ivr.understanding import Interpretation, interpret_digits


@dataclass(frozen=True)
class FlowConfig:
    confirm_below: float = 0.75
    reject_below: float = 0.35
    callback_regions: tuple[str, ...] = ("IT",)
    window_count: int = 3
    max_turns: int = 30         # answers in one call (CALL_MAX_TURNS)
    max_seconds: int = 600      # seconds since the call started (CALL_MAX_SECONDS)
    max_unusable: int = 6       # unusable answers in a row, across questions (CALL_MAX_UNUSABLE)


class CallFlow:
    """Routes one answer at a time; `start` opens the call, `handle` continues it."""

    def __init__(self, prompts, speech, catalog, understanding, desk, config: FlowConfig, self_service=None):
        self.prompts, self.speech, self.catalog = prompts, speech, catalog
        self.understanding, self.desk, self.config = understanding, desk, config
        self.self_service = self_service  # ivr.call.self_service.SelfService: outages, line tests, resets, bills
        self.nodes: dict[str, Node] = NODES

    # -- speaking -------------------------------------------------------------
    def t(self, state: CallState, key: str, **values) -> str:
        return self.prompts.text(state.lang, key, **values)

    def say(self, reply: Reply, state: CallState, key: str, **values) -> Reply:
        return reply.say(self.t(state, key, **values), state.lang)

    def ask(self, reply: Reply, state: CallState, *texts: str, speech: bool = True,
            hints: bool = False, num_digits: int | None = 1, finish_on_key: str = "",
            timeout: int = 5, head: tuple[Say, ...] = ()) -> Reply:
        says = head + tuple(Say(text, state.lang) for text in texts)
        return reply.add(Ask(says, state.lang, speech=speech, num_digits=num_digits,
                             finish_on_key=finish_on_key, timeout=timeout,
                             hints=tuple(self.catalog.hints(state.lang)) if hints else ()))

    def topic(self, state: CallState) -> str:
        return self.t(state, f"topics.{state.intent or 'unknown'}")

    # -- understanding --------------------------------------------------------
    def interpret(self, state: CallState, inputs: Inputs) -> Interpretation:
        if inputs.digits:
            return interpret_digits(self.catalog, inputs.digits)
        if inputs.speech.strip():
            meaning = self.understanding.interpret(inputs.speech, state.lang)
            # once voiced, a grievance stays with the call: the agent should know before calling back
            state.complaint = state.complaint or bool(getattr(meaning, "complaint", None))
            return meaning
        return Interpretation(None, 0.0, None)

    # -- entry points ---------------------------------------------------------
    def start(self, state: CallState) -> Reply:
        greeting = self.t(state, "voice.greeting_day" if self.desk.now().hour < 17 else "voice.greeting_evening")
        if self.desk.is_open():
            welcome = self.t(state, "voice.welcome", greeting=greeting)
        else:
            welcome = self.t(state, "voice.welcome_after_hours", greeting=greeting, return_at=self.return_at(state))
        head = (Say(welcome, state.lang),)
        if state.lang == "it":  # said early, in English, so an English speaker can press 9 at once
            head += (Say(self.prompts.text("en", "voice.offer_english"), "en"),)
        pending = self.desk.open_request(state.caller)
        if pending is not None:  # "you already have a callback: number 3 …" instead of the whole menu
            return open_request.greet(self, state, pending, head)
        return self.ask_reason(Reply(), state, head=head)

    def handle(self, state: CallState, inputs: Inputs) -> Reply:
        """The answer read at the node the call waits on, then the move the table gives for its kind;
        past a cap on the call (ivr/call/endings.py), unless that move ended it, the node's PAST_CAP edge."""
        node = self.nodes.get(state.node)
        if node is None:
            raise ValueError(f"unknown call node {state.node!r}")
        left = state.node
        answer = node.read(self, state, inputs)
        if node.transcript and inputs.speech.strip():
            state.heard = inputs.speech.strip()
        failed = answer.kind in FAILURES
        if failed:  # failures are counted per node (CallState.goto resets them)
            state.tries += 1
            if state.tries > node.retries:
                answer = replace(answer, kind=GIVE_UP)
        reply = node.leads[answer.kind].move(self, state, answer)
        endings.count(state, left, failed)
        cap = None if reply.ends_call else endings.cap_reached(self.config, state, self.desk.clock())
        if cap is None:
            return reply
        return node.leads[endings.PAST_CAP].move(self, state, Answer(endings.PAST_CAP, inputs, cap))

    # -- shared moves ---------------------------------------------------------
    def ask_reason(self, reply: Reply, state: CallState, key: str = "voice.ask_reason",
                   head: tuple[Say, ...] = ()) -> Reply:
        """The open question; the whole greeting sits inside the Gather so callers may answer at once."""
        state.goto("reason")
        return self.ask(reply, state, self.t(state, key), hints=True, head=head)

    def switch_to_english(self, state: CallState) -> Reply:
        state.lang = "en"
        return self.ask_reason(Reply(), state)

    def keypad_menu(self, reply: Reply, state: CallState) -> Reply:
        state.goto("keypad")
        return self.ask(reply, state, self.t(state, "voice.keypad_menu"))

    def route(self, state: CallState, intent: str, confidence: float = 1.0) -> Reply:
        """A topic is settled: self-service first when it can solve it, otherwise the human path."""
        state.intent, state.confidence = intent, confidence
        reply = Reply()
        if intent == "complaint":
            self.say(reply, state, "voice.complaint_noted")
        else:
            self.say(reply, state, "voice.understood", topic=self.topic(state))
        if self.self_service is not None and self.self_service.handles(intent):
            return self.self_service.start(self, state, reply)
        return self.offer_options(reply, state)

    def offer_options(self, reply: Reply, state: CallState) -> Reply:
        state.goto("options")
        if self.desk.is_open():
            estimate = self.desk.newcomer_wait(state.lang)  # the caller's language lane
            told = self.t(state, "voice.wait_all_away") if estimate.away else \
                self.t(state, "voice.wait_estimate", wait=self.speech.wait(estimate.seconds, state.lang))
            return self.ask(reply, state, told, self.t(state, "voice.options"))
        return self.ask(reply, state, self.t(state, "voice.wait_after_hours", return_at=self.return_at(state)),
                        self.t(state, "voice.options_after_hours"))

    def return_at(self, state: CallState) -> str:
        now = self.desk.now()
        return self.speech.moment(self.desk.next_opening(), now, state.lang)

    def confirm_number(self, reply: Reply, state: CallState) -> Reply:
        """Offers the caller's own number when it is one we may call, else asks for one."""
        check = check_callback_number(state.caller, self.config.callback_regions)
        if check.ok:
            state.callback_number = check.e164
            state.goto("number")
            digits = self.speech.digits(last_digits(check.e164, 4))
            return self.ask(reply, state, self.t(state, "voice.number_confirm", last_digits=digits))
        key = "voice.number_withheld" if check.reason == "withheld" else f"voice.number_refused.{check.reason}"
        self.say(reply, state, key)
        return self.ask_number(reply, state)

    def ask_number(self, reply: Reply, state: CallState) -> Reply:
        """The callback number, keyed and ended with # or said ("tre quattro sette …", answers.keyed_number)."""
        state.goto("enter_number")
        return self.ask(reply, state, self.t(state, "voice.number_ask"), speech=True,
                        num_digits=None, finish_on_key="#", timeout=10)

    def book(self, state: CallState) -> Reply:
        refused = self.desk.booking_refused(state.callback_number)
        if refused:  # too many bookings for this number, or its block is under attack: a voice message still reaches us
            return self.record_message(self.say(Reply(), state, f"voice.booking_refused.{refused}"), state)
        window = self._chosen_window(state)
        booking = self.desk.book_callback(state, state.callback_number, window)
        state.item_id, state.outcome = booking.item_id, "booked_callback"
        state.goto("done")
        reply = Reply()
        if not booking.created:
            self.say(reply, state, "voice.booked_already")
        if booking.case_number:  # digit by digit; the SMS receipt prints it too
            self.say(reply, state, "voice.case_number", digits=self.desk.case_said(booking.case_number))
        now = self.desk.now()
        if window is not None:
            self.say(reply, state, "voice.booked_window", window=self.speech.window(window, now, state.lang))
        elif booking.at is not None:
            self.say(reply, state, "voice.booked_opening", when=self.speech.moment(booking.at, now, state.lang))
        elif booking.away:  # open, but nobody is signed in: no wait to promise
            self.say(reply, state, "voice.booked_all_away", position=self.position(state, booking.position))
        else:
            self.say(reply, state, "voice.booked_asap", position=self.position(state, booking.position),
                     wait=self.speech.wait(booking.wait_seconds, state.lang))
        return reply.add(Hangup())

    def position(self, state: CallState, position: int | None) -> str:
        return self.prompts.position(state.lang, position)

    def _chosen_window(self, state: CallState):
        if not state.windows or len(state.windows) != 1:
            return None
        return self.desk.window_from(state.windows[0])

    def record_message(self, reply: Reply, state: CallState) -> Reply:
        state.goto("voicemail")
        self.say(reply, state, "voice.voicemail_intro")
        return reply.add(RecordMessage(max_seconds=120))

    def goodbye(self, reply: Reply, state: CallState) -> Reply:
        state.goto("done")
        return self.say(reply, state, "voice.goodbye").add(Hangup())

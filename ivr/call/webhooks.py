"""Twilio voice webhooks: thin — check, load, let the flow decide, save, render."""
from __future__ import annotations

import logging

from flask import Blueprint, Response, abort, current_app, request

from ivr.call.endings import hung_up_before_choosing
from ivr.call.state import CallState, Inputs
from ivr.call.store import CallBusy
from ivr.call.callback_policy import mask
from ivr.speech.language import language_for_caller
from ivr.runtime import keys
from ivr.runtime.metrics import DailyStats, Metrics
from ivr.call.signatures import twilio_signed
from ivr.call.twiml import Hangup, Reply, action_url, render_voice

bp = Blueprint("voice", __name__, url_prefix="/voice")


def _nohold():
    return current_app.extensions["nohold"]


def _twiml(body: str) -> Response:
    return Response(body, mimetype="text/xml")


def _required(name: str) -> str:
    value = request.form.get(name, "").strip()
    if not value:
        abort(400, description=f"missing {name}")
    return value


def apology(lang: str) -> str:
    """Said when anything inside goes wrong: a sentence and a way forward, never a stack trace."""
    nohold = _nohold()
    reply = Reply().say(nohold.prompts.text(lang, "voice.technical_error"), lang).add(Hangup())
    return render_voice(reply, "", nohold.voices)


class _Counters(dict):
    """Counter increments a step makes, applied only by the commit that wins (a replay never counts twice)."""

    def incr(self, name: str, amount: int = 1, **labels: str) -> None:
        field = Metrics.field(name, **labels)
        self[field] = self.get(field, 0) + amount


_ATTEMPTS = 5


def _answer(sid: str, seq: int, decide, check_state: bool) -> Response:
    """Runs one step once: a replayed delivery gets the reply already given.

    Optimistic: one pipelined read (state and any reply to this step), decide, then one script that commits
    only if nobody answered this step meanwhile (and, for steps, the state is still where it was read);
    otherwise the reply that won is returned, or the step is decided again on fresh state. The call's start
    depends on no stored state, so it skips the read: the commit itself returns the reply of an earlier delivery.
    """
    nohold = _nohold()
    for _ in range(_ATTEMPTS):
        stored, cached = nohold.calls.snapshot(sid, seq) if check_state else (None, None)
        if cached is not None:
            return _twiml(cached)
        expected = (stored.seq if stored is not None else -1) if check_state else None  # decide mutates it
        counters = _Counters()
        decided = decide(nohold, stored, counters)
        if isinstance(decided, str):  # an answer already given, returned as is
            return _twiml(decided)
        state, reply = decided
        state.seq = seq + 1
        twiml = render_voice(reply, action_url("/voice/step", seq=state.seq), nohold.voices)
        won, winner = nohold.calls.commit_once(state, seq, twiml, expected)
        if won and counters:  # a replay never counts twice
            nohold.metrics.add(counters)
        if winner is not None:
            return _twiml(winner)
    raise CallBusy(sid)


def _new_call(nohold, sid: str, counters: _Counters) -> CallState:
    caller = request.form.get("From", "")
    lang = language_for_caller(caller, nohold.settings.english_regions, request.form.get("FromCountry", ""))
    counters.incr("calls", lang=lang)
    logger = current_app.logger
    if logger.isEnabledFor(logging.INFO):
        logger.info("call %s from %s (%s)", sid, mask(caller), lang)
    return CallState(sid=sid, caller=caller, lang=lang, started_at=nohold.clock())


@bp.post("/incoming")
@twilio_signed
def incoming():
    sid = _required("CallSid")

    def decide(nohold, stored, counters):
        state = _new_call(nohold, sid, counters)
        return state, nohold.flow.start(state)

    return _answer(sid, 0, decide, check_state=False)


@bp.post("/step")
@twilio_signed
def step():
    sid = _required("CallSid")
    seq = request.args.get("seq", type=int)
    if seq is None or seq < 1:
        abort(400, description="missing or invalid seq")

    def decide(nohold, state, counters):
        if state is None:  # state expired or lost: start afresh rather than fail the caller
            state = _new_call(nohold, sid, counters)
            return state, nohold.flow.start(state)
        if state.seq != seq:  # out of order and never answered: the question pending now, again
            current_app.logger.warning("call %s: step %s arrived while at %s", sid, seq, state.seq)
            pending = nohold.calls.reply_for(sid, state.seq - 1)
            if pending is not None:
                return pending
        inputs = Inputs.from_form(request.form)
        reply = nohold.flow.handle(state, inputs)
        for field, amount in reply.counts.items():
            counters[field] = counters.get(field, 0) + amount
        if reply.ends_call and state.outcome:
            counters.incr("outcomes", outcome=state.outcome, lang=state.lang)
        return state, reply

    return _answer(sid, seq, decide, check_state=True)


@bp.post("/status")
@twilio_signed
def status():
    sid = _required("CallSid")
    call_status = request.form.get("CallStatus", "unknown")
    nohold = _nohold()
    if call_status in ("completed", "busy", "failed", "no-answer", "canceled"):
        if nohold.redis.set(keys.call_ended(sid), call_status, nx=True, ex=nohold.settings.call_ttl_seconds):
            state = nohold.calls.load(sid)
            outcome = state.outcome if state and state.outcome else "abandoned"
            nohold.metrics.incr("calls_ended", outcome=outcome)
            duration = request.form.get("CallDuration", "")
            seconds = int(duration) if duration.isdigit() else 0
            if seconds:
                nohold.metrics.incr("call_seconds", seconds)
            DailyStats(nohold.redis).add(nohold.desk.now().date().isoformat(), calls=1, call_seconds=seconds,
                                         contained=int(outcome == "contained"),
                                         **_report_counts(state))
            if call_status == "completed" and nohold.settings.abandoned_call_sms != "off" \
                    and hung_up_before_choosing(state) and nohold.desk.offer_callback(state):
                nohold.metrics.incr("callback_offers", lang=state.lang)  # once: the `ended` key above is set once
    return Response(status=204)


def _report_counts(state: CallState | None) -> dict[str, int]:
    """The reports' counts for an ended call (social_bridge/reports/): its intent, a hang-up before choosing."""
    intent = (state.intent if state is not None else "") or "unknown"
    return {f"intent|intent={intent}": 1, "before_choosing": int(hung_up_before_choosing(state))}


@bp.post("/fallback")
@twilio_signed
def fallback():
    """Twilio's Fallback URL: a static apology in both languages, no Redis."""
    return _twiml(_nohold().fallback_twiml)

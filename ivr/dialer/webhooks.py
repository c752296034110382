"""Twilio webhooks of agent-first callbacks: whisper to the agent, connect on 1, follow both legs."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, request
from twilio.twiml.voice_response import VoiceResponse

from ivr.call.callback_policy import last_digits
from ivr.dialer import customer_check
from ivr.dialer.attempts import ATTEMPT_ID
from ivr.dialer.services import LEG_EVENTS, build_dialer
from ivr.dialer.dialer import CUSTOMER_RING_SECONDS
from ivr.call.signatures import twilio_signed
from ivr.call.twiml import LOCALES, Ask, Hangup, Reply, Say, action_url, render_voice

bp = Blueprint("dial", __name__, url_prefix="/voice/dial")
LEGS = ("agent", "customer")
GOODBYES = {"retried": "dialer.customer_missed", "gave_up": "dialer.customer_missed_last",
            "machine": "dialer.customer_machine", "machine_gave_up": "dialer.customer_machine_last"}


# -- pure TwiML --------------------------------------------------------------------------------------
def whisper(prompts, speech, attempt, item, now: float, again: bool = False) -> Reply:
    """What the agent hears on answering: who, why, how long they waited; 1 to call, 2 to pass."""
    lang = attempt.agent_lang
    topic = f"dialer.topics.{item.intent}"
    says = [prompts.text(lang, "dialer.whisper", last_digits=speech.digits(last_digits(attempt.customer)),
                         topic=prompts.text(lang, topic if topic in prompts.keys() else "dialer.topics.unknown"),
                         waited=speech.wait(now - item.acquired_at, lang))]
    language = f"dialer.languages.{item.lang}"
    if item.lang != lang and language in prompts.keys():
        says.append(prompts.text(lang, "dialer.customer_speaks", language=prompts.text(lang, language)))
    says.append(prompts.text(lang, "dialer.choose"))
    reply = Reply().say(prompts.text(lang, "dialer.choose_again"), lang) if again else Reply()
    return reply.add(Ask(tuple(Say(text, lang) for text in says), lang, speech=False, num_digits=1, timeout=8))


def connect(intro: str, lang: str, voices: dict, caller_id: str, customer: str, action: str,
            status_callback: str, check: dict | None = None) -> str:
    """Dial the customer from the company number; both legs report back with the attempt id.

    `check`: the <Number>'s whisper URL and answering-machine detection (customer_check.number_attributes).
    """
    response = VoiceResponse()
    response.say(intro, language=LOCALES[lang], voice=voices[lang])
    dial = response.dial(caller_id=caller_id, action=action, method="POST", timeout=CUSTOMER_RING_SECONDS)
    dial.number(customer, status_callback=status_callback, status_callback_method="POST",
                status_callback_event=" ".join(LEG_EVENTS), **(check or {}))
    return str(response)


def goodbye(text: str | None, lang: str, voices: dict) -> str:
    reply = Reply().say(text, lang) if text else Reply()
    return render_voice(reply.add(Hangup()), "", voices)


# -- the webhooks ------------------------------------------------------------------------------------
def _nohold():
    return current_app.extensions["nohold"]


def _attempt_id() -> str:
    attempt_id = request.args.get("attempt", "")
    if not ATTEMPT_ID.fullmatch(attempt_id):
        abort(400, description="missing or malformed attempt")
    return attempt_id


def _twiml(body: str) -> Response:
    return Response(body, mimetype="text/xml")


def _gone(nohold, lang: str = "it") -> Response:
    return _twiml(goodbye(nohold.prompts.text(lang, "dialer.gone"), lang, nohold.voices))


def _whisper(nohold, attempt, again: bool = False) -> Response:
    item = nohold.dialer.queue.get(attempt.item_id)
    if item is None:
        return _gone(nohold, attempt.agent_lang)
    reply = whisper(nohold.prompts, nohold.speech, attempt, item, nohold.clock(), again)
    return _twiml(render_voice(reply, action_url("/voice/dial/agent-answer", attempt=attempt.id), nohold.voices))


@bp.post("/agent")
@twilio_signed
def agent():
    """Twilio fetched the agent leg's Url: the agent picked up."""
    nohold, attempt_id = _nohold(), _attempt_id()
    attempt = nohold.dialer.attempts.get(attempt_id)
    if attempt is None or not nohold.dialer.on_agent_answered(attempt_id, request.form.get("CallSid", "")):
        return _gone(nohold, attempt.agent_lang if attempt else "it")
    return _whisper(nohold, attempt)


@bp.post("/agent-answer")
@twilio_signed
def agent_answer():
    """The agent's key: 1 dials the customer, 2 or silence hands the callback back to the queue."""
    nohold, attempt_id = _nohold(), _attempt_id()
    dialer = nohold.dialer
    choice = dialer.on_agent_choice(attempt_id, request.form.get("Digits", "").strip())
    attempt = dialer.attempts.get(attempt_id)
    lang = attempt.agent_lang if attempt else "it"
    if choice == "connect":
        settings = nohold.settings
        check = customer_check.number_attributes(
            attempt.check or "off", settings.url(action_url("/voice/dial/customer", attempt=attempt_id)),
            settings.url(action_url("/voice/dial/amd", attempt=attempt_id)), settings.callback_machine_message == "on")
        return _twiml(connect(
            nohold.prompts.text(lang, "dialer.connecting"), lang, nohold.voices, settings.twilio_number,
            attempt.customer, settings.url(action_url("/voice/dial/customer-done", attempt=attempt_id)),
            settings.url(action_url("/voice/dial/status", attempt=attempt_id, leg="customer")), check))
    if choice == "ask_again":
        return _whisper(nohold, attempt, again=True)
    if choice == "declined":
        return _twiml(goodbye(nohold.prompts.text(lang, "dialer.declined"), lang, nohold.voices))
    return _gone(nohold, lang)


@bp.post("/customer-done")
@twilio_signed
def customer_done():
    """The <Dial> ended: reached, or a retry later (the agent hears which, if still on the line)."""
    nohold, attempt_id = _nohold(), _attempt_id()
    state = nohold.dialer.on_dial_outcome(attempt_id, request.form.get("DialCallStatus", ""))
    attempt = nohold.dialer.attempts.get(attempt_id)
    lang = attempt.agent_lang if attempt else "it"
    key = GOODBYES.get(_told(attempt, state)) if attempt else None
    return _twiml(goodbye(nohold.prompts.text(lang, key) if key else None, lang, nohold.voices))


def _told(attempt, state: str | None) -> str | None:
    """What the agent is told when the <Dial> ends: a machine is named as such."""
    if attempt.state == "machine":
        return "machine_gave_up" if attempt.outcome == "gave_up" else "machine"
    return attempt.outcome or state


# -- the customer's side: a person, or their answering machine ------------------------------------------
def _customer_reply(nohold, attempt_id: str, action: str) -> Response:
    """The TwiML for what CustomerLeg decided; the customer hears it in their own language ("Lei")."""
    attempt = nohold.dialer.attempts.get(attempt_id)
    lang, prompts, voices = (attempt.lang if attempt else "it"), nohold.prompts, nohold.voices
    if action == "ask":
        return _twiml(customer_check.question(prompts, lang, action_url("/voice/dial/customer-key", attempt=attempt_id),
                                              voices))
    if action == "connect":
        return _twiml(customer_check.connecting(prompts, lang, voices) if attempt.confirmed == customer_check.CONFIRMED
                      else customer_check.bridge())
    if action == "machine":  # the message once per attempt, whichever of the whisper or the job gets there first
        leave = nohold.settings.callback_machine_message == "on" and nohold.dialer.attempts.once(
            attempt_id, "machine_message", by="whisper")
        return _twiml(customer_check.machine(prompts, lang, voices, leave, last=attempt.outcome == "gave_up"))
    return _twiml(goodbye(None, lang, voices))


@bp.post("/customer")
@twilio_signed
def customer():
    """The <Number url>: the customer's phone picked up (AnsweredBy comes along when AMD has a verdict)."""
    nohold, attempt_id = _nohold(), _attempt_id()
    action = nohold.dialer.customer.on_answer(attempt_id, request.form.get("CallSid", ""),
                                              request.form.get("AnsweredBy", ""))
    return _customer_reply(nohold, attempt_id, action)


@bp.post("/customer-key")
@twilio_signed
def customer_key():
    """The answer to "…per parlare con l'operatore prema 1": 1 connects; anything else, or silence, is a machine."""
    nohold, attempt_id = _nohold(), _attempt_id()
    action = nohold.dialer.customer.on_key(attempt_id, request.form.get("Digits", ""))
    return _customer_reply(nohold, attempt_id, action)


@bp.post("/amd")
@twilio_signed
def amd():
    """Twilio's answering-machine detection verdict for the customer leg (amdStatusCallback)."""
    attempt_id = _attempt_id()
    _nohold().dialer.customer.on_amd(attempt_id, request.form.get("AnsweredBy", ""), request.form.get("CallSid", ""))
    return Response(status=204)


@bp.post("/status")
@twilio_signed
def status():
    """Status callbacks of either leg; repeats and late arrivals change nothing."""
    attempt_id, leg = _attempt_id(), request.args.get("leg", "")
    if leg not in LEGS:
        abort(400, description="leg must be agent or customer")
    _nohold().dialer.on_leg_status(attempt_id, leg, request.form.get("CallStatus", ""),
                                   request.form.get("CallSid", ""))
    return Response(status=204)

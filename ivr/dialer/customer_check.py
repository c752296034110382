"""Who answered the customer leg of a callback: a person, or their answering machine (a segreteria).

A `completed` leg proves only that something picked up. The setting CALLBACK_CUSTOMER_CHECK says how a
person is told from a machine: `press1` (the customer hears "…per parlare con l'operatore prema 1"; a
machine never presses), `amd` (Twilio's answering-machine detection on the <Number>), `both` (the key
decides; a machine AMD recognised at the answer skips the question), or `off` (as before: answered is
reached). Everything here is pure: the decisions and the TwiML the customer hears.
"""
from __future__ import annotations

from twilio.twiml.voice_response import VoiceResponse

from ivr.call.twiml import Ask, Hangup, Reply, Say, render_voice

MODES = ("amd", "press1", "both", "off")
# Twilio's AnsweredBy values (answering-machine detection)
MACHINE = frozenset({"machine_start", "machine_end_beep", "machine_end_silence", "machine_end_other", "fax"})
PERSON = frozenset({"human", "unknown"})  # unknown: AMD could not tell; with `amd` alone the agent judges
ANSWERED_BY = MACHINE | PERSON
CONFIRM_SECONDS = 6   # after the question, how long the customer has to press 1
CONFIRMED, NOT_CONFIRMED = "1", "none"


def uses_amd(mode: str) -> bool:
    return mode in ("amd", "both")


def asks(mode: str) -> bool:
    return mode in ("press1", "both")


def at_answer(mode: str, answered_by: str) -> str:
    """When the customer's phone picks up: "machine", "ask" (the press-1 question) or "connect"."""
    if uses_amd(mode) and answered_by in MACHINE:
        return "machine"
    return "ask" if asks(mode) else "connect"


def from_amd(mode: str, answered_by: str) -> str | None:
    """What an AMD verdict decides on its own: only with `amd` (with a question, the key decides)."""
    if mode != "amd" or answered_by not in ANSWERED_BY:
        return None
    return "machine" if answered_by in MACHINE else "reached"


def from_key(digits: str) -> str:
    return "reached" if digits == CONFIRMED else "machine"


def at_end(mode: str, answered_by: str, confirmed: str) -> str | None:
    """The answered leg ended: "reached", "machine", or None while an AMD verdict may still come."""
    if mode not in MODES or mode == "off" or confirmed == CONFIRMED:
        return "reached"  # attempts made before the setting existed have no mode: as they were judged then
    if asks(mode):
        return "machine"  # hung up on the question, or the question never ran: nobody pressed 1
    if answered_by in ANSWERED_BY:
        return from_amd(mode, answered_by)
    return None


def number_attributes(mode: str, check_url: str, amd_url: str, leave_message: bool) -> dict:
    """Attributes of the <Number> (twilio's keyword names) for the mode: the whisper URL and AMD."""
    if mode == "off":
        return {}
    attributes = {"url": check_url, "method": "POST"}
    if uses_amd(mode):
        # DetectMessageEnd waits for the greeting's end (the beep), so a message left lands on the tape
        attributes.update(machine_detection="DetectMessageEnd" if leave_message else "Enable",
                          amd_status_callback=amd_url, amd_status_callback_method="POST")
    return attributes


# -- what the customer hears ("Lei") --------------------------------------------------------------------
def question(prompts, lang: str, action: str, voices: dict) -> str:
    """The press-1 question; silence posts an empty Digits to `action` (a machine's answer)."""
    ask = Ask((Say(prompts.text(lang, "callback_customer.confirm"), lang),), lang, speech=False, num_digits=1,
              timeout=CONFIRM_SECONDS)
    return render_voice(Reply().add(ask), action, voices)


def connecting(prompts, lang: str, voices: dict) -> str:
    """A person: one sentence, then the TwiML ends and Twilio bridges them to the agent."""
    return render_voice(Reply().say(prompts.text(lang, "callback_customer.connecting"), lang), "", voices)


def machine(prompts, lang: str, voices: dict, leave_message: bool, last: bool) -> str:
    """A machine: the short message (no personal data: anyone may play the tape back), then hang up."""
    reply = Reply()
    if leave_message:
        key = "callback_customer.machine_message_last" if last else "callback_customer.machine_message"
        reply.say(prompts.text(lang, key), lang)
    return render_voice(reply.add(Hangup()), "", voices)


def bridge() -> str:
    """Nothing to say: the whisper ends at once and the legs are connected."""
    return str(VoiceResponse())

"""Twilio Messaging webhook (SMS and WhatsApp): commands about a booked callback, and conversations.

STATO/ANNULLA (STATUS/CANCEL) about a pending callback are answered here, in the TwiML reply; so is
CHIAMAMI (CALL ME) from a number we offered a callback after its call hung up before choosing.
Anything else is a written conversation: stored for the inbox job (social_bridge.chat.inbox), which
threads it, keeps the customer's place and acknowledges on the same channel.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, request

from ivr.call.callback_policy import check_callback_number, mask
from ivr.call.signatures import twilio_signed
from ivr.call.twiml import render_message
from ivr.runtime import keys
from social_bridge.chat.commands import CALLBACK_COMMANDS, case_argument

bp = Blueprint("sms", __name__, url_prefix="/sms")
REPLY_TTL = 7 * 86400   # Twilio may redeliver; the same MessageSid always gets the same answer
# ... and is remembered far longer: Twilio's signatures never expire, so an old signed ANNULLA replayed
# after its reply was forgotten must not cancel the callback booked since
SEEN_TTL = 30 * 86400


def _status(nohold, item, lang: str) -> str:
    speech, prompts, desk = nohold.speech, nohold.prompts, nohold.desk
    position = nohold.queue.position(item.id)
    if position:
        wait = speech.wait(nohold.eta.for_item(item).seconds, lang)  # in its language lane
        return prompts.text(lang, "sms.status_waiting", position=prompts.position(lang, position), wait=wait)
    now = desk.now()
    if item.not_after:
        when = speech.window(desk.window_from((item.not_before, item.not_after)), now, lang)
    else:  # waiting for the opening: the span from its place then and the staffing then, not the opening time
        when = speech.moment(desk.promise(item), now, lang)
    return prompts.text(lang, "sms.status_scheduled", window=when)


def answer(nohold, sender: str, body: str) -> str | None:
    """The reply to a callback command, or None when the message is a conversation for the inbox."""
    command, lang = nohold.commands.parse(body, among=CALLBACK_COMMANDS + ("call_me",))
    check = check_callback_number(sender.removeprefix("whatsapp:"), nohold.settings.callback_countries)
    if command == "call_me":  # the answer to the SMS sent after a call hung up before choosing, if any
        return _take_offer(nohold, check.e164, lang) if check.ok else None
    quoted = case_argument(body) if command == "status" else None
    if quoted and nohold.case_status is not None:  # STATO 12345678: that case, from any number
        return nohold.case_status(quoted, lang or "it")
    item = nohold.queue.pending_for(nohold.desk.callback_key(check.e164)) if check.ok else None
    if command is None or item is None:
        return None
    lang = lang or item.lang
    if command == "no_updates":  # no more pushed waits about this callback (social_bridge/chat/pushed_waits.py)
        if nohold.pushed_waits is not None:
            nohold.pushed_waits.opt_out(item.id)
        return nohold.prompts.text(lang, "sms.no_updates")
    if command == "cancel":
        if item and nohold.queue.cancel(item.id, reason="customer_sms"):
            nohold.metrics.incr("callbacks_cancelled", channel="sms")
            return nohold.prompts.text(lang, "sms.cancelled")
        return nohold.prompts.text(lang, "sms.nothing_to_cancel")
    return _status(nohold, item, lang)


def _take_offer(nohold, number: str, lang: str | None) -> str | None:
    """CHIAMAMI to the offer (FrontDesk.offer_callback): the callback books with the call's time and its SMS
    receipt is the answer (nothing more in the reply); without an offer, "call me" is the inbox's to answer."""
    taken = nohold.desk.book_offered(number)
    if taken is None:
        return None
    nohold.metrics.incr("callback_offers_taken", result=taken)
    return "" if taken == "booked" else nohold.prompts.text(lang or "it", f"chat.callback_refused_{taken}")


def _act_once(nohold, key: str, sender: str) -> str:
    """Answers a command, or hands a conversation to the inbox; the TwiML reply, kept for redeliveries."""
    text = answer(nohold, sender, request.form.get("Body", ""))
    if text is None:  # a conversation: the inbox job threads it and answers on the same channel
        channel = "whatsapp" if sender.startswith("whatsapp:") else "sms"
        try:
            nohold.social.inbound.accept(nohold.social.channels[channel].parse_form(request.form))
        except (KeyError, ValueError) as unusable:  # WhatsApp not configured, or not a message we can keep
            abort(400, description=f"message not accepted: {unusable}")
    cached = render_message(text) if text else render_message()
    if not nohold.redis.set(key, cached, nx=True, ex=REPLY_TTL):
        cached = nohold.redis.get(key) or cached
    return cached


@bp.post("/incoming")
@twilio_signed
def incoming():
    sid = request.form.get("MessageSid", "").strip() or request.form.get("SmsSid", "").strip()
    sender = request.form.get("From", "").strip()
    if not sid or not sender:
        abort(400, description="missing MessageSid or From")
    nohold = current_app.extensions["nohold"]
    key = keys.sms_reply(sid)
    cached = nohold.redis.get(key)
    if cached is None and not nohold.redis.set(keys.sms_seen(sid), 1, nx=True, ex=SEEN_TTL):
        # answered before: the same reply while it is kept (a concurrent delivery may still be writing it),
        # then nothing at all — the message was acted on once, long ago
        cached = nohold.redis.get(key) or render_message()
        current_app.logger.info("sms %s from %s seen before: not acted on again", sid, mask(sender))
    if cached is None:
        try:
            cached = _act_once(nohold, key, sender)
        except BaseException:  # not acted on (Redis away, a message we cannot keep): a redelivery may try again
            nohold.redis.delete(keys.sms_seen(sid))
            raise
        current_app.logger.info("sms %s from %s answered", sid, mask(sender))
    return Response(cached, mimetype="text/xml")

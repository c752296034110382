"""Error pages: callers always hear a sentence in their language; everyone else gets a clean JSON error."""
from __future__ import annotations

import logging

from flask import current_app, request
from redis.exceptions import RedisError
from werkzeug.exceptions import HTTPException

from ivr.call.twiml import render_message
from ivr.call.webhooks import apology
from ivr.speech.language import language_for_caller

log = logging.getLogger("nohold")


def _caller_language(redis_failed: bool = False) -> str:
    """The caller's language for an apology: from the call state if Redis answers, else from the number
    (at once when Redis just failed: asking it again would double the caller's wait)."""
    nohold = current_app.extensions["nohold"]
    try:
        state = None if redis_failed else nohold.calls.load(request.form.get("CallSid", ""))
        if state is not None:
            return state.lang
    except RedisError:
        pass
    return language_for_caller(request.form.get("From", ""), nohold.settings.english_regions)


def on_error(error: Exception):
    """Callers always hear a sentence in their language; everyone else gets a clean JSON error."""
    if isinstance(error, HTTPException):
        return {"error": error.name, "message": error.description}, error.code
    redis_failed = isinstance(error, RedisError)
    if redis_failed:  # an outage, not a bug: one line per request, no traceback
        log.error("redis unavailable (%s) on %s", type(error).__name__, request.path)
    else:
        log.error("unhandled %s on %s", type(error).__name__, request.path, exc_info=error)
    if request.path.startswith("/voice/"):
        return apology(_caller_language(redis_failed)), 200, {"Content-Type": "text/xml"}
    if request.path.startswith("/sms/"):
        text = current_app.extensions["nohold"].prompts.text(_caller_language(redis_failed), "sms.technical_error")
        return render_message(text), 200, {"Content-Type": "text/xml"}
    if redis_failed:  # Meta, X and API clients retry a 503: nothing is lost while Redis is away
        return {"error": "unavailable", "message": "storage unavailable; retry later"}, 503, {"Retry-After": "5"}
    return {"error": "internal error", "message": "something went wrong on our side; it has been logged"}, 500

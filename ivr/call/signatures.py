"""Twilio webhook signatures, checked against PUBLIC_BASE_URL + path (never request.url)."""
from __future__ import annotations

import hmac
from functools import wraps

from flask import abort, current_app, request
from twilio.request_validator import RequestValidator, get_signature_algorithm

SETTINGS_HEADER = "X-Twilio-Webhooks-Signature-Settings"


def signed_url(public_base_url: str, full_path: str) -> str:
    """The URL Twilio called, as seen from outside any proxy."""
    return public_base_url.rstrip("/") + (full_path[:-1] if full_path.endswith("?") else full_path)


def is_genuine(settings, full_path: str, form, headers) -> bool:
    signature = headers.get("X-Twilio-Signature", "")
    if not signature:
        return False
    settings_header = headers.get(SETTINGS_HEADER, "")
    # Webhook Rules sign with a shared key (and may use HMAC-SHA256); classic webhooks with the auth token
    token = settings.twilio_webhook_shared_key if settings_header and settings.twilio_webhook_shared_key \
        else settings.signing_token
    validator = RequestValidator(token)
    url, algorithm = signed_url(settings.public_base_url, full_path), get_signature_algorithm(settings_header)
    if not settings_header and "bodySHA256" not in full_path:  # the common case: one HMAC over the URL as configured
        if hmac.compare_digest(validator.compute_signature(url, form).encode(), signature.encode()):
            return True
    # otherwise twilio's full check: with and without the default port, other algorithms, a body hash
    return validator.validate(url, form, signature, algorithm)


def twilio_signed(view):
    """403 before anything is read or written when the request is not Twilio's."""
    @wraps(view)
    def checked(*args, **kwargs):
        if not is_genuine(current_app.config["NOHOLD"], request.full_path, request.form, request.headers):
            current_app.logger.warning("forged or unsigned Twilio request to %s refused", request.path)
            abort(403, description="invalid Twilio signature")
        return view(*args, **kwargs)
    return checked

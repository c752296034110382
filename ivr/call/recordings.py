"""Voicemail recordings at Twilio: which callbacks name one, and how its audio is fetched.

The audio is fetched with the account SID and auth token, so the URL is never the one a request
brought: it is built from the RecordingSid against Twilio's API (or TWILIO_API_BASE), https only
(plain http only to a loopback test double), and no redirect carries the credentials anywhere.
"""
from __future__ import annotations

import ipaddress
import logging
import re
from urllib.parse import urljoin, urlsplit

import requests

RECORDING_SID = re.compile(r"RE[0-9a-fA-F]{32}")
# the RecordingUrl of a <Record> action: Twilio's API host (api.twilio.com, or a regional edge such as
# api.dublin.ie1.twilio.com), the account, and the very RecordingSid of the same request
_TWILIO_URL = re.compile(r"https://api(?:\.[a-z0-9-]+\.[a-z0-9-]+)?\.twilio\.com/2010-04-01/Accounts/"
                         r"AC[0-9a-fA-F]{32}/Recordings/(?P<sid>RE[0-9a-fA-F]{32})")
TWILIO_API = "https://api.twilio.com"
log = logging.getLogger(__name__)


class RecordingRefused(ValueError):
    """This item's recording cannot be fetched safely (no Twilio RecordingSid, or an unsafe API base)."""


def twilio_recording_sid(url: str, sid: str) -> str | None:
    """The RecordingSid when `url` is Twilio's own URL of that recording, else None (not stored)."""
    found = _TWILIO_URL.fullmatch(url or "")
    return sid if found and found["sid"] == sid else None


def _safe_base(base: str) -> str:
    parts = urlsplit(base)
    if parts.scheme == "https" and parts.hostname:
        return base.rstrip("/")
    if parts.scheme == "http" and parts.hostname:
        try:
            loopback = parts.hostname == "localhost" or ipaddress.ip_address(parts.hostname).is_loopback
        except ValueError:
            loopback = False
        if loopback:  # a local test double of Twilio's API
            return base.rstrip("/")
    raise RecordingRefused("TWILIO_API_BASE must be an https URL (plain http only on the loopback)")


def media_url(settings, item, extension: str) -> str:
    """Twilio's media URL of the item's recording, from its RecordingSid alone."""
    sid = item.recording_sid or ""
    if not RECORDING_SID.fullmatch(sid):
        raise RecordingRefused("the item has no Twilio RecordingSid")
    base = _safe_base(settings.twilio_api_base or TWILIO_API)
    return f"{base}/2010-04-01/Accounts/{settings.twilio_account_sid}/Recordings/{sid}{extension}"


def recording_fetcher(settings, extension: str = ".mp3", http=None):
    """The voicemail audio as (bytes, content type), fetched with Twilio credentials; None in dev mode.

    The fetcher answers None for an item whose recording cannot be fetched safely (logged), and lets
    requests' errors through for Twilio's answers.
    `extension` picks Twilio's format: ".mp3" for browsers, ".wav" (as recorded) for transcription.
    A redirect (Twilio may hand media out through a signed storage URL) is followed once, to https only
    and without the credentials."""
    if settings.dev_mode:
        return None
    http = http or requests

    def fetch(item):
        try:
            return _fetch(item)
        except RecordingRefused as refused:
            log.warning("recording of item %s not fetched: %s", item.id, refused)
            return None

    def _fetch(item):
        url = media_url(settings, item, extension)
        response = http.get(url, auth=(settings.twilio_account_sid, settings.twilio_auth_token), timeout=10,
                            allow_redirects=False)
        if response.is_redirect:
            target = urljoin(url, response.headers.get("Location", ""))
            if urlsplit(target).scheme != "https":
                raise RecordingRefused("Twilio redirected the recording to a URL that is not https")
            response = http.get(target, timeout=10, allow_redirects=False)
            if response.is_redirect:
                raise RecordingRefused("Twilio redirected the recording more than once")
        response.raise_for_status()
        return response.content, response.headers.get("Content-Type", "audio/mpeg")
    return fetch

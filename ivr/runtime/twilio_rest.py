"""The Twilio REST client, pointed at TWILIO_API_BASE when set (staging, test doubles)."""
from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client


class RedirectingHttpClient(TwilioHttpClient):
    """Sends every *.twilio.com request to another base URL, path and query unchanged."""

    def __init__(self, api_base: str, **kwargs):
        super().__init__(**kwargs)
        self.api_base = urlsplit(api_base)

    def request(self, method, url, *args, **kwargs):
        parts = urlsplit(url)
        if parts.hostname and parts.hostname.endswith("twilio.com"):
            url = urlunsplit((self.api_base.scheme, self.api_base.netloc,
                              self.api_base.path.rstrip("/") + parts.path, parts.query, ""))
        return super().request(method, url, *args, **kwargs)


def make_twilio_client(settings) -> Client | None:
    """None in dev mode: nothing may pretend to reach Twilio."""
    if settings.dev_mode:
        return None
    http_client = RedirectingHttpClient(settings.twilio_api_base, timeout=10) if settings.twilio_api_base else None
    return Client(settings.twilio_account_sid, settings.twilio_auth_token, http_client=http_client)

"""How the simulated Twilio reaches nohold: over HTTP, or in-process through a Flask test client."""
from __future__ import annotations

from typing import Protocol
from urllib.parse import urlsplit

import requests

# Twilio gives a webhook 15 s before it gives up (and uses the Fallback URL).
TWILIO_TIMEOUT_SECONDS = 15


class Unreachable(Exception):
    """Nothing answered at the URL (connection refused, DNS failure)."""


class TooSlow(Exception):
    """The server took longer than Twilio waits."""


class Transport(Protocol):
    """Posts a form and returns (HTTP status, body text)."""

    def post(self, url: str, form: dict[str, str], headers: dict[str, str]) -> tuple[int, str]: ...


class HttpTransport:
    """A real HTTP client (requests), with Twilio's 15 s timeout."""

    def __init__(self, timeout: float = TWILIO_TIMEOUT_SECONDS):
        self.timeout = timeout
        self.session = requests.Session()

    def post(self, url: str, form: dict[str, str], headers: dict[str, str]) -> tuple[int, str]:
        try:
            # Redirects are not followed: a 3xx from a webhook is a bug worth seeing.
            resp = self.session.post(url, data=form, headers=headers, timeout=self.timeout,
                                     allow_redirects=False)
        except requests.Timeout as exc:
            raise TooSlow(url) from exc
        except requests.ConnectionError as exc:
            raise Unreachable(f"{url}: {exc.__class__.__name__}") from exc
        return resp.status_code, resp.text


class FlaskTransport:
    """Drives a Flask app in-process; the app sees the same host and path Twilio would call."""

    def __init__(self, app_or_client, base_url: str | None = None):
        # Accept an app or an existing test client (so a test can share cookies/config).
        self.client = app_or_client.test_client() if hasattr(app_or_client, "test_client") \
            else app_or_client
        self.base_url = base_url.rstrip("/") if base_url else None

    def post(self, url: str, form: dict[str, str], headers: dict[str, str]) -> tuple[int, str]:
        if self.base_url and url.startswith(self.base_url + "/"):
            # A base with a path prefix becomes SCRIPT_NAME, as behind a proxy mount.
            base, path = self.base_url, url[len(self.base_url):]
        else:
            parts = urlsplit(url)
            base = f"{parts.scheme}://{parts.netloc}"
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        # base_url makes request.url / request.host match the URL that was signed.
        resp = self.client.post(path, data=form, headers=headers, base_url=base)
        return resp.status_code, resp.get_data(as_text=True)

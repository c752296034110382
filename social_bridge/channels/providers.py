"""What the JSON providers (Meta's Graph API, X's API) send and answer, read safely; shared by their adapters."""
from __future__ import annotations

import json
from typing import Mapping

import requests

from . import Malformed, Outbound, SendFailed


def header(headers: Mapping[str, str], name: str) -> str:
    """Case-insensitive lookup that works on a plain dict as on werkzeug's Headers; "" when absent."""
    name = name.lower()
    return next((str(value) for key, value in headers.items() if key.lower() == name), "")


def load_object(raw: bytes) -> dict:
    """The JSON object in a raw body; invalid UTF-8, bad JSON, absurd nesting or a non-object: Malformed."""
    try:
        body = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise Malformed(f"not a JSON body ({type(exc).__name__})") from None
    return need(body, dict, "body")


def need(value, kind: type, what: str):
    """`value` when it is a `kind` (a bool is not an int here), else Malformed naming the field."""
    if not isinstance(value, kind) or (type(value) is bool and kind is not bool):
        raise Malformed(f"{what}: expected {kind.__name__}, got {type(value).__name__}")
    return value


def epoch_seconds(millis, what: str) -> float:
    """Provider milliseconds (an int, or a string of digits as X sends them) as epoch seconds."""
    if isinstance(millis, str) and millis.isascii() and millis.isdigit():
        millis = int(millis)
    return need(millis, int, what) / 1000


def check_text(outbound: Outbound, max_length: int) -> None:
    """Refuse before any request what the provider would refuse: splitting is the caller's job."""
    if not outbound.text:
        raise ValueError("nothing to send")
    if len(outbound.text) > max_length:
        raise ValueError(f"{len(outbound.text)} characters, {outbound.channel} takes {max_length}: split it first")


def post_json(http, url: str, payload: dict, *, token: str, timeout: float, what: str):
    """POST with a bearer token (kept out of URLs, hence out of error texts and access logs).

    A connection error or timeout is retryable; the provider may have delivered all the same (neither
    API takes an idempotency key), so a retry can, rarely, send twice.
    """
    try:
        return http.post(url, json=payload, headers={"Authorization": f"Bearer {token}"}, timeout=timeout)
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise SendFailed(f"{what}: {type(exc).__name__}", retryable=True) from None


def answer_of(response) -> dict:
    """The JSON object a provider answered, or {} when it answered something else."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def masked(identifier: str) -> str:
    """Enough of an id to tell two apart in a log, not enough to find the person."""
    return identifier[:3] + "…" if len(identifier) > 6 else "…"

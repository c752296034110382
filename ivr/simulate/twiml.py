"""TwiML reading helpers shared by the voice player and the SMS path."""
from __future__ import annotations

import unicodedata
import xml.etree.ElementTree as ET
from urllib.parse import urljoin

# What a caller hears when a webhook fails and there is no Fallback URL.
TWILIO_ERROR_SPEECH = "We are sorry, an application error has occurred. Goodbye."

# Verbs that mean the caller is left waiting: nohold exists to make these impossible.
FORBIDDEN = {
    "Play": "<Play> — nohold must never play hold music or audio instead of talking",
    "Enqueue": "<Enqueue> — callers must never be parked in a hold queue",
}


class CallBroken(Exception):
    """The call went wrong the way a caller (or a scenario) would notice."""


def parse_response(body: str, url: str) -> ET.Element:
    """The <Response> root of a TwiML body, or CallBroken saying why Twilio would choke on it."""
    if not body.strip():
        raise CallBroken(f"{url} answered with an empty body: Twilio would say "
                         f"“{TWILIO_ERROR_SPEECH}” and hang up.")
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise CallBroken(f"{url} did not answer TwiML ({exc}); Twilio would say "
                         f"“{TWILIO_ERROR_SPEECH}”. The body starts: {body[:160]!r}") from None
    if root.tag != "Response":
        raise CallBroken(f"{url} answered <{root.tag}>, not <Response>: not TwiML.")
    return root


def resolve(current_url: str, target: str | None) -> str:
    """Where Twilio goes next: relative to the document's URL, query string kept as written."""
    target = (target or "").strip()
    return urljoin(current_url, target) if target else current_url


def text_of(el: ET.Element) -> str:
    """The spoken text of a verb, SSML children included, whitespace collapsed."""
    return " ".join("".join(el.itertext()).split())


def normalize(text: str) -> str:
    """Casefolded, accent-free, single-spaced: so expectations survive "è"/"e" and case."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


def word_count(text: str) -> int:
    return len(text.split())


def flag(el: ET.Element, name: str, default: bool = False) -> bool:
    value = el.get(name)
    return default if value is None else value.strip().lower() == "true"


def number(el: ET.Element, name: str, default: float) -> float:
    """A numeric attribute; a malformed one falls back to Twilio's default."""
    try:
        return float(el.get(name, default))
    except ValueError:
        return default

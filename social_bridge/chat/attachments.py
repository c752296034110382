"""Customers' attachments (issue 19): where a provider may keep them, what their bytes must be, and the fetch.

Every channel stores a customer's file as an `Attachment` record on the message (social_bridge/channels):
the provider's media URL stays in Redis and is read here only. `AttachmentFetcher` fetches it with the
channel's credentials, and only from the provider's own hosts over https (a URL on any other host is
refused before any request: a stored or forged URL must never make us fetch an arbitrary address), keeps
at most ATTACHMENT_MAX_BYTES and hands back bytes whose declared type is allowed AND matches their first
bytes. No Flask here: social_bridge/web/attachments_proxy.py answers the browser.
"""
from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass
from typing import Iterator, Mapping
from urllib.parse import urljoin, urlsplit

import requests

from social_bridge.channels import Attachment

log = logging.getLogger(__name__)

DEFAULT_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf",
                 "audio/ogg", "audio/mpeg", "video/mp4")
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
CHUNK = 64 * 1024
# Where each provider keeps customers' media (https only). Twilio: MediaUrl{N} is on its REST API, which
# answers with one redirect to its media storage (fetched without our credentials). Meta: attachment
# payload URLs are on its CDN (scontent-*.xx.fbcdn.net), files on cdn.fbsbx.com, some on lookaside.fbsbx.com.
# X: DM media is served by ton.twitter.com (photos) and video.twimg.com (the mp4 of a video or GIF).
# "*." matches any subdomain.
PROVIDER_HOSTS = {
    "sms": ("api.twilio.com",), "whatsapp": ("api.twilio.com",),
    "messenger": ("*.fbcdn.net", "cdn.fbsbx.com", "lookaside.fbsbx.com"),
    "x": ("ton.twitter.com", "video.twimg.com"),
}
REDIRECT_HOSTS = {"sms": ("*.twiliocdn.com", "*.amazonaws.com"), "whatsapp": ("*.twiliocdn.com", "*.amazonaws.com"),
                  "messenger": ("*.fbcdn.net",), "x": ()}


def _webp(head: bytes) -> bool:
    return head[:4] == b"RIFF" and head[8:12] == b"WEBP"


def _mpeg(head: bytes) -> bool:  # an ID3 tag, or an MPEG audio frame sync (11 bits set)
    return head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)


# the first bytes of each type we may show: a file whose bytes are of another type is refused
SIGNATURES = {
    "image/jpeg": lambda h: h[:3] == b"\xff\xd8\xff",
    "image/png": lambda h: h[:8] == b"\x89PNG\r\n\x1a\n",
    "image/gif": lambda h: h[:6] in (b"GIF87a", b"GIF89a"),
    "image/webp": _webp,
    "application/pdf": lambda h: h[:5] == b"%PDF-",
    "audio/ogg": lambda h: h[:4] == b"OggS",
    "audio/mpeg": _mpeg,
    "video/mp4": lambda h: h[4:8] == b"ftyp",
}


class AttachmentRefused(Exception):
    """Not shown; `reason` names why (a key: the console and the API each have their sentence for it)."""

    STATUS = {"not_found": 404, "unavailable": 503, "host": 502, "provider": 502, "type": 415,
              "mismatch": 415, "too_large": 413}

    def __init__(self, reason: str, detail: str = "", read: int = 0):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason, self.status, self.read = reason, self.STATUS[reason], read


@dataclass(frozen=True)
class Fetched:
    """A checked attachment: its type, its size, and its bytes as they come from the provider."""

    content_type: str
    size: int
    chunks: Iterator[bytes]

    @property
    def content(self) -> bytes:
        """All the bytes at once (reads the stream)."""
        return b"".join(self.chunks)


def public(attachment: dict, n: int) -> dict:
    """What a page or an API answer may say of an attachment: never its provider reference."""
    return {"n": n, "kind": attachment.get("kind", "file"), "content_type": attachment.get("content_type") or None,
            "caption": attachment.get("caption") or None, "name": attachment.get("name") or None,
            "size": attachment.get("size") or None}  # type checked and size: known once it was opened


def _matches(host: str, patterns) -> bool:
    return any(host == p or (p.startswith("*.") and host.endswith(p[1:])) for p in patterns)


def _loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _origin(url: str) -> tuple[str, str, int | None] | None:
    parts = urlsplit(url or "")
    try:
        return (parts.scheme, (parts.hostname or "").lower(), parts.port) if parts.hostname else None
    except ValueError:  # a port that is not a number
        return None


class AttachmentFetcher:
    """Fetches a stored attachment for the proxy. `credentials`: channel → ("basic", (user, password)) or
    ("bearer", token); a channel without them is refused. `api_bases`: channel → the provider API base the
    settings name (TWILIO_API_BASE, GRAPH_API_BASE, X_API_BASE): media on that origin is the provider's too,
    which is how tests point the proxy at their local fake servers (plain http only on the loopback)."""

    def __init__(self, credentials: Mapping[str, tuple], api_bases: Mapping[str, str] | None = None,
                 types=DEFAULT_TYPES, max_bytes: int = DEFAULT_MAX_BYTES, http=None, timeout: float = 10.0):
        self.credentials, self.types = dict(credentials), tuple(t.lower() for t in types)
        self.max_bytes, self.timeout = max_bytes, timeout
        self.http = http if http is not None else requests.Session()
        self.bases = {}
        for channel, base in (api_bases or {}).items():
            origin = _origin(base)
            if origin and (origin[0] == "https" or origin[0] == "http" and _loopback(origin[1])):
                self.bases[channel] = origin

    def allowed(self, channel: str, url: str, redirect: bool = False) -> bool:
        """The URL is https on the channel's provider hosts, or on the origin of its configured API base."""
        origin = _origin(url)
        if origin is None:
            return False
        if origin == self.bases.get(channel):
            return True
        hosts = PROVIDER_HOSTS.get(channel, ()) + (REDIRECT_HOSTS.get(channel, ()) if redirect else ())
        return origin[0] == "https" and origin[2] in (None, 443) and _matches(origin[1], hosts)

    def fetch(self, channel: str, attachment: Attachment) -> Fetched:
        """The attachment's bytes and their checked type; AttachmentRefused otherwise."""
        if channel not in self.credentials or not all(self._secret(channel)):
            raise AttachmentRefused("unavailable", f"no {channel} credentials to fetch media with")
        if not self.allowed(channel, attachment.ref):
            raise AttachmentRefused("host", f"a {channel} attachment on a host that is not {channel}'s")
        response = self._get(channel, attachment.ref, authorised=True)
        if response.is_redirect:  # Twilio's media storage, Meta's lookaside → CDN: once, never with our secrets
            target = urljoin(attachment.ref, response.headers.get("Location", ""))
            response.close()
            if not self.allowed(channel, target, redirect=True):
                raise AttachmentRefused("host", f"{channel} redirected the attachment off its hosts")
            response = self._get(channel, target, authorised=False)
            if response.is_redirect:
                response.close()
                raise AttachmentRefused("provider", f"{channel} redirected the attachment more than once")
        try:
            return self._checked(channel, response)
        except BaseException:
            response.close()
            raise

    def _secret(self, channel: str) -> tuple:
        scheme, value = self.credentials[channel]
        return value if scheme == "basic" else (value,)

    def _get(self, channel: str, url: str, authorised: bool):
        scheme, value = self.credentials[channel]
        kwargs = {} if not authorised else {"auth": tuple(value)} if scheme == "basic" else \
            {"headers": {"Authorization": f"Bearer {value}"}}
        try:
            kwargs["headers"] = {**kwargs.get("headers", {}), "Accept-Encoding": "identity"}  # lengths are bytes
            return self.http.get(url, stream=True, allow_redirects=False, timeout=self.timeout, **kwargs)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise AttachmentRefused("provider", f"{channel}: {type(exc).__name__}") from None

    def _checked(self, channel: str, response) -> Fetched:
        if response.status_code != 200:
            log.warning("%s attachment not fetched: HTTP %s", channel, response.status_code)
            raise AttachmentRefused("not_found" if response.status_code in (404, 410) else "provider",
                                    f"{channel} answered HTTP {response.status_code}")
        declared = response.headers.get("Content-Type", "").partition(";")[0].strip().lower()
        if declared not in self.types or declared not in SIGNATURES:
            raise AttachmentRefused("type", f"{declared or 'no type'} is not an allowed type")
        length = response.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > self.max_bytes:  # said too big: not a byte read
            raise AttachmentRefused("too_large", f"{length} bytes declared")
        content = bytearray(response.raw.read(min(CHUNK, self.max_bytes + 1), decode_content=True))
        if not SIGNATURES[declared](bytes(content[:16])):
            raise AttachmentRefused("mismatch", f"declared {declared}, the bytes are not")
        if length.isdigit():  # a known size within the limit: streamed on as it comes, never past the limit
            return Fetched(declared, int(length), self._stream(response, bytes(content)))
        while len(content) <= self.max_bytes and (  # no size said: read up to one byte past the limit first
                chunk := response.raw.read(min(CHUNK, self.max_bytes + 1 - len(content)), decode_content=True)):
            content += chunk
        if len(content) > self.max_bytes:  # stop there: the rest is never read
            raise AttachmentRefused("too_large", f"more than {self.max_bytes} bytes", read=len(content))
        response.close()
        return Fetched(declared, len(content), iter([bytes(content)]))

    def _stream(self, response, first: bytes) -> Iterator[bytes]:
        sent = len(first)
        try:
            yield first
            while sent < self.max_bytes and (
                    chunk := response.raw.read(min(CHUNK, self.max_bytes - sent), decode_content=True)):
                sent += len(chunk)
                yield chunk
        finally:
            response.close()

"""A local HTTP server playing Meta's Send API and X's DM API, and the signatures of their webhooks.

Records every request; `fail_next` makes the next requests fail with a given status, body and headers;
`delay` answers slowly (to run a client into its timeout). `serve_file` puts a file at a path (Meta's CDN, X's
ton.twitter.com): GET answers its bytes with the content type given, and `served` counts what went out.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

X_DM = re.compile(r"^/2/dm_conversations/with/(?P<recipient>\d+)/messages$")
GRAPH_COMMENT_REPLY = re.compile(r"^/v[0-9.]+/(?P<comment>[0-9]+_[0-9]+)/comments$")  # POST /{comment-id}/comments
GRAPH_PAGE_MESSAGES = re.compile(r"^/v[0-9.]+/(?P<page>[0-9]+)/messages$")  # POST /{page-id}/messages: private replies


def _hmac(secret: str, raw: bytes) -> bytes:
    return hmac.new(secret.encode(), raw, hashlib.sha256).digest()


def meta_signature(secret: str, raw: bytes) -> str:
    """The X-Hub-Signature-256 value Meta sends with `raw`."""
    return "sha256=" + _hmac(secret, raw).hex()


def x_signature(secret: str, raw: bytes) -> str:
    """The x-twitter-webhooks-signature value X sends with `raw`."""
    return "sha256=" + base64.b64encode(_hmac(secret, raw)).decode()


def forged_signatures(sign, secret: str, raw: bytes) -> list[str | None]:
    """Header values a verifier must refuse for `raw`: none, empty, garbled, other scheme, secret or body."""
    good = sign(secret, raw)
    return [None, "", "sha256", "sha256=", "sha256=abc", good.replace("sha256", "sha1", 1),
            sign("another-" + secret, raw), sign(secret, raw + b" ")]


class FakeSocial:
    def __init__(self, account_id: str = "1"):
        self.account_id = account_id   # our X account: the other half of every DM conversation id
        self.requests: list[dict] = []
        self.delay = 0.0               # seconds to wait before answering
        self._failures: list[tuple[int, dict, dict]] = []
        self._sent = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.files: dict[str, tuple[str, object, bool]] = {}  # path -> (content type, bytes or chunks, send length)
        self.served: dict[str, int] = {}                      # path -> bytes written to the client

    def serve_file(self, path: str, content_type: str, body, length: bool = True) -> str:
        """Serves `body` (bytes, or a callable giving chunks: a stream) at `path`; without `length`, no
        Content-Length (the end is the connection's). Returns the file's URL."""
        self.files[path] = (content_type, body, length)
        return self.base_url + path

    def redirect(self, path: str, location: str) -> str:
        """GET `path` answers 302 to `location` (Meta's lookaside → its CDN, Twilio's media → its storage)."""
        self.files[path] = ("redirect", location, False)
        return self.base_url + path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def fail_next(self, count: int = 1, status: int = 500, body: dict | None = None,
                  headers: dict | None = None) -> None:
        """Answer the next `count` requests with `status` and `body` (a Graph-style error by default)."""
        body = body if body is not None else {"error": {"message": "fake failure", "code": 1}}
        with self._lock:
            self._failures += [(status, body, headers or {})] * count

    def answer(self, method: str, target: str, headers: dict, raw: bytes) -> tuple[int, dict, dict]:
        """Record one request and say what to answer: (status, JSON body, headers)."""
        url = urlsplit(target)
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        with self._lock:
            self.requests.append({"method": method, "path": url.path, "query": dict(parse_qsl(url.query)),
                                  "headers": headers, "json": body})
            if self._failures:
                return self._failures.pop(0)
            self._sent += 1
            number = self._sent
        recipient = (body or {}).get("recipient", {}) if isinstance(body, dict) else {}
        if method == "POST" and url.path.endswith("/me/messages"):
            return 200, {"recipient_id": recipient.get("id"), "message_id": f"m_{number}"}, {}
        if method == "POST" and (match := X_DM.match(url.path)):
            pair = "-".join(sorted((match["recipient"], self.account_id), key=int))
            return 201, {"data": {"dm_conversation_id": pair, "dm_event_id": str(number)}}, {}
        if method == "POST" and url.path == "/2/tweets":  # a post; ours are replies (reply.in_reply_to_tweet_id)
            return 201, {"data": {"id": str(1_700_000_000_000_000_000 + number), "text": (body or {}).get("text")}}, {}
        if method == "POST" and GRAPH_PAGE_MESSAGES.match(url.path) and "comment_id" in recipient:
            return 200, {"recipient_id": f"psid-of-{recipient['comment_id']}", "message_id": f"m_{number}"}, {}
        if method == "POST" and (match := GRAPH_COMMENT_REPLY.match(url.path)):
            return 200, {"id": f"{match['comment'].split('_')[0]}_{900000 + number}"}, {}
        return 404, {"error": {"message": f"no such path {url.path}", "code": 803}}, {}

    def start(self) -> "FakeSocial":
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class _Handler(BaseHTTPRequestHandler):
    fake: FakeSocial

    def _file(self, path: str) -> None:
        content_type, body, length = self.fake.files[path]
        if content_type == "redirect":
            self.send_response(302)
            self.send_header("Location", body)
            self.send_header("Content-Length", "0")
            return self.end_headers()
        chunks = [body] if isinstance(body, bytes) else body()
        self.fake.served[path] = 0
        try:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            if length:
                self.send_header("Content-Length", str(len(body) if isinstance(body, bytes) else length))
            self.end_headers()
            for chunk in chunks:
                self.wfile.write(chunk)
                self.fake.served[path] += len(chunk)
        except (BrokenPipeError, ConnectionResetError):  # the client stopped reading (a size limit)
            pass

    def _respond(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {key.lower(): value for key, value in self.headers.items()}
        if self.command == "GET" and urlsplit(self.path).path in self.fake.files:
            self.fake.answer(self.command, self.path, headers, raw)  # recorded like any request
            return self._file(urlsplit(self.path).path)
        status, body, extra = self.fake.answer(self.command, self.path, headers, raw)
        time.sleep(self.fake.delay)
        data = json.dumps(body).encode()
        try:
            self.send_response(status)
            for name, value in {"Content-Type": "application/json", "Content-Length": str(len(data)), **extra}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting (a timeout test)
            pass

    do_GET = do_POST = do_DELETE = _respond

    def log_message(self, format, *args) -> None:  # the records are in FakeSocial.requests
        pass

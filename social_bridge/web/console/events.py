"""Server-sent events: every open console hears about a queue change within half a second.

A stream lives for a minute and waits almost all of it, so it is served by the stream server
(ivr/runtime/streams.py: gevent, one greenlet per stream), never by the web server's threads: there
`CONSOLE_STREAMS` is False (ivr/runtime/gunicorn_conf.py) and /console/events only points elsewhere. The
console page opens `CONSOLE_STREAM_URL` (another port under `make run`), or this same path, which
the proxy routes to the stream server in production (docs/deploy.md). Each agent may hold
`STREAMS_PER_AGENT` streams at once, across every process; one more is a 429."""
from __future__ import annotations

import random
import time
from urllib.parse import urlsplit

from flask import Response, abort, current_app, g, redirect, request

from social_bridge.web.console import bp
from social_bridge.web.console.auth import SECURITY_HEADERS, bridge, login_required
from social_bridge.web.console.live import QueueWatcher, StreamSlots

STREAM_SECONDS = 60    # at most; then EventSource reconnects and the session is checked again
JITTER = 0.1           # up to 10 % shorter, so streams opened together do not all reconnect together
KEEPALIVE_SECONDS = 15  # a comment now and then lets a proxy (and the server) notice a closed tab
RETRY_MS = 1000
STREAMS_PER_AGENT = 5  # a few tabs; 34 streams of one login once starved the webhooks (issue 13)
LEASE_MARGIN = 30      # a slot outlives its stream by this much when a process dies without releasing it


def watcher() -> QueueWatcher:
    """One per app and process, made on the first stream."""
    ext = current_app.extensions
    if "console_watcher" not in ext or ext["console_watcher"].closed:
        ext["console_watcher"] = QueueWatcher(bridge())
    return ext["console_watcher"]


def slots() -> StreamSlots:
    ext = current_app.extensions
    if "console_stream_slots" not in ext:
        cap = current_app.config.get("CONSOLE_STREAMS_PER_AGENT", STREAMS_PER_AGENT)
        ext["console_stream_slots"] = StreamSlots(bridge().redis, cap)
    return ext["console_stream_slots"]


def _stream(watch: QueueWatcher, clock, seconds: float):
    yield f": connected\nretry: {RETRY_MS}\n\n"
    version, _ = watch.subscribe()
    try:
        yield watch.queue_event(clock())
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0 and not watch.closed:
            newer, _ = watch.wait(version, min(KEEPALIVE_SECONDS, left))
            if newer != version:
                version = newer
                yield watch.queue_event(clock())
            else:
                yield ": keepalive\n\n"
    finally:
        watch.unsubscribe()


def open_stream() -> Response:
    """The signed-in agent's stream, or 429 when the agent already holds every slot."""
    seconds = current_app.config.get("CONSOLE_STREAM_SECONDS", STREAM_SECONDS) * (1 - random.uniform(0, JITTER))
    response = Response(_stream(watcher(), bridge().clock, seconds), mimetype="text/event-stream",
                        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    stream_slots = slots()
    release = stream_slots.take(g.agent.id, seconds + LEASE_MARGIN)
    if release is None:  # the stream above never starts: it has subscribed to nothing
        abort(429, f"this agent already has {stream_slots.cap} live console streams open: "
                   "close a console tab (or wait a minute for a closed one to be noticed)")
    response.call_on_close(release)  # also when the stream never started (the client left at once)
    return response


@bp.get("/events")
@login_required
def events():
    if current_app.config.get("CONSOLE_STREAMS", True):
        return open_stream()
    # a thread-per-request server: holding a stream here would take a thread from the webhooks
    if current_app.config.get("CONSOLE_STREAM_URL"):
        return redirect(current_app.config["CONSOLE_STREAM_URL"], 307)
    abort(503, "live updates are served by the stream server: route /console/events to it (docs/deploy.md)")


def origin_of(url: str) -> str:
    """scheme://host[:port] of an absolute URL; "" for a path."""
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


@bp.after_request
def _pages_may_reach_the_stream_server(response):
    """When the stream lives on another origin (another port under `make run`), the pages' CSP lets
    EventSource connect to it. Runs before auth's hook, which then keeps this policy."""
    stream_origin = origin_of(current_app.config.get("CONSOLE_STREAM_URL", ""))
    if stream_origin and request.endpoint != "console.static":
        policy = response.headers.get("Content-Security-Policy") or SECURITY_HEADERS["Content-Security-Policy"]
        if "connect-src" not in policy:
            response.headers["Content-Security-Policy"] = f"{policy}; connect-src 'self' {stream_origin}"
    return response

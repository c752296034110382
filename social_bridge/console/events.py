"""Server-sent events: every open console hears about a queue change within half a second."""
from __future__ import annotations

import json
import time

from flask import Response, current_app

from social_bridge.console import bp
from social_bridge.console.auth import bridge, login_required
from social_bridge.console.live import QueueWatcher

# gunicorn gthread holds one thread per open stream: end each after a minute, EventSource reconnects.
STREAM_SECONDS = 60
KEEPALIVE_SECONDS = 15  # a comment now and then lets a proxy (and the server) notice a closed tab
RETRY_MS = 1000


def watcher() -> QueueWatcher:
    """One per app and process, made on the first stream."""
    ext = current_app.extensions
    if "console_watcher" not in ext or ext["console_watcher"].closed:
        ext["console_watcher"] = QueueWatcher(bridge())
    return ext["console_watcher"]


def _event(name: str, data: dict) -> str:
    return f"event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


def _stream(watch: QueueWatcher, clock, seconds: float):
    yield f": connected\nretry: {RETRY_MS}\n\n"
    version, data = watch.subscribe()
    try:
        yield _event("queue", {**data, "now": clock()})
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0 and not watch.closed:
            newer, data = watch.wait(version, min(KEEPALIVE_SECONDS, left))
            if newer != version:
                version = newer
                yield _event("queue", {**data, "now": clock()})
            else:
                yield ": keepalive\n\n"
    finally:
        watch.unsubscribe()


@bp.get("/events")
@login_required
def events():
    seconds = current_app.config.get("CONSOLE_STREAM_SECONDS", STREAM_SECONDS)
    return Response(_stream(watcher(), bridge().clock, seconds), mimetype="text/event-stream",
                    headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

"""The widget's live stream (Server-Sent Events), served by the stream server (ivr/runtime/streams.py).

GET /widget/api/stream?since=N with the visitor's token in X-Nohold-Widget (the widget reads it with
fetch(), which can send a header, where EventSource cannot; the token stays out of URLs and logs).
Events: `messages` (the new ones, and the number to ask from next) and `status` (place in line and
wait, or with an agent) whenever it changes. A stream lives under a minute; the widget reconnects from
where it was, and polls /widget/api/messages when a stream cannot be opened.
"""
from __future__ import annotations

import json
import time

from flask import Blueprint, Response, current_app, request, stream_with_context

from social_bridge.chat.web_chat import Refused, WebChatDesk
from social_bridge.web import widget_api

bp = Blueprint("widget_stream", __name__, url_prefix="/widget")
bp.register_error_handler(Refused, widget_api.refused)
bp.after_request(widget_api.add_cors)


@bp.before_request
def _guard():
    widget_api.widget()
    if request.method == "OPTIONS":  # the preflight (the token header is not a simple one)
        if request.headers.get("Origin"):
            widget_api.check_origin()
        return Response(status=204)
    widget_api.check_origin()
    return None


def event(name: str, data: dict) -> str:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def feed(desk: WebChatDesk, visitor: str, since: int, seconds: float, every: float, sleep=time.sleep):
    """The stream's text: what is new since `since`, then each change, for about `seconds`."""
    yield ": connected\nretry: 3000\n\n"  # the first bytes at once: proxies and the browser see a live stream
    last_status, last_seen = None, None
    for _ in range(max(1, int(seconds / every))):
        newest = desk.latest(visitor)  # two round trips; the whole conversation only when something was added
        if newest != last_seen:
            last_seen, snapshot = newest, desk.messages(visitor, since)
            if snapshot["messages"]:
                yield event("messages", {"messages": snapshot["messages"], "next": snapshot["next"]})
            since = max(since, snapshot["next"])
        status = desk.status(visitor)
        if status != last_status:
            last_status = status
            yield event("status", status)
        sleep(every)
    yield event("end", {"next": since})


@bp.route("/api/stream", methods=["GET", "OPTIONS"])
def stream():
    found = widget_api.widget()
    visitor = widget_api.visitor()
    since = request.args.get("since", "0")
    sleep = current_app.config.get("WIDGET_STREAM_SLEEP", time.sleep)
    body = feed(found.desk, visitor, int(since) if since.isdigit() else 0, found.stream_seconds, found.stream_every,
                sleep)
    response = Response(stream_with_context(body), mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"
    return response

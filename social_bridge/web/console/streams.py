"""The stream server's only routes: /console/events for a signed-in agent, and nothing else of the console.

The agent comes from the console's own session cookie (same SECRET_KEY, same loader as every console
page); when the pages are on another origin (`make run`: another port of localhost, where cookies are
sent since same-site ignores ports), CORS lets exactly that origin read the stream with credentials."""
from __future__ import annotations

from flask import Blueprint, current_app, request

from social_bridge.web.console.auth import _load_agent_and_check_csrf, login_required
from social_bridge.web.console.events import open_stream

bp = Blueprint("console_streams", __name__, url_prefix="/console")
bp.before_request(_load_agent_and_check_csrf)  # g.agent from the session, exactly as the console pages do


@bp.after_request
def _cors_for_the_console_origin(response):
    allowed = current_app.config.get("CONSOLE_WEB_ORIGIN", "")
    if allowed and request.headers.get("Origin") == allowed:
        response.headers["Access-Control-Allow-Origin"] = allowed
        response.headers["Access-Control-Allow-Credentials"] = "true"
    response.vary.add("Origin")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.get("/events")
@login_required
def events():
    return open_stream()

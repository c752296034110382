"""Console sessions: login with rate limiting, logout, CSRF on every POST, role checks."""
from __future__ import annotations

import hmac
import logging
import math
import secrets
from functools import wraps
from urllib.parse import urlsplit

from flask import abort, current_app, g, redirect, render_template, request, session, url_for

from social_bridge.queue.login_limits import LOGIN_PER_ADDRESS
from social_bridge.web.console import bp
from social_bridge.web.console.strings import CLIENT_KEYS, UI_LANGUAGES, strings_for

log = logging.getLogger(__name__)
SESSION_HOURS = 12  # one long shift; after that the agent signs in again
CSRF_FIELD, CSRF_HEADER = "csrf_token", "X-CSRF-Token"


def bridge():
    return current_app.extensions["social_bridge"]


def configured(part: str, missing: str):
    """The Bridge's `part`, or a 404 saying `missing` when this server was built without it."""
    found = getattr(bridge(), part, None)
    if found is None:
        abort(404, missing)
    return found


def csrf_token() -> str:
    """The session's token, made on first use (the login form needs one before any login)."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def wants_json() -> bool:
    """Scripts (fetch, EventSource) get status codes; people get pages and redirects."""
    return (request.headers.get("X-Requested-With") == "fetch" or CSRF_HEADER in request.headers
            or request.path.endswith((".json", "/events", "/heartbeat", "/renew"))
            or "text/event-stream" in request.headers.get("Accept", ""))


@bp.before_request
def _load_agent_and_check_csrf():
    g.agent = None
    if request.endpoint == "console.static":
        return  # CSS and JS are public and need no Redis round trip
    agent_id, since = session.get("agent_id"), session.get("since", 0)
    if agent_id and bridge().clock() - since < SESSION_HOURS * 3600:
        # an agent removed from the directory is out at once, and so is a session ended since (logout anywhere,
        # a new password): the agent's session generation moved on from the one this cookie was given
        g.agent = bridge().agents.for_session(agent_id, session.get("gen"))
    g.ui = strings_for(session.get("ui_lang") or (g.agent.languages[0] if g.agent else "it"))
    if request.method == "POST":
        sent = request.form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
        expected = session.get("csrf", "")
        if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
            abort(403, "missing or wrong CSRF token: reload the page and try again")


# Everything the console loads is its own: no inline script, no other origin, no framing.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
                               "base-uri 'none'; form-action 'self'",
    "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
}


@bp.after_request
def _security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.endpoint != "console.static":
        response.headers.setdefault("Cache-Control", "private, no-store")  # pages show customers' words
    return response


@bp.app_context_processor
def _template_globals():
    if not request.blueprint == "console":
        return {}
    ui = g.get("ui") or strings_for("it")
    return {"ui": ui, "agent": g.get("agent"), "csrf_token": csrf_token, "ui_lang": ui.get("lang", "it"),
            "client_strings": {key: ui[key] for key in CLIENT_KEYS}, "server_now": bridge().clock()}


def login_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if g.agent is None:
            if wants_json():
                abort(401, "sign in to the console first")
            return redirect(url_for("console.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)
    return wrapped


def supervisor_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not g.agent.is_supervisor:
            abort(403, "only supervisors may open this")
        return view(*args, **kwargs)
    return wrapped


def _safe_next(target: str | None) -> str:
    """Only back into the console: a login link must not bounce the agent to another site."""
    parts = urlsplit(target or "")
    if parts.scheme or parts.netloc or not parts.path.startswith(bp.url_prefix + "/"):
        return url_for("console.queue")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return render_template("console/login.html", page="login", next=request.args.get("next", ""), error=None)
    name, password = request.form.get("name", "").strip(), request.form.get("password", "")
    # the client's address: request.remote_addr is the proxy's unless TRUSTED_PROXY_HOPS lets ProxyFix
    # (ivr/app/factory.py) take it from X-Forwarded-For
    directory, addr = bridge().agents, request.remote_addr or ""
    per_address = current_app.config.get("CONSOLE_LOGIN_ATTEMPTS_PER_ADDRESS", LOGIN_PER_ADDRESS)
    wait = directory.login_wait(name, addr, per_address)
    if wait > 0:  # before any password hash runs; the same answer whether or not the name exists
        seconds = max(1, math.ceil(wait))
        log.warning("console login refused for %d s: too many attempts for one name or from one address", seconds)
        page = render_template("console/login.html", page="login", next=request.form.get("next", ""),
                               error="login.limited", retry_after=seconds)
        return page, 429, {"Retry-After": str(seconds)}
    agent = directory.authenticate(name, password)
    if agent is None:
        log.info("console login failed")  # never the typed name: it may be a password typed in the wrong box
        return render_template("console/login.html", page="login", next=request.form.get("next", ""), error="login.bad"), 401
    directory.login_succeeded(name)
    ui_lang = session.get("ui_lang")
    session.clear()  # a fresh session (and CSRF token) on every login: no fixation
    session.update(agent_id=agent.id, since=bridge().clock(), csrf=secrets.token_urlsafe(32),
                   gen=directory.session_generation(agent.id))
    if ui_lang:
        session["ui_lang"] = ui_lang
    bridge().presence.set_state(agent.id, "available")
    log.info("console login: agent %s", agent.id)
    return redirect(_safe_next(request.form.get("next")))


@bp.post("/logout")
def logout():
    if g.agent is not None:
        bridge().agents.end_sessions(g.agent.id)  # this cookie, a copy of it, the agent's other devices: all out
        bridge().presence.set_state(g.agent.id, "away")
        log.info("console logout: agent %s", g.agent.id)
    ui_lang = session.get("ui_lang")
    session.clear()
    if ui_lang:
        session["ui_lang"] = ui_lang
    return redirect(url_for("console.login", bye=1))


@bp.post("/language")
def language():
    """Switch the console's labels; works before login too."""
    lang = request.form.get("lang", "")
    if lang in UI_LANGUAGES:
        session["ui_lang"] = lang
    return redirect(_safe_next(request.form.get("next")))

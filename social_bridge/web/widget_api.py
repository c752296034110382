"""The web chat widget (thin): its script, and /widget/api for the visitor's browser on the operator's site.

GET /widget/nohold.js is the one script the operator's page includes. /widget/api answers only the
origins in WIDGET_ALLOWED_ORIGINS (CORS): another origin gets no CORS headers and a 403 on every
call that carries it (a POST without an Origin is refused too). A visitor's token (POST /session) goes
in the X-Nohold-Widget header of every later call; missing, forged or expired: 401. Errors are JSON
with a code and a sentence the visitor can read, in their language (prompts/widget.yaml).
"""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify, request, send_from_directory

from social_bridge.chat.web_chat import Refused, Widget
from social_bridge.web.request_body import ApiError, json_body

STATIC = Path(__file__).resolve().parent / "widget_static"
TOKEN_HEADER = "X-Nohold-Widget"
bp = Blueprint("widget", __name__, url_prefix="/widget")


def widget() -> Widget:
    found = current_app.extensions.get("nohold_widget")
    if found is None or not found.origins:
        raise Refused(404, "unavailable")  # no site may embed it: WIDGET_ALLOWED_ORIGINS is empty
    return found


def lang() -> str:
    asked = (request.args.get("lang") or request.headers.get("X-Nohold-Lang") or "it")[:2].lower()
    return asked if asked in ("it", "en") else "it"


def check_origin() -> None:
    """A listed Origin, or none on a read (same origin, or not a browser); anything else is a 403."""
    origin = request.headers.get("Origin", "")
    if origin in widget().origins or (not origin and request.method == "GET"):
        return
    raise Refused(403, "origin")


def add_cors(response: Response) -> Response:
    origin = request.headers.get("Origin", "")
    found = current_app.extensions.get("nohold_widget")
    if found is not None and origin and origin in found.origins:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Headers"] = f"Content-Type, {TOKEN_HEADER}, X-Nohold-Lang"
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Max-Age"] = "600"
    response.vary.add("Origin")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


def refused(error: Refused):
    """The JSON error the widget shows: a code and the visitor's sentence (and when to retry)."""
    found = current_app.extensions.get("nohold_widget")
    sentence = found.sentence(lang(), "error_" + error.error) if found is not None else error.error
    response = jsonify(error=error.error, message=sentence)
    response.status_code = error.status
    if error.retry_after:
        response.headers["Retry-After"] = str(error.retry_after)
    return add_cors(response)


def visitor() -> str:
    return widget().desk.visitor(request.headers.get(TOKEN_HEADER, ""))


bp.register_error_handler(Refused, refused)
bp.after_request(add_cors)


@bp.errorhandler(ApiError)
def _bad_body(error: ApiError):  # not a JSON object: for the visitor, there was nothing to send
    return refused(Refused(error.status, "empty"))


@bp.before_request
def _guard():
    if request.endpoint == "widget.script":
        return None
    widget()
    if request.method == "OPTIONS":  # the preflight: allowed origins get their CORS headers (after_request)
        if request.headers.get("Origin"):
            check_origin()
        return Response(status=204)
    check_origin()
    return None


@bp.get("/nohold.js")
def script():
    response = send_from_directory(STATIC, "nohold.js", mimetype="text/javascript", max_age=300)
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"  # a <script> on the operator's site
    return response


@bp.route("/api/config", methods=["GET", "OPTIONS"])
def config():
    """The visitor's words (prompts/widget.yaml), where the live stream is, the longest message."""
    found = widget()
    return jsonify(lang=lang(), words=found.words.get(lang(), {}), stream_url=found.stream_url,
                   max_chars=found.desk.limits.max_chars)


@bp.route("/api/session", methods=["POST", "OPTIONS"])
def session():
    token = widget().desk.open_session(request.remote_addr or "")
    return jsonify(token=token), 201


@bp.route("/api/messages", methods=["GET", "OPTIONS"])
def read():
    since = request.args.get("since", "0")
    return jsonify(widget().desk.messages(visitor(), int(since) if since.isdigit() else 0))


@bp.post("/api/messages")
def send():
    who, body = visitor(), json_body()
    text, client_id = body.get("text"), body.get("id")
    if not isinstance(text, str) or not isinstance(client_id, (str, type(None))):
        raise Refused(400, "empty")
    outcome = widget().desk.send(who, text, client_id or "", request.remote_addr or "")
    return jsonify(outcome=outcome.partition(":")[0], status=widget().desk.status(who)), 202

"""Social webhooks (thin): verify the signature over the raw body, parse, store, answer.

GET/POST /social/messenger (Meta) and GET/POST /social/x (X Account Activity). A channel that is
not configured answers 404 and is never offered to callers. A bad or missing signature is a 403
that writes nothing; a body that is not the provider's payload is a 400.
"""
from __future__ import annotations

import logging

from flask import Blueprint, Response, abort, current_app, request

from social_bridge.channels import Malformed

log = logging.getLogger(__name__)
bp = Blueprint("social", __name__, url_prefix="/social")
MAX_BATCH_BYTES = 4 * 1024 * 1024  # Meta batches up to 1,000 entries; everything else keeps the app's small limit


@bp.before_request
def _room_for_batches():
    request.max_content_length = MAX_BATCH_BYTES


def _social():
    social = current_app.extensions["social_bridge"].social
    if social is None:
        abort(404, description="written channels are not set up on this server")
    return social


def _channel(name: str):
    channel = _social().channels.get(name)
    if channel is None:
        abort(404, description=f"the {name} channel is not configured")
    return channel


def _accept(channel, ok_body) -> Response:
    raw = request.get_data(cache=False)
    if not channel.verify(raw, request.headers):
        log.warning("%s webhook with a bad or missing signature refused", channel.name)
        abort(403, description="invalid signature")
    try:
        inbounds = channel.parse(raw)
    except Malformed as error:
        abort(400, description=f"not a {channel.name} payload: {error}")
    _social().inbound.accept(inbounds)
    return ok_body


@bp.get("/messenger")
def messenger_handshake():
    challenge = _channel("messenger").handshake(request.args)
    if challenge is None:
        abort(403, description="verify token mismatch")
    return Response(challenge, mimetype="text/plain")


@bp.post("/messenger")
def messenger_events():
    return _accept(_channel("messenger"), Response("EVENT_RECEIVED", mimetype="text/plain"))


@bp.get("/x")
def x_crc():
    try:
        return _channel("x").crc(request.args.get("crc_token", ""))
    except ValueError:
        abort(400, description="missing or unusable crc_token")


@bp.post("/x")
def x_events():
    return _accept(_channel("x"), Response(status=200))

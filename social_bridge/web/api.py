"""The agent JSON API at /api: the console's operations for scripts and integrations, bearer tokens."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, g, request
from werkzeug.exceptions import HTTPException

from social_bridge.queue.claims import Claim, NotClaimable, StaleFence
from social_bridge.queue.presence import Presence
from social_bridge.web.agents_api import bp as agents_bp
from social_bridge.web.attachments_proxy import bp as attachments_bp
from social_bridge.web.canned_api import bp as canned_bp
from social_bridge.web.console.capacity_strings import API_REFUSALS
from social_bridge.web.customers_api import bp as customers_bp
from social_bridge.web.transfer_api import bp as transfer_bp
from social_bridge.web.occupancy_api import bp as occupancy_bp
from social_bridge.web.item_view import iso, item_detail, item_view, queued_items, team_overview
from social_bridge.web.rules import CANCEL_REASONS, OUTCOMES, held_by_other, may_claim_chosen, sees_customer_words
from social_bridge.queue.work_item import KINDS
from social_bridge.web.request_body import ApiError, choice_of, fence_of, json_body, moment_of, text_of
from social_bridge.web.reports_api import bp as reports_bp
from social_bridge.web.satisfaction_api import bp as satisfaction_bp

bp = Blueprint("api", __name__, url_prefix="/api")
bp.register_blueprint(customers_bp)  # /api/customers, /api/cases: the same token check and errors
bp.register_blueprint(canned_bp)  # /api/canned (issue 19)
bp.register_blueprint(transfer_bp)  # /api/items/<id>/transfer, /assign, /api/teams (issue 19)
bp.register_blueprint(occupancy_bp)  # /api/agents/occupancy (issue 19)
bp.register_blueprint(satisfaction_bp)  # /api/satisfaction (issue 19)
bp.register_blueprint(reports_bp)  # /api/reports: supervisors' reports per day or week (issue 19)
bp.register_blueprint(attachments_bp)  # /api/attachments (issue 19)
bp.register_blueprint(agents_bp)  # /api/agents: supervisors manage agents (issue 19)
PRESENCE_STATES = Presence.STATES  # available, busy, away and the pause reasons
MAX_TEXT = 1600  # what one SMS/WhatsApp message can carry through Twilio


def bridge():
    return current_app.extensions["social_bridge"]


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError):
    headers = {"WWW-Authenticate": 'Bearer realm="nohold"'} if exc.status == 401 else {}
    return {"error": exc.error, "message": exc.message}, exc.status, headers


@bp.errorhandler(StaleFence)
def _stale(exc):
    return _api_error(ApiError(409, "stale_fence", "your claim on this item has ended (lease expired, released or "
                                                   "taken over); claim it again to act on it"))


@bp.errorhandler(NotClaimable)
def _not_claimable(exc):
    return _api_error(ApiError(409, "not_claimable", "the item is not in a state that allows this (held by someone "
                                                     f"else, scheduled, finished or pending again): {exc}"))


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    return {"error": exc.name.lower().replace(" ", "_"), "message": exc.description}, exc.code


@bp.before_request
def _authenticate():
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    agent = bridge().agents.agent_for_token(token.strip()) if scheme.lower() == "bearer" else None
    if agent is None:
        raise ApiError(401, "unauthorized", "send a valid API token as 'Authorization: Bearer nh_…' "
                                            "(python -m ivr agents token NAME prints one)")
    g.agent = agent


def _supervisor() -> None:  # reads no body: /claim and /requeue take none (supervisors_only would read one)
    if not g.agent.is_supervisor:
        raise ApiError(403, "forbidden", "only supervisors may do this")


def _item(item_id: str):
    item = bridge().queue.get(item_id)
    if item is None:
        raise ApiError(404, "not_found", f"no work item with id {item_id!r}")
    return item


def _mine(item_id: str):
    """The item, unless another agent holds it: a fence alone never lets B act on A's claim."""
    item = _item(item_id)
    if held_by_other(g.agent, item):
        raise ApiError(403, "forbidden", "another agent holds this item")
    return item


def _now() -> float:
    return bridge().clock()


def _claimed(claim: Claim):
    return {"item": item_detail(bridge(), claim.item, _now(), g.agent), "fence": claim.fence,
            "lease_until": iso(claim.lease_until)}


def _after(item):
    return {"item": item_view(bridge(), item, _now(), agent=g.agent)}


@bp.get("/queue")
def queue():
    b, now = bridge(), _now()
    items = [item_view(b, item, now, position, g.agent) for item, position in queued_items(b.queue, 200)]
    return {"items": items, "depth": b.queue.depth(), "oldest_wait": round(b.queue.oldest_wait(), 1)}


@bp.post("/claims/next")
def claim_next():
    kinds = json_body().get("kinds")
    if kinds is not None and (not isinstance(kinds, list) or not kinds or any(k not in KINDS for k in kinds)):
        raise ApiError(400, "bad_request", f"kinds must be a non-empty list of {', '.join(KINDS)}")
    kinds = _room(tuple(kinds) if kinds else None)
    claim = bridge().claims.claim_next(g.agent.id, languages=g.agent.languages, teams=g.agent.teams, kinds=kinds)
    return ("", 204) if claim is None else _claimed(claim)


@bp.post("/items/<item_id>/claim")
def claim(item_id: str):
    """Supervisors may pick a given item (e.g. one breaching the target); agents take the next, as in the console."""
    if not may_claim_chosen(g.agent):
        raise ApiError(403, "forbidden", "only supervisors pick a given item; take the next one for you with "
                                         "POST /api/claims/next")
    _room((_item(item_id).kind,))
    return _claimed(bridge().claims.claim(item_id, g.agent.id))


def _room(kinds: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """Capacity first (social_bridge/queue/capacity.py): the kinds still open, or a 409 saying why nothing is."""
    capacity = bridge().capacity
    if capacity is None:
        return kinds
    room = capacity.room(g.agent.id, kinds)
    if room.full:
        raise ApiError(409, f"capacity_{room.reason}", API_REFUSALS[room.reason].format(threads=room.threads))
    return room.claim_kinds()


@bp.get("/items/<item_id>")
def detail(item_id: str):
    item = _item(item_id)
    if sees_customer_words(g.agent, item) and bridge().access_log is not None:  # issue 18: who read whose words
        bridge().access_log.record(g.agent.id, "read_words", f"item:{item.id}")
    return item_detail(bridge(), item, _now(), g.agent)


@bp.post("/items/<item_id>/renew")
def renew(item_id: str):
    _mine(item_id)
    fence = fence_of(json_body())
    return {"fence": fence, "lease_until": iso(bridge().claims.renew(item_id, fence))}


@bp.post("/items/<item_id>/release")
def release(item_id: str):
    _mine(item_id)
    return _after(bridge().claims.release(item_id, fence_of(json_body())))


@bp.post("/items/<item_id>/complete")
def complete(item_id: str):
    _mine(item_id)
    body = json_body()
    fence = fence_of(body)
    return _after(bridge().claims.complete(item_id, fence, choice_of(body, "outcome", OUTCOMES)))


@bp.post("/items/<item_id>/reschedule")
def reschedule(item_id: str):
    _mine(item_id)
    body = json_body()
    fence = fence_of(body)
    not_before, not_after = moment_of(body.get("not_before"), "not_before"), moment_of(body.get("not_after"), "not_after")
    if not not_before:
        raise ApiError(400, "bad_request", "not_before is required: when the customer may be contacted again")
    if not_after and not_after < not_before:
        raise ApiError(400, "bad_request", "not_after is before not_before")
    return _after(bridge().claims.reschedule(item_id, fence, not_before, not_after))


@bp.post("/items/<item_id>/cancel")
def cancel(item_id: str):
    _mine(item_id)
    body = json_body()
    fence = fence_of(body)
    return _after(bridge().claims.cancel(item_id, fence, choice_of(body, "reason", CANCEL_REASONS)))


def _proven(item_id: str, capability: str, body: dict) -> Claim:
    """The caller's live claim, renewed: sending or dialing counts as working on the item."""
    if getattr(bridge(), capability) is None:
        raise ApiError(501, "not_implemented", f"{capability} is not configured on this server")
    _mine(item_id)
    fence = fence_of(body)
    lease_until = bridge().claims.renew(item_id, fence)
    return Claim(_item(item_id), fence, lease_until)


@bp.post("/items/<item_id>/reply")
def reply(item_id: str):
    body = json_body()
    claim = _proven(item_id, "reply", body)
    text = text_of(body, "text", MAX_TEXT)
    try:
        return {"message_id": bridge().reply(claim.item, text, g.agent, via=str(body.get("via") or ""))}, 202
    except ValueError as refused:  # the channel's policy (e.g. Messenger after 7 days): the reason says what to do
        raise ApiError(409, getattr(refused, "reason", "not_sent"), str(refused)) from refused


@bp.post("/items/<item_id>/callback")
def callback(item_id: str):
    claim = _proven(item_id, "dial", json_body())
    try:
        attempt_id = bridge().dial(claim.item, claim, g.agent)
    except ValueError as refused:  # quiet hours, no agent phone, a number we may not call
        raise ApiError(409, "not_dialable", str(refused)) from refused
    return {"attempt_id": attempt_id}, 202


@bp.get("/items/<item_id>/recording")
def recording(item_id: str):
    if bridge().recording is None:
        raise ApiError(501, "not_implemented", "recordings are not available on this server")
    item = _item(item_id)
    if not sees_customer_words(g.agent, item):
        raise ApiError(403, "forbidden", "only the agent holding the item, or a supervisor, may listen to it")
    if not (item.recording_url or item.recording_sid):
        raise ApiError(404, "not_found", "this item has no recording")
    audio, mimetype = bridge().recording(item)
    if bridge().access_log is not None:
        bridge().access_log.record(g.agent.id, "listen_recording", f"item:{item.id}")
    return Response(audio, mimetype=mimetype, headers={"Cache-Control": "no-store"})


@bp.post("/presence")
def presence():
    state = json_body().get("state")
    if state not in PRESENCE_STATES:
        raise ApiError(400, "bad_request", f"state must be one of {', '.join(PRESENCE_STATES)}")
    b = bridge()
    b.presence.set_state(g.agent.id, state)
    offered = b.offer(g.agent.id) if b.offer and state == "available" else None
    return {"agent_id": g.agent.id, "state": b.presence.state(g.agent.id), "offered_item": offered}


@bp.get("/agents/me")
def me():
    b, agent = bridge(), g.agent
    claims = [_claimed(c) for c in b.claims.claimed_by(agent.id)]
    return {"id": agent.id, "name": agent.name, "role": agent.role, "languages": list(agent.languages),
            "phone": agent.phone, "auto_dial": agent.auto_dial, "state": b.presence.state(agent.id), "claims": claims}


@bp.patch("/agents/me")
def update_me():
    """Only auto_dial is the agent's own to change; phone, languages and role are a supervisor's (CLI)."""
    body = json_body()
    if set(body) != {"auto_dial"} or not isinstance(body["auto_dial"], bool):
        raise ApiError(400, "bad_request", 'send {"auto_dial": true} or {"auto_dial": false}')
    b = bridge()
    g.agent = b.agents.update(g.agent.id, auto_dial=body["auto_dial"])
    if body["auto_dial"] and b.offer:
        b.offer(g.agent.id)
    return me()


@bp.get("/supervisor")
def supervisor():
    _supervisor()
    return team_overview(bridge(), _now(), agent=g.agent)


@bp.post("/dead/<item_id>/requeue")
def requeue(item_id: str):
    _supervisor()
    item = _item(item_id)
    if item.status != "dead":
        raise ApiError(409, "not_dead", f"item {item_id!r} is {item.status}, not a dead letter")
    return _after(bridge().claims.requeue_dead(item_id))

"""What an agent does to an item: take, call back, complete, release, reschedule, cancel, note, renew."""
from __future__ import annotations

import logging
from datetime import datetime

from flask import abort, flash, g, redirect, request, url_for

from social_bridge.queue.claims import Claim, NotClaimable, StaleFence
from social_bridge.web.console import bp
from social_bridge.web.console.auth import bridge, login_required, supervisor_required, wants_json
from social_bridge.web.console.views import call_refusal, flash_ui, load_item, notes, timezone
from social_bridge.web.item_view import iso
from social_bridge.web.rules import CANCEL_REASONS, OUTCOMES, held_by_other, may_claim_chosen

log = logging.getLogger(__name__)
MAX_REPLY = 1600


def _to_item(item_id: str):
    return redirect(url_for("console.item", item_id=item_id))


def _to_queue():
    return redirect(url_for("console.queue"))


def my_claim(item_id: str) -> Claim:
    """The agent's live claim on the item, checked by agent id before any fence is used.

    Fences are sequential numbers: the page's fence alone must never let B act on A's claim.
    """
    item = load_item(item_id)
    if held_by_other(g.agent, item):
        abort(403, g.ui["error.not_yours"])
    claim = next((c for c in bridge().claims.claimed_by(g.agent.id) if c.item.id == item_id), None)
    sent = request.form.get("fence", "")
    if claim is None or (sent and sent != str(claim.fence)):
        raise StaleFence(item_id)
    return claim


@bp.errorhandler(StaleFence)
def _stale(error):
    if wants_json():
        return {"error": "stale", "message": g.ui["error.stale"]}, 409
    flash_ui("error.stale", "error")
    return _to_queue()


@bp.errorhandler(NotClaimable)
def _not_claimable(error):
    if wants_json():
        return {"error": "not_claimable", "message": g.ui["error.not_claimable"]}, 409
    flash_ui("error.not_claimable", "error")
    return _to_queue()


def _no_room(kinds: tuple[str, ...] | None = None) -> tuple[tuple[str, ...] | None, str, str]:
    """Capacity first (social_bridge/queue/capacity.py): (kinds to pass claim_next, the sentence when full,
    the sentence saying which kinds are left out when some are still open)."""
    capacity = bridge().capacity
    if capacity is None:
        return kinds, "", ""
    room = capacity.room(g.agent.id, kinds)
    limited = g.ui[f"capacity.{room.limited}"].format(threads=room.threads) if room.limited else ""
    if room.full:
        return (), g.ui[f"capacity.{room.reason}"].format(threads=room.threads), limited
    return room.claim_kinds(), "", limited


@bp.post("/next")
@login_required
def take_next():
    kinds, refusal, limited = _no_room()
    if refusal:
        flash(refusal, "error")
        return _to_queue()
    claim = bridge().claims.claim_next(g.agent.id, g.agent.languages, teams=g.agent.teams, kinds=kinds)
    if claim is None and limited:  # nothing among the kinds still open: say which ones are full
        flash(limited, "info")
        return _to_queue()
    if claim is None:
        flash_ui("queue.nothing", "info")
        return _to_queue()
    log.info("console: agent %s took %s", g.agent.id, claim.item.id)
    return _to_item(claim.item.id)


@bp.post("/items/<item_id>/claim")
@login_required
def claim(item_id: str):
    """Supervisors may pick a given item (e.g. one breaching the target); agents take the next (rules.py)."""
    if not may_claim_chosen(g.agent):
        abort(403, "only supervisors may pick a given item: take the next one")
    _, refusal, _ = _no_room((load_item(item_id).kind,))
    if refusal:
        flash(refusal, "error")
        return _to_queue()
    bridge().claims.claim(item_id, g.agent.id)
    log.info("console: supervisor %s took %s", g.agent.id, item_id)
    return _to_item(item_id)


@bp.post("/items/<item_id>/renew")
@login_required
def renew(item_id: str):
    claim = my_claim(item_id)
    bridge().presence.heartbeat(g.agent.id)
    return {"lease_until": iso(bridge().claims.renew(item_id, claim.fence)), "fence": claim.fence}


@bp.post("/items/<item_id>/complete")
@login_required
def complete(item_id: str):
    claim, outcome = my_claim(item_id), request.form.get("outcome", "")
    if outcome not in OUTCOMES:
        abort(400, f"outcome must be one of {', '.join(OUTCOMES)}")
    bridge().claims.complete(item_id, claim.fence, outcome)
    bridge().presence.heartbeat(g.agent.id)  # occupancy: the time on this item ends now, not at the next beat
    log.info("console: agent %s completed %s (%s)", g.agent.id, item_id, outcome)
    flash_ui("done.completed")
    return _to_queue()


@bp.post("/items/<item_id>/release")
@login_required
def release(item_id: str):
    bridge().claims.release(item_id, my_claim(item_id).fence)
    bridge().presence.heartbeat(g.agent.id)  # occupancy: the time on this item ends now
    log.info("console: agent %s released %s", g.agent.id, item_id)
    flash_ui("done.released")
    return _to_queue()


def _local_moment(name: str, required: bool) -> float:
    """A datetime-local field, read in the agents' time zone; 0 when absent and optional."""
    raw = request.form.get(name, "").strip()
    if not raw and not required:
        return 0.0
    try:
        return datetime.fromisoformat(raw).replace(tzinfo=timezone()).timestamp()
    except ValueError:
        abort(400, g.ui["error.bad_time"])


@bp.post("/items/<item_id>/reschedule")
@login_required
def reschedule(item_id: str):
    claim = my_claim(item_id)
    not_before, not_after = _local_moment("not_before", True), _local_moment("not_after", False)
    if not_before <= bridge().clock() or (not_after and not_after < not_before):
        abort(400, g.ui["error.bad_time"])
    bridge().claims.reschedule(item_id, claim.fence, not_before, not_after)
    log.info("console: agent %s rescheduled %s", g.agent.id, item_id)
    flash_ui("done.rescheduled")
    return _to_queue()


@bp.post("/items/<item_id>/cancel")
@login_required
def cancel(item_id: str):
    claim, reason = my_claim(item_id), request.form.get("reason", "")
    if reason not in CANCEL_REASONS:
        abort(400, f"reason must be one of {', '.join(CANCEL_REASONS)}")
    bridge().claims.cancel(item_id, claim.fence, reason)
    log.info("console: agent %s cancelled %s (%s)", g.agent.id, item_id, reason)
    flash_ui("done.cancelled")
    return _to_queue()


@bp.post("/items/<item_id>/call")
@login_required
def call(item_id: str):
    claim = my_claim(item_id)
    refusal = call_refusal(claim.item)
    if refusal:
        abort(409, refusal)
    bridge().claims.renew(item_id, claim.fence)  # dialing is working on it
    try:
        attempt = bridge().dial(claim.item, claim, g.agent)
    except ValueError as refused:  # the dialer's sentence for the agent, e.g. quiet hours
        return _flash_back(item_id, str(refused), "error")
    log.info("console: agent %s dialing %s (attempt %s)", g.agent.id, item_id, attempt)
    return _flash_back(item_id, g.ui["call.started"], "ok")


@bp.post("/items/<item_id>/reply")
@login_required
def reply(item_id: str):
    claim, text = my_claim(item_id), request.form.get("text", "").strip()
    if bridge().reply is None:
        abort(409, "replies are not configured on this server")
    if not text or len(text) > MAX_REPLY:
        abort(400, f"the reply must have 1 to {MAX_REPLY} characters")
    bridge().claims.renew(item_id, claim.fence)
    try:
        bridge().reply(claim.item, text, g.agent, via=request.form.get("via", ""))
    except ValueError as refused:  # the channel's policy: the page says why and offers SMS when there is one
        return _flash_back(item_id, g.ui.get(f"reply.{getattr(refused, 'reason', '')}", str(refused)), "error")
    log.info("console: agent %s replied on %s", g.agent.id, item_id)
    return _flash_back(item_id, g.ui["done.replied"], "ok")


@bp.post("/items/<item_id>/notes")
@login_required
def add_note(item_id: str):
    load_item(item_id)  # anyone signed in may annotate: a supervisor leaving a hint is normal
    try:
        notes().add(item_id, g.agent.id, request.form.get("text", ""))
    except ValueError as bad:
        abort(400, str(bad))
    return _flash_back(item_id, g.ui["done.note"], "ok")


@bp.post("/dead/<item_id>/requeue")
@supervisor_required
def requeue(item_id: str):
    item = load_item(item_id)
    if item.status != "dead":
        abort(409, f"item {item_id} is {item.status}, not a dead letter")
    bridge().claims.requeue_dead(item_id)
    log.info("console: supervisor %s requeued %s", g.agent.id, item_id)
    flash_ui("done.requeued")
    return redirect(url_for("console.supervisor"))


def _flash_back(item_id: str, message: str, category: str):
    if wants_json():
        return {"message": message, "category": category}, 200 if category != "error" else 409
    flash(message, category)
    return _to_item(item_id)

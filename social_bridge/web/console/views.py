"""Console pages: the queue, one item, the voicemail proxy, presence and heartbeats."""
from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Response, abort, current_app, flash, g, redirect, render_template, request, url_for

from social_bridge.web.console import bp
from social_bridge.web.console.auth import bridge, login_required, wants_json
from social_bridge.web.console.live import snapshot
from social_bridge.web.console.strings import label
from social_bridge.web.item_view import item_detail
from social_bridge.queue.notes import Notes
from social_bridge.queue.presence import Presence
from social_bridge.web.rules import CANCEL_REASONS, OUTCOMES, holds, may_claim_chosen, sees_customer_words

PRESENCE_STATES = Presence.STATES  # available, busy, away and the pause reasons


def timezone() -> ZoneInfo:
    """Where the agents sit: times on pages and in the reschedule form are read in this zone."""
    return ZoneInfo(bridge().timezone)


def local(ts: float | None, fmt: str = "%d/%m %H:%M") -> str:
    return datetime.fromtimestamp(ts, timezone()).strftime(fmt) if ts else ""


def notes():
    return Notes(bridge().redis, bridge().clock, bridge().queue.keys)


def load_item(item_id: str):
    item = bridge().queue.get(item_id)
    if item is None:
        abort(404, "no such work item")
    return item


def call_refusal(item) -> str | None:
    """Why the call-back button is disabled (a label key or a sentence), or None when it may be pressed."""
    if bridge().dial is None:
        return g.ui["call.unavailable"]
    if not re.sub(r"^[a-z]+:", "", item.customer).startswith("+"):  # whatsapp:+39… is a phone too
        return g.ui["call.no_number"]
    if not g.agent.phone:  # agent-first: the agent's phone rings before the customer's
        return g.ui["call.no_agent_phone"]
    check = bridge().dial_check  # optional: e.g. quiet hours, from the composition root
    return check(item) if check else None


@bp.get("/")
@login_required
def queue():
    b = bridge()
    mine = b.claims.claimed_by(g.agent.id)
    return render_template("console/queue.html", page="queue", mine=mine, initial=snapshot(b),
                           state=b.presence.state(g.agent.id))


@bp.get("/queue.json")
@login_required
def queue_json():
    return snapshot(bridge())


@bp.get("/items/<item_id>")
@login_required
def item(item_id: str):
    b, agent = bridge(), g.agent
    found = load_item(item_id)
    detail = item_detail(b, found, b.clock(), agent)
    holder = b.agents.get(found.claimed_by) if found.claimed_by else None
    words = sees_customer_words(agent, found)
    if words and b.access_log is not None:  # who read whose words (issue 18): the log holds the id, not the words
        b.access_log.record(agent.id, "read_words", f"item:{found.id}")
    return render_template(
        "console/item.html", page="item", item=found, detail=detail, mine=holds(agent, found), holder=holder,
        words=words, may_claim=may_claim_chosen(agent),
        notes=notes().for_item(item_id), local=local, call_refusal=call_refusal(found),
        outcomes=OUTCOMES, cancel_reasons=CANCEL_REASONS, can_reply=b.reply is not None,
        lease_seconds=max(0.0, found.lease_until - b.clock()) if holds(agent, found) else 0,
        state=b.presence.state(agent.id))


@bp.get("/items/<item_id>/transcript.json")
@login_required
def transcript(item_id: str):
    """Where a voicemail's transcription stands, for the item page to show it when it arrives.

    The transcript is the customer's words: for the holder and supervisors; anyone else is told it is there."""
    found = load_item(item_id)
    details, words = found.details, sees_customer_words(g.agent, found)
    state = details.get("transcription") or {}
    withheld = bool(details.get("transcript")) and not words
    return {"status": state.get("status", ""), "pending": state.get("status") in TRANSCRIPTION_PENDING,
            "line": g.ui["item.transcript_withheld"] if withheld else transcription_line(state),
            "transcript": details.get("transcript", "") if words else "",
            "title": g.ui["item.transcript"],
            "intent": f"{g.ui['transcription.intent']}: {label_for('intent', state['intent'])}"
            if state.get("intent") else ""}


@bp.get("/items/<item_id>/recording")
@login_required
def recording(item_id: str):
    """The voicemail through us: the page never sees the provider's URL or credentials."""
    found = load_item(item_id)
    if not sees_customer_words(g.agent, found):  # a voicemail is the customer's words
        abort(403, "only the agent holding the item, or a supervisor, may listen to it")
    fetched = bridge().recording(found) if bridge().recording and (found.recording_url or found.recording_sid) else None
    if fetched is None:
        abort(404, "this item has no recording we can fetch")
    audio, mimetype = fetched
    if bridge().access_log is not None:
        bridge().access_log.record(g.agent.id, "listen_recording", f"item:{found.id}")
    return Response(audio, mimetype=mimetype, headers={"Cache-Control": "private, no-store"})


def offer_now() -> str | None:
    """Auto-dial: offers the agent the next callback when it is on; the item's page, or None."""
    offer = bridge().offer
    item_id = offer(g.agent.id) if offer and g.agent.auto_dial else None
    return url_for("console.item", item_id=item_id) if item_id else None


@bp.post("/presence")
@login_required
def presence():
    state = request.form.get("state", "")
    if state not in PRESENCE_STATES:
        abort(400, f"state must be one of {', '.join(PRESENCE_STATES)}")
    bridge().presence.set_state(g.agent.id, state)
    opened = offer_now() if state == "available" else None
    if wants_json():
        return {"state": state, "offer": opened}
    return redirect(opened or _back())


@bp.post("/heartbeat")
@login_required
def heartbeat():
    """Every open console beats every 30 s: without it the agent counts as away."""
    b = bridge()
    b.presence.heartbeat(g.agent.id)
    return {"state": b.presence.state(g.agent.id), "offer": offer_now()}


def _back() -> str:
    target = request.form.get("next", "")
    return target if target.startswith(bp.url_prefix + "/") and not target.startswith("//") else url_for("console.queue")


SAFE_FACTS = ("agent", "status", "kind", "outcome", "reason", "result", "previous", "attempt")


@bp.app_template_global()
def event_facts(event: dict, full: bool) -> list[tuple[str, object]]:
    """What a history line shows; someone only looking (not holding the item) sees no provider details."""
    return [(k, v) for k, v in event.items() if k not in ("at", "event") and (full or k in SAFE_FACTS)]


@bp.app_template_global()
def local_iso(text: str | None, fmt: str = "%H:%M:%S") -> str:
    """An ISO time from item_view, on the agents' clock."""
    return local(datetime.fromisoformat(text).timestamp(), fmt) if text else ""


@bp.app_template_global("label")
def label_for(group: str, value: str) -> str:
    return label(g.ui, group, value)


TRANSCRIPTION_PENDING = ("queued", "retrying")  # the item page keeps asking while it is one of these


@bp.app_template_global()
def transcription_line(state: dict) -> str:
    """The sentence saying where a transcription stands (none once a transcript is there)."""
    status = state.get("status")
    if not status:
        return ""
    line = g.ui["transcription.empty"] if status == "done" else g.ui.get(f"transcription.{status}", status)
    if state.get("reason"):
        line += f": {g.ui.get('transcription.reason.' + state['reason'], state['reason'])}"
        if state.get("detail"):
            line += f" ({state['detail']})"
    return line


@bp.app_template_filter("duration")
def duration(seconds) -> str:
    seconds = int(seconds or 0)
    h, rest = divmod(seconds, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60}:{rest % 60:02d}"


def flash_ui(key: str, category: str = "ok") -> None:
    flash(g.ui.get(key, key), category)


def _error_page(code: int, message: str):
    if wants_json() or request.blueprint != "console":
        return {"error": code, "message": message}, code
    return render_template("console/error.html", page="error", code=code, message=message), code


@bp.errorhandler(400)
@bp.errorhandler(401)
@bp.errorhandler(403)
@bp.errorhandler(404)
@bp.errorhandler(405)
@bp.errorhandler(409)
def _http_error(error):
    current_app.logger.debug("console %s on %s", error.code, request.path)
    return _error_page(error.code, error.description)

"""Known outages on the supervisor's page: the active ones, declaring, resolving, and spikes that suggest one."""
from __future__ import annotations

import logging
import math
from dataclasses import asdict
from datetime import datetime

from flask import abort, flash, g, redirect, render_template_string, request, url_for

from social_bridge.web.console import bp
from social_bridge.web.console.actions import _local_moment
from social_bridge.web.console.auth import bridge, configured, supervisor_required, wants_json
from social_bridge.web.console.strings import label
from social_bridge.web.console.views import local, timezone
from social_bridge.outages.outages import CAUSES, OutageRefused

log = logging.getLogger(__name__)
SPIKE_THRESHOLD, SPIKE_WINDOW = 5, 600  # this many internet_down reports from one area in 10 minutes
FIX_GUESS = 2 * 3600                     # the form's first guess at the fix time, rounded up to a quarter hour
FORM_FORMAT = "%Y-%m-%dT%H:%M"           # what a datetime-local input reads and writes

# Its own page, not a form inside the supervisor's body: the body is swapped every few seconds and would
# wipe what the supervisor is typing.
FORM_PAGE = """{% extends "console/base.html" %}{% block title %}{{ ui['outage.declare'] }}{% endblock %}
{% block main %}{% include "console/_outages.html" %}{% endblock %}"""


def store():
    return configured("outages", "known outages are not configured on this server")


def known_outages() -> dict | None:
    """What the supervisor's card shows, or None when outages are not configured."""
    outages = bridge().outages
    if outages is None:
        return None
    return {"active": [shown(o) for o in outages.active()], "minutes": SPIKE_WINDOW // 60,
            "suggestions": outages.suggestions(SPIKE_THRESHOLD, SPIKE_WINDOW)}


def shown(outage) -> dict:
    """One active outage for people: labels, local times, the declaring agent's name."""
    agent = bridge().agents.get(outage.declared_by)
    return {**asdict(outage), "cause_label": label(g.ui, "cause", outage.cause),
            "fix_local": local(outage.expected_fix_at), "declared_local": local(outage.declared_at),
            "overdue": outage.expected_fix_at <= bridge().clock(),
            "declared_by_name": agent.name if agent else outage.declared_by}


@bp.context_processor
def _outage_card():
    return {"known_outages": known_outages}  # called only by templates that show the card


def _form(area: str, cause: str, fix: str, error: str = "", status: int = 200):
    b = bridge()
    now = b.clock()
    reports = dict(store().suggestions(SPIKE_THRESHOLD, SPIKE_WINDOW)).get(area.strip().upper(), 0)
    form = {"area": area, "cause": cause, "fix": fix, "min": local(now, FORM_FORMAT), "error": error,
            "reports": reports, "minutes": SPIKE_WINDOW // 60}
    return render_template_string(FORM_PAGE, page="outages", outage_form=form, causes=CAUSES,
                                  state=b.presence.state(g.agent.id)), status


@bp.get("/outages/new")
@supervisor_required
def outage_form():
    """The declare form, prefilled with ?area= when a spike suggested it."""
    quarter = 15 * 60
    guess = math.ceil((bridge().clock() + FIX_GUESS) / quarter) * quarter
    return _form(request.args.get("area", ""), "", datetime.fromtimestamp(guess, timezone()).strftime(FORM_FORMAT))


@bp.post("/outages")
@supervisor_required
def declare_outage():
    area, cause, outages = request.form.get("area", ""), request.form.get("cause", ""), store()
    fix_at = _local_moment("expected_fix", True)
    before = outages.active_for(area)  # only for the message: declaring again updates the active one
    try:
        outage = outages.declare(area, cause, fix_at, g.agent.id)
    except OutageRefused as refused:
        message = g.ui.get(f"outage.error.{refused.reason}", str(refused))
        if wants_json():
            return {"error": refused.reason, "message": message}, 400
        return _form(area, cause, request.form.get("expected_fix", ""), message, 400)
    log.info("console: supervisor %s %s outage %s in %s (%s)", g.agent.id, "updated" if before else "declared",
             outage.id, outage.area, outage.cause)
    if wants_json():
        return {"outage": asdict(outage), "updated": before is not None}
    flash(g.ui["outage.updated" if before else "outage.declared"].format(area=outage.area), "ok")
    return redirect(url_for("console.supervisor"))


@bp.post("/outages/<outage_id>/resolve")
@supervisor_required
def resolve_outage(outage_id: str):
    outages = store()
    outage = outages.get(outage_id)
    if outage is None:
        abort(404, "no such outage")
    subscribers = outages.resolve(outage_id, g.agent.id)
    notify = bridge().on_outage_resolved
    if subscribers and notify:
        notify(outage_id, subscribers)
    elif subscribers:
        log.warning("outage %s resolved with %d subscribers and no notifier configured", outage_id, len(subscribers))
    log.info("console: supervisor %s resolved outage %s in %s (%d to notify)", g.agent.id, outage_id, outage.area,
             len(subscribers))
    if wants_json():
        return {"outage_id": outage_id, "subscribers": len(subscribers), "notified": bool(subscribers and notify)}
    if outage.resolved_at:
        flash(g.ui["outage.already"], "info")
    else:
        flash(g.ui["outage.resolved"].format(area=outage.area, count=len(subscribers)), "ok")
        if subscribers and not notify:
            flash(g.ui["outage.no_notifier"], "error")
    return redirect(url_for("console.supervisor"))


@bp.get("/outages.json")
@supervisor_required
def outages_json():
    outages = store()
    spikes = outages.suggestions(SPIKE_THRESHOLD, SPIKE_WINDOW)
    return {"active": [asdict(o) for o in outages.active()], "threshold": SPIKE_THRESHOLD,
            "window_seconds": SPIKE_WINDOW, "suggestions": [{"area": area, "reports": n} for area, n in spikes]}

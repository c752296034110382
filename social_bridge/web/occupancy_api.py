"""Occupancy in the JSON API (issue 19): GET /api/agents/occupancy?day=YYYY-MM-DD — per agent, time logged in
(not away), handling items and paused, and occupancy = handling / logged. Supervisors see everyone, an
agent their own row. A blueprint nested in the API's: its bearer-token check and errors apply."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, g, request

from social_bridge.web.request_body import ApiError

bp = Blueprint("occupancy_api", __name__)


@bp.get("/agents/occupancy")
def occupancy():
    counted = getattr(current_app.extensions["social_bridge"].presence, "occupancy", None)
    if counted is None:
        raise ApiError(503, "unavailable", "occupancy is not counted on this server")
    day = request.args.get("day", "").strip()
    if day:
        try:
            day = date.fromisoformat(day).isoformat()
        except ValueError:
            raise ApiError(400, "bad_request", "day must be a date as YYYY-MM-DD, e.g. 2026-12-02") from None
    rows = counted.day(day or None)
    if not g.agent.is_supervisor:  # an agent sees their own figures only
        rows = [row for row in rows if row["agent_id"] == g.agent.id]
    return {"day": day or counted.today(), "agents": rows}

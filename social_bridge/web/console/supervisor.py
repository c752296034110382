"""The supervisor's page: depth and oldest waits, the team, breaching items, missed windows, dead letters, dev outbox."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for

from social_bridge.web.console import bp
from social_bridge.web.console.auth import bridge, supervisor_required
from social_bridge.web.console.views import local
from social_bridge.web.console.written_service import written_service
from social_bridge.web.item_view import item_view, queued_items, team_overview

SCAN = 1000  # items read for the kind x channel table, oldest first: the same bound team_overview uses

OUTBOX_SHOWN = 30
ACCESS_SHOWN = 50
MISSED_SHOWN = 50


def overview() -> dict:
    b = bridge()
    data = team_overview(b, b.clock(), agent=g.agent)  # a supervisor's page: supervisors read the words
    data["now"] = b.clock()
    data["lanes"] = lanes(b, data["now"])
    data["missed_windows_count"], data["missed_windows"] = missed_windows(b, data["now"])
    # dev mode only: what would have been sent; real numbers never leave the supervisor's page
    data["outbox"] = b.outbox(OUTBOX_SHOWN) if b.dev_mode and b.outbox else None
    data["access"] = b.access_log.entries(ACCESS_SHOWN) if b.access_log is not None else None
    data["can_erase"] = b.erase_person is not None
    data["x_budget"] = x_budget(b)
    data["written"] = written_service(b)  # chats past or near their targets, satisfaction (issue 19)
    data["occupancy"] = occupancy_today(b)  # time on requests / time logged in, per agent (issue 19)
    return data


def occupancy_today(b) -> list[dict] | None:
    """Today's occupancy per agent (social_bridge/queue/occupancy.py); None when presence does not count it."""
    occupancy = getattr(b.presence, "occupancy", None)
    if occupancy is None:
        return None
    rows = occupancy.day()
    for row in rows:
        agent = b.agents.get(row["agent_id"])
        row["name"] = agent.name if agent is not None else row["agent_id"]
    return rows


def x_budget(b) -> dict | None:
    """Today's messages sent on X against X_DAILY_BUDGET (social_bridge/channels/x_budget.py); None without X."""
    channel = b.social.channels.get("x") if b.social is not None else None
    budget = getattr(channel, "budget", None)
    return budget.today() if budget is not None else None


def lanes(b, now: float) -> list[dict]:
    """Waiting items per kind and channel, with the longest wait of each, biggest wait first."""
    table: dict[tuple[str, str], dict] = {}
    for item, _ in queued_items(b.queue, SCAN):
        if item.status == "waiting":
            row = table.setdefault((item.kind, item.channel), {"kind": item.kind, "channel": item.channel,
                                                               "waiting": 0, "oldest": 0})
            row["waiting"] += 1
            row["oldest"] = max(row["oldest"], int(now - item.acquired_at))
    return sorted(table.values(), key=lambda row: -row["oldest"])


def missed_windows(b, now: float) -> tuple[int, list[dict]]:
    """Callbacks still waiting after the end of the window promised to the customer, the longest late first."""
    count, items = b.queue.missed_windows(MISSED_SHOWN)
    views = []
    for item in items:
        view = item_view(b, item, now, agent=g.agent)
        view["late_seconds"], view["window_end"] = int(now - item.not_after), item.not_after
        views.append(view)
    return count, views


@bp.get("/supervisor")
@supervisor_required
def supervisor():
    return render_template("console/supervisor.html", page="supervisor", data=overview(), local=local,
                           state=bridge().presence.state(g.agent.id))


@bp.get("/supervisor/body")
@supervisor_required
def supervisor_body():
    """The page's main part alone: the page swaps it in when the queue changes."""
    return render_template("console/_supervisor_body.html", data=overview(), local=local)


@bp.get("/supervisor.json")
@supervisor_required
def supervisor_json():
    return overview()


@bp.post("/supervisor/erase")
@supervisor_required
def erase():
    """Art. 17: every record of the person behind one work item, recordings at Twilio too (see docs/privacy.md)."""
    b, item_id = bridge(), request.form.get("item_id", "").strip()
    if b.erase_person is None:
        abort(404, g.ui["error.erase_unavailable"])
    if b.queue.get(item_id) is None:
        abort(404, "no such work item")
    try:
        removed = b.erase_person(item_id, g.agent.id)
    except RuntimeError:  # social_bridge.privacy.erasure.RecordingNotDeleted: Twilio refused, nothing erased
        flash(g.ui["error.erase_twilio"], "error")
        return redirect(url_for("console.supervisor"))
    flash(f"{g.ui['done.erased']}: " + ", ".join(f"{kind} {n}" for kind, n in sorted(removed.items())), "ok")
    return redirect(url_for("console.supervisor"))

"""Console page for supervisors: the teams, the intents whose new items each serves first, and who is in each.

The rules live in social_bridge/queue/teams.py; a refused change (a taken name, an unknown intent or agent)
flashes the sentence it raised and changes nothing."""
from __future__ import annotations

import logging

from flask import flash, g, redirect, render_template, request, url_for

from social_bridge.queue.teams import TeamRefused
from social_bridge.web.console import bp
from social_bridge.web.console.auth import bridge, supervisor_required
from social_bridge.web.console.team_strings import team_strings
from social_bridge.web.transfer_api import teams_of

log = logging.getLogger(__name__)


@bp.context_processor
def _team_words():
    return {"tm": team_strings((g.get("ui") or {}).get("lang", "it"))}


@bp.get("/teams")
@supervisor_required
def teams():
    b = bridge()
    all_teams, agents = teams_of(b), b.agents.all()
    listed = all_teams.all()
    intents = list(all_teams.known_intents) or sorted({i for t in listed for i in t.intents})
    return render_template("console/teams.html", page="teams", teams=listed, agents=agents, intents=intents,
                           members={t.id: {a.id for a in all_teams.members(t.id, agents)} for t in listed},
                           overflow=int(getattr(b.claims, "team_overflow_seconds", 0)),
                           state=b.presence.state(g.agent.id))


def _saved(change, done: str):
    words = team_strings(g.ui.get("lang", "it"))
    try:
        change()
    except TeamRefused as refused:
        flash(words[f"err.{refused.code}"].format(detail=refused.detail), "error")
    else:
        flash(words[done], "ok")
    return redirect(url_for("console.teams"))


@bp.post("/teams")
@supervisor_required
def team_add():
    log.info("console: supervisor %s adds a team", g.agent.id)
    return _saved(lambda: teams_of(bridge()).add(request.form.get("name", ""), request.form.getlist("intents")),
                  "added")


@bp.post("/teams/<team_id>")
@supervisor_required
def team_edit(team_id: str):
    b, form = bridge(), request.form
    all_teams = teams_of(b)

    def change():
        if all_teams.get(team_id) is None:
            raise TeamRefused("unknown_team", f"unknown team {team_id!r}", team_id)
        intents = all_teams.checked_intents(form.getlist("intents"))  # every field checked before any write
        members = form.getlist("members")
        unknown = set(members) - {a.id for a in b.agents.all()}
        if unknown:
            raise TeamRefused("unknown_agent", "unknown agent", ", ".join(sorted(unknown)))
        all_teams.rename(team_id, form.get("name", ""))
        all_teams.set_intents(team_id, intents)
        all_teams.set_members(team_id, members, b.agents)
    log.info("console: supervisor %s edits team %s", g.agent.id, team_id)
    return _saved(change, "saved")

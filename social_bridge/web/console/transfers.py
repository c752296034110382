"""Console: the holder transfers an item to a colleague or a team with a note; a supervisor assigns any item.

The checks and the move are social_bridge/queue/handovers.py; here only the form, the words and where the agent
lands. The receiver hears of it live: the queue snapshot lists hand-overs (live.py) and static/console/transfers.js
shows "Assegnato a te da …" on the receiver's open console."""
from __future__ import annotations

import logging

from flask import flash, g, redirect, request, url_for

from social_bridge.queue.handovers import HandoverRefused
from social_bridge.web.console import bp
from social_bridge.web.console.auth import bridge, login_required, supervisor_required, wants_json
from social_bridge.web.console.transfer_strings import transfer_strings
from social_bridge.web.transfer_api import handovers_of, teams_of

log = logging.getLogger(__name__)


@bp.context_processor
def _transfer_words():
    return {"tf": transfer_strings((g.get("ui") or {}).get("lang", "it"))}


def _handovers():
    return handovers_of(bridge())


@bp.app_template_global()
def transfer_choices(item) -> dict:
    """Who and where the item page offers: colleagues (enabled, not me) and the teams; the item's team name."""
    b = bridge()
    agents = [a for a in b.agents.all() if not getattr(a, "disabled", False)]
    teams = teams_of(b).all()
    names = {team.id: team.name for team in teams}
    return {"colleagues": [a for a in agents if a.id != g.agent.id], "agents": agents, "teams": teams,
            "team_name": names.get(item.team, item.team)}


def _answer(item_id: str, words: dict, refused: HandoverRefused | None, done: str = "", to_queue: bool = False):
    if refused is not None:
        message = words.get(f"err.{refused.code}", str(refused))
        if wants_json():
            return {"message": message, "category": "error", "error": refused.code}, refused.status
        flash(message, "error")
        return redirect(url_for("console.item", item_id=item_id))
    if wants_json():
        return {"message": done, "category": "ok"}, 200
    flash(done, "ok")
    return redirect(url_for("console.queue") if to_queue else url_for("console.item", item_id=item_id))


def _name(agent_id: str) -> str:
    found = bridge().agents.get(agent_id)
    return found.name if found else agent_id


@bp.post("/items/<item_id>/transfer")
@login_required
def transfer(item_id: str):
    words = transfer_strings(g.ui.get("lang", "it"))
    kind, _, target = request.form.get("to", "").partition(":")
    note = request.form.get("note", "")
    try:
        moved = _handovers().transfer(item_id, g.agent, to_agent=target if kind == "agent" else "",
                                      to_team=target if kind == "team" else "", note=note)
    except HandoverRefused as refused:
        return _answer(item_id, words, refused)
    log.info("console: agent %s transferred %s to %s %s", g.agent.id, item_id, kind, target)
    if kind == "agent":
        return _answer(item_id, words, None, words["done.agent"].format(name=_name(target)), to_queue=True)
    team = teams_of(bridge()).get(moved.team)
    return _answer(item_id, words, None, words["done.team"].format(name=team.name if team else moved.team),
                   to_queue=True)


@bp.post("/items/<item_id>/assign")
@supervisor_required
def assign(item_id: str):
    words = transfer_strings(g.ui.get("lang", "it"))
    target = request.form.get("agent", "")
    try:
        _handovers().assign(item_id, g.agent, target, note=request.form.get("note", ""))
    except HandoverRefused as refused:
        return _answer(item_id, words, refused)
    log.info("console: supervisor %s assigned %s to %s", g.agent.id, item_id, target)
    return _answer(item_id, words, None, words["done.assign"].format(name=_name(target)))

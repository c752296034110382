"""Transfers, assignments and teams in the JSON API (issue 19). A blueprint nested in the API's: its bearer-token
check and errors apply. The checks and moves are social_bridge/queue/handovers.py, the same as the console's."""
from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, current_app, g

from social_bridge.queue.handovers import HandoverRefused, Handovers
from social_bridge.queue.notes import Notes
from social_bridge.web.item_view import item_view
from social_bridge.web.request_body import ApiError, fence_of, json_body

bp = Blueprint("transfer_api", __name__)


def _bridge():
    return current_app.extensions["social_bridge"]


def handovers_of(b) -> Handovers:
    """The bridge's hand-overs; built from its own parts when the app was not given one (they need only Redis)."""
    if b.handovers is None:
        b.handovers = Handovers(b.claims, b.agents, Notes(b.redis, b.clock, b.queue.keys), teams_of(b))
    return b.handovers


def teams_of(b):
    return b.teams if b.teams is not None else b.agents.teams


def _handovers():
    return handovers_of(_bridge())


def _strings(body: dict, *names: str) -> list[str]:
    values = [body.get(name) for name in names]
    if any(v is not None and not isinstance(v, str) for v in values):
        raise ApiError(400, "bad_request", f"{', '.join(names)} must be strings")
    return [v or "" for v in values]


def _moved(move):
    try:
        item = move()
    except HandoverRefused as refused:
        raise ApiError(refused.status, refused.code, str(refused)) from None
    b = _bridge()
    return {"item": item_view(b, item, b.clock(), agent=g.agent)}


@bp.post("/items/<item_id>/transfer")
def transfer(item_id: str):
    """The holder hands the item to a colleague ({"to_agent"}) or a team ({"to_team"}), with an optional note."""
    body = json_body()
    to_agent, to_team, note = _strings(body, "to_agent", "to_team", "note")
    if "fence" in body:  # optional: a client that sends its fence gets a 409 when its claim has moved on
        fence = fence_of(body)
        current = _bridge().queue.get(item_id)
        if current is not None and current.claimed_by == g.agent.id and current.fence != fence:
            raise ApiError(409, "stale_fence", "your claim on this item has ended; claim it again to act on it")
    return _moved(lambda: _handovers().transfer(item_id, g.agent, to_agent=to_agent, to_team=to_team, note=note))


@bp.post("/items/<item_id>/assign")
def assign(item_id: str):
    """A supervisor gives a waiting, scheduled or claimed item to an agent ({"agent"}), with an optional note."""
    agent, note = _strings(json_body(), "agent", "note")
    return _moved(lambda: _handovers().assign(item_id, g.agent, agent, note=note))


@bp.get("/teams")
def teams():
    """The teams, their intents and members."""
    b = _bridge()
    teams, agents = teams_of(b), b.agents.all()
    return {"teams": [{**asdict(team), "intents": list(team.intents),
                       "members": [a.id for a in teams.members(team.id, agents)]} for team in teams.all()]}

"""Transfers, assignments and teams in the JSON API (issue 19). A blueprint nested in the API's: its bearer-token
check and errors apply. The checks and moves are social_bridge/queue/handovers.py, the same as the console's."""
from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, current_app, g

from social_bridge.queue.handovers import HandoverRefused, Handovers
from social_bridge.queue.notes import Notes
from social_bridge.web.item_view import item_view
from social_bridge.web.api_access import supervisors_only
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


def _team_view(team, teams, agents) -> dict:
    return {**asdict(team), "intents": list(team.intents), "members": [a.id for a in teams.members(team.id, agents)]}


@bp.get("/teams")
def teams():
    """The teams, their intents and members."""
    b = _bridge()
    teams, agents = teams_of(b), b.agents.all()
    return {"teams": [_team_view(team, teams, agents) for team in teams.all()]}


def _team_edit(edit):
    """A supervisor's change of the teams: every field checked first (ValueError -> 400, nothing written)."""
    supervisors_only("change teams")  # reads the body first: one nested too deeply is a 400 on every route
    body = json_body()
    b = _bridge()
    try:
        team = edit(teams_of(b), body)
    except ValueError as bad:
        raise ApiError(400, "bad_request", str(bad)) from None
    return {"team": _team_view(team, teams_of(b), b.agents.all())}


def _list_of(body: dict, name: str) -> list[str] | None:
    value = body.get(name)
    if value is not None and (not isinstance(value, list) or not all(isinstance(v, str) for v in value)):
        raise ValueError(f"{name} must be a list of strings")
    return value


@bp.post("/teams")
def add_team():
    """A new team {"name", "intents"?}; its id is made from the name."""
    def add(teams, body):
        name, intents = body.get("name"), _list_of(body, "intents") or []
        return teams.add(name if isinstance(name, str) else "", intents)
    view, status = _team_edit(add), 201
    return view, status


@bp.patch("/teams/<team_id>")
def edit_team(team_id: str):
    """Rename a team, set its intents, set its members: {"name"?, "intents"?, "members"?}, all checked first."""
    def edit(teams, body):
        name, intents, members = body.get("name"), _list_of(body, "intents"), _list_of(body, "members")
        if name is not None and not isinstance(name, str):
            raise ValueError("name must be a string")
        team = teams.get(team_id)
        if team is None:
            raise ApiError(404, "not_found", f"no team with id {team_id!r}; the teams are {', '.join(teams.ids())}")
        unknown = set(members or ()) - {a.id for a in _bridge().agents.all()}
        if unknown:
            raise ValueError(f"no agent with id {', '.join(sorted(map(repr, unknown)))}")
        if intents is not None:
            teams.checked_intents(intents)  # checked before the name changes
        if name is not None:
            teams.rename(team_id, name)
        if intents is not None:
            teams.set_intents(team_id, intents)
        if members is not None:
            teams.set_members(team_id, members, _bridge().agents)
        return teams.get(team_id)
    return _team_edit(edit)

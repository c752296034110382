"""Agent management in the JSON API (issue 19), supervisors' tokens only: the console's agents page as routes.
A blueprint nested in the API's, so its bearer-token check (a disabled agent's token is a 401) and errors apply.
A password generated here or a new token is in the answer once; nothing keeps it in clear."""
from __future__ import annotations

from flask import Blueprint, g

from social_bridge.queue.agent_admin import EDITABLE, AdminRefused
from social_bridge.web.console.agents_strings import refusal
from social_bridge.web.item_view import mask_customer
from social_bridge.web.api_access import configured, supervisors_only
from social_bridge.web.request_body import ApiError, json_body

bp = Blueprint("agents_api", __name__)


def _admin():
    return configured("agent_admin", "agent management is not configured on this server")


def _supervisor() -> None:
    supervisors_only("manage agents")


def _done(operation):
    """The operation's result; an AdminRefused becomes its status and the English sentence, nothing changed."""
    try:
        return operation()
    except AdminRefused as refused:
        raise ApiError(refused.status, refused.code, refusal("en", refused)) from None


def _shown(row) -> dict:
    a = row.agent
    return {"id": a.id, "name": a.name, "role": a.role, "languages": list(a.languages),
            "teams": list(getattr(a, "teams", ())), "enabled": not a.disabled, "phone": mask_customer(a.phone),
            "auto_dial": a.auto_dial, "tokens": [{"id": t} for t in row.tokens]}


def _agent(agent_id: str) -> dict:
    row = next((r for r in _admin().rows() if r.agent.id == agent_id), None)
    if row is None:
        raise ApiError(404, "unknown_agent", refusal("en", AdminRefused("unknown_agent", agent=agent_id)))
    return _shown(row)


def _fields(body: dict, allowed: tuple[str, ...], strings: tuple[str, ...]) -> None:
    """Only the fields a route takes (a typo must not pass unnoticed), and strings where strings are due."""
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise ApiError(400, "bad_request", f"unknown field {', '.join(unknown)}; send some of {', '.join(allowed)}")
    bad = [n for n in strings if n in body and not isinstance(body[n], str)]
    if bad:
        raise ApiError(400, "bad_request", f"{', '.join(bad)} must be a string")


@bp.get("/agents")
def listing():
    _supervisor()
    admin = _admin()
    return {"agents": [_shown(row) for row in admin.rows()], "teams": admin.team_names(),
            "audit": admin.entries(50)}


@bp.post("/agents")
def create():
    body = json_body()
    _supervisor()
    _fields(body, ("name", "role", "languages", "teams", "password"), ("name", "role", "password"))
    agent, shown = _done(lambda: _admin().add(g.agent, body.get("name", ""), body.get("role", "agent"),
                                              body.get("languages", ["it"]), body.get("teams", []),
                                              body.get("password", "")))
    answer = {"agent": _agent(agent.id)}
    if shown:
        answer["password"] = shown  # generated: this answer is the only place it is ever shown
    return answer, 201


@bp.patch("/agents/<agent_id>")
def update(agent_id: str):
    body = json_body()
    _supervisor()
    fields = {name: body[name] for name in body}
    if not fields or set(fields) - set(EDITABLE):
        raise ApiError(400, "bad_request", f"send some of {', '.join(EDITABLE)}; "
                                           f"not changeable: {', '.join(sorted(set(fields) - set(EDITABLE))) or '-'}")
    _done(lambda: _admin().edit(g.agent, agent_id, **fields))
    return {"agent": _agent(agent_id)}


@bp.post("/agents/<agent_id>/disable")
def disable(agent_id: str):
    _supervisor()
    released = _done(lambda: _admin().disable(g.agent, agent_id))
    return {"agent": _agent(agent_id), "released_items": released}


@bp.post("/agents/<agent_id>/enable")
def enable(agent_id: str):
    _supervisor()
    _done(lambda: _admin().enable(g.agent, agent_id))
    return {"agent": _agent(agent_id)}


@bp.post("/agents/<agent_id>/password")
def password(agent_id: str):
    """{"password": "…"} sets that one; an empty body has one generated and returned once."""
    body = json_body()
    _supervisor()
    _fields(body, ("password",), ("password",))
    shown = _done(lambda: _admin().reset_password(g.agent, agent_id, body.get("password", "")))
    return {"agent": _agent(agent_id), **({"password": shown} if shown else {})}


@bp.post("/agents/<agent_id>/tokens")
def issue_token(agent_id: str):
    _supervisor()
    token_id, token = _done(lambda: _admin().issue_token(g.agent, agent_id))
    return {"id": token_id, "token": token}, 201


@bp.delete("/agents/<agent_id>/tokens/<token_id>")
def revoke_token(agent_id: str, token_id: str):
    _supervisor()
    _done(lambda: _admin().revoke_token(g.agent, agent_id, token_id))
    return "", 204

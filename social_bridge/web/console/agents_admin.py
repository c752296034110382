"""The agents page (issue 19), supervisors only: the list of agents, adding one, disabling and enabling, a new
password, API tokens issued and revoked, languages and teams; the audit list at the bottom. A password or a
token made here is shown once, in the answer to the POST that made it (never in a cookie, never stored)."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from social_bridge.queue.agent_admin import AdminRefused
from social_bridge.queue.agents import LANGUAGES, ROLES
from social_bridge.web.console import bp
from social_bridge.web.console.agents_strings import agents_strings, refusal
from social_bridge.web.console.auth import bridge, configured, supervisor_required
from social_bridge.web.console.views import local
from social_bridge.web.item_view import mask_customer


@bp.context_processor
def _agents_words():
    """The page's words on every console page: the header's link to it is on all of them."""
    return {"am": agents_strings((g.get("ui") or {}).get("lang", "it"))}


def admin():
    return configured("agent_admin", "agent management is not configured on this server")


def _words() -> dict[str, str]:
    return agents_strings(g.ui.get("lang", "it"))


def _page(secret: dict | None = None, status: int = 200):
    manager = admin()
    names = {a.id: a.name for a in bridge().agents.all()}
    audit = [{**e, "when": local(e["at"], "%d/%m %H:%M:%S"), "who_name": names.get(e["who"], e["who"]),
              "whom_name": names.get(e["whom"], e["whom"])} for e in manager.entries(50)]
    page = render_template("console/agents.html", page="agents", rows=manager.rows(), teams=manager.team_names(),
                           langs=LANGUAGES, roles=ROLES, audit=audit, secret=secret, masked=mask_customer)
    return page, status


def _refused(exc: AdminRefused):
    flash(refusal(g.ui.get("lang", "it"), exc), "error")
    return redirect(url_for("console.agents"))


def _done(key: str, **params):
    flash(_words()[key].format(**params), "ok")
    return redirect(url_for("console.agents", _anchor=f"agent-{params.get('agent_id', '')}".rstrip("-")))


@bp.get("/agents")
@supervisor_required
def agents():
    return _page()


@bp.post("/agents")
@supervisor_required
def agents_add():
    form = request.form
    try:
        agent, shown = admin().add(g.agent, form.get("name", ""), form.get("role", "agent"), form.getlist("languages"),
                                   form.getlist("teams"), form.get("password", ""))
    except AdminRefused as exc:
        return _refused(exc)
    if not shown:
        return _done("done.add", agent=agent.name, agent_id=agent.id)
    return _page({"text": _words()["secret.password"].format(agent=agent.name), "value": shown, "agent_id": agent.id})


@bp.post("/agents/<agent_id>/disable")
@supervisor_required
def agents_disable(agent_id: str):
    try:
        released = admin().disable(g.agent, agent_id)
    except AdminRefused as exc:
        return _refused(exc)
    if released:
        flash(_words()["done.released"].format(count=released), "ok")
    return _done("done.disable", agent=_name(agent_id), agent_id=agent_id)


@bp.post("/agents/<agent_id>/enable")
@supervisor_required
def agents_enable(agent_id: str):
    try:
        admin().enable(g.agent, agent_id)
    except AdminRefused as exc:
        return _refused(exc)
    return _done("done.enable", agent=_name(agent_id), agent_id=agent_id)


@bp.post("/agents/<agent_id>/password")
@supervisor_required
def agents_password(agent_id: str):
    try:
        shown = admin().reset_password(g.agent, agent_id, request.form.get("password", ""))
    except AdminRefused as exc:
        return _refused(exc)
    if not shown:
        return _done("done.password", agent=_name(agent_id), agent_id=agent_id)
    return _page({"text": _words()["secret.password"].format(agent=_name(agent_id)), "value": shown,
                  "agent_id": agent_id})


@bp.post("/agents/<agent_id>/tokens")
@supervisor_required
def agents_token(agent_id: str):
    try:
        token_id, token = admin().issue_token(g.agent, agent_id)
    except AdminRefused as exc:
        return _refused(exc)
    text = _words()["secret.token"].format(agent=_name(agent_id), token_id=token_id)
    return _page({"text": text, "value": token, "agent_id": agent_id})


@bp.post("/agents/<agent_id>/tokens/<token_id>/revoke")
@supervisor_required
def agents_revoke(agent_id: str, token_id: str):
    try:
        admin().revoke_token(g.agent, agent_id, token_id)
    except AdminRefused as exc:
        return _refused(exc)
    return _done("done.revoke", agent=_name(agent_id), token=token_id, agent_id=agent_id)


@bp.post("/agents/<agent_id>/edit")
@supervisor_required
def agents_edit(agent_id: str):
    """Languages and teams as ticked (a box left unticked removes it), the role as chosen."""
    form, fields = request.form, {"languages": request.form.getlist("languages")}
    if admin().teams is not None:
        fields["teams"] = form.getlist("teams")
    if form.get("role"):
        fields["role"] = form["role"]
    try:
        admin().edit(g.agent, agent_id, **fields)
    except AdminRefused as exc:
        return _refused(exc)
    return _done("done.edit", agent=_name(agent_id), agent_id=agent_id)


def _name(agent_id: str) -> str:
    agent = bridge().agents.get(agent_id)
    return agent.name if agent else agent_id

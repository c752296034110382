"""Canned replies in the JSON API (issue 19): everyone lists them and gets one filled for an item;
supervisors create, update and delete. A blueprint nested in the API's: its bearer-token check and errors apply.
"""
from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, current_app, g, request

from social_bridge.chat.canned import LANGS, CannedRefused, fill, item_values
from social_bridge.web.api_access import configured, supervisors_only
from social_bridge.web.request_body import ApiError, json_body
from social_bridge.web.rules import sees_customer_words

bp = Blueprint("canned_api", __name__)


def _bridge():
    return current_app.extensions["social_bridge"]


def _store():
    return configured("canned", "canned replies are not configured on this server")


def _supervisor() -> None:
    supervisors_only("manage canned replies")


def _reply(reply_id: str):
    found = _store().get(reply_id)
    if found is None:
        raise ApiError(404, "not_found", f"no canned reply with id {reply_id!r}")
    return found


def _fields(body: dict) -> tuple[str, str, str]:
    values = tuple(body.get(name, "") for name in ("lang", "title", "text"))
    if not all(isinstance(v, str) for v in values):
        raise ApiError(400, "bad_request", "lang, title and text must be strings")
    return values


def _saved(save):
    try:
        return save()
    except CannedRefused as refused:
        raise ApiError(400, "bad_request", str(refused)) from None


@bp.get("/canned")
def listing():
    lang = request.args.get("lang") or None
    if lang is not None and lang not in LANGS:
        raise ApiError(400, "bad_request", f"lang must be one of: {', '.join(LANGS)}")
    return {"replies": [asdict(r) for r in _store().all(lang)]}


@bp.get("/canned/<reply_id>")
def one(reply_id: str):
    """With ?item=ID, the text filled from what that item knows (the holder's or a supervisor's view)."""
    found, body = _reply(reply_id), None
    item_id = request.args.get("item")
    if item_id:
        item = _bridge().queue.get(item_id)
        if item is None:
            raise ApiError(404, "not_found", f"no item with id {item_id!r}")
        if not sees_customer_words(g.agent, item):
            raise ApiError(403, "forbidden", "only the agent holding the item, or a supervisor")
        body = fill(found.text, item_values(item, _bridge().customers, _bridge().clock()))
    return {"reply": asdict(found), "filled": body}


@bp.post("/canned")
def create():
    body = json_body()  # a body nested too deeply is a 400 on every route, whoever sends it
    _supervisor()
    lang, title, text = _fields(body)
    return {"reply": asdict(_saved(lambda: _store().create(lang, title, text, g.agent.id)))}, 201


@bp.put("/canned/<reply_id>")
def update(reply_id: str):
    body = json_body()  # a body nested too deeply is a 400 on every route, whoever sends it
    _supervisor()
    lang, title, text = _fields(body)
    _reply(reply_id)
    return {"reply": asdict(_saved(lambda: _store().update(reply_id, lang, title, text, g.agent.id)))}


@bp.delete("/canned/<reply_id>")
def delete(reply_id: str):
    _supervisor()
    if not _store().delete(reply_id):
        raise ApiError(404, "not_found", f"no canned reply with id {reply_id!r}")
    return "", 204

"""Console page for canned replies (issue 19): supervisors list, add, edit and delete; agents read them.
The item page's reply box fetches them filled for its item (static/console/canned.js inserts them with "/")."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for

from social_bridge.chat.canned import LANGS, PLACEHOLDERS, CannedRefused, fill, item_values, unknown_placeholders
from social_bridge.web.console import bp
from social_bridge.web.console.auth import bridge, configured, login_required, supervisor_required
from social_bridge.web.console.canned_strings import canned_strings
from social_bridge.web.console.views import load_item
from social_bridge.web.rules import sees_customer_words


@bp.context_processor
def _canned_words():
    """The canned replies' words on every console page (the header's link, the picker, the help)."""
    return {"cr": canned_strings((g.get("ui") or {}).get("lang", "it"))}


def store():
    return configured("canned", "canned replies are not configured on this server")


def _refusal(text: str) -> str:
    words, unknown = canned_strings(g.ui.get("lang", "it")), unknown_placeholders(text)
    if not unknown:
        return words["invalid"]
    braced = lambda names: ", ".join("{" + n + "}" for n in names)  # noqa: E731
    return words["unknown"].format(names=braced(unknown), known=braced(PLACEHOLDERS))


def _save(action) -> None:
    form = request.form
    lang, title, text = (form.get(k, "") for k in ("lang", "title", "text"))
    try:
        done = action(lang, title, text)
    except CannedRefused:
        flash(_refusal(text), "error")
        return
    flash(canned_strings(g.ui.get("lang", "it"))["saved" if done else "missing"], "ok" if done else "error")


@bp.get("/canned")
@login_required
def canned():
    return render_template("console/canned.html", page="canned", replies=store().all(), langs=LANGS,
                           placeholders=PLACEHOLDERS)


@bp.post("/canned")
@supervisor_required
def canned_add():
    _save(lambda lang, title, text: store().create(lang, title, text, g.agent.id))
    return redirect(url_for("console.canned"))


@bp.post("/canned/<reply_id>")
@supervisor_required
def canned_edit(reply_id: str):
    _save(lambda lang, title, text: store().update(reply_id, lang, title, text, g.agent.id))
    return redirect(url_for("console.canned", _anchor=f"reply-{reply_id}"))


@bp.post("/canned/<reply_id>/delete")
@supervisor_required
def canned_delete(reply_id: str):
    gone = store().delete(reply_id)
    flash(canned_strings(g.ui.get("lang", "it"))["deleted" if gone else "missing"], "ok" if gone else "error")
    return redirect(url_for("console.canned"))


@bp.get("/items/<item_id>/canned.json")
@login_required
def canned_for_item(item_id: str):
    """The replies in the item's language, filled from what the item knows: for its holder or a supervisor."""
    b, found = bridge(), load_item(item_id)
    if not sees_customer_words(g.agent, found):
        abort(403, "only the agent holding the item, or a supervisor")
    values = item_values(found, b.customers, b.clock())
    return {"replies": [{"id": r.id, "title": r.title, "text": fill(r.text, values)}
                        for r in store().all(found.lang)]}

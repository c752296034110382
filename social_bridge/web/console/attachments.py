"""Customers' attachments in the console (issue 19): the proxy's console route, and the words and helpers the
item page's conversation uses to show images inline and other files as a download with name, type and size."""
from __future__ import annotations

from flask import abort, g

from social_bridge.chat.attachments import AttachmentRefused
from social_bridge.web.attachments_proxy import Forbidden, number, serve
from social_bridge.web.console import bp
from social_bridge.web.console.attachments_strings import attachment_strings
from social_bridge.web.console.auth import bridge, login_required


def human_size(size) -> str:
    """1 234 567 → "1.2 MB"; "" when unknown."""
    if not isinstance(size, int) or size <= 0:
        return ""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} B"


@bp.context_processor
def _attachment_words():
    """`att`: the words of attachments on every console page; `human_size` for the sizes."""
    return {"att": attachment_strings((g.get("ui") or {}).get("lang", "it")), "human_size": human_size}


@bp.get("/attachments/<message_id>/<n>")
@login_required
def attachment(message_id: str, n: str):
    words = attachment_strings(g.ui.get("lang", "it"))
    try:
        return serve(bridge(), g.agent, message_id, number(n))
    except Forbidden:
        abort(403, words["refused.forbidden"])
    except AttachmentRefused as refused:
        limit = human_size(bridge().attachments.max_bytes) if bridge().attachments is not None else ""
        abort(refused.status, words[f"refused.{refused.reason}"].format(limit=limit))

"""The attachments proxy (issue 19): a customer's file reaches an agent's browser through us, never by the
provider's URL. The console's route (social_bridge/web/console/attachments.py) and the API's twin below share
`serve`: who may see it (the holder of the thread's item and supervisors: rules.sees_customer_words), the
fetch with the provider's credentials and limits (social_bridge/chat/attachments.py), the access log, and
headers that keep the bytes inert (nosniff, a sandboxing CSP, a download for anything but an image, no
caching by shared proxies).
"""
from __future__ import annotations

import logging
import re

from flask import Blueprint, Response, current_app, g

from social_bridge.channels import Attachment
from social_bridge.chat.attachments import AttachmentRefused
from social_bridge.web.request_body import ApiError
from social_bridge.web.rules import sees_customer_words

log = logging.getLogger(__name__)
bp = Blueprint("attachments_api", __name__)  # nested in the API's blueprint: its token check and errors apply
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp",
              "application/pdf": "pdf", "audio/ogg": "ogg", "audio/mpeg": "mp3", "video/mp4": "mp4"}
HEADERS = {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'; sandbox",
           "Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer"}
# what the API says for each refusal; the console has its own words (console/attachments_strings.py)
API_SENTENCES = {
    "not_found": "no such attachment, or the provider no longer has it",
    "forbidden": "only the agent holding the item, or a supervisor, may open its attachments",
    "unavailable": "attachments of this channel cannot be fetched on this server (no provider credentials)",
    "host": "the attachment is not on the provider's own hosts: not fetched",
    "provider": "the provider did not hand the attachment over; try again later",
    "type": "this type of file is not shown (ATTACHMENT_TYPES lists the allowed ones)",
    "mismatch": "the file is not what the provider says it is: not shown",
    "too_large": "the file is larger than the limit (ATTACHMENT_MAX_BYTES): not shown",
}


class Forbidden(Exception):
    """The agent may not see this thread's attachments."""


def _thread_items(bridge, agent, thread) -> list:
    """The thread's current item and any item of it the agent holds."""
    items = [claim.item for claim in bridge.claims.claimed_by(agent.id)]
    current = bridge.queue.get(thread.item_id) if thread.item_id else None
    return [item for item in [*items, current] if item is not None and item.details.get("thread_id") == thread.id]


def locate(bridge, agent, message_id: str, n: int):
    """(channel, the attachment record, the item it is seen through); AttachmentRefused or Forbidden."""
    social = bridge.social
    message = social.threads.message(message_id) if social is not None else None
    records = message.attachments if message is not None and message.direction == "in" else []
    if not isinstance(records, list) or not 0 <= n < len(records) or not isinstance(records[n], dict):
        raise AttachmentRefused("not_found")
    thread = social.threads.get(message.thread_id)
    seen_through = [item for item in _thread_items(bridge, agent, thread) if sees_customer_words(agent, item)] \
        if thread is not None else []
    if not seen_through:
        raise Forbidden()
    record = records[n]
    fields = {key: str(record.get(key, "")) for key in ("kind", "ref", "content_type", "caption", "name")}
    return thread.channel, Attachment(**fields), seen_through[0]


def file_name(attachment: dict, n: int, content_type: str) -> str:
    """A safe download name: the provider's file name when it gave one, else "attachment-<n>"."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", str(attachment.get("name") or "")).strip("._")[:80]
    extension = EXTENSIONS.get(content_type, "bin")
    return stem if stem.lower().endswith("." + extension) else f"{stem or f'attachment-{n + 1}'}.{extension}"


def number(n: str) -> int:
    """The attachment's number from the path (written as the route's plain `<n>`, like every documented path)."""
    if not (n.isascii() and n.isdigit()) or len(n) > 3:
        raise AttachmentRefused("not_found")
    return int(n)


def serve(bridge, agent, message_id: str, n: int) -> Response:
    """The bytes of attachment `n` of a customer's message, for the holder and supervisors."""
    if bridge.attachments is None:
        raise AttachmentRefused("unavailable", "no attachments fetcher on this server")
    channel, attachment, item = locate(bridge, agent, message_id, n)
    try:
        fetched = bridge.attachments.fetch(channel, attachment)
    except AttachmentRefused as refused:  # the reason only: never the provider's URL
        log.warning("attachment %s of message %s not shown: %s", n, message_id, refused.reason)
        raise
    if bridge.access_log is not None:
        bridge.access_log.record(agent.id, "view_attachment", f"item:{item.id}", detail=f"{message_id}/{n}")
    bridge.social.threads.note_attachment(message_id, n, size=fetched.size, content_type=fetched.content_type)
    record = bridge.social.threads.message(message_id).attachments[n]
    disposition = "inline" if fetched.content_type.startswith("image/") else \
        f'attachment; filename="{file_name(record, n, fetched.content_type)}"'
    return Response(fetched.chunks, mimetype=fetched.content_type,  # streamed: never more than the limit
                    headers={**HEADERS, "Content-Disposition": disposition, "Content-Length": str(fetched.size)})


@bp.get("/attachments/<message_id>/<n>")
def api_attachment(message_id: str, n: str):
    try:
        return serve(current_app.extensions["social_bridge"], g.agent, message_id, number(n))
    except Forbidden:
        raise ApiError(403, "forbidden", API_SENTENCES["forbidden"]) from None
    except AttachmentRefused as refused:
        raise ApiError(refused.status, refused.reason, API_SENTENCES[refused.reason]) from None

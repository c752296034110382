"""The Facebook Page in public: comments on its posts (the page webhook's `feed` field) and our replies.

A page subscribed to `feed` receives, beside `messaging`, entries with `changes`: one per change, with
`field: "feed"` and a `value` saying what changed (`item`: post, comment, reaction...; `verb`: add,
edited, remove...). A comment someone adds is `item: comment, verb: add`, with `comment_id`, `post_id`,
`from` (the author) and `created_time` (epoch seconds). The page's own comments (our replies) come back
the same way and are left out. A reply is `POST /{comment-id}/comments` with the page token.
"""
from __future__ import annotations

import logging

from . import Inbound, SendFailed
from .providers import answer_of, masked, need, post_json

log = logging.getLogger(__name__)
MAX_COMMENT = 8000


def comments(entry: dict, page_id: str) -> list[Inbound]:
    """The comments others added to the page's posts in one entry; edits, removals, reactions are left out."""
    found = []
    for change in need(entry.get("changes", []), list, "changes"):
        change = need(change, dict, "change")
        value = change.get("value")
        if change.get("field") != "feed" or not isinstance(value, dict):
            continue
        if value.get("item") != "comment" or value.get("verb") != "add":
            continue
        sender = value.get("from")
        if not isinstance(sender, dict) or "id" not in sender:  # Meta may withhold the author: nobody to place
            log.info("a comment without its author: not queued")
            continue
        author = need(sender["id"], str, "from.id")
        if author == page_id:  # our own reply, mirrored back
            continue
        created = need(value.get("created_time"), int, "created_time")
        found.append(Inbound("messenger", author, need(value.get("comment_id"), str, "comment_id"),
                             text=need(value.get("message", ""), str, "comment message"), sent_at=float(created),
                             kind="comment"))
    return found


def reply(adapter, comment_id: str, text: str) -> str:
    """Our public answer under one comment; returns the new comment's id."""
    _check(comment_id, text, MAX_COMMENT, "a public reply")
    return _sent(adapter, f"{comment_id}/comments", {"message": text}, "id", comment_id, "messenger comment reply")


PRIVATE_REPLY_WINDOW = 7 * 86400  # Meta: within 7 days of the comment, one message per comment


def private_reply(adapter, comment_id: str, text: str) -> str:
    """Meta's Private Replies: ONE message in Messenger to a comment's author, addressed by the comment's id
    (`POST /{page-id}/messages`, `recipient.comment_id`, no tag); returns Meta's message id. Their answer
    opens the usual 24-hour window."""
    _check(comment_id, text, adapter.max_length, "a private reply")
    return _sent(adapter, f"{adapter.page_id}/messages", {"recipient": {"comment_id": comment_id},
                                                          "message": {"text": text}},
                 "message_id", comment_id, "messenger private reply")


def _check(comment_id: str, text: str, longest: int, what: str) -> None:
    if not comment_id.replace("_", "").isascii() or not comment_id.replace("_", "").isdigit():
        raise ValueError("a comment id is digits and underscores")
    if not text or len(text) > longest:
        raise ValueError(f"{what} of {len(text)} characters")


def _sent(adapter, path: str, payload: dict, id_field: str, comment_id: str, what: str) -> str:
    """POSTs to Graph; the id Graph answers with, or SendFailed (retryable on 5xx and 429)."""
    response = post_json(adapter.http, f"{adapter.graph_base}/{path}", payload, token=adapter.page_token,
                         timeout=adapter.timeout, what=what)
    body = answer_of(response)
    if response.ok and isinstance(body.get(id_field), str):
        return body[id_field]
    error = body.get("error") if isinstance(body.get("error"), dict) else {}
    status = response.status_code
    log.warning("%s to %s refused: HTTP %s, Graph code %s", what, masked(comment_id), status, error.get("code"))
    raise SendFailed(f"{what}: HTTP {status}: {str(error.get('message') or 'no ' + id_field)[:200]}",
                     status >= 500 or status == 429, status)

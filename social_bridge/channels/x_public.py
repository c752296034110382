"""X in public: mentions of our account (Account Activity `tweet_create_events`) and our public replies.

`tweet_create_events` carries every post "by or to" the subscribed account: its own posts, retweets,
replies, mentions and quotes. A mention is a post by someone else that names us (in
`entities.user_mentions`, or as a reply to us); our own posts and retweets of anything are not. A reply
is `POST /2/tweets` with `reply.in_reply_to_tweet_id` (user-context token, like DMs).
"""
from __future__ import annotations

import logging

from . import Inbound, SendFailed
from .providers import answer_of, epoch_seconds, masked, need, post_json

log = logging.getLogger(__name__)
MAX_POST = 280  # characters of a post (a link counts as 23, whatever its length)


def _names_us(post: dict, account_id: str) -> bool:
    entities = post.get("entities") if isinstance(post.get("entities"), dict) else {}
    mentions = entities.get("user_mentions") if isinstance(entities.get("user_mentions"), list) else []
    named = {str(m.get("id_str", "")) for m in mentions if isinstance(m, dict)}
    return account_id in named or post.get("in_reply_to_user_id_str") == account_id


def _text(post: dict) -> str:
    extended = post.get("extended_tweet")  # a post over 140 characters carries its whole text here
    if isinstance(extended, dict) and isinstance(extended.get("full_text"), str):
        return extended["full_text"]
    return need(post.get("text", ""), str, "tweet text")


def mentions(events, account_id: str) -> list[Inbound]:
    """The posts by others that name our account; our own posts and every retweet are left out."""
    found = []
    for post in need(events, list, "tweet_create_events"):
        post = need(post, dict, "tweet_create_event")
        author = need(need(post.get("user"), dict, "tweet user").get("id_str"), str, "user.id_str")
        if author == account_id or "retweeted_status" in post or not _names_us(post, account_id):
            continue
        found.append(Inbound("x", author, need(post.get("id_str"), str, "tweet id_str"), text=_text(post),
                             sent_at=epoch_seconds(post.get("timestamp_ms"), "timestamp_ms"), kind="mention"))
    return found


def reply(adapter, post_id: str, text: str) -> str:
    """Our public answer under one post; returns the new post's id."""
    if not (post_id.isascii() and post_id.isdigit()):
        raise ValueError("a post id is a string of digits")
    if not text or len(text) > MAX_POST:
        raise ValueError(f"a public reply of {len(text)} characters")
    payload = {"text": text, "reply": {"in_reply_to_tweet_id": post_id}}
    response = post_json(adapter.http, f"{adapter.api_base}/2/tweets", payload, token=adapter.bearer_token,
                         timeout=adapter.timeout, what="x public reply")
    body = answer_of(response)
    data = body.get("data") if isinstance(body.get("data"), dict) else {}
    if response.ok and isinstance(data.get("id"), str):
        return data["id"]
    status = response.status_code
    log.warning("x public reply under %s refused: HTTP %s", masked(post_id), status)
    detail = str(body.get("detail") or body.get("title") or "no id in the answer")[:200]
    raise SendFailed(f"x public reply: HTTP {status}: {detail}", status >= 500 or status == 429, status)

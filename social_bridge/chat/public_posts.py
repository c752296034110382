"""Public posts: mentions of our X account and comments on the page's posts become work, answered in private.

- A public post is recorded in its author's thread (X: the same thread as their DMs) and placed in the queue
  at the post's time, like any first message.
- We answer in public with one short templated sentence and no personal data: a private way in (the DM or
  m.me link) carrying a handoff code. Public replies are rate-limited per author per day and per channel per
  hour (settings), and on X they count against the daily budget (x_budget.py); over any limit there is no
  public answer, and the post keeps its place all the same.
- When the author then writes privately — with the code, or on X from the same account — the agent sees one
  conversation: on X it is the same thread; elsewhere the post is copied into the private thread (as the
  customer's message, with its own time) and the post's own item is withdrawn in favour of the private one,
  which keeps the post's place (the code carries its acquired time).
- An X post's code works only from its author's account; a Messenger commenter's id is not their Messenger
  id, so there the code is the link (single use, 24 hours, like every handoff code).
"""
from __future__ import annotations

import json
import logging
import time
from datetime import datetime
from typing import Callable, Mapping
from zoneinfo import ZoneInfo

from social_bridge.channels import Inbound, SendFailed
from social_bridge.channels.public_keys import PublicKeys
from social_bridge.chat.handoff import deep_links, find_code, normalize
from social_bridge.queue.work_item import WorkItem

log = logging.getLogger(__name__)
PUBLIC_KINDS = ("mention", "comment")  # Inbound.kind of a public post (X, Messenger)
SUMMARY_CHARS = 280
REPLIED_TTL = 7 * 86400  # a post redelivered within a week is never answered twice
WITHDRAWABLE = ("waiting", "scheduled")  # a claimed item is the agent's: left as it is


class ReplyLimits:
    """Our public replies: at most `per_author` per author a day and `per_hour` per channel an hour."""

    def __init__(self, redis, persons, per_author: int, per_hour: int, clock: Callable[[], float] = time.time,
                 keys: PublicKeys | None = None, timezone: str = "Europe/Rome"):
        self.redis, self.persons, self.clock = redis, persons, clock
        self.per_author, self.per_hour, self.keys = per_author, per_hour, keys or PublicKeys()
        self.zone = ZoneInfo(timezone)  # "a day" is the desk's day, like X's budget

    def allow(self, channel: str, author: str) -> bool:
        """Counts one reply to `author`; False (nothing counted) when either limit is reached."""
        now = self.clock()
        day = datetime.fromtimestamp(now, self.zone).strftime("%Y-%m-%d")
        author_key = self.keys.replies_by_author(channel, self.persons.of(author), day)
        channel_key = self.keys.replies_by_channel(channel, int(now // 3600))
        pipe = self.redis.pipeline(transaction=True)
        pipe.incr(author_key).expire(author_key, 2 * 86400).incr(channel_key).expire(channel_key, 2 * 3600)
        by_author, _, by_channel, _ = pipe.execute()
        if by_author <= self.per_author and by_channel <= self.per_hour:
            return True
        pipe = self.redis.pipeline(transaction=True)
        pipe.decr(author_key).decr(channel_key)
        pipe.execute()
        return False


class PublicPosts:
    """The Inbox with public posts in front: a post is placed and answered here, everything else goes on to
    the Inbox, and a private message that continues a post joins the post to its conversation."""

    def __init__(self, inbox, redis, codes, limits: ReplyLimits,
                 senders: Mapping[str, Callable[[str, str], str | None]],  # channel -> (post id, text) -> posted id
                 text: Callable[..., str], accounts: Mapping[str, str], clock: Callable[[], float] = time.time,
                 keys: PublicKeys | None = None):
        self.inbox, self.redis, self.codes, self.limits, self.senders = inbox, redis, codes, limits, senders
        self.threads, self.queue, self.replies = inbox.threads, inbox.queue, inbox.replies
        self.text, self.accounts, self.clock, self.keys = text, accounts, clock, keys or PublicKeys()

    def __getattr__(self, name: str):  # the Inbox's own parts (threads, queue, delivery...) for its callers
        return getattr(self.inbox, name)

    def receive(self, inbound: Inbound) -> str:
        if inbound.kind in PUBLIC_KINDS:
            return self._public(inbound)
        post = self._post_continued(inbound)
        outcome = self.inbox.receive(inbound)
        if post is not None:
            self._join(inbound, post)
        return outcome

    # -- a public post --------------------------------------------------------------------------
    def _public(self, inbound: Inbound) -> str:
        refused = self.threads.over_limit(inbound)
        if refused:
            log.warning("public %s from one author over the %s limit: dropped", inbound.kind, refused)
            return f"limited:{refused}"
        known = self.threads.for_customer(inbound.channel, inbound.sender_id)
        recorded = self.threads.record_inbound(inbound, known.lang if known else self.replies.language(inbound.text))
        if recorded.queued:
            return "duplicate"
        if inbound.kind == "comment":  # Meta's 24-hour window opens with a private message, never with a comment
            self.threads.update(recorded.thread.id, last_inbound_at=known.last_inbound_at if known else 0.0)
        item = self._place(recorded.thread, inbound)
        answered = self._answer(self.threads.get(recorded.thread.id), inbound, item)
        self.threads.mark_queued(inbound, recorded.thread.id)
        return f"public:{answered}"

    def _place(self, thread, inbound: Inbound) -> WorkItem:
        """The post's place: its own time (the queue keeps the earliest when the author already waits)."""
        now, text = self.clock(), inbound.text.strip()
        meaning = self.replies.classifier.interpret(text, thread.lang) if text else None
        item = WorkItem(id="", kind="thread", channel=thread.channel, lang=thread.lang,
                        acquired_at=min(inbound.sent_at or now, now), natural_key=thread.natural_key,
                        customer=thread.customer, intent=(meaning.intent or "") if meaning is not None else "",
                        summary=text[:SUMMARY_CHARS], details={"thread_id": thread.id, "public_post": inbound.kind},
                        complaint=bool(getattr(meaning, "complaint", None)))
        placed = self.queue.enqueue(item).item
        if placed.id != thread.item_id:
            self.threads.update(thread.id, item_id=placed.id)
        return placed

    def _answer(self, thread, inbound: Inbound, item: WorkItem) -> str:
        """One public reply at most per post: replied | limited | budget | failed | already."""
        persons = self.threads.persons
        if not self.redis.set(self.keys.replied(inbound.channel, persons.of(inbound.provider_id)), "1", nx=True,
                              ex=REPLIED_TTL):
            return "already"
        if not self.limits.allow(inbound.channel, inbound.sender_id):
            log.info("public %s: reply limit reached, queued without a public answer", inbound.kind)
            return "limited"
        code = self.codes.issue({"acquired_at": item.acquired_at, "lang": thread.lang, "intent": item.intent,
                                 "summary": item.summary, "public": {"thread_id": thread.id}})
        self.redis.set(self.keys.code(normalize(code)), json.dumps({
            "channel": inbound.channel, "author": persons.of(inbound.sender_id), "thread_id": thread.id,
            "post_id": inbound.provider_id, "lang": thread.lang}), ex=self.codes.ttl_seconds)
        link = deep_links(code, messenger_page_id=self.accounts.get("messenger", ""),
                          x_account_id=self.accounts.get("x", ""))[inbound.channel]
        text = self.text(thread.lang, "public.reply", link=link, code=code)
        try:
            posted = self.senders[inbound.channel](inbound.provider_id, text)
        except SendFailed as failed:
            log.warning("public reply on %s not sent: %s", inbound.channel, failed)
            return "failed"
        if posted is None:
            return "budget"
        self.threads.add(thread.id, "out", text, kind="public", state="sent", provider_id=posted)
        return "replied"

    # -- the author writes privately ------------------------------------------------------------
    def _post_continued(self, inbound: Inbound) -> dict | None:
        """The public post whose code this private message brings, when it belongs in another thread."""
        code = inbound.ref or find_code(inbound.text)
        canonical = normalize(code) if code else None
        raw = self.redis.get(self.keys.code(canonical)) if canonical else None
        if not raw:
            return None
        post = json.loads(raw)
        author = self.threads.persons.of(inbound.sender_id)
        if post["channel"] == inbound.channel and post["author"] == author:
            return None  # the author's own thread already holds the post
        if post["channel"] == "x":  # anyone can read a public reply: an X post's code is its author's only
            self.codes.redeem(code)
            log.warning("an X post's code came from another account: not linked")
            return None
        return post

    def _join(self, inbound: Inbound, post: dict) -> None:
        """The post joins the private thread that redeemed its code; its own item gives way to that thread's."""
        thread = self.threads.for_customer(inbound.channel, inbound.sender_id)
        if thread is None or (thread.context or {}).get("public", {}).get("thread_id") != post["thread_id"]:
            return  # dropped, or the code was not redeemed by this message (used before, expired)
        public = self.threads.get(post["thread_id"])
        original = next((m for m in self.threads.messages(public.id) if m.provider_id == post["post_id"]), None) \
            if public else None
        if original is not None:
            copy = Inbound(inbound.channel, inbound.sender_id, f"public:{post['post_id']}", text=original.text,
                           sent_at=original.at, kind=original.kind)
            if not self.threads.record_inbound(copy, thread.lang).duplicate:
                self.threads.mark_queued(copy, thread.id)
                self.threads.update(thread.id, last_inbound_at=thread.last_inbound_at)  # the window: the DM's time
        item = self.queue.get(public.item_id) if public and public.item_id else None
        if item is not None and item.id != thread.item_id and item.status in WITHDRAWABLE:
            self.queue.cancel(item.id, reason="continued_in_private")
            self.threads.update(public.id, item_id=thread.item_id)
            log.info("public post %s continues in thread %s", public.id, thread.id)

"""Our messages to customers on written channels: checked against the channel's policy, sent at most once.

Sending is a job (`deliver(message_id)`): the message moves queued → sending → sent. A provider
that answers "later" (5xx, 429) puts it back to queued for the job's retry; a refusal marks it failed;
no answer at all leaves it "unknown" for an agent to check, and a worker killed mid-send leaves it in
"sending" (the console shows both as uncertain) — it is never sent again blindly, so nobody gets the
same message twice.

Someone who only commented on the page has no Messenger window: an agent's first reply goes as Meta's
private reply to their latest comment (one per comment, within 7 days of it); the next waits for their answer.
"""
from __future__ import annotations

import hashlib
import logging
import time
from typing import Callable, Mapping

from social_bridge.channels import Channel, Outbound, ReplyPolicy, SendFailed
from social_bridge.channels.messenger_comments import PRIVATE_REPLY_WINDOW
from social_bridge.channels.twilio_messaging import split
from social_bridge.chat.ports import Sms
from social_bridge.chat.threads import Message, Thread, Threads

log = logging.getLogger(__name__)
AUTOMATED_OUTSIDE_WINDOW = "automated_outside_window"  # no tag may carry it: by SMS or not at all
OUTSIDE_WINDOW = (AUTOMATED_OUTSIDE_WINDOW, "window_closed")  # an automated message then: template, SMS or nothing
TEMPLATE = "template:"  # a message's tag when it goes as a WhatsApp template: "template:notice"
PRIVATE_REPLY = "private_reply:"  # a message's tag when it goes as a private reply: "private_reply:<comment id>"


class ReplyRefused(ValueError):
    """This channel may not carry the message now; the reason key tells the agent why."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


class RetryLater(RuntimeError):
    """The provider asked us to try again; the job's retry schedule does."""


class Delivery:
    def __init__(self, threads: Threads, channels: Mapping[str, Channel], enqueue_job: Callable[[str], None],
                 clock: Callable[[], float] = time.time, sms: Sms | None = None, service_levels=None):
        self.threads, self.channels, self.enqueue_job, self.clock = threads, channels, enqueue_job, clock
        self.sms = sms  # where an automated message goes when its channel may carry it only under a tag
        # social_bridge.chat.service_levels.ServiceLevels: an agent's first message stops the first-response clock
        self.service_levels = service_levels

    def policy(self, thread: Thread, human: bool = True) -> ReplyPolicy:
        """What the thread's channel allows now; a tag (Messenger's HUMAN_AGENT) only for a person's reply."""
        channel = self.channels.get(thread.channel)
        if channel is None:
            return ReplyPolicy(False, reason="channel_off")
        policy = channel.policy(thread.last_inbound_at, self.clock())
        if human and policy.reason == "window_closed" and hasattr(channel, "private_reply"):
            return self._private_reply_policy(thread) or policy
        if not human and policy.tag:  # Meta's rules: notices, wait updates, questions are never tagged
            return ReplyPolicy(False, reason=AUTOMATED_OUTSIDE_WINDOW)
        return policy

    def send(self, thread: Thread, text: str, agent: str = "", auto: bool = False, template: str = "notice") -> Message:
        """Queues a message on the thread's channel (several, when it is longer than the channel takes);
        ReplyRefused when the channel's policy forbids it. Returns the first message. An automated message
        outside the channel's window goes through its approved `template` (receipt | notice, WhatsApp), else
        by SMS to the thread's number, else nowhere (recorded, and ReplyRefused)."""
        text = (text or "").strip()
        if not text:
            raise ValueError("an empty message")
        policy = self.policy(thread, human=not auto)
        if auto and not policy.allowed and policy.reason in OUTSIDE_WINDOW:
            return self._automated_elsewhere(thread, text, template)
        if not policy.allowed:
            raise ReplyRefused(policy.reason, f"{thread.channel}: {policy.reason.replace('_', ' ')}")
        if policy.reason == "private_reply":
            return self._private_reply(thread, text, agent)
        channel = self.channels[thread.channel]
        # SMS and WhatsApp split by segments themselves; the others get parts within their limit
        parts = [text] if hasattr(channel, "parts") or len(text) <= channel.max_length \
            else split(text, channel.max_length)
        messages = [self.threads.add(thread.id, "out", part, kind="auto" if auto else "agent", state="queued",
                                     agent=agent, tag=policy.tag) for part in parts]
        for message in messages:
            self.enqueue_job(message.id)
        if not auto:
            self._responded(thread, agent)
        return messages[0]

    def _responded(self, thread: Thread, agent: str) -> None:
        if agent and self.service_levels is not None and thread.item_id:
            self.service_levels.responded(thread.item_id, agent)

    # -- Meta's private replies: one message to a commenter, addressed by their comment -------------------
    def _open_comment(self, thread: Thread) -> Message | None:
        """The thread's latest page comment while a private reply to it may go (under 7 days old)."""
        comment = next((m for m in reversed(self.threads.messages(thread.id)) if m.direction == "in"
                        and m.kind == "comment" and not m.provider_id.startswith("public:")), None)  # a copy: no id
        if comment is None or self.clock() - comment.at >= PRIVATE_REPLY_WINDOW:
            return None
        return comment

    def _private_reply_key(self, comment_id: str) -> str:
        return f"{self.threads.keys.base}:private_reply:{comment_id}"

    def _private_reply_policy(self, thread: Thread) -> ReplyPolicy | None:
        comment = self._open_comment(thread)
        if comment is None:
            return None
        if self.threads.redis.exists(self._private_reply_key(comment.provider_id)):
            return ReplyPolicy(False, reason="private_reply_used")
        return ReplyPolicy(True, reason="private_reply")

    def _private_reply(self, thread: Thread, text: str, agent: str) -> Message:
        """Queues the one private reply to the thread's latest comment; recorded first, so never a second."""
        comment, channel = self._open_comment(thread), self.channels[thread.channel]
        if comment is None:
            raise ReplyRefused("window_closed", f"{thread.channel}: window closed")
        if len(text) > channel.max_length:  # one message only: no parts
            raise ReplyRefused("private_reply_too_long", f"{thread.channel}: a private reply of {len(text)} characters")
        if not self.threads.redis.set(self._private_reply_key(comment.provider_id), thread.id, nx=True,
                                      ex=int(PRIVATE_REPLY_WINDOW + 86400)):
            raise ReplyRefused("private_reply_used", f"{thread.channel}: private reply already used")
        message = self.threads.add(thread.id, "out", text, kind="agent", state="queued", agent=agent,
                                   tag=PRIVATE_REPLY + comment.provider_id)
        self.enqueue_job(message.id)
        self._responded(thread, agent)
        return message

    def _automated_elsewhere(self, thread: Thread, text: str, template: str) -> Message:
        """Past the free window: an approved template on the channel, by SMS to the thread's phone number, or
        not at all (ReplyRefused); the thread records the message with the state the console explains."""
        channel = self.channels[thread.channel]
        if getattr(channel, "template_sid", None) and channel.template_sid(template):
            message = self.threads.add(thread.id, "out", text, kind="auto", state="queued", tag=TEMPLATE + template)
            self.enqueue_job(message.id)
            return message
        number = thread.phone_number
        if self.sms is None or not number:
            self.threads.add(thread.id, "out", text, kind="auto", state="skipped", error=AUTOMATED_OUTSIDE_WINDOW)
            log.info("thread %s: automated message skipped, outside the window and no number", thread.id)
            raise ReplyRefused(AUTOMATED_OUTSIDE_WINDOW, f"{thread.channel}: automated message outside the window")
        digest = hashlib.sha256(text.encode()).hexdigest()[:16]
        sms_id = self.sms.send_sms(number, text, key=f"auto-sms:{thread.id}:{digest}", lang=thread.lang)
        return self.threads.add(thread.id, "out", text, kind="auto", state="by_sms", provider_id=sms_id,
                                error=AUTOMATED_OUTSIDE_WINDOW)

    def deliver(self, message_id: str) -> str:
        """The job: one provider call per message at most; returns the state it ends in."""
        moved, before = self.threads.move(message_id, ("queued",), "sending", sending_at=repr(self.clock()))
        if not moved:
            return before or "missing"
        message = self.threads.message(message_id)
        thread = self.threads.get(message.thread_id)
        channel = self.channels.get(thread.channel) if thread else None
        if channel is None:
            self.threads.move(message_id, ("sending",), "failed", error="channel_off")
            return "failed"
        template = message.tag.removeprefix(TEMPLATE) if message.tag.startswith(TEMPLATE) else ""
        if message.tag and not template and message.kind != "agent":  # stored before the rule: never tag it
            self.threads.move(message_id, ("sending",), "failed", error=AUTOMATED_OUTSIDE_WINDOW)
            return "failed"
        if not self._within_rate_limits(channel, thread.sender_id):
            self.threads.move(message_id, ("sending",), "queued", error="rate limit reached, waiting")
            raise RetryLater(f"message {message_id}: {thread.channel} rate limit reached")
        comment_id = message.tag.removeprefix(PRIVATE_REPLY) if message.tag.startswith(PRIVATE_REPLY) else ""
        outbound = Outbound(thread.channel, thread.sender_id, message.text, message.id,
                            "" if template or comment_id else message.tag, human=message.kind == "agent",
                            template=template)
        try:
            provider_id = channel.private_reply(outbound, comment_id) if comment_id else channel.send(outbound)
        except SendFailed as failed:
            return self._failed(message_id, failed)
        self.threads.move(message_id, ("sending",), "sent", provider_id=provider_id, sent_at=repr(self.clock()))
        log.info("message %s sent on %s", message_id, thread.channel)
        return "sent"

    def _within_rate_limits(self, channel, recipient: str) -> bool:
        """Counts this send in each of the channel's fixed windows; False (nothing counted) when one is full."""
        limits = getattr(channel, "rate_limits", ())
        if not limits:
            return True
        now, redis = self.clock(), self.threads.redis
        keys = [f"{self.threads.keys.base}:rate:{channel.name}:{scope}:{recipient if scope == 'recipient' else ''}:"
                f"{int(now // window)}" for scope, window, _ in limits]
        counts = redis.mget(keys)
        if any(int(count or 0) >= most for count, (_, _, most) in zip(counts, limits)):
            return False
        pipe = redis.pipeline(transaction=True)
        for key, (_, window, _) in zip(keys, limits):
            pipe.incr(key)
            pipe.expire(key, int(window) + 60)
        pipe.execute()
        return True

    def _failed(self, message_id: str, failed: SendFailed) -> str:
        if failed.status is None:  # no answer: it may have gone out; never risk sending twice
            self.threads.move(message_id, ("sending",), "unknown", error="no answer from the provider")
            log.warning("message %s: no answer from the provider, left for review", message_id)
            return "unknown"
        if failed.retryable:
            self.threads.move(message_id, ("sending",), "queued", error=f"provider said {failed.status}, retrying")
            raise RetryLater(f"message {message_id}: provider said {failed.status}")
        self.threads.move(message_id, ("sending",), "failed", error=f"refused by the provider ({failed.status})")
        log.warning("message %s refused by the provider (%s)", message_id, failed.status)
        return "failed"

    def give_up(self, message_id: str) -> None:
        """The job ran out of retries."""
        self.threads.move(message_id, ("queued",), "failed", error="the provider kept asking us to wait")

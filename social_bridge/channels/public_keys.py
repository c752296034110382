"""Redis keys of public posts (replies' rate limits, codes given in public) and of the X budget.

One hash tag, `{public}`, so every script and pipeline here runs on one Redis Cluster slot. A key that
names a person holds its pseudonym (`PersonKeys.of`), never the X user id or the commenter's id.
"""
from __future__ import annotations

HASH_TAG = "{public}"


class PublicKeys:
    def __init__(self, prefix: str = "nohold"):
        if "{" in prefix or "}" in prefix:
            raise ValueError("prefix must not contain braces: the hash tag is added here")
        self.base = f"{prefix}:{HASH_TAG}"

    def replies_by_author(self, channel: str, person: str, day: str) -> str:
        """Counter: our public replies to one author on one channel, one day."""
        return f"{self.base}:replies:author:{channel}:{person}:{day}"

    def replies_by_channel(self, channel: str, hour: int) -> str:
        """Counter: our public replies on one channel within one clock hour (epoch hours)."""
        return f"{self.base}:replies:channel:{channel}:{hour}"

    def replied(self, channel: str, post: str) -> str:
        """String: set before our public reply to a post is sent, so a redelivered post is never answered twice."""
        return f"{self.base}:replied:{channel}:{post}"

    def code(self, canonical: str) -> str:
        """String (JSON): the public post a handoff code given in public belongs to (read, never consumed here)."""
        return f"{self.base}:code:{canonical}"

    def x_sent(self, day: str) -> str:
        """Counter: messages nohold sent on X (DMs, public replies, notices) on one day."""
        return f"{self.base}:x:sent:{day}"

    def x_noticed(self, day: str, person: str) -> str:
        """String: the one "X is paused today" notice went to this customer on this day."""
        return f"{self.base}:x:noticed:{day}:{person}"

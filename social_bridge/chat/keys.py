"""Redis key names the chat's replies own, in the queue's hash-tag slot beside the items they belong to."""
from __future__ import annotations

from social_bridge.queue.keys import QueueKeys


class ChatKeys:
    def __init__(self, queue_keys: QueueKeys | None = None) -> None:
        self.base = (queue_keys or QueueKeys()).base

    def self_served(self, item_id: str) -> str:
        """String: set once self-service answered this request in writing (each request is self-served once)."""
        return f"{self.base}:self_served:{item_id}"

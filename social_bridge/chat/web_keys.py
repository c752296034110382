"""Redis keys of the web chat's visitors (the widget): one hash tag, so the same code runs on Redis Cluster."""
from __future__ import annotations


class WidgetKeys:
    TAG = "{widget}"

    def __init__(self, prefix: str = "nohold"):
        self.prefix = prefix

    def token(self, token_hash: str) -> str:
        """String: the visitor id a token (by its SHA-256, never the token itself) stands for; expires."""
        return f"{self.prefix}:{self.TAG}:token:{token_hash}"

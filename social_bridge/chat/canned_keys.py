"""Redis keys of the canned replies (issue 19): one hash tag, so the same code runs on Redis Cluster."""
from __future__ import annotations


class CannedKeys:
    TAG = "{canned}"

    def __init__(self, prefix: str = "nohold"):
        self.prefix = prefix

    @property
    def replies(self) -> str:
        """Hash: reply id -> JSON of the reply (lang, title, text, who changed it last and when)."""
        return f"{self.prefix}:{self.TAG}:replies"

    @property
    def sequence(self) -> str:
        return f"{self.prefix}:{self.TAG}:seq"

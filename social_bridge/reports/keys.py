"""Redis keys of the report ledger: one hash per day under one hash tag (Redis Cluster: one slot)."""
from __future__ import annotations


class ReportKeys:
    TAG = "{reports}"

    def __init__(self, prefix: str = "nohold"):
        if "{" in prefix or "}" in prefix:
            raise ValueError("prefix must not contain braces: the hash tag is added here")
        self.prefix = prefix

    def day(self, day: str) -> str:
        """Hash: counter field (name|label=value) -> count or sum, for one day (YYYY-MM-DD, the desk's time zone)."""
        return f"{self.prefix}:{self.TAG}:day:{day}"

    def counted(self, item_id: str) -> str:
        """String, 2 days: this item's completion is in the ledger (a repeated completion is not counted again)."""
        return f"{self.prefix}:{self.TAG}:counted:{item_id}"

"""Redis key names of the shared work queue, all under one hash tag."""
from __future__ import annotations

# Redis Cluster hashes only the text inside the first {...}: every key below lands in one
# slot, so a Lua script may touch any of them, including keys it derives from an item id.
HASH_TAG = "{queue}"
HISTORY_SUFFIX = ":history"


class QueueKeys:
    """Names every key of one work queue."""

    def __init__(self, prefix: str = "nohold") -> None:
        if "{" in prefix or "}" in prefix:
            raise ValueError("prefix must not contain braces: the hash tag is added here")
        self.base = f"{prefix}:{HASH_TAG}"

    @property
    def items_waiting(self) -> str:
        """Zset of eligible items: id -> acquired_at."""
        return f"{self.base}:waiting"

    @property
    def items_scheduled(self) -> str:
        """Zset of items not yet eligible: id -> not_before."""
        return f"{self.base}:scheduled"

    @property
    def item_prefix(self) -> str:
        """Prefix of item hashes; scripts append ids they only learn inside Redis."""
        return f"{self.base}:item:"

    def item(self, item_id: str) -> str:
        """Hash holding one WorkItem."""
        return self.item_prefix + item_id

    def history(self, item_id: str) -> str:
        """List of JSON events of one item."""
        return self.item(item_id) + HISTORY_SUFFIX

    def natural(self, natural_key: str) -> str:
        """String: id of the pending item for a natural key (provider id, customer...)."""
        return f"{self.base}:natural:{natural_key}"

    @property
    def handle_times(self) -> str:
        """List of recent handle times in seconds, newest first."""
        return f"{self.base}:handle_times"

    @property
    def leases(self) -> str:
        """Reserved for claiming: zset of claimed ids -> lease expiry."""
        return f"{self.base}:leases"

    @property
    def fence(self) -> str:
        """Reserved for claiming: counter handing out fencing tokens."""
        return f"{self.base}:fence"

"""Redis keys of the written channels' service levels (issue 19): one hash tag, so the code runs on Redis Cluster."""
from __future__ import annotations


class ServiceLevelKeys:
    TAG = "{sla}"

    def __init__(self, prefix: str = "nohold"):
        self.base = f"{prefix}:{self.TAG}"

    def clocks(self, item_id: str) -> str:
        """Hash: one request's clocks (channel, started_at, first_response_at, resolved_at, agent, breaches)."""
        return f"{self.base}:clocks:{item_id}"

    @property
    def started(self) -> str:
        """Zset item id -> started_at: every request with clocks, for reports by the time it started."""
        return f"{self.base}:started"

    @property
    def running(self) -> str:
        """Zset item id -> started_at: requests not resolved yet, for the live view and the gauge."""
        return f"{self.base}:running"

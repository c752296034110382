"""Redis keys of satisfaction answers (issue 19): one hash tag, so the same code runs on Redis Cluster."""
from __future__ import annotations


class SatisfactionKeys:
    TAG = "{satisfaction}"

    def __init__(self, prefix: str = "nohold"):
        self.base = f"{prefix}:{self.TAG}"

    def asked(self, item_id: str) -> str:
        """String: set once when the question after this item was sent (it is never sent twice)."""
        return f"{self.base}:asked:{item_id}"

    def pending(self, thread_id: str) -> str:
        """String: JSON of the question waiting for an answer on this thread (item, agent, team, channel, case)."""
        return f"{self.base}:pending:{thread_id}"

    def day(self, day: str) -> str:
        """Hash "dimension|value|score" -> count, for one local day (dimension: all, agent, team, channel)."""
        return f"{self.base}:day:{day}"

    def answers(self, day: str) -> str:
        """List of JSON answers (score, agent, team, channel, case, item, at) of one local day."""
        return f"{self.base}:answers:{day}"

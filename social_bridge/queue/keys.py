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
        return self.natural_prefix + natural_key

    @property
    def handle_times(self) -> str:
        """List of recent handle times in seconds, newest first."""
        return f"{self.base}:handle_times"

    @property
    def window_ends(self) -> str:
        """Zset of waiting ids that must be called within a window -> its end (not_after)."""
        return f"{self.base}:window_ends"

    @property
    def leases(self) -> str:
        """Zset of claimed ids -> lease expiry (lease_until)."""
        return f"{self.base}:leases"

    @property
    def fence(self) -> str:
        """Counter handing out fencing tokens, one per claim, never reused."""
        return f"{self.base}:fence"

    @property
    def dead(self) -> str:
        """Zset of dead-lettered ids -> when they died."""
        return f"{self.base}:dead"

    @property
    def lanes(self) -> str:
        """Set of "kind:lang:team" (or, before teams, "kind:lang") lanes that may hold waiting items."""
        return f"{self.base}:lanes"

    @property
    def lane_prefix(self) -> str:
        """Prefix of lane zsets; scripts append the lane name they read from the item."""
        return f"{self.base}:lane:"

    def lane(self, kind: str, lang: str, team: str = "") -> str:
        """Zset of waiting ids of one kind, language and team -> acquired_at (an index of items_waiting).

        "kind:lang:team"; an item stored before teams existed (no team) is in "kind:lang", everyone's."""
        return f"{self.lane_prefix}{kind}:{lang}" + (f":{team}" if team else "")

    @property
    def teams(self) -> str:
        """Hash team id -> JSON {name, intents} of the teams supervisors changed or added (teams.py)."""
        return f"{self.base}:teams"

    @property
    def natural_prefix(self) -> str:
        """Prefix of natural-key strings, for scripts that read the key from the item."""
        return f"{self.base}:natural:"

    @property
    def presence_states(self) -> str:
        """Hash agent id -> the state the agent last chose."""
        return f"{self.base}:presence:state"

    @property
    def presence_seen(self) -> str:
        """Zset agent id -> last heartbeat."""
        return f"{self.base}:presence:seen"

    def auto_offer(self, agent_id: str) -> str:
        """String: the item last offered to the agent by auto-dial (its lock is this key + ":lock")."""
        return f"{self.base}:auto_offer:{agent_id}"

    def pushed_wait(self, item_id: str) -> str:
        """Hash: what the customer of a waiting item was last told (wait, position, updates sent, stopped)."""
        return f"{self.base}:pushed:{item_id}"

    def occupancy_marks(self) -> str:
        """Hash agent id -> "at|logged|handling|paused": the agent's last observed moment (occupancy.py)."""
        return f"{self.base}:occupancy:marks"

    def occupancy_day(self, day: str) -> str:
        """Hash "<measure>:<agent id>" -> seconds, for one day (YYYY-MM-DD, the desk's time zone)."""
        return f"{self.base}:occupancy:day:{day}"

    def script_keys(self) -> list[str]:
        """The fixed KEYS every queue script receives, in the order lua/common.lua names them."""
        return [self.items_waiting, self.items_scheduled, self.leases, self.fence, self.dead, self.lanes,
                self.handle_times, self.window_ends]

    def script_prefixes(self) -> list[str]:
        """ARGV[2..5] of every queue script: how to build the keys it learns inside Redis."""
        return [self.item_prefix, HISTORY_SUFFIX, self.natural_prefix, self.lane_prefix]

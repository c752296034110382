"""What the live queue shows, one poller per process that notices when it changed, and the per-agent
count of open streams (no Flask here).

The stream server (ivr/runtime/streams.py) runs this under gevent: its monkey-patching makes threading's
Condition, Thread and time.sleep cooperative, so one process holds thousands of waiting streams."""
from __future__ import annotations

import hashlib
import json
import logging
import secrets
import threading
import time

from redis.exceptions import RedisError

from social_bridge.queue.handovers import handed_over
from social_bridge.web.item_view import item_view, queued_items
from social_bridge.queue.work_item import WorkItem

log = logging.getLogger(__name__)
LISTED = 200          # rows a console lists; the counts above the table cover the whole queue
POLL_SECONDS = 0.25   # how stale a console may be, at most, plus the time to send
IDLE_STOP_SECONDS = 5.0

# A fingerprint of everything the queue view shows: membership and order of each index, plus each
# item's updated_at (merges change the summary without moving it), plus whether a scheduled window
# has opened (read only: the snapshot then promotes). Lease scores are left out so a renewal every
# 30 s does not repaint every console. KEYS waiting, scheduled, leases, dead; ARGV item prefix, now.
_DIGEST = """
local parts = {tostring(#redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[2], 'LIMIT', 0, 1))}
for i, key in ipairs(KEYS) do
  local ids = redis.call('ZRANGE', key, 0, 999)
  parts[#parts + 1] = '#' .. i
  for _, id in ipairs(ids) do
    parts[#parts + 1] = id .. '@' .. (redis.call('HGET', ARGV[1] .. id, 'updated_at') or '')
  end
end
return redis.sha1hex(table.concat(parts, ','))
"""


class QueueDigest:
    """Cheap to compute every quarter second: one script, one pipeline."""

    def __init__(self, bridge):
        self.bridge = bridge
        self._script = bridge.redis.register_script(_DIGEST)

    def __call__(self) -> str:
        keys = self.bridge.queue.keys
        queue_part = self._script(keys=[keys.items_waiting, keys.items_scheduled, keys.leases, keys.dead],
                                  args=[keys.item_prefix, repr(self.bridge.clock())])
        states = sorted((p["agent_id"], p["state"]) for p in self.bridge.presence.agents())
        return hashlib.sha1(f"{queue_part}|{json.dumps(states)}".encode()).hexdigest()


def claimed_items(bridge) -> list[WorkItem]:
    """Items someone holds now, earliest acquired first."""
    keys = bridge.queue.keys
    ids = bridge.redis.zrange(keys.leases, 0, LISTED - 1)
    with bridge.redis.pipeline(transaction=False) as pipe:
        for item_id in ids:
            pipe.hgetall(keys.item(item_id))
        hashes = pipe.execute()
    items = [WorkItem.from_hash(h) for h in hashes if h]
    return sorted((i for i in items if i.status == "claimed"), key=lambda i: (i.acquired_at, i.id))


def snapshot(bridge) -> dict:
    """The queue as every console shows it: masked customers only, so one copy serves every agent."""
    now = bridge.clock()
    listed = [item_view(bridge, item, now, position) for item, position in queued_items(bridge.queue, LISTED)]
    names = {agent.id: agent.name for agent in bridge.agents.all()}
    states = {p["agent_id"]: p["state"] for p in bridge.presence.agents()}
    held = claimed_items(bridge)
    claimed = [item_view(bridge, item, now, None) for item in held]
    for view in claimed:
        view["claimed_by_name"] = names.get(view["claimed_by"], view["claimed_by"])
    return {
        "now": now,
        "target_wait_seconds": bridge.target_wait_seconds,
        "waiting": [v for v in listed if v["status"] == "waiting"],
        "scheduled": [v for v in listed if v["status"] == "scheduled"],
        "claimed": claimed,
        "handovers": handed_over(held, names, now),  # issue 19: the receiver's console says who handed it over
        "depth": bridge.queue.depth(),
        "oldest_wait": round(bridge.queue.oldest_wait(), 1),
        "agents": [{"id": agent_id, "name": name, "state": states.get(agent_id, "away")}
                   for agent_id, name in sorted(names.items())],
    }


class QueueWatcher:
    """Polls the digest for every open stream of this process; streams wait on a condition."""

    def __init__(self, bridge, poll_seconds: float = POLL_SECONDS):
        self.bridge, self.poll_seconds = bridge, poll_seconds
        self.digest = QueueDigest(bridge)
        self.version, self.data = 0, None
        self._body = ""  # the snapshot's JSON without "now", encoded once per change for every stream
        self._last_digest = None
        self._cond = threading.Condition()
        self._listeners = 0
        self._thread: threading.Thread | None = None
        self.closed = False

    def subscribe(self) -> tuple[int, dict]:
        """Start listening: the current version and snapshot."""
        with self._cond:
            self._listeners += 1
            if self._listeners == 1 or self.data is None:  # nobody was watching: the copy may be old
                self._refresh()
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="console-queue-watcher", daemon=True)
                self._thread.start()
            return self.version, self.data

    def unsubscribe(self) -> None:
        with self._cond:
            self._listeners -= 1

    def wait(self, seen: int, timeout: float) -> tuple[int, dict]:
        """Block until a version newer than `seen` exists, the watcher closes, or the timeout passes."""
        with self._cond:
            self._cond.wait_for(lambda: self.version != seen or self.closed, timeout)
            return self.version, self.data

    def queue_event(self, now: float) -> str:
        """The latest snapshot as a server-sent `queue` event stamped with `now`: the encoding is shared,
        so a change costs one json.dumps however many streams are open."""
        rest = self._body[1:]  # '"target_wait_seconds":150,...}' after its opening brace
        return 'event: queue\ndata: {"now":' + json.dumps(now) + ("," if rest != "}" else "") + rest + "\n\n"

    def close(self) -> None:
        """Stop polling and end every stream (they reconnect to a new watcher, if any)."""
        with self._cond:
            self.closed = True
            self._cond.notify_all()

    def _refresh(self) -> None:
        """Called with the condition held: rebuild the snapshot when the digest moved."""
        digest = self.digest()
        if digest != self._last_digest:
            self._last_digest, self.data = digest, snapshot(self.bridge)
            self._body = json.dumps({k: v for k, v in self.data.items() if k != "now"}, separators=(",", ":"))
            self.version += 1
            self._cond.notify_all()

    def _run(self) -> None:
        idle_since = None
        while True:
            time.sleep(self.poll_seconds)
            with self._cond:
                if self.closed:
                    self._thread = None
                    return
                if self._listeners <= 0:
                    idle_since = idle_since or time.monotonic()
                    if time.monotonic() - idle_since > IDLE_STOP_SECONDS:
                        self._thread = None
                        return
                    continue
                idle_since = None
                try:
                    self._refresh()
                except RedisError as error:  # Redis restarting: keep the streams, try again next tick
                    log.warning("console watcher: %s", type(error).__name__)
                    time.sleep(1.0)


# KEYS the agent's open streams (zset: stream id -> expiry); ARGV cap, stream id, lease seconds.
# Expired entries (a process that crashed with streams open) are dropped before counting. Redis's own
# clock: web and stream processes on several machines agree on it.
_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[3])))
return 1
"""


class StreamSlots:
    """At most `cap` open live streams per agent, counted in Redis across every process; each slot expires
    after its lease (the stream's longest life plus a margin) so a crash leaks nothing for long."""

    def __init__(self, redis, cap: int, prefix: str = "nohold"):
        self.redis, self.cap, self.prefix = redis, cap, prefix
        self._take = redis.register_script(_TAKE)

    def key(self, agent_id: str) -> str:
        return f"{self.prefix}:{{streams:{agent_id}}}"

    def take(self, agent_id: str, lease_seconds: float):
        """A release() callable when a slot was free, else None."""
        stream_id = secrets.token_hex(8)
        key = self.key(agent_id)
        if not self._take(keys=[key], args=[self.cap, stream_id, lease_seconds]):
            return None
        released = []

        def release() -> None:
            if not released:
                released.append(True)
                try:
                    self.redis.zrem(key, stream_id)
                except RedisError as error:  # the lease ends it anyway
                    log.warning("console stream slot not released: %s", type(error).__name__)
        return release

    def open(self, agent_id: str) -> int:
        """Streams of this agent open now (for tests and operators)."""
        t = self.redis.time()
        return self.redis.zcount(self.key(agent_id), f"({t[0] + t[1] / 1e6}", "+inf")

"""The shared queue of work items, ordered by acquired priority; every transition is one Lua script."""
from __future__ import annotations

import json
import re
import secrets
import time
from dataclasses import dataclass, replace
from typing import Callable

from social_bridge.keys import HISTORY_SUFFIX, QueueKeys
from social_bridge.work_item import KINDS, PENDING, WorkItem

HANDLE_TIMES_KEPT = 50
PROMOTE_BATCH = 500  # bounds how long one script blocks Redis; promote_due loops over batches
ITEM_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # no ':' so an id can never forge another key
# Fields a repeated enqueue may refresh; identity, place and counters are never overwritten.
MERGEABLE = ("not_before", "not_after", "lang", "intent", "summary", "details", "customer",
             "call_sid", "recording_url", "recording_sid", "recording_seconds")
_BLANK = WorkItem(id="", kind="", channel="", lang="", acquired_at=0.0, natural_key="").to_hash()

_COMMON = """
local function log(hkey, now, event, extra)
  extra['at'], extra['event'] = tonumber(now), event
  redis.call('RPUSH', hkey, cjson.encode(extra))
  redis.call('LTRIM', hkey, -200, -1) -- a looping item must not grow without bound
end
local function place(waiting, scheduled, ikey, id, now)
  local nb = redis.call('HGET', ikey, 'not_before')
  if tonumber(nb) <= tonumber(now) then
    redis.call('ZREM', scheduled, id)
    redis.call('ZADD', waiting, redis.call('HGET', ikey, 'acquired_at'), id)
    redis.call('HSET', ikey, 'status', 'waiting')
    return 'waiting'
  end
  redis.call('ZREM', waiting, id)
  redis.call('ZADD', scheduled, nb, id)
  redis.call('HSET', ikey, 'status', 'scheduled')
  return 'scheduled'
end
"""
# KEYS waiting, scheduled, natural, item, history; ARGV now, item prefix, item json, updates json, history suffix
_ENQUEUE = _COMMON + """
local now, prefix, new = ARGV[1], ARGV[2], cjson.decode(ARGV[3])
local function reply(flag, ikey)
  local r = redis.call('HGETALL', ikey)
  table.insert(r, 1, flag)
  return r
end
local id = redis.call('GET', KEYS[3])
if id then
  local ikey = prefix .. id
  local status = redis.call('HGET', ikey, 'status')
  if status == 'waiting' or status == 'scheduled' or status == 'claimed' then
    for f, v in pairs(cjson.decode(ARGV[4])) do redis.call('HSET', ikey, f, v) end
    if tonumber(new['acquired_at']) < tonumber(redis.call('HGET', ikey, 'acquired_at')) then
      redis.call('HSET', ikey, 'acquired_at', new['acquired_at'])
    end
    redis.call('HSET', ikey, 'updated_at', now)
    -- a claimed item stays with its agent; its lease decides where it goes next
    if status ~= 'claimed' then status = place(KEYS[1], KEYS[2], ikey, id, now) end
    log(ikey .. ARGV[5], now, 'merged', {status = status})
    return reply('0', ikey)
  end
end
if redis.call('EXISTS', KEYS[4]) == 1 then return {'taken'} end
for f, v in pairs(new) do redis.call('HSET', KEYS[4], f, v) end
redis.call('HSET', KEYS[4], 'created_at', now, 'updated_at', now)
redis.call('SET', KEYS[3], new['id'])
local status = place(KEYS[1], KEYS[2], KEYS[4], new['id'], now)
log(KEYS[5], now, 'created', {status = status, kind = new['kind']})
return reply('1', KEYS[4])
"""
# KEYS waiting, scheduled; ARGV now, item prefix, batch, history suffix
_PROMOTE = _COMMON + """
local ids = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, ARGV[3])
for _, id in ipairs(ids) do
  place(KEYS[1], KEYS[2], ARGV[2] .. id, id, ARGV[1])
  redis.call('HSET', ARGV[2] .. id, 'updated_at', ARGV[1])
  log(ARGV[2] .. id .. ARGV[4], ARGV[1], 'promoted', {})
end
return #ids
"""
# KEYS waiting, scheduled, leases, item, history, natural; ARGV now, id, reason
_CANCEL = _COMMON + """
local status = redis.call('HGET', KEYS[4], 'status')
if status ~= 'waiting' and status ~= 'scheduled' and status ~= 'claimed' then return 0 end
for i = 1, 3 do redis.call('ZREM', KEYS[i], ARGV[2]) end
-- only free the natural key if it still names this item, never a newer one
if redis.call('GET', KEYS[6]) == ARGV[2] then redis.call('DEL', KEYS[6]) end
redis.call('HSET', KEYS[4], 'status', 'cancelled', 'updated_at', ARGV[1])
log(KEYS[5], ARGV[1], 'cancelled', {reason = ARGV[3], previous = status})
return 1
"""
# KEYS waiting, scheduled, item, history; ARGV now, id, not_before, not_after
_RESCHEDULE = _COMMON + """
local status = redis.call('HGET', KEYS[3], 'status')
if status ~= 'waiting' and status ~= 'scheduled' then return 0 end
redis.call('HSET', KEYS[3], 'not_before', ARGV[3], 'not_after', ARGV[4], 'updated_at', ARGV[1])
status = place(KEYS[1], KEYS[2], KEYS[3], ARGV[2], ARGV[1])
log(KEYS[4], ARGV[1], 'rescheduled', {status = status, not_before = tonumber(ARGV[3])})
return 1
"""
# KEYS waiting, scheduled; ARGV item prefix. One script so the counts are one snapshot.
_DEPTH = """
local out = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local kind = redis.call('HGET', ARGV[1] .. id, 'kind') or '?'
  out[kind] = (out[kind] or 0) + 1
end
local flat = {'scheduled', redis.call('ZCARD', KEYS[2])}
for kind, n in pairs(out) do table.insert(flat, kind); table.insert(flat, n) end
return flat
"""


@dataclass(frozen=True)
class Enqueued:
    """What enqueue stored, and whether it is a new item or an existing one merged."""

    item: WorkItem
    created: bool


class WorkQueue:
    """One ordered queue of callbacks, voicemails and threads in Redis."""

    def __init__(self, redis, clock: Callable[[], float] = time.time, keys: QueueKeys | None = None):
        connection_kwargs = getattr(redis, "get_connection_kwargs", None)
        if connection_kwargs and not connection_kwargs().get("decode_responses"):
            raise ValueError("WorkQueue needs a Redis client with decode_responses=True")
        self.redis, self.clock, self.keys = redis, clock, keys or QueueKeys()
        self._enqueue, self._promote, self._cancel, self._reschedule, self._depth = (
            redis.register_script(lua) for lua in (_ENQUEUE, _PROMOTE, _CANCEL, _RESCHEDULE, _DEPTH))

    def enqueue(self, item: WorkItem) -> Enqueued:
        """Store the item, or merge it into the pending item with the same natural key."""
        if item.kind not in KINDS or not item.natural_key or item.acquired_at <= 0:
            raise ValueError(f"bad work item: kind={item.kind!r} natural_key={item.natural_key!r}")
        item = replace(item, id=item.id or secrets.token_urlsafe(9))
        if not ITEM_ID.match(item.id):
            raise ValueError(f"bad work item id {item.id!r}")
        fields = item.to_hash()
        updates = {k: fields[k] for k in MERGEABLE if fields[k] != _BLANK[k]}
        k = self.keys
        reply = self._enqueue(
            keys=[k.items_waiting, k.items_scheduled, k.natural(item.natural_key), k.item(item.id), k.history(item.id)],
            args=[repr(self.clock()), k.item_prefix, json.dumps(fields), json.dumps(updates), HISTORY_SUFFIX],
        )
        if reply[0] == "taken":
            raise ValueError(f"work item id {item.id!r} is already used")
        return Enqueued(WorkItem.from_hash(dict(zip(reply[1::2], reply[2::2]))), created=reply[0] == "1")

    def get(self, item_id: str) -> WorkItem | None:
        """The item, whatever its status; None when unknown."""
        h = self.redis.hgetall(self.keys.item(item_id))
        return WorkItem.from_hash(h) if h else None

    def pending_for(self, natural_key: str) -> WorkItem | None:
        """The waiting, scheduled or claimed item for a natural key."""
        item_id = self.redis.get(self.keys.natural(natural_key))
        item = self.get(item_id) if item_id else None
        return item if item and item.status in PENDING else None

    def promote_due(self) -> int:
        """Move scheduled items whose window has opened into waiting, at their acquired place."""
        k, moved, n = self.keys, 0, PROMOTE_BATCH
        while n == PROMOTE_BATCH:
            n = self._promote(keys=[k.items_waiting, k.items_scheduled],
                              args=[repr(self.clock()), k.item_prefix, PROMOTE_BATCH, HISTORY_SUFFIX])
            moved += n
        return moved

    def position(self, item_id: str) -> int | None:
        """1-based place among eligible waiting items; None when not waiting."""
        self.promote_due()
        rank = self.redis.zrank(self.keys.items_waiting, item_id)
        return None if rank is None else rank + 1

    def cancel(self, item_id: str, reason: str) -> bool:
        """Withdraw a pending item and free its natural key; False when already final or unknown."""
        k = self.keys
        natural_key = self.redis.hget(k.item(item_id), "natural_key")  # immutable, safe to read first
        if natural_key is None:
            return False
        return bool(self._cancel(
            keys=[k.items_waiting, k.items_scheduled, k.leases, k.item(item_id), k.history(item_id),
                  k.natural(natural_key)],
            args=[repr(self.clock()), item_id, reason]))

    def reschedule(self, item_id: str, not_before: float, not_after: float = 0.0) -> bool:
        """Move a waiting or scheduled item's window, keeping the place it earned."""
        if not_after and not_after < not_before:
            raise ValueError("not_after is before not_before")
        k = self.keys
        return bool(self._reschedule(
            keys=[k.items_waiting, k.items_scheduled, k.item(item_id), k.history(item_id)],
            args=[repr(self.clock()), item_id, repr(float(not_before)), repr(float(not_after))]))

    def history(self, item_id: str) -> list[dict]:
        """The item's events, oldest first."""
        return [json.loads(e) for e in self.redis.lrange(self.keys.history(item_id), 0, -1)]

    def depth(self) -> dict[str, int]:
        """Eligible waiting items per kind, plus the count of scheduled ones."""
        self.promote_due()
        flat = self._depth(keys=[self.keys.items_waiting, self.keys.items_scheduled], args=[self.keys.item_prefix])
        return {**dict.fromkeys(KINDS, 0), **{kind: int(n) for kind, n in zip(flat[::2], flat[1::2])}}

    def oldest_wait(self) -> float:
        """Seconds since the head of the queue first asked for help; 0 when empty."""
        self.promote_due()
        head = self.redis.zrange(self.keys.items_waiting, 0, 0, withscores=True)
        return max(0.0, self.clock() - head[0][1]) if head else 0.0

    def record_handle_time(self, seconds: float) -> None:
        """Remember how long an agent took on one item, for wait estimates."""
        if seconds < 0:
            raise ValueError("handle time cannot be negative")
        with self.redis.pipeline(transaction=True) as pipe:
            pipe.lpush(self.keys.handle_times, repr(float(seconds)))
            pipe.ltrim(self.keys.handle_times, 0, HANDLE_TIMES_KEPT - 1).execute()

    def recent_handle_times(self) -> list[float]:
        """The last handle times, newest first."""
        return [float(s) for s in self.redis.lrange(self.keys.handle_times, 0, -1)]

-- Prelude of every queue script (queue_scripts.py prepends it): the fixed keys, the clock, helpers.
-- KEYS: waiting, scheduled, leases, fence, dead, lanes, handle_times, window_ends (QueueKeys.script_keys()).
-- ARGV: now, item prefix, history suffix, natural prefix, lane prefix, then the script's own: A[1]...
-- Item, history, natural and lane keys are built here from ids read inside Redis; they all carry the
-- same {queue} hash tag as KEYS, so on Redis Cluster they live in the slot the script runs on.
local WAITING, SCHEDULED, LEASES, FENCE, DEAD, LANES, HANDLE_TIMES, WINDOW_ENDS = unpack(KEYS, 1, 8)
local NOW_S, ITEM, HISTORY, NATURAL, LANE = unpack(ARGV, 1, 5)
local NOW = tonumber(NOW_S)
local A = {unpack(ARGV, 6)}

local function key(id) return ITEM .. id end
local function get(id, field) return redis.call('HGET', ITEM .. id, field) end
local function set(id, ...) redis.call('HSET', ITEM .. id, ...) end

local function log(id, event, extra)
  extra = extra or {}
  extra['at'], extra['event'] = NOW, event
  local hkey = ITEM .. id .. HISTORY
  redis.call('RPUSH', hkey, cjson.encode(extra))
  redis.call('LTRIM', hkey, -200, -1) -- a looping item must not grow without bound
end

-- {flag, field, value, ...}: the caller rebuilds the WorkItem from the same snapshot.
local function reply(flag, id)
  local r = redis.call('HGETALL', ITEM .. id)
  table.insert(r, 1, flag)
  return r
end

-- Out of every index: waiting, its lane, window ends, scheduled, leases.
local function unplace(id)
  redis.call('ZREM', WAITING, id)
  redis.call('ZREM', WINDOW_ENDS, id)
  redis.call('ZREM', SCHEDULED, id)
  redis.call('ZREM', LEASES, id)
  local lane = get(id, 'lane')
  if lane then
    redis.call('ZREM', LANE .. lane, id)
    if redis.call('ZCARD', LANE .. lane) == 0 then redis.call('SREM', LANES, lane) end
    redis.call('HDEL', ITEM .. id, 'lane')
  end
end

-- Back in line at the place it earned: waiting by acquired_at once its window opened, else scheduled.
-- A waiting item is also indexed in its kind:lang:team lane (kind:lang when it has no team, as items
-- stored before teams existed), so claim_next reads lane heads, not the queue,
-- and, when its window has an end (not_after), by that end, so claim_next serves ends near first.
local function place(id)
  unplace(id)
  local h = redis.call('HMGET', ITEM .. id, 'not_before', 'acquired_at', 'kind', 'lang', 'not_after', 'team')
  if tonumber(h[1]) > NOW then
    redis.call('ZADD', SCHEDULED, h[1], id)
    set(id, 'status', 'scheduled')
    return 'scheduled'
  end
  local lane = h[3] .. ':' .. h[4]
  if h[6] and h[6] ~= '' then lane = lane .. ':' .. h[6] end
  redis.call('ZADD', WAITING, h[2], id)
  redis.call('ZADD', LANE .. lane, h[2], id)
  redis.call('SADD', LANES, lane)
  if tonumber(h[5] or '0') > 0 then redis.call('ZADD', WINDOW_ENDS, h[5], id) end
  set(id, 'status', 'waiting', 'lane', lane)
  return 'waiting'
end

-- Only free the natural key if it still names this item, never a newer one.
local function free_natural(id)
  local nkey = NATURAL .. get(id, 'natural_key')
  if redis.call('GET', nkey) == id then redis.call('DEL', nkey) end
end

local function promote(limit)
  local ids = redis.call('ZRANGEBYSCORE', SCHEDULED, '-inf', NOW_S, 'LIMIT', 0, limit)
  for _, id in ipairs(ids) do
    place(id)
    set(id, 'updated_at', NOW_S)
    log(id, 'promoted', {})
  end
  return #ids
end

-- A lease that ran out: the item goes back to its place; the holder's fence no longer writes.
local function expire(id)
  local agent = get(id, 'claimed_by')
  set(id, 'claimed_by', '', 'lease_until', '0', 'updated_at', NOW_S)
  log(id, 'lease_expired', {agent = agent, status = place(id)})
end

local function reap(limit)
  local ids = redis.call('ZRANGEBYSCORE', LEASES, '-inf', NOW_S, 'LIMIT', 0, limit)
  for _, id in ipairs(ids) do expire(id) end
  return ids
end

-- 'ok' when this fence holds a live lease on the item; else 'unknown' or 'stale'.
-- A lease is live while NOW < lease_until, whether or not a reaper has run yet.
local function holds(id, fence)
  local h = redis.call('HMGET', ITEM .. id, 'status', 'fence', 'lease_until')
  if not h[1] then return 'unknown' end
  if h[1] ~= 'claimed' or h[2] ~= fence then return 'stale' end
  if tonumber(h[3]) <= NOW then
    expire(id)
    return 'stale'
  end
  return 'ok'
end

-- status and fence are compared together for idempotent repeats of a transition.
local function was(id, fence, ...)
  local h = redis.call('HMGET', ITEM .. id, 'status', 'fence')
  if h[2] ~= fence then return false end
  for _, status in ipairs({...}) do
    if h[1] == status then return true end
  end
  return false
end

-- A lane name's parts; team is '' for a lane of items without a team.
local function lane_parts(lane)
  local kind, lang, team = string.match(lane, '^([^:]*):([^:]*):?(.*)$')
  return kind, lang, team
end

local function take(id, agent, lease_until)
  local fence = redis.call('INCR', FENCE)
  unplace(id)
  redis.call('ZADD', LEASES, lease_until, id)
  set(id, 'status', 'claimed', 'claimed_by', agent, 'fence', fence, 'lease_until', lease_until,
      'claimed_at', NOW_S, 'updated_at', NOW_S)
  -- a new claim is not a hand-over unless the transfer or assign script says so after this
  redis.call('HDEL', ITEM .. id, 'handed_by', 'handed_note', 'handed_at')
  log(id, 'claimed', {agent = agent, fence = fence})
end

-- Reap expired leases, promote due items, then claim the earliest eligible waiting item.
-- A = lease_until, agent, batch, other_language_after, languages json, kinds json ('' = any kind),
--     window_due_within (seconds), window_scan, teams json ('[]' = no team: every team's items alike),
--     team_overflow (seconds)
-- Eligible: its lang is one the agent speaks, or it has waited other_language_after seconds; and its team
-- is one of the agent's (or it has none, or the agent has none), or it has waited team_overflow seconds.
-- First the eligible item whose window ends soonest, if one ends within window_due_within (or has
-- ended: a missed window is called at once); only the first window_scan ends are read.
-- Otherwise each kind:lang:team lane is ordered by acquired_at, so only lane heads are read: O(lanes * log n).
local lease_until, agent, batch = A[1], A[2], tonumber(A[3])
local other_from = NOW - tonumber(A[4])
local speaks, wants, mine = {}, nil, nil
for _, lang in ipairs(cjson.decode(A[5])) do speaks[lang] = true end
if A[6] ~= '' then
  wants = {}
  for _, kind in ipairs(cjson.decode(A[6])) do wants[kind] = true end
end
for _, team in ipairs(cjson.decode(A[9])) do
  mine = mine or {}
  mine[team] = true
end
local overflow_from = NOW - tonumber(A[10])

local function serves(lang, team, at)
  if not (speaks[lang] or at <= other_from) then return false end
  return mine == nil or team == nil or team == false or team == '' or mine[team] or at <= overflow_from
end

reap(batch)
promote(batch)
local due_by = NOW + tonumber(A[7])
for _, id in ipairs(redis.call('ZRANGEBYSCORE', WINDOW_ENDS, '-inf', due_by, 'LIMIT', 0, tonumber(A[8]))) do
  local h = redis.call('HMGET', ITEM .. id, 'kind', 'lang', 'acquired_at', 'team')
  if (wants == nil or wants[h[1]]) and serves(h[2], h[4], tonumber(h[3])) then
    take(id, agent, lease_until)
    return reply('ok', id)
  end
end
local best, best_at
for _, lane in ipairs(redis.call('SMEMBERS', LANES)) do
  local kind, lang, team = lane_parts(lane)
  if wants == nil or wants[kind] then
    local head = redis.call('ZRANGE', LANE .. lane, 0, 0, 'WITHSCORES')
    if head[1] then
      local at = tonumber(head[2])
      -- ties on acquired_at go to the smaller id, the order of the waiting zset
      if serves(lang, team, at) and (not best or at < best_at or (at == best_at and head[1] < best)) then
        best, best_at = head[1], at
      end
    end
  end
end
if not best then return {'none'} end
take(best, agent, lease_until)
return reply('ok', best)

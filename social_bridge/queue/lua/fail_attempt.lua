-- One failed attempt (callback not answered...): retry at its place later, or dead letter.
-- A = id, fence ('' = system caller), reason, retry_at ('' = no retry), max attempts
local id, fence, reason, retry_at = A[1], A[2], A[3], A[4]
local status = get(id, 'status')
if not status then return {'unknown'} end
if fence ~= '' then
  local why = holds(id, fence)
  if why ~= 'ok' then return {why} end
elseif status == 'done' or status == 'cancelled' or status == 'dead' then
  return {'not_claimable', status}
elseif status == 'claimed' then
  -- the system may act only on an item no agent holds
  if tonumber(get(id, 'lease_until')) > NOW then return {'stale'} end
  expire(id)
end
local attempts = redis.call('HINCRBY', key(id), 'attempts', 1)
if retry_at == '' or attempts >= tonumber(A[5]) then
  unplace(id)
  free_natural(id)
  redis.call('ZADD', DEAD, NOW_S, id)
  set(id, 'status', 'dead', 'dead_reason', reason, 'lease_until', '0', 'updated_at', NOW_S)
  log(id, 'dead', {reason = reason, attempts = attempts})
  return {'dead'}
end
set(id, 'claimed_by', '', 'lease_until', '0', 'not_before', retry_at, 'updated_at', NOW_S)
local not_after = tonumber(get(id, 'not_after'))
if not_after > 0 and not_after < tonumber(retry_at) then set(id, 'not_after', '0') end -- window passed
log(id, 'attempt_failed', {reason = reason, attempts = attempts, retry_at = tonumber(retry_at), status = place(id)})
return {'retry'}

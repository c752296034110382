-- The holder moves the window; the item keeps acquired_at. A = id, fence, not_before, not_after
local id, fence, nb, na = A[1], A[2], A[3], A[4]
local why = holds(id, fence)
if why == 'stale' and was(id, fence, 'waiting', 'scheduled') then
  local h = redis.call('HMGET', key(id), 'not_before', 'not_after')
  if h[1] == nb and h[2] == na then return reply('ok', id) end
end
if why ~= 'ok' then return {why} end
local agent = get(id, 'claimed_by')
set(id, 'claimed_by', '', 'lease_until', '0', 'not_before', nb, 'not_after', na, 'updated_at', NOW_S)
log(id, 'rescheduled', {status = place(id), not_before = tonumber(nb), agent = agent})
return reply('ok', id)

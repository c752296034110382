-- The holder withdraws the item. A = id, fence, reason
local id, fence = A[1], A[2]
local why = holds(id, fence)
if why == 'stale' and was(id, fence, 'cancelled') then return reply('ok', id) end
if why ~= 'ok' then return {why} end
unplace(id)
free_natural(id)
set(id, 'status', 'cancelled', 'lease_until', '0', 'updated_at', NOW_S)
log(id, 'cancelled', {reason = A[3], previous = 'claimed', agent = get(id, 'claimed_by')})
return reply('ok', id)

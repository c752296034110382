-- Give the item back: it returns to its place. A = id, fence
local id, fence = A[1], A[2]
local why = holds(id, fence)
-- back in line with this fence still the latest: released before, or the lease ran out; same result
if why == 'stale' and was(id, fence, 'waiting', 'scheduled') then return reply('ok', id) end
if why ~= 'ok' then return {why} end
local agent = get(id, 'claimed_by')
set(id, 'claimed_by', '', 'lease_until', '0', 'updated_at', NOW_S)
log(id, 'released', {agent = agent, status = place(id)})
return reply('ok', id)

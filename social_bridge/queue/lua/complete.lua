-- Done: out of the queue, natural key freed, handle time recorded. A = id, fence, outcome, handle times kept
local id, fence, outcome = A[1], A[2], A[3]
local why = holds(id, fence)
if why == 'stale' and was(id, fence, 'done') then return reply('ok', id) end
if why ~= 'ok' then return {why} end
unplace(id)
free_natural(id)
local handle = math.max(0, NOW - tonumber(get(id, 'claimed_at')))
set(id, 'status', 'done', 'outcome', outcome, 'lease_until', '0', 'updated_at', NOW_S)
redis.call('LPUSH', HANDLE_TIMES, handle)
redis.call('LTRIM', HANDLE_TIMES, 0, tonumber(A[4]) - 1)
log(id, 'completed', {agent = get(id, 'claimed_by'), outcome = outcome, handle_seconds = handle})
return reply('ok', id)

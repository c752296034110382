-- The holder hands the item to a colleague, who holds it at once: a new lease and a new fence, so the
-- old holder's fence goes stale. A = id, fence, colleague, lease_until, note
local id, fence, to, note = A[1], A[2], A[3], A[5]
local why = holds(id, fence)
if why ~= 'ok' then return {why} end
local from = get(id, 'claimed_by')
if from == to then return {'not_claimable', 'already held by ' .. to} end
take(id, to, A[4])
set(id, 'handed_by', from, 'handed_note', note, 'handed_at', NOW_S)
log(id, 'transferred', {from = from, to_agent = to, fence = tonumber(get(id, 'fence'))})
return reply('ok', id)

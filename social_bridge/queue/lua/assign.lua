-- A supervisor gives a waiting, scheduled or claimed item to an agent: a new lease and a new fence (a
-- former holder's fence goes stale); acquired_at is kept. A = id, agent, lease_until, supervisor, note
local id, to, by, note = A[1], A[2], A[4], A[5]
local status = get(id, 'status')
if not status then return {'unknown'} end
if status ~= 'waiting' and status ~= 'scheduled' and status ~= 'claimed' then return {'not_claimable', status} end
local from = ''
if status == 'claimed' then from = get(id, 'claimed_by') end
if from == to and tonumber(get(id, 'lease_until')) > NOW then return {'not_claimable', 'already held by ' .. to} end
take(id, to, A[3])
set(id, 'handed_by', by, 'handed_note', note, 'handed_at', NOW_S)
log(id, 'assigned', {by = by, from = from, to_agent = to, previous = status, fence = tonumber(get(id, 'fence'))})
return reply('ok', id)

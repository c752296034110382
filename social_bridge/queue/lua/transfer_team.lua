-- The holder hands the item to a team: waiting again at its acquired place, in that team's lane.
-- A = id, fence, team, note. The holder's fence goes stale (no claim any more).
local id, fence, team, note = A[1], A[2], A[3], A[4]
local why = holds(id, fence)
if why ~= 'ok' then return {why} end
local from = get(id, 'claimed_by')
set(id, 'team', team, 'claimed_by', '', 'lease_until', '0', 'updated_at', NOW_S,
    'handed_by', from, 'handed_note', note, 'handed_at', NOW_S)
log(id, 'transferred', {from = from, to_team = team, status = place(id)})
return reply('ok', id)

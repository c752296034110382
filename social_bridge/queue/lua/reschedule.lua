-- Move the window of an unclaimed pending item, keeping acquired_at. A = id, not_before, not_after
local id = A[1]
local status = get(id, 'status')
if status ~= 'waiting' and status ~= 'scheduled' then return 0 end
set(id, 'not_before', A[2], 'not_after', A[3], 'updated_at', NOW_S)
log(id, 'rescheduled', {status = place(id), not_before = tonumber(A[2])})
return 1

-- Withdraw a pending item (no fence: the customer or the system asks). A = id, reason
local id = A[1]
local status = get(id, 'status')
if status ~= 'waiting' and status ~= 'scheduled' and status ~= 'claimed' then return 0 end
unplace(id)
free_natural(id)
set(id, 'status', 'cancelled', 'lease_until', '0', 'updated_at', NOW_S)
log(id, 'cancelled', {reason = A[2], previous = status})
return 1

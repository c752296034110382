-- Extend a live lease. A = id, fence, lease_until
local why = holds(A[1], A[2])
if why ~= 'ok' then return {why} end
set(A[1], 'lease_until', A[3])
redis.call('ZADD', LEASES, A[3], A[1])
return {'ok', A[3]}

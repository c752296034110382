-- A supervisor puts a dead item back at its place, attempts reset, eligible now. A = id
local id = A[1]
local status = get(id, 'status')
if not status then return {'unknown'} end
if status ~= 'dead' then return {'not_claimable', status} end
local nkey = NATURAL .. get(id, 'natural_key')
local holder = redis.call('GET', nkey)
if holder and holder ~= id then
  local other = redis.call('HGET', key(holder), 'status')
  -- the customer came back meanwhile: that newer item carries the request now
  if other == 'waiting' or other == 'scheduled' or other == 'claimed' then return {'not_claimable', 'pending ' .. holder} end
end
redis.call('SET', nkey, id)
redis.call('ZREM', DEAD, id)
set(id, 'attempts', 0, 'dead_reason', '', 'not_before', '0', 'not_after', '0', 'claimed_by', '', 'updated_at', NOW_S)
log(id, 'requeued', {status = place(id)})
return reply('ok', id)

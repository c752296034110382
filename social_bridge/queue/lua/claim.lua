-- Claim one given item (an agent picked it). A = id, agent, lease_until
local id = A[1]
local h = redis.call('HMGET', key(id), 'status', 'lease_until', 'not_before')
if not h[1] then return {'unknown'} end
if h[1] == 'claimed' and tonumber(h[2]) <= NOW then expire(id) end
if h[1] == 'scheduled' and tonumber(h[3]) <= NOW then
  place(id)
  log(id, 'promoted', {})
end
local status = get(id, 'status')
if status ~= 'waiting' then return {'not_claimable', status} end
take(id, A[2], A[3])
return reply('ok', id)

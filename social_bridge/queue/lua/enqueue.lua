-- Store a new item, or merge into the pending item of the same natural key.
-- A = natural key, item json, updates json (the fields a repeat may refresh)
local new = cjson.decode(A[2])
local id = redis.call('GET', NATURAL .. A[1])
if id then
  local status = get(id, 'status')
  if status == 'waiting' or status == 'scheduled' or status == 'claimed' then
    for f, v in pairs(cjson.decode(A[3])) do set(id, f, v) end
    if tonumber(new['acquired_at']) < tonumber(get(id, 'acquired_at')) then
      set(id, 'acquired_at', new['acquired_at'])
    end
    set(id, 'updated_at', NOW_S)
    -- a claimed item stays with its agent; its lease decides where it goes next
    if status ~= 'claimed' then status = place(id) end
    log(id, 'merged', {status = status})
    return reply('0', id)
  end
end
id = new['id']
if redis.call('EXISTS', key(id)) == 1 then return {'taken'} end
local flat = {}
for f, v in pairs(new) do table.insert(flat, f); table.insert(flat, v) end
set(id, unpack(flat))
set(id, 'created_at', NOW_S, 'updated_at', NOW_S)
redis.call('SET', NATURAL .. A[1], id)
log(id, 'created', {status = place(id), kind = new['kind']})
return reply('1', id)

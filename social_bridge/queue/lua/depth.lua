-- Waiting items per kind (summed over the kind's lanes) and the scheduled count, one snapshot.
local flat = {'scheduled', redis.call('ZCARD', SCHEDULED)}
for _, lane in ipairs(redis.call('SMEMBERS', LANES)) do
  table.insert(flat, string.match(lane, '^[^:]*'))
  table.insert(flat, redis.call('ZCARD', LANE .. lane))
end
return flat

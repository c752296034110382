-- Pending items of one language that asked before `before`: on the first page (offset 0) the waiting
-- ones, counted in their kind:lang lanes; then, when `by` is in the future, the scheduled ones whose
-- window opens by then, one page of `page` at a time so no run blocks Redis for long.
-- A = lang, before (exclusive; 'inf' counts them all), by, offset, page. Returns {count, ids read}.
local lang, before, by, offset = A[1], A[2], tonumber(A[3]), tonumber(A[4])
local ahead = 0
if offset == 0 then
  local bound = before == 'inf' and '+inf' or '(' .. before
  for _, lane in ipairs(redis.call('SMEMBERS', LANES)) do
    if string.match(lane, '^[^:]*:([^:]*)') == lang then
      ahead = ahead + redis.call('ZCOUNT', LANE .. lane, '-inf', bound)
    end
  end
end
if by <= NOW then return {ahead, 0} end
local limit = tonumber(before) or math.huge
local ids = redis.call('ZRANGEBYSCORE', SCHEDULED, '-inf', A[3], 'LIMIT', offset, tonumber(A[5]))
for _, id in ipairs(ids) do
  local h = redis.call('HMGET', ITEM .. id, 'lang', 'acquired_at')
  if h[1] == lang and tonumber(h[2]) < limit then ahead = ahead + 1 end
end
return {ahead, #ids}

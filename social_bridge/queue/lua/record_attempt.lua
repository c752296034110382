-- Append one attempt (the dialer's log) to the item's history. A = id, attempt json
if redis.call('EXISTS', key(A[1])) == 0 then return {'unknown'} end
log(A[1], 'attempt', cjson.decode(A[2]))
return {'ok'}

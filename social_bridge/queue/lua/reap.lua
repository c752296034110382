-- Expired leases go back to their place. A = batch size; returns the ids
return reap(tonumber(A[1]))

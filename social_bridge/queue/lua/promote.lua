-- Scheduled items whose window opened go to waiting at their acquired place. A = batch size
return promote(tonumber(A[1]))

"""Reports (issue 19): a ledger of per-day counts written where things happen, and reports read from it."""

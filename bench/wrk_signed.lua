-- wrk script: replays pre-signed Twilio webhook requests, each at most once, and prints a JSON summary.
--
--   wrk -t2 -c32 -d10s --latency -s bench/wrk_signed.lua http://127.0.0.1:PORT -- REQUESTS_FILE NTHREADS
--
-- REQUESTS_FILE holds one request per line: "<path>\t<X-Twilio-Signature>\t<urlencoded body>".
-- Thread k (0-based) sends lines k, k+n, k+2n, … so no two threads send the same request; a thread
-- that runs out of lines starts again from its first one and reports it ("wrapped" in the JSON).

local threads = {}
local next_id = 0

function setup(thread)
   thread:set("tid", next_id)
   next_id = next_id + 1
   table.insert(threads, thread)
end

function init(args)
   local file, nthreads = args[1], tonumber(args[2] or "1")
   local ok_tid = tonumber(tid or 0)
   reqs = {}
   local n = 0
   local line_no = 0
   for line in io.lines(file) do
      if line_no % nthreads == ok_tid then
         local path, sig, body = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
         n = n + 1
         reqs[n] = wrk.format("POST", path, {
            ["Content-Type"] = "application/x-www-form-urlencoded",
            ["X-Twilio-Signature"] = sig,
         }, body)
      end
      line_no = line_no + 1
   end
   count = n
   sent = 0
   wrapped = 0
end

function request()
   local i = (sent % count) + 1
   sent = sent + 1
   if sent > count then wrapped = 1 end
   return reqs[i]
end

function done(summary, latency, requests)
   local sent_total, loaded_total, wraps = 0, 0, 0
   for _, t in ipairs(threads) do
      sent_total = sent_total + (t:get("sent") or 0)
      loaded_total = loaded_total + (t:get("count") or 0)
      wraps = wraps + (t:get("wrapped") or 0)
   end
   local e = summary.errors
   io.write(string.format(
      'BENCH_JSON {"duration_us": %d, "requests": %d, "bytes": %d, ' ..
      '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
      '"latency_us": {"mean": %.1f, "stdev": %.1f, "max": %d, "p50": %d, "p75": %d, "p90": %d, "p99": %d}, ' ..
      '"sent": %d, "distinct_loaded": %d, "threads_wrapped": %d}\n',
      summary.duration, summary.requests, summary.bytes,
      e.connect, e.read, e.write, e.status, e.timeout,
      latency.mean, latency.stdev, latency.max,
      latency:percentile(50), latency:percentile(75), latency:percentile(90), latency:percentile(99),
      sent_total, loaded_total, wraps))
end

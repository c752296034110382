-- wrk script: replays pre-signed Meta Messenger webhook deliveries, each at most once (bench/social_ack.py).
--
--   wrk -t2 -c32 -d10s --latency -s bench/wrk_social.lua http://127.0.0.1:PORT -- REQUESTS_FILE NTHREADS
--
-- Same file format, thread slicing and JSON summary as bench/wrk_signed.lua (loaded below), one line
-- per request: "<path>\t<X-Hub-Signature-256>\t<JSON body>". Only the headers differ: Meta posts JSON
-- and signs it in X-Hub-Signature-256, so the requests wrk_signed.lua builds get those instead.

local here = debug.getinfo(1, "S").source:sub(2):match("^(.*)/[^/]*$") or "."
dofile(here .. "/wrk_signed.lua")

local signed_init = init

function init(args)
   local format = wrk.format
   wrk.format = function(method, path, headers, body)
      return format(method, path, {
         ["Content-Type"] = "application/json",
         ["X-Hub-Signature-256"] = headers["X-Twilio-Signature"],
      }, body)
   end
   signed_init(args)
   wrk.format = format
end

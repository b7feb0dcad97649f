-- wrk script of benchmarks/api.py: POST JSON bodies read from a file, in turn, and report
-- throughput, latency percentiles and every answer that was not a 200.
--
--   wrk -t1 -c8 -d20s -s benchmarks/wrk_post.lua http://127.0.0.1:8000/api/v1/classify -- BODIES KEY
--
-- BODIES holds one JSON body per line; KEY is sent as `Authorization: Api-Key KEY`.
-- `done()` prints `name value` lines that benchmarks/api.py parses (latencies in microseconds).

local requests = {}
local index = 0
answers = {}  -- global: done() reads each thread's copy with thread:get
local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   local path, key = args[1], args[2]
   local headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Api-Key " .. key }
   for body in io.lines(path) do
      if body ~= "" then
         -- Formatted once here, so the load generator spends its time sending, not building.
         table.insert(requests, wrk.format("POST", nil, headers, body))
      end
   end
   if #requests == 0 then
      error("no request bodies in " .. path)
   end
   -- Each thread (and each run) starts at its own place in the rotation.
   index = math.random(#requests) - 1
end

function request()
   index = index % #requests + 1
   return requests[index]
end

function response(status, headers, body)
   answers[status] = (answers[status] or 0) + 1
end

function done(summary, latency, requests)
   local statuses = {}
   for _, thread in ipairs(threads) do
      -- `answers` of each thread, copied out of its own Lua state.
      for status, count in pairs(thread:get("answers")) do
         statuses[status] = (statuses[status] or 0) + count
      end
   end
   io.write("result requests ", summary.requests, "\n")
   io.write("result duration_us ", summary.duration, "\n")
   io.write("result bytes ", summary.bytes, "\n")
   for _, p in ipairs({ 50, 95, 99 }) do
      io.write("result p", p, "_us ", latency:percentile(p), "\n")
   end
   io.write("result mean_us ", latency.mean, "\n")
   io.write("result max_us ", latency.max, "\n")
   for _, name in ipairs({ "connect", "read", "write", "status", "timeout" }) do
      io.write("result error_", name, " ", summary.errors[name], "\n")
   end
   for status, count in pairs(statuses) do
      io.write("result status_", status, " ", count, "\n")
   end
end

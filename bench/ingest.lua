-- wrk script for bench/ingest.sh: POSTs one signed push payload with a unique
-- X-GitHub-Delivery per request and counts responses by status.
--
-- Environment (read in every wrk thread):
--   BENCH_BODY    path of the payload file (the exact bytes that were signed)
--   BENCH_SIG     "sha256=<hex>" signature of that file
--   BENCH_RUN_ID  prefix for delivery ids; must differ between runs against one server
--
-- done() prints key=value lines that ingest.sh parses.

local threads = {}
local next_id = 0

-- Runs in the main state, once per thread, before the threads start.
function setup(thread)
  next_id = next_id + 1
  thread:set("id", next_id)
  table.insert(threads, thread)
end

local function fail(msg)
  io.stderr:write("ingest.lua: " .. msg .. "\n")
  os.exit(2)
end

-- Globals below live in each thread's own Lua state; done() reads them with thread:get.
c2xx, c202, c200, cnon2xx = 0, 0, 0, 0

local body, sig, run_id
local counter = 0

function init(args)
  local path = os.getenv("BENCH_BODY") or args[1]
  if not path then fail("BENCH_BODY is not set") end
  local f = io.open(path, "rb")
  if not f then fail("cannot read " .. path) end
  body = f:read("*a")
  f:close()
  sig = os.getenv("BENCH_SIG") or fail("BENCH_SIG is not set")
  run_id = os.getenv("BENCH_RUN_ID") or tostring(os.time())
end

function request()
  counter = counter + 1
  -- The body never changes, so one signature serves every request; the delivery id must not
  -- repeat, or the server answers 200 duplicate instead of storing.
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["X-GitHub-Event"] = "push",
    ["X-Hub-Signature-256"] = sig,
    ["X-GitHub-Delivery"] = string.format("bench-%s-%d-%d", run_id, id, counter),
  }, body)
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    c2xx = c2xx + 1
    if status == 202 then
      c202 = c202 + 1
    elseif status == 200 then
      c200 = c200 + 1
    end
  else
    cnon2xx = cnon2xx + 1
    -- Keep the first few failure bodies: they explain the status.
    if cnon2xx <= 3 then
      io.stderr:write(string.format("non-2xx %d: %s\n", status, body))
    end
  end
end

function done(summary, latency, requests)
  local t2xx, t202, t200, tnon = 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    t2xx = t2xx + thread:get("c2xx")
    t202 = t202 + thread:get("c202")
    t200 = t200 + thread:get("c200")
    tnon = tnon + thread:get("cnon2xx")
  end
  local secs = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format("requests=%d\n", summary.requests))
  io.write(string.format("duration_s=%.3f\n", secs))
  io.write(string.format("req_per_s=%.1f\n", summary.requests / secs))
  io.write(string.format("responses_2xx=%d\n", t2xx))
  io.write(string.format("responses_202=%d\n", t202))
  io.write(string.format("responses_200=%d\n", t200))
  io.write(string.format("responses_non2xx=%d\n", tnon))
  io.write(string.format("socket_errors=connect:%d,read:%d,write:%d,timeout:%d\n",
    e.connect, e.read, e.write, e.timeout))
  io.write(string.format("latency_p50_ms=%.2f\n", latency:percentile(50) / 1000))
  io.write(string.format("latency_p99_ms=%.2f\n", latency:percentile(99) / 1000))
  io.write(string.format("latency_max_ms=%.2f\n", latency.max / 1000))
end

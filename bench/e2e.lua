-- wrk script for bench/e2e.sh: posts pre-signed deliveries of many kinds, each
-- with a unique X-GitHub-Delivery. Thread t of T sends records t, t+T, t+2T … of
-- the file bench/e2e_payloads.py wrote; when they run out it starts over with new
-- delivery ids (the script stops wrk long before that matters).
--
-- Environment: BENCH_PAYLOADS (the records file), BENCH_THREADS (wrk's -t),
-- BENCH_RUN_ID (prefix for delivery ids).

local threads = {}
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("id", next_id)
  table.insert(threads, thread)
end

c2xx, cnon2xx = 0, 0

local records = {}
local cursor, lap = 0, 0
local run_id

function init(args)
  local path = os.getenv("BENCH_PAYLOADS") or error("BENCH_PAYLOADS is not set")
  local nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")
  run_id = os.getenv("BENCH_RUN_ID") or tostring(os.time())
  local f = assert(io.open(path, "rb"))
  local index = 0
  while true do
    local header = f:read("*l")
    if not header then break end
    local event, sig, len = header:match("^(%S+) (%S+) (%d+)$")
    local body = f:read(tonumber(len))
    if index % nthreads == id - 1 then
      table.insert(records, { event = event, sig = sig, body = body })
    end
    index = index + 1
  end
  f:close()
  if #records == 0 then error("no records for thread " .. id) end
end

function request()
  cursor = cursor + 1
  if cursor > #records then
    cursor, lap = 1, lap + 1
  end
  local r = records[cursor]
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["X-GitHub-Event"] = r.event,
    ["X-Hub-Signature-256"] = r.sig,
    ["X-GitHub-Delivery"] = string.format("e2e-%s-%d-%d-%d", run_id, id, lap, cursor),
  }, r.body)
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    c2xx = c2xx + 1
  else
    cnon2xx = cnon2xx + 1
    if cnon2xx <= 3 then
      io.stderr:write(string.format("non-2xx %d: %s\n", status, body))
    end
  end
end

function done(summary, latency, requests)
  local t2xx, tnon = 0, 0
  for _, thread in ipairs(threads) do
    t2xx = t2xx + thread:get("c2xx")
    tnon = tnon + thread:get("cnon2xx")
  end
  io.write(string.format("responses_2xx=%d\n", t2xx))
  io.write(string.format("responses_non2xx=%d\n", tnon))
  io.write(string.format("latency_p50_ms=%.2f\n", latency:percentile(50) / 1000))
  io.write(string.format("latency_p99_ms=%.2f\n", latency:percentile(99) / 1000))
end

-- Load for bench/read_model_lag.sh: PUT /buy_order paced to RATE orders/s across all of wrk's
-- threads (wrk2 is not in Debian, so each thread hands out send slots RATE/threads apart
-- through delay()); every request has a new idempotency key and body. Each 201's order id and
-- CLOCK_MONOTONIC time (the clock of Python's time.monotonic()) go to the file named by
-- LAG_CREATED_FILE, one "id seconds" line each, written by done().
-- Arguments after `--`: RATE THREADS.
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } lag_timespec;
int clock_gettime(int clock_id, lag_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local timespec = ffi.new("lag_timespec")
local function now()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, timespec)
  return tonumber(timespec.tv_sec) + tonumber(timespec.tv_nsec) / 1e9
end

-- Keys must differ across threads: each thread's Lua state gets its own `thread_id` global
-- from setup() (a `local` here would shadow it).
local threads = {}
function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

function init(args)
  interval = tonumber(args[2]) / tonumber(args[1]) -- seconds between this thread's sends
  next_slot = now()
  counter = 0
  created = {}
  failed = 0
  run_id = string.format("%d-%d", os.time(), math.floor(now() * 1000))
end

function delay()
  local at = now()
  -- Behind schedule (all connections busy): send now, and do not burst to catch up, so the
  -- achieved rate printed by the script is what the service really took.
  if next_slot < at then
    next_slot = at
  end
  local wait = next_slot - at
  next_slot = next_slot + interval
  return wait * 1000
end

function request()
  counter = counter + 1
  local body = string.format('{"currency": "EUR", "amount": "1.%02d"}', counter % 100)
  return wrk.format("PUT", "/buy_order", {
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = "lag-" .. run_id .. "-" .. thread_id .. "-" .. counter,
  }, body)
end

function response(status, headers, body)
  local at = now()
  local id = status == 201 and body:match('"id"%s*:%s*"([^"]+)"')
  if id then
    created[#created + 1] = string.format("%s %.6f", id, at)
  else
    failed = failed + 1
  end
end

function done(summary, latency, requests)
  local out = assert(io.open(os.getenv("LAG_CREATED_FILE"), "w"))
  local failures = 0
  for _, thread in ipairs(threads) do
    for _, line in ipairs(thread:get("created")) do
      out:write(line, "\n")
    end
    failures = failures + thread:get("failed")
  end
  out:close()
  io.write(string.format("wrk: %d responses, %d not 201, p99 latency %.1f ms\n",
    summary.requests, failures, latency:percentile(99) / 1000))
end

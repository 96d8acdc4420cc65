-- wrk script for scripts/benchmark/load.py: POST prepared GraphQL requests, count bad answers.
-- Usage: wrk ... -s scripts/benchmark/load.lua URL -- REQUESTS_FILE THREADS
-- REQUESTS_FILE has one request a line: "<Authorization value>\t<JSON body>". Each
-- thread cycles through its own slice of the file, so one-shot requests (mutations)
-- are never sent twice unless the slice runs out; then `wrapped` says so.
local threads = {}
local requests = {}
local first, last, current
bad = 0
wrapped = 0

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local all = {}
  for line in io.lines(args[1]) do
    local tab = line:find("\t", 1, true)
    local headers = { ["Content-Type"] = "application/json" }
    local auth = line:sub(1, tab - 1)
    if auth ~= "" then headers["Authorization"] = auth end
    all[#all + 1] = wrk.format("POST", wrk.path, headers, line:sub(tab + 1))
  end
  local count = tonumber(args[2])
  first = math.floor(id * #all / count) + 1
  last = math.floor((id + 1) * #all / count)
  for i = first, last do requests[#requests + 1] = all[i] end
  current = 1
end

function request()
  local r = requests[current]
  current = current + 1
  if current > #requests then
    current = 1
    wrapped = wrapped + 1
  end
  return r
end

-- A GraphQL error, a typed UserError ("code") or any status but 200 is a failure.
function response(status, headers, body)
  if status ~= 200 or body:find('"errors"', 1, true) or body:find('"code"', 1, true) then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local bad_total, wrapped_total = 0, 0
  for _, thread in ipairs(threads) do
    bad_total = bad_total + thread:get("bad")
    wrapped_total = wrapped_total + thread:get("wrapped")
  end
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d max_us=%d bad=%d wrapped=%d "
      .. "connect=%d read=%d write=%d status=%d timeout=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, bad_total, wrapped_total, e.connect, e.read, e.write, e.status, e.timeout))
end

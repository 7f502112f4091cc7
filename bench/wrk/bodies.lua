-- wrk script for the bench: one body per request from a template (see bench/load.py `expand`).
-- Arguments after `--`: path, template ('' = GET), pool, tag, thread count.
local counter = 0
local thread_count = 0
local path, template, pool, tag, threads
local stages = {"Lead", "Qualified", "Proposal", "Negotiation"}
local headers = {["Content-Type"] = "application/json"}

function setup(thread)
  thread:set("tid", thread_count)
  thread_count = thread_count + 1
end

function init(args)
  path = args[1]
  template = args[2]
  pool = tonumber(args[3])
  tag = args[4]
  threads = tonumber(args[5])
end

function request()
  local n = counter * threads + tid
  counter = counter + 1
  if template == "" then
    return wrk.format("GET", path)
  end
  local body = template:gsub("{(%a+)}", function(key)
    if key == "tag" then return tag end
    if key == "n" then return string.format("%d", n) end
    if key == "p" then return string.format("%d", n % pool) end
    if key == "stage" then return stages[(math.floor(n / pool) % #stages) + 1] end
    return nil
  end)
  return wrk.format("POST", path, headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d p50_us=%.0f p99_us=%.0f connect=%d read=%d write=%d status=%d timeout=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end

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

-- Mixed traffic: (path, template) pairs after the five fixed arguments; request n takes pair
-- n mod their count, and its path takes the placeholders too (see bench/load.py Load.request).
local mix = {}

function init(args)
  path = args[1]
  template = args[2]
  pool = tonumber(args[3])
  tag = args[4]
  threads = tonumber(args[5])
  local i = 6
  while args[i] ~= nil do
    mix[#mix + 1] = {args[i], args[i + 1] or ""}
    i = i + 2
  end
end

local function expand(text, n)
  local out = text:gsub("{(%a+)}", function(key)
    if key == "tag" then return tag end
    if key == "n" then return string.format("%d", n) end
    if key == "p" then return string.format("%d", n % pool) end
    if key == "stage" then return stages[(math.floor(n / pool) % #stages) + 1] end
    return nil
  end)
  return out
end

function request()
  local n = counter * threads + tid
  counter = counter + 1
  local p, t = path, template
  if #mix > 0 then
    local pair = mix[(n % #mix) + 1]
    p, t = expand(pair[1], n), pair[2]
  end
  if t == "" then
    return wrk.format("GET", p)
  end
  return wrk.format("POST", p, headers, expand(t, n))
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d p50_us=%.0f p99_us=%.0f connect=%d read=%d write=%d status=%d timeout=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end

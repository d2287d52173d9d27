-- wrk script: GETs of HTML pages (the booking page's time-slot view), with every answer checked.
--
--   WRK_BODIES=file WRK_EXPECT='name="slot"' wrk -t2 -c16 -d10s -s bench/page_wrk.lua URL
--
-- WRK_BODIES is a file of lines "label<TAB>path?query", written by bench/wrk_public.py; thread i (of T)
-- sends lines i, i+T, ... in turn. An answer is ok only when its status is 2xx AND its body contains
-- WRK_EXPECT (for the time-slot view: a slot's radio button, so an empty "no free times" page or an
-- error page rendered with 200 is not counted); a 2xx without it counts in `other`, any other status
-- in `http_err` (a 429 from the public limiter among them). done() prints one line "WRKJSON {...}" in
-- the format of mcp_wrk.lua, so bench/wrk_calls.py's WrkRun reads both.

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

local mine = {}
local pos = 0
local expect = ""

function init(args)
  local path = os.getenv("WRK_BODIES")
  local nthreads = tonumber(os.getenv("WRK_THREADS") or "1")
  expect = os.getenv("WRK_EXPECT") or ""
  local lines = {}
  local f = assert(io.open(path, "r"))
  for line in f:lines() do
    local tab = string.find(line, "\t", 1, true)
    if tab then
      table.insert(lines, string.sub(line, tab + 1))
    end
  end
  f:close()
  for i = tid, #lines, nthreads do
    table.insert(mine, lines[i])
  end
  if #mine == 0 then
    mine = lines
  end
  ok, http_err, rpc_err, tool_err, conflicts, other, wrapped, sent = 0, 0, 0, 0, 0, 0, 0, 0
  codes = ""
  sample = ""
end

function request()
  pos = pos + 1
  if pos > #mine then
    pos = 1
  end
  sent = sent + 1
  return wrk.format("GET", mine[pos])
end

local function keep(status, body)
  if sample == "" then
    sample = tostring(status) .. " " .. string.sub(body or "", 1, 400)
  end
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    http_err = http_err + 1
    if not string.find(codes, tostring(status), 1, true) then
      codes = codes .. tostring(status) .. " "
    end
    keep(status, body)
    return
  end
  if expect ~= "" and not string.find(body or "", expect, 1, true) then
    other = other + 1
    keep(status, body)
    return
  end
  ok = ok + 1
end

local function esc(s)
  s = string.gsub(s, "\\", "\\\\")
  s = string.gsub(s, '"', '\\"')
  s = string.gsub(s, "[%c]", " ")
  return s
end

function done(summary, latency, requests)
  local t = { ok = 0, http_err = 0, rpc_err = 0, tool_err = 0, conflicts = 0, other = 0, wrapped = 0, sent = 0 }
  local codes_all, samples = "", ""
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do
      t[k] = t[k] + (thread:get(k) or 0)
    end
    codes_all = codes_all .. (thread:get("codes") or "")
    if samples == "" then
      samples = thread:get("sample") or ""
    end
  end
  local e = summary.errors
  local out = string.format(
    '{"requests":%d,"duration_us":%d,"bytes":%d,' ..
      '"socket_errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
      '"latency_us":{"min":%d,"mean":%.1f,"max":%d,"stdev":%.1f,"p50":%d,"p90":%d,"p99":%d},' ..
      '"ok":%d,"http_err":%d,"rpc_err":%d,"tool_err":%d,"conflicts":%d,"other":%d,"wrapped":%d,' ..
      '"sent":%d,"error_codes":"%s","sample":"%s"}',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency.max, latency.stdev,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    t.ok, t.http_err, t.rpc_err, t.tool_err, t.conflicts, t.other, t.wrapped, t.sent,
    esc(codes_all), esc(samples)
  )
  io.write("WRKJSON " .. out .. "\n")
end

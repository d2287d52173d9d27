-- wrk script: MCP tool calls as raw JSON-RPC POSTs to /mcp, with every answer checked.
--
--   WRK_BODIES=file WRK_KEY=fd_sk_... WRK_MODE=modern wrk -t2 -c16 -d10s -s bench/mcp_wrk.lua URL
--
-- WRK_BODIES is a file of lines "tool<TAB>json-rpc body", written by bench/wrk_calls.py. Thread i
-- (1-based, of T) sends lines i, i+T, i+2T, ... in turn, so threads never send the same line: for
-- create_appointment every line books a different free slot. A thread that runs out of lines starts
-- again from its first one and counts it in `wrapped` (for writes those repeats are conflicts).
--
-- WRK_MAX=N (optional): stop after about N responses in all (each thread stops after N/T).
-- WRK_MODE=modern: protocol 2026-07-28, one self-contained request per POST (MCP-Protocol-Version,
-- Mcp-Method and Mcp-Name headers; the body's params._meta carries the version and capabilities).
-- WRK_MODE=handshake: protocol 2025-11-25; WRK_SESSIONS holds one Mcp-Session-Id per thread, opened
-- beforehand with initialize (+ notifications/initialized) by the Python driver.
--
-- Every response is classified: non-2xx HTTP status, JSON-RPC error, tool result with isError (by
-- its error code, e.g. "conflict"), or ok. done() prints one line "WRKJSON {...}" for the driver.

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  local sessions = os.getenv("WRK_SESSIONS") or ""
  local i = 0
  for sid in string.gmatch(sessions, "[^,]+") do
    i = i + 1
    if i == counter then
      thread:set("sid", sid)
    end
  end
  table.insert(threads, thread)
end

local lines = {}
local mine = {}
local pos = 0
local base_headers = {}
local mode = "modern"

function init(args)
  mode = os.getenv("WRK_MODE") or "modern"
  local path = os.getenv("WRK_BODIES")
  local nthreads = tonumber(os.getenv("WRK_THREADS") or "1")
  local f = assert(io.open(path, "r"))
  for line in f:lines() do
    local tab = string.find(line, "\t", 1, true)
    if tab then
      table.insert(lines, { string.sub(line, 1, tab - 1), string.sub(line, tab + 1) })
    end
  end
  f:close()
  for k = tid, #lines, nthreads do
    table.insert(mine, lines[k])
  end
  if #mine == 0 then
    mine = lines -- fewer lines than threads: share them (reads only)
  end
  base_headers["Content-Type"] = "application/json"
  base_headers["Accept"] = "application/json, text/event-stream"
  local key = os.getenv("WRK_KEY")
  if key and key ~= "" then
    base_headers["Authorization"] = "Bearer " .. key
  end
  if mode == "modern" then
    base_headers["MCP-Protocol-Version"] = "2026-07-28"
    base_headers["Mcp-Method"] = "tools/call"
  else
    base_headers["MCP-Protocol-Version"] = "2025-11-25"
    base_headers["Mcp-Session-Id"] = sid
  end
  ok, http_err, rpc_err, tool_err, conflicts, other, wrapped, sent = 0, 0, 0, 0, 0, 0, 0, 0
  received = 0
  -- WRK_MAX > 0: stop this thread after its share of that many responses (wrk has no request count).
  local max = tonumber(os.getenv("WRK_MAX") or "0")
  limit = 0
  if max > 0 then
    limit = math.ceil(max / nthreads)
  end
  codes = ""
  sample = ""
end

function request()
  pos = pos + 1
  if pos > #mine then
    pos = 1
    if #mine > 1 then
      wrapped = wrapped + 1
    end
  end
  sent = sent + 1
  local item = mine[pos]
  if mode == "modern" then
    base_headers["Mcp-Name"] = item[1]
  end
  -- A fresh JSON-RPC id per request: a stateful session routes answers by id, so ids in flight
  -- at the same time must differ (the bodies all start {"jsonrpc":"2.0","id":N,...).
  local rid = '{"jsonrpc":"2.0","id":' .. tostring(tid * 100000000 + sent)
  local payload = string.gsub(item[2], '^{"jsonrpc":"2.0","id":%d+', rid, 1)
  return wrk.format("POST", nil, base_headers, payload)
end

local function keep(status, body)
  if sample == "" then
    sample = tostring(status) .. " " .. string.sub(body or "", 1, 400)
  end
end

function response(status, headers, body)
  received = received + 1
  if limit > 0 and received >= limit then
    wrk.thread:stop()
  end
  if status < 200 or status > 299 then
    http_err = http_err + 1
    keep(status, body)
    return
  end
  if not string.find(body, '"result":', 1, true) then
    if string.find(body, '"error":', 1, true) then
      rpc_err = rpc_err + 1
    else
      other = other + 1
    end
    keep(status, body)
    return
  end
  if string.find(body, '"isError":true', 1, true) then
    tool_err = tool_err + 1
    local code = string.match(body, '"error":{"code":"([%w_]+)"') or "?"
    if code == "conflict" then
      conflicts = conflicts + 1
    else
      keep(status, body)
    end
    if not string.find(codes, code, 1, true) then
      codes = codes .. code .. " "
    end
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

-- wrk script: POST /api/v1/suggest with one sentence per request, taken in turn from the
-- queries file named by the QUERIES environment variable.
local queries = {}
local counter = 0

local function json_string(s)
  s = s:gsub('\\', '\\\\'):gsub('"', '\\"'):gsub('\t', '\\t')
  return '"' .. s .. '"'
end

init = function(args)
  local path = os.getenv("QUERIES")
  for line in io.lines(path) do
    if #line > 0 then queries[#queries + 1] = line end
  end
end

request = function()
  counter = counter + 1
  local text = queries[(counter % #queries) + 1]
  local body = '{"text":' .. json_string(text) .. ',"source_lang":"ru","target_lang":"en","min_score":70,"max_results":5}'
  return wrk.format("POST", "/api/v1/suggest", {["Content-Type"] = "application/json"}, body)
end

local errors = 0
response = function(status, headers, body)
  if status ~= 200 then errors = errors + 1 end
end

done = function(summary, latency, requests)
  local non2xx = summary.errors.status
  io.write(string.format("requests: %d in %.1f s = %.0f req/s\n", summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6)))
  io.write(string.format("latency p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
  io.write(string.format("errors: %d non-2xx, %d connect, %d read, %d write, %d timeout\n",
    non2xx, summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
end

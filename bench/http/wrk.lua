-- wrk.lua — the wrk script of bench/http (see bench/README.md).
--
-- 1. With FTZ_BENCH_TOKEN set, every request carries "Authorization: Bearer <token>": the
--    authenticated list on ftz, and the same request bytes to nginx's copy of it. The header
--    is set once in wrk.headers, so wrk still sends one prebuilt request (no request() or
--    response() hook, which would slow the load generator down).
-- 2. done() prints one line "BENCH-JSON {...}" with wrk's own totals and latency percentiles
--    in microseconds, which bench/http/report.mjs reads (no unit parsing of "1.23ms").

local token = os.getenv("FTZ_BENCH_TOKEN")
if token and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH-JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"min":%d,"mean":%.1f,"stdev":%.1f,"max":%d,' ..
    '"p50":%d,"p75":%d,"p90":%d,"p99":%d,"p99_9":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency.stdev, latency.max,
    latency:percentile(50), latency:percentile(75), latency:percentile(90),
    latency:percentile(99), latency:percentile(99.9)))
end

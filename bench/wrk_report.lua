-- wrk hook for bench/pages.py: one JSON line with the figures it prints.
-- Latencies are in microseconds in wrk; printed in milliseconds.
done = function(summary, latency, requests)
  local seconds = summary.duration / 1000000
  local errors = summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    "JSON {\"requests\": %d, \"rps\": %.2f, \"p50\": %.3f, \"p95\": %.3f, " ..
    "\"p99\": %.3f, \"errors\": %d, \"status_errors\": %d}\n",
    summary.requests, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, errors, summary.errors.status))
end

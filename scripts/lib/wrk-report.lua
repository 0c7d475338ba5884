-- wrk script for scripts/benchmark.sh: prints one machine-readable line after the run.
-- It defines only done(), so wrk's request/response fast path stays untouched (a response()
-- callback would parse every response in Lua and cost throughput on a 2-core machine).
--
-- summary.errors.status counts responses with status > 399 (what wrk's
-- "Non-2xx or 3xx responses" line reports). benchmark.sh fails the run when it, or any socket
-- error, is non-zero, and checks each endpoint answers exactly 200 before measuring it.
done = function(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      "GSBENCH requests=%d duration_us=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d " ..
      "status_errors=%d connect_errors=%d read_errors=%d write_errors=%d timeouts=%d\n",
      summary.requests, summary.duration,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
      e.status, e.connect, e.read, e.write, e.timeout))
end

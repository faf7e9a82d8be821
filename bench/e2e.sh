#!/usr/bin/env bash
# End-to-end benchmark: deliveries of many kinds (pushes, pull requests, reviews,
# issues) for a tracked repository are posted at full speed until N are stored; then
# the clock runs until every job — the deliveries' own and the follow-ups they create
# (index-repository, refresh-project, developer-metrics, workspace-fanout) — is done.
# Prints end-to-end events/s = stored deliveries / (all jobs done − first request),
# CPU per event of the JVM and of PostgreSQL (every process named postgres) over that
# time, and the JVM's peak resident memory, once per processor instance count.
#
# Knobs (env):
#   N (50000)            deliveries to store per run
#   WARMUP_N (10000)     deliveries of other pull requests, issues and commits posted and
#                        processed first, unmeasured, in rounds until WARMUP_S (90) seconds
#                        have passed (the JIT compiler's time); 0: none
#   INSTANCES ("1 2")    HOOKYARD_PROCESSOR_INSTANCES per run: 1 is the default, 2 doubled
#   CONNECTIONS (64), THREADS (2), PORT (18182)
#   REPOS (50)           repositories the deliveries are spread over (in blocks of 20), tracked
#                        in three workspaces; REPOS=1 is the monorepo: every event hits one
#   TRACK (1)            0: skip the admin setup, so every event is ignored as untracked
#   DRAIN_TIMEOUT (1800) seconds to wait for the jobs after the last delivery
#   SKIP_BUILD=1         reuse app/target/hookyard.jar
#   KEEP=1               keep the temp dir (data, logs, payloads)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

N="${N:-50000}"
INSTANCES="${INSTANCES:-1 2}"
CONNECTIONS="${CONNECTIONS:-64}"
THREADS="${THREADS:-2}"
PORT="${PORT:-18182}"
TRACK="${TRACK:-1}"
REPOS="${REPOS:-50}"
WARMUP_N="${WARMUP_N:-10000}"
DRAIN_TIMEOUT="${DRAIN_TIMEOUT:-1800}"

BENCH_TAG=e2e
source "$ROOT/bench/lib.sh"
build_jar
need_wrk

payloads="$tmp/payloads.bin"
log "generating $N signed deliveries"
# A tenth more than N: requests in flight when N is reached still carry fresh payloads.
python3 bench/e2e_payloads.py "$(( N + N / 10 ))" "$secret" "$payloads" "$REPOS"

summary=()
failed=0
for instances in $INSTANCES; do
  start_hookyard "run-$instances" HOOKYARD_ROLES=all HOOKYARD_PROCESSOR_INSTANCES="$instances"
  if [[ "$TRACK" == 1 ]]; then
    track_bench_repository "$REPOS"
  fi

  warm_up "$instances" "$tmp/warm-$instances"
  log "run with $instances processor instance(s) per queue: posting until $N deliveries are stored"
  jvm0="$(cpu_seconds "$pid")"
  thread_cpu "$pid" >"$tmp/threads0-$instances"
  pg0="$(cpu_seconds postgres)"
  t0="$(now)"
  BENCH_PAYLOADS="$payloads" BENCH_THREADS="$THREADS" BENCH_RUN_ID="$instances-$$" \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d3600s --timeout 10s --latency -s bench/e2e.lua "$BASE/webhooks/github" \
    >"$tmp/wrk-$instances.out" 2>"$tmp/wrk-$instances.err" &
  wrk_pid=$!
  await_stored "$wrk_pid" "$tmp/wrk-$instances.err" "$(( base + N ))"
  t_stored="$(now)"
  kill -INT "$wrk_pid"
  wait "$wrk_pid" || true
  stored="$(( $(stable_count) - base ))"
  log "stored $stored deliveries in $(secs "$t0" "$t_stored") s; waiting for every job"

  await_drained
  t_done="$(now)"
  jvm_us="$(awk -v a="$jvm0" -v b="$(cpu_seconds "$pid")" -v n="$stored" 'BEGIN { printf "%.0f", (b - a) * 1e6 / n }')"
  pg_us="$(awk -v a="$pg0" -v b="$(cpu_seconds postgres)" -v n="$stored" 'BEGIN { printf "%.0f", (b - a) * 1e6 / n }')"
  rss="$(peak_rss_mib "$pid")"
  thread_cpu "$pid" >"$tmp/threads1-$instances"

  val() { sed -n "s/^$1=//p" "$tmp/wrk-$instances.out"; }
  total="$(secs "$t0" "$t_done")"
  rate="$(awk -v n="$stored" -v t="$total" 'BEGIN { printf "%.0f", n / t }')"
  echo
  echo "processor instances per queue: $instances"
  echo "deliveries stored: $stored   2xx: $(val responses_2xx)   non-2xx: $(val responses_non2xx)   p50 ms: $(val latency_p50_ms)   p99 ms: $(val latency_p99_ms)"
  echo "ingest: $(secs "$t0" "$t_stored") s ($(awk -v n="$stored" -v t="$(secs "$t0" "$t_stored")" 'BEGIN { printf "%.0f", n / t }') deliveries/s)"
  echo "drain after ingest: $(secs "$t_stored" "$t_done") s   total: $total s"
  processed_line "$t0" "$stored"
  echo "JVM CPU by thread:"
  thread_cpu_top "$tmp/threads0-$instances" "$tmp/threads1-$instances" 8
  echo "end-to-end events/s: $rate   (REPOS=$REPOS)"
  echo "cpu us/event: jvm $jvm_us postgres $pg_us   peak rss: $rss MiB"
  echo "jobs: done $done, ignored $ignored, dead $dead"
  job_table
  if (( dead > 0 )); then
    echo "DEAD LETTERS: $dead"
    failed=1
  fi
  errors="$(grep -ciE 'ERROR|Exception' "$hookyard_log" || true)"
  (( errors > 0 )) && echo "$(basename "$hookyard_log"): $errors ERROR/exception lines"
  summary+=("$instances $stored $total $rate $jvm_us $pg_us $rss")
  stop_hookyard
done

echo
echo "summary (N=$N, REPOS=$REPOS, $CONNECTIONS connections)"
printf '  %-10s %10s %10s %14s %14s %14s %14s\n' instances stored seconds events/s "jvm us/event" "pg us/event" "peak rss MiB"
first=""
for row in "${summary[@]}"; do
  read -r i s t r j p m <<<"$row"
  printf '  %-10s %10s %10s %14s %14s %14s %14s\n' "$i" "$s" "$t" "$r" "$j" "$p" "$m"
  [[ -z "$first" ]] && first="$r"
done
if (( ${#summary[@]} > 1 )); then
  read -r _ _ _ last _ <<<"${summary[-1]}"
  echo "  ratio last/first: $(awk -v a="$first" -v b="$last" 'BEGIN { printf "%.2f", b / a }')"
fi
exit $failed

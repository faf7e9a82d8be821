#!/usr/bin/env bash
# Reprocess benchmark: the ack latency of live deliveries at a fixed rate while a
# reprocess runs over N stored deliveries.
#
#   1. a fresh all-roles hookyard on an embedded database, REPOS (50) tracked
#      repositories (as bench/e2e.sh tracks them), N (50,000) deliveries of the e2e mix
#      posted with wrk at full speed, and every job they cause drained;
#   2. baseline: deliveries at RATE per second (FixedRateLoad: latency counted from when
#      each request was due), WARMUP s, then DURATION s measured;
#   3. POST /api/v1/reprocess over exactly the N stored deliveries (dry run first, for
#      the plan), and the same fixed-rate load at once, measured while it runs; then it
#      waits for the reprocess to finish and prints how long it took.
#
# Knobs (env): N (50000), REPOS (50), RATE (50), WARMUP (30), DURATION (60),
#   CONNECTIONS (64, for storing and for the fixed rate), THREADS (2),
#   BATCH (HOOKYARD_OPERATIONS_BATCH) and OPS_RATE (HOOKYARD_OPERATIONS_RATE; 0 for
#   unpaced), unset: hookyard's defaults, 100 a step at most 250/s, PORT (18183), SKIP_BUILD=1, KEEP=1,
#   DRAIN_TIMEOUT (1800 s).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

N="${N:-50000}"
REPOS="${REPOS:-50}"
RATE="${RATE:-50}"
WARMUP="${WARMUP:-30}"
DURATION="${DURATION:-60}"
CONNECTIONS="${CONNECTIONS:-64}"
THREADS="${THREADS:-2}"
PORT="${PORT:-18183}"

BENCH_TAG=reprocess
source "$ROOT/bench/lib.sh"
build_jar
need_wrk

payloads="$tmp/payloads.bin"
live="$tmp/live.bin"
log "generating $N signed deliveries, and $(( RATE * (WARMUP + DURATION) + 1000 )) for the fixed-rate runs"
python3 bench/e2e_payloads.py "$(( N + N / 10 ))" "$secret" "$payloads" "$REPOS"
python3 bench/e2e_payloads.py "$(( RATE * (WARMUP + DURATION) + 1000 ))" "$secret" "$live" "$REPOS"

start_hookyard reprocess HOOKYARD_ROLES=all ${BATCH:+HOOKYARD_OPERATIONS_BATCH="$BATCH"} ${OPS_RATE:+HOOKYARD_OPERATIONS_RATE="$OPS_RATE"}
track_bench_repository "$REPOS"
since="$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)"

log "posting until $N deliveries are stored"
BENCH_PAYLOADS="$payloads" BENCH_THREADS="$THREADS" BENCH_RUN_ID="stored-$$" \
  wrk -t"$THREADS" -c"$CONNECTIONS" -d3600s --timeout 10s --latency -s bench/e2e.lua "$BASE/webhooks/github" \
  >"$tmp/wrk.out" 2>"$tmp/wrk.err" &
wrk_pid=$!
await_stored "$wrk_pid" "$tmp/wrk.err"
kill -INT "$wrk_pid"
wait "$wrk_pid" || true
stored="$(stable_count)"
until_at="$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)"
log "stored $stored deliveries; waiting for every job"
await_drained

fixed_rate() { # <run id> <warm-up s> <output>
  URL="$BASE/webhooks/github" PAYLOADS="$live" RATE="$RATE" WARMUP="$2" DURATION="$DURATION" \
    CONNECTIONS="$CONNECTIONS" RUN_ID="$1-$$" java -cp "$JAR" dev.hookyard.app.FixedRateLoad >"$3"
}
val() { sed -n "s/^$2=//p" "$1"; }

log "baseline: $RATE/s, $WARMUP s of warm-up, then $DURATION s measured, no reprocess"
fixed_rate baseline "$WARMUP" "$tmp/baseline.out"
await_drained

range="{\"since\":\"$since\",\"until\":\"$until_at\"}"
plan="$(admin POST /api/v1/reprocess "${range%\}},\"dry_run\":true}")"
log "plan: $plan"
started="$(admin POST /api/v1/reprocess "$range")"
id="$(printf '%s' "$started" | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')"
t0="$(now)"
log "reprocess $id started; $RATE/s for $DURATION s measured while it runs"
fixed_rate during 0 "$tmp/during.out"
progress() {
  admin GET "/api/v1/reprocess/$id" | python3 -c '
import json, sys
o = json.load(sys.stdin)
print(o["status"], o["total"], o["queued_jobs"], o["done"], o["ignored"], o["failed"], o["waiting"])'
}
read -r status total fed done_n ignored_n failed_n waiting_n < <(progress)
at_end="$(( done_n + ignored_n + failed_n ))"
log "when the measured window ended: $status, $at_end of $total reprocessed"
while [[ "$status" == running ]]; do
  sleep 1
  read -r status total fed done_n ignored_n failed_n waiting_n < <(progress)
  (( $(date +%s) - ${t0%.*} > ${DRAIN_TIMEOUT:-1800} )) && die "reprocess $id still running after ${DRAIN_TIMEOUT:-1800} s"
done
t1="$(now)"
await_drained

echo
echo "reprocess bench: N=$N stored ($stored), REPOS=$REPOS, fixed rate $RATE/s for $DURATION s, batch ${BATCH:-default}, operations rate ${OPS_RATE:-default}, all roles"
echo "plan: $plan"
for run in baseline during; do
  f="$tmp/$run.out"
  printf '%-9s achieved %s/s  2xx %s  non-2xx %s  errors %s  ack ms: p50 %s  p99 %s  p99.9 %s  max %s\n' "$run" \
    "$(val "$f" rate_per_s)" "$(val "$f" responses_2xx)" "$(val "$f" responses_non2xx)" "$(val "$f" errors)" \
    "$(val "$f" latency_p50_ms)" "$(val "$f" latency_p99_ms)" "$(val "$f" latency_p999_ms)" "$(val "$f" latency_max_ms)"
done
echo "reprocess $id: $status, $total deliveries (done $done_n, ignored $ignored_n, failed $failed_n) in $(secs "$t0" "$t1") s;" \
  "$at_end of them by the end of the measured window"
echo "jobs after: $(job_totals | awk '{ printf "pending %s, done %s, ignored %s, dead %s", $1, $2, $3, $4 }')"
[[ "$status" == done && "$failed_n" == 0 ]]

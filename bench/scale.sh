#!/usr/bin/env bash
# Scale-out benchmark: the roles as separate processes — one gateway (which also runs
# the embedded PostgreSQL the others connect to, unless HOOKYARD_DB_URL names an
# external one), one scheduler, and 1, 2, 3 … processors processes, clustered over
# loopback. Deliveries of every kind for a tracked repository are posted with wrk
# until N are stored; the clock runs until every job is done. Prints end-to-end
# events/s per processors count, the ratio to one process, and where the CPU went.
#
# Knobs (env):
#   N (20000)            deliveries to store per run
#   REPOS (50)           repositories the deliveries are spread over, as bench/e2e.sh
#   WARMUP_N (10000)     other deliveries posted and processed first, unmeasured, in rounds for
#                        WARMUP_S (90) seconds, as bench/e2e.sh
#   PROCESSORS ("1 2 3") processors processes per run
#   CONNECTIONS (64), THREADS (2), PORT (18190: gateway; the others take the next ports)
#   HOOKYARD_DB_URL      an external PostgreSQL (else the gateway's embedded one)
#   DRAIN_TIMEOUT (1800), SKIP_BUILD=1, KEEP=1
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

N="${N:-20000}"
REPOS="${REPOS:-50}"
WARMUP_N="${WARMUP_N:-10000}"
PROCESSORS="${PROCESSORS:-1 2 3}"
CONNECTIONS="${CONNECTIONS:-64}"
THREADS="${THREADS:-2}"
PORT="${PORT:-18190}"
DRAIN_TIMEOUT="${DRAIN_TIMEOUT:-1800}"
EXTERNAL_DB="${HOOKYARD_DB_URL:-}"

BENCH_TAG=scale
source "$ROOT/bench/lib.sh"
build_jar
need_wrk

payloads="$tmp/payloads.bin"
log "generating $N signed deliveries"
python3 bench/e2e_payloads.py "$(( N + N / 10 ))" "$secret" "$payloads" "$REPOS"

declare -A pids=()
roles_started=()

# start_role <name> <http port> [VAR=value …]: one process; returns once /ready answers.
start_role() {
  local name="$1" port="$2"
  shift 2
  env HOOKYARD_DATA_DIR="$tmp/$run/$name" HOOKYARD_HTTP_PORT="$port" HOOKYARD_CLUSTER=true \
    HOOKYARD_CLUSTER_NAME="bench-$run-$$" HOOKYARD_CLUSTER_PORT="$cluster_port" \
    HOOKYARD_WEBHOOK_SECRETS="$secret" HOOKYARD_ADMIN_TOKEN="$token" \
    ${db_url:+HOOKYARD_DB_URL="$db_url"} "$@" \
    java -Xmx768m -jar "$JAR" >"$tmp/$run/$name.log" 2>&1 &
  pids[$name]=$!
  roles_started+=("$name")
  local i
  for i in $(seq 1 120); do
    kill -0 "${pids[$name]}" 2>/dev/null || { tail -n 20 "$tmp/$run/$name.log" >&2; die "$name exited during startup"; }
    [[ "$(curl -s -m 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/ready" || true)" == 200 ]] && return
    sleep 1
  done
  die "$name not ready after 120 s"
}

stop_roles() {
  local name
  for name in "${roles_started[@]}"; do
    kill -TERM "${pids[$name]}" 2>/dev/null || true
  done
  for name in "${roles_started[@]}"; do
    for _ in $(seq 1 60); do kill -0 "${pids[$name]}" 2>/dev/null || break; sleep 1; done
    kill -KILL "${pids[$name]}" 2>/dev/null || true
  done
  roles_started=()
  stop_hookyard
}
trap 'stop_roles; cleanup' EXIT

# CPU seconds (user + system) a process and its reaped children used so far.
cpu_of() {
  awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15 + $16 + $17) / hz }' "/proc/$1/stat" 2>/dev/null || echo 0
}
# CPU seconds of the whole machine so far (every state but idle and iowait).
cpu_all() {
  awk -v hz="$(getconf CLK_TCK)" '/^cpu / { print ($2 + $3 + $4 + $7 + $8) / hz }' /proc/stat
}

summary=()
failed=0
for procs in $PROCESSORS; do
  run="p$procs"
  mkdir -p "$tmp/$run"
  cluster_port=$(( 25701 + procs * 20 ))
  db_url="$EXTERNAL_DB"
  start_role gateway "$PORT" HOOKYARD_ROLES=gateway
  if [[ -z "$db_url" ]]; then
    pg_port="$(sed -n 's/.*Embedded PostgreSQL on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/$run/gateway.log" | head -n1)"
    [[ -n "$pg_port" ]] || die "the gateway's embedded PostgreSQL port is not in its log"
    pg_password="$(cat "$tmp/$run/gateway/db-password" 2>/dev/null || echo postgres)"
    db_url="postgresql://postgres:$pg_password@127.0.0.1:$pg_port/postgres"
  fi
  start_role scheduler "$(( PORT + 1 ))" HOOKYARD_ROLES=scheduler
  for p in $(seq 1 "$procs"); do
    start_role "processors-$p" "$(( PORT + 1 + p ))" HOOKYARD_ROLES=processors
  done
  track_bench_repository "$REPOS"

  warm_up "$run" "$tmp/$run/warm"

  declare -A cpu0=()
  for name in "${roles_started[@]}"; do cpu0[$name]="$(cpu_of "${pids[$name]}")"; done
  all0="$(cpu_all)"
  log "run with $procs processors process(es): posting until $N deliveries are stored"
  t0="$(now)"
  BENCH_PAYLOADS="$payloads" BENCH_THREADS="$THREADS" BENCH_RUN_ID="$run-$$" \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d3600s --timeout 10s --latency -s bench/e2e.lua "$BASE/webhooks/github" \
    >"$tmp/$run/wrk.out" 2>"$tmp/$run/wrk.err" &
  wrk_pid=$!
  wrk_cpu0="$(cpu_of "$wrk_pid")"
  await_stored "$wrk_pid" "$tmp/$run/wrk.err" "$(( base + N ))"
  t_stored="$(now)"
  wrk_cpu="$(awk -v a="$wrk_cpu0" -v b="$(cpu_of "$wrk_pid")" 'BEGIN { printf "%.1f", b - a }')"
  kill -INT "$wrk_pid"
  wait "$wrk_pid" || true
  stored="$(( $(stable_count) - base ))"
  log "stored $stored deliveries in $(secs "$t0" "$t_stored") s; waiting for every job"
  await_drained
  t_done="$(now)"
  total="$(secs "$t0" "$t_done")"
  rate="$(awk -v n="$stored" -v t="$total" 'BEGIN { printf "%.0f", n / t }')"
  all="$(awk -v a="$all0" -v b="$(cpu_all)" 'BEGIN { printf "%.1f", b - a }')"
  split=""
  jvms=0
  for name in "${roles_started[@]}"; do
    used="$(awk -v a="${cpu0[$name]}" -v b="$(cpu_of "${pids[$name]}")" 'BEGIN { printf "%.1f", b - a }')"
    jvms="$(awk -v a="$jvms" -v b="$used" 'BEGIN { print a + b }')"
    split+="$name ${used}s ($(awk -v u="$used" -v n="$stored" 'BEGIN { printf "%.0f", u * 1e6 / n }') us/event, peak rss $(peak_rss_mib "${pids[$name]}") MiB), "
  done
  rest="$(awk -v a="$all" -v j="$jvms" -v w="$wrk_cpu" 'BEGIN { printf "%.1f", a - j - w }')"
  split+="wrk ${wrk_cpu}s, PostgreSQL and the rest ${rest}s of ${all}s"
  echo
  echo "processors processes: $procs   stored: $stored   total: $total s   end-to-end events/s: $rate   dead: $dead"
  echo "CPU: $split"
  processed_line "$t0" "$stored"
  (( dead > 0 )) && failed=1
  summary+=("$procs|$stored|$total|$rate|$split")
  stop_roles
done

echo
echo "summary (N=$N, REPOS=$REPOS, $CONNECTIONS connections, $(nproc) cores, ${EXTERNAL_DB:+external}${EXTERNAL_DB:-embedded} PostgreSQL)"
printf '  %-10s %8s %8s %10s %8s  %s\n' processors stored seconds events/s ratio "CPU split"
first=""
for row in "${summary[@]}"; do
  IFS='|' read -r p s t r c <<<"$row"
  [[ -z "$first" ]] && first="$r"
  printf '  %-10s %8s %8s %10s %8s  %s\n' "$p" "$s" "$t" "$r" "$(awk -v a="$first" -v b="$r" 'BEGIN { printf "%.2f", b / a }')" "$c"
done
exit $failed

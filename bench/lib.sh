# Shared by the benchmark scripts: build, wrk, one hookyard process on an embedded
# database in a temp dir, and a cleanup that leaves nothing running.
#
# The caller sets BENCH_TAG (log prefix) and PORT, then sources this file from the
# repository root. It provides: log, die, build_jar, need_wrk, start_hookyard,
# stop_hookyard, stored_count, stable_count, and $tmp (removed on exit unless KEEP=1).

JAR="app/target/hookyard.jar"
BASE="http://127.0.0.1:$PORT"

log() { echo "[$BENCH_TAG] $*" >&2; }
die() { log "$*"; exit 1; }

build_jar() {
  if [[ "${SKIP_BUILD:-}" != 1 ]]; then
    log "building $JAR"
    # Debian's Maven prints colour resets even in batch mode; keep the output clean.
    mvn -B -q -DskipTests package 2>&1 | sed 's/\x1b\[[0-9;]*m//g' >&2
  fi
  [[ -f "$JAR" ]] || die "$JAR not found (build it, or unset SKIP_BUILD)"
}

need_wrk() {
  command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk) >&2
  command -v wrk >/dev/null || die "wrk is not available"
}

tmp="$(mktemp -d -t "hookyard-$BENCH_TAG.XXXXXX")"
pid=""

# Stops the hookyard started last: SIGTERM lets it drain and stop its embedded
# PostgreSQL; a JVM that had to be killed leaves its postmaster behind, stopped here
# by its own pid file.
stop_hookyard() {
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -0 "$pid" 2>/dev/null && { log "hookyard did not stop in 60 s; killing it"; kill -KILL "$pid" 2>/dev/null || true; }
    wait "$pid" 2>/dev/null || true
  fi
  pid=""
  local pm
  while IFS= read -r pm; do
    local pgpid
    pgpid="$(head -n1 "$pm" 2>/dev/null || true)"
    if [[ "$pgpid" =~ ^[0-9]+$ ]] && kill -0 "$pgpid" 2>/dev/null; then
      log "stopping leftover PostgreSQL (pid $pgpid)"
      kill -INT "$pgpid" 2>/dev/null || true
      for _ in $(seq 1 30); do kill -0 "$pgpid" 2>/dev/null || break; sleep 1; done
    fi
  done < <(find "$tmp" -name postmaster.pid 2>/dev/null)
}

cleanup() {
  local rc=$?
  stop_hookyard
  if [[ $rc -ne 0 && -f "${hookyard_log:-}" ]]; then
    log "last lines of $hookyard_log:"
    tail -n 30 "$hookyard_log" >&2 || true
  fi
  if [[ "${KEEP:-}" == 1 ]]; then
    log "kept $tmp"
  else
    rm -rf "$tmp"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_hookyard <name> [VAR=value …]: a fresh data dir $tmp/<name>, the given
# environment on top of port, secrets and token; returns once /ready answers.
start_hookyard() {
  local name="$1"
  shift
  # Another server on the port would answer /ready and the counts for us.
  curl -s -m 5 -o /dev/null "$BASE/health" && die "port $PORT is already in use (set PORT)"
  hookyard_log="$tmp/$name.log"
  log "starting hookyard ($name) on port $PORT"
  env HOOKYARD_DATA_DIR="$tmp/$name" HOOKYARD_HTTP_PORT="$PORT" HOOKYARD_CLUSTER=false \
    HOOKYARD_WEBHOOK_SECRETS="$secret" HOOKYARD_ADMIN_TOKEN="$token" \
    ${HOOKYARD_DB_URL:+HOOKYARD_DB_URL="$HOOKYARD_DB_URL"} "$@" \
    java -jar "$JAR" >"$hookyard_log" 2>&1 &
  pid=$!
  local i
  for i in $(seq 1 90); do
    kill -0 "$pid" 2>/dev/null || die "hookyard exited during startup"
    [[ "$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$BASE/ready" || true)" == 200 ]] && break
    [[ $i == 90 ]] && die "hookyard not ready after 90 s"
    sleep 1
  done
  log "ready after ~${i} s"
}

secret="$(openssl rand -hex 20)"
token="$(openssl rand -hex 20)"

# Deliveries stored so far (the health window is one hour; the data dir is fresh).
stored_count() {
  curl -sf -m 30 "$BASE/webhooks/github/health" | sed -n 's/.*"total_events_last_hour":\([0-9]*\).*/\1/p'
}

# Requests still in flight when wrk stops may be stored a little later.
stable_count() {
  local prev cur
  prev="$(stored_count)"
  for _ in $(seq 1 30); do
    sleep 1
    cur="$(stored_count)"
    [[ -n "$cur" && "$cur" == "$prev" ]] && { echo "$cur"; return; }
    prev="$cur"
  done
  die "stored count did not settle (last: ${prev:-none})"
}

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

admin() { # method path [json]
  local out code
  out="$(curl -s -m 30 -w '\n%{http_code}' -X "$1" "$BASE$2" -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' ${3:+-d "$3"})"
  code="${out##*$'\n'}"
  [[ "$code" == 2* ]] || die "$1 $2 answered $code: ${out%$'\n'*}"
  printf '%s' "${out%$'\n'*}"
}

# Sums of the job stats: "<pending> <done> <ignored> <dead>" over every queue.
job_totals() {
  curl -sf -m 30 "$BASE/api/v1/jobs/stats" -H "Authorization: Bearer $token" | python3 -c '
import json, sys
s = json.load(sys.stdin)
total = lambda *keys: sum(q.get(k, 0) for q in s.values() for k in keys)
rollups = sum(s.get("developer-metrics", {}).get(k, 0) for k in ("queued", "running", "failed"))
print(total("queued", "running", "failed"), total("done"), total("ignored"), total("dead"), rollups)'
}

job_table() {
  curl -sf -m 30 "$BASE/api/v1/jobs/stats" -H "Authorization: Bearer $token" | python3 -c '
import json, sys
s = json.load(sys.stdin)
print("  %-32s %8s %8s %8s" % ("queue", "done", "ignored", "dead"))
for name, q in sorted(s.items()):
    print("  %-32s %8d %8d %8d" % (name, q["done"], q["ignored"], q["dead"]))'
}

# The bench workspaces and five users: track_bench_repository [REPOS] tracks REPOS (1)
# repositories, bench-org/bench-repo and bench-org/bench-repo-<r> (as e2e_payloads.py
# names them), each with a project (PLAN.md), spread over three workspaces when there is
# more than one (bench, bench-b, bench-c).
track_bench_repository() {
  local repos="${1:-1}" r name ws
  local slugs=(bench bench-b bench-c) prefixes=(BEN BENB BENC)
  local spaces=$(( repos < 3 ? repos : 3 ))
  for (( w = 0; w < spaces; w++ )); do
    admin POST /api/v1/workspaces "{\"slug\":\"${slugs[w]}\",\"name\":\"Bench ${w}\",\"issue_prefix\":\"${prefixes[w]}\"}" >/dev/null
  done
  for (( r = 0; r < repos; r++ )); do
    name="bench-repo"; (( r > 0 )) && name="bench-repo-$r"
    ws="${slugs[r % spaces]}"
    admin POST "/api/v1/workspaces/$ws/repositories" "{\"full_name\":\"bench-org/$name\",\"default_branch\":\"main\"}" >/dev/null
    admin POST "/api/v1/workspaces/$ws/projects" "{\"repository\":\"bench-org/$name\",\"plan_path\":\"PLAN.md\"}" >/dev/null
  done
  for u in 0 1 2 3 4; do
    admin POST /api/v1/users "{\"login\":\"bench-dev-$u\",\"name\":\"Bench Dev $u\",\"email\":\"bench-dev-$u@bench.example\",\"github_id\":$((900000 + u))}" >/dev/null
  done
}

# CPU seconds (user + system) used so far by process $1, or by every process named
# postgres when $1 is "postgres" (the embedded server's, or the machine's own).
cpu_seconds() {
  local tck pids
  tck="$(getconf CLK_TCK)"
  if [[ "$1" == postgres ]]; then
    pids="$(pgrep -x postgres || true)"
  else
    pids="$1"
  fi
  local p total=0
  for p in $pids; do
    [[ -r "/proc/$p/stat" ]] || continue
    total=$(( total + $(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$p/stat") ))
  done
  awk -v t="$total" -v k="$tck" 'BEGIN { printf "%.2f", t / k }'
}

# thread_cpu <pid>: "<ticks> <thread name>" per thread, numbers in names folded to N,
# so two snapshots subtracted by thread_cpu_top show where a process's CPU went.
thread_cpu() {
  local t
  # A thread may end between the listing and the read: skip it.
  for t in /proc/"$1"/task/*; do
    { awk -v name="$(tr -s '0-9' 'N' <"$t/comm")" '{ sub(/^.*\) /, ""); print $12 + $13, name }' "$t/stat"; } 2>/dev/null || true
  done | awk '{ n = $1; $1 = ""; sum[substr($0, 2)] += n } END { for (k in sum) print sum[k], k }'
}

# thread_cpu_top <before> <after> [N]: the N (10) thread groups that used most CPU between snapshots.
thread_cpu_top() {
  local tck
  tck="$(getconf CLK_TCK)"
  awk -v k="$tck" 'NR == FNR { n = $1; $1 = ""; a[$0] = n; next }
    { n = $1; $1 = ""; d = n - a[$0]; if (d > 0) printf "%8.2f s %s\n", d / k, $0 }' "$1" "$2" | sort -rn | head -"${3:-10}"
}

# Peak resident memory of process $1 so far, in MiB (VmHWM).
peak_rss_mib() {
  awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo "?"
}

# p50 and p99 of hookyard_webhook_ack_seconds (the server's own histogram, from start).
server_ack_quantiles() {
  curl -sf -m 30 "$BASE/metrics" -H "Authorization: Bearer $token" | python3 -c '
import re, sys
buckets = []
for line in sys.stdin:
    m = re.match(r"hookyard_webhook_ack_seconds_bucket\{.*le=\"([^\"]+)\".*\} (\S+)", line)
    if m:
        buckets.append((float("inf") if m.group(1) == "+Inf" else float(m.group(1)), float(m.group(2))))
buckets.sort()
total = buckets[-1][1] if buckets else 0
def q(p):
    for le, n in buckets:
        if n >= p * total:
            return "%.1f" % (le * 1000) if le != float("inf") else ">max"
    return "?"
print("p50 <= %s   p99 <= %s   (%d acks)" % (q(0.5), q(0.99), total))'
}

# Waits until every job (follow-ups included) is done; sets pending, done, ignored, dead.
# Sets t_processed to when only developer-metrics rollups were left: they run a debounce
# (HOOKYARD_METRICS_DEBOUNCE_MS, 5 s) after the facts that ask for them, so a run's last
# job waits for it whatever the pipeline's speed.
await_drained() {
  local deadline=$(( $(date +%s) + ${DRAIN_TIMEOUT:-1800} )) rollups
  t_processed=""
  while :; do
    read -r pending done ignored dead rollups < <(job_totals)
    if [[ -z "$t_processed" ]] && (( pending == rollups )); then t_processed="$(now)"; fi
    (( pending == 0 )) && break
    (( $(date +%s) > deadline )) && { job_table >&2; die "jobs still pending after ${DRAIN_TIMEOUT:-1800} s"; }
    # The stats count the history, which costs the server being measured: ask often only near the end.
    if (( pending > 2000 )); then sleep 1; else sleep 0.25; fi
  done
}

# processed_line <t0> <stored>: the rate up to when only the rollups were left (t_processed, from await_drained).
processed_line() {
  local took
  took="$(secs "$1" "$t_processed")"
  echo "every job but the debounced metrics rollups done after: $took s ($(awk -v n="$2" -v t="$took" 'BEGIN { printf "%.0f", n / t }') events/s)"
}

# The warm-up of bench/e2e.sh and bench/scale.sh: rounds
# of WARMUP_N (+10 %) fresh deliveries, numbered after the measured N's and after each
# other's, so they name other commits, pull requests and issues; each round is posted
# until WARMUP_N more are stored and its jobs are waited for, until WARMUP_S seconds have
# passed (one round at least). warm_up <run id> <output prefix> writes each round's
# payloads when it first needs them (later runs reuse them), runs the rounds and sets
# base to the deliveries stored so far (0 without WARMUP_N). 90 s, as bench/ingest.sh:
# after 30 s of this mix the JIT compiler still takes about a third of the JVM's CPU
# (C2 5.1 of 12.4 s over a measured run), after 90 s about a seventh (1.3 of 8.9 s);
# V8 is done sooner, so bench/octokit.sh's 30 s measure it warm.
WARMUP_S="${WARMUP_S:-90}"
warm_payloads_for() { # <round>
  python3 bench/e2e_payloads.py "$(( WARMUP_N + WARMUP_N / 10 ))" "$secret" "$tmp/warm-$1.bin" "$REPOS" \
    "$(( N + N / 10 + $1 * (WARMUP_N + WARMUP_N / 10) ))"
}

warm_up() {
  base=0
  (( WARMUP_N > 0 )) || return 0
  local t0 round=0 target warm_pid
  t0="$(now)"
  while :; do
    [[ -f "$tmp/warm-$round.bin" ]] || warm_payloads_for "$round"
    target=$(( $(stable_count) + WARMUP_N ))
    log "warm-up round $((round + 1)) ($(secs "$t0" "$(now)") s of $WARMUP_S): posting until $WARMUP_N other deliveries are stored, then waiting for their jobs"
    BENCH_PAYLOADS="$tmp/warm-$round.bin" BENCH_THREADS="$THREADS" BENCH_RUN_ID="warm-$1-$round-$$" \
      wrk -t"$THREADS" -c"$CONNECTIONS" -d3600s --timeout 10s -s bench/e2e.lua "$BASE/webhooks/github" \
      >"$2-$round.out" 2>"$2-$round.err" &
    warm_pid=$!
    await_stored "$warm_pid" "$2-$round.err" "$target"
    kill -INT "$warm_pid"
    wait "$warm_pid" || true
    await_drained
    round=$(( round + 1 ))
    awk -v a="$t0" -v b="$(now)" -v w="$WARMUP_S" 'BEGIN { exit !(b - a < w) }' || break
  done
  base="$(stable_count)"
  log "warm-up: $round round(s), $(secs "$t0" "$(now)") s, $base deliveries"
}

# Polls until N deliveries (or $3) are stored while wrk ($1: its pid, $2: its stderr) runs.
await_stored() {
  local count target="${3:-$N}"
  while :; do
    sleep 0.5
    kill -0 "$1" 2>/dev/null || die "wrk stopped early: $(cat "$2")"
    count="$(stored_count)"
    [[ -n "$count" ]] && (( count >= target )) && break
  done
}

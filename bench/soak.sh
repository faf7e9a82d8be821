#!/usr/bin/env bash
# Soak: one all-in-one hookyard (embedded PostgreSQL) under a fixed rate of mixed
# deliveries for DURATION — per 20: 11 pushes, 4 pull requests (one in five of all
# deliveries, each naming one of 50 board issues), 2 reviews, 3 issue events — to show
# that memory stays flat. Every REPORT seconds it prints the JVM's resident memory,
# the heap in use after the latest GC (from its GC log), the data directory's size,
# the jobs not yet finished and the p50/p99 time to a 2xx; at the end, every answer by
# status, the resident memory's slope after WARMUP (MiB/h), and whether the jobs
# drained with no dead letter. Exits non-zero on any answer but a 2xx or a dead letter.
#
# Knobs (env):
#   DURATION (10m)   how long to send: 600, 90s, 10m, 1h
#   RATE (60)        deliveries per second
#   WARMUP (2m)      reports before this are left out of the slope (JIT, caches, pools filling)
#   REPORT (30)      seconds between reports
#   PORT (18230), SKIP_BUILD=1, KEEP=1, BENCH_ENV (extra HOOKYARD_*=… settings)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

seconds_of() { # 600 | 90s | 10m | 1h
  local v="$1"
  case "$v" in
    *h) echo $(( ${v%h} * 3600 )) ;;
    *m) echo $(( ${v%m} * 60 )) ;;
    *s) echo "${v%s}" ;;
    *) echo "$v" ;;
  esac
}

DURATION_S="$(seconds_of "${DURATION:-10m}")"
WARMUP_S="$(seconds_of "${WARMUP:-2m}")"
RATE="${RATE:-60}"
REPORT="${REPORT:-30}"
PORT="${PORT:-18230}"
# A short run still gets a slope: the warm-up is at most a third of it.
(( WARMUP_S * 3 > DURATION_S )) && WARMUP_S=$(( DURATION_S / 3 ))

BENCH_TAG=soak
source "$ROOT/bench/lib.sh"
build_jar

gc_log="$tmp/gc.log"
# shellcheck disable=SC2086
start_hookyard soak HOOKYARD_ROLES=all JAVA_TOOL_OPTIONS="-Xlog:gc:file=$gc_log" ${BENCH_ENV:-}
track_bench_repository 1
log "creating $((50)) board issues in workspace bench"
for n in $(seq 1 50); do
  admin POST /api/v1/workspaces/bench/issues "{\"title\":\"Soak issue $n\",\"description\":\"Named by pull requests of the soak\"}" >/dev/null
done

log "sending $RATE deliveries/s for $DURATION_S s (reports every $REPORT s, warm-up $WARMUP_S s)"
sent_ok=0
python3 bench/soak.py "$BASE" "$secret" "$token" "$pid" "$tmp/soak" "$gc_log" "$DURATION_S" "$RATE" "$WARMUP_S" "$REPORT" || sent_ok=1

DRAIN_TIMEOUT="${DRAIN_TIMEOUT:-300}" await_drained
echo "jobs drained: done $done, ignored $ignored, dead $dead"
errors="$(grep -ciE 'ERROR|Exception' "$hookyard_log" || true)"
echo "log: $(wc -l <"$hookyard_log") lines, $errors ERROR/exception lines; peak rss $(peak_rss_mib "$pid") MiB"
(( dead == 0 )) || { echo "DEAD LETTERS: $dead"; job_table; exit 1; }
exit $sent_ok

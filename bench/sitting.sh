#!/usr/bin/env bash
# One sitting: every end-to-end figure of docs/PERFORMANCE.md, measured one after another
# on this machine and read against bench/octokit.sh's req/s, measured first and last.
# Prints a table of figure, value and ratio; each run's whole output stays in OUT.
#
#   octokit          bench/octokit.sh (the yardstick: verifies, stores nothing)
#   ingest           ROLES=gateway bench/ingest.sh, stored deliveries/s
#   e2e              bench/e2e.sh, REPOS=50 and REPOS=1, events/s, CPU per event, peak RSS
#   apart            PROCESSORS=1 bench/scale.sh, events/s (roles as separate processes)
#   fixed rate       RATE=<a tenth of octokit> bench/ingest.sh, ack p50/p99/p99.9
#   ready            a fresh data directory to the first 200 from /ready, three times
#
# Knobs (env): N (30000, per e2e and scale run), WARMUP_N (10000, in rounds for WARMUP_S, 90 s), OUT (bench-sitting/<time>),
#   SKIP=" … " names of the steps above to leave out.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
N="${N:-30000}"
WARMUP_N="${WARMUP_N:-10000}"
OUT="${OUT:-$ROOT/bench-sitting/$(date +%Y%m%d-%H%M%S)}"
SKIP=" ${SKIP:-} "
mkdir -p "$OUT"
WARMUP_S="${WARMUP_S:-90}"
export N WARMUP_N WARMUP_S

if [[ -z "${SKIP_BUILD:-}" ]]; then
  mvn -B -q -DskipTests package >"$OUT/build.log" 2>&1
fi
export SKIP_BUILD=1

step() { [[ "$SKIP" != *" $1 "* ]]; }
pick() { sed -n "s/$2/\1/p" "$OUT/$1" | tail -n1; }
rows=()
row() { rows+=("$1|$2|$3"); }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "?" }'; }

bash bench/octokit.sh >"$OUT/octokit-1.out" 2>&1
octokit1="$(pick octokit-1.out '.*: \([0-9.]*\) req\/s.*')"
row "bash bench/octokit.sh (first)" "$octokit1 req/s" 1

if step ingest; then
  ROLES=gateway bash bench/ingest.sh >"$OUT/ingest.out" 2>&1
  v="$(pick ingest.out '^stored deliveries\/s: \([0-9.]*\)')"
  row "ROLES=gateway bash bench/ingest.sh" "$v stored/s" "$(ratio "$v" "$octokit1")"
fi
if step e2e; then
  for repos in 50 1; do
    REPOS=$repos INSTANCES=1 bash bench/e2e.sh >"$OUT/e2e-$repos.out" 2>&1
    v="$(pick "e2e-$repos.out" '^end-to-end events\/s: \([0-9]*\).*')"
    cpu="$(pick "e2e-$repos.out" '^cpu us\/event: \(.*\)')"
    row "REPOS=$repos bash bench/e2e.sh" "$v events/s ($cpu)" "$(ratio "$v" "$octokit1")"
  done
fi
if step apart; then
  PROCESSORS=1 bash bench/scale.sh >"$OUT/scale.out" 2>&1
  v="$(sed -n 's/.*end-to-end events\/s: \([0-9]*\).*/\1/p' "$OUT/scale.out" | tail -n1)"
  e2e="$(pick e2e-50.out '^end-to-end events\/s: \([0-9]*\).*' 2>/dev/null || true)"
  row "PROCESSORS=1 bash bench/scale.sh" "$v events/s" "$(ratio "$v" "${e2e:-0}") of e2e REPOS=50"
fi
if step rate; then
  rate="$(awk -v o="$octokit1" 'BEGIN { printf "%d", o / 10 }')"
  RATE=$rate DURATION=60 WARMUP=30 bash bench/ingest.sh >"$OUT/rate.out" 2>&1
  row "RATE=$rate DURATION=60 WARMUP=30 bash bench/ingest.sh" "$(pick rate.out '^ack latency ms: \(.*\)')" \
    "achieved $(pick rate.out '^achieved: \([0-9.]*\)\/s.*')/s"
fi
if step ready; then
  for i in 1 2 3; do
    d="$(mktemp -d)"
    t0="$(date +%s.%N)"
    HOOKYARD_DATA_DIR="$d" HOOKYARD_HTTP_PORT=18199 java -jar "$ROOT/app/target/hookyard.jar" >"$OUT/ready-$i.log" 2>&1 &
    p=$!
    for _ in $(seq 1 1200); do
      [[ "$(curl -s -m 1 -o /dev/null -w '%{http_code}' http://127.0.0.1:18199/ready || true)" == 200 ]] && break
      sleep 0.05
    done
    t="$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')"
    kill "$p"; wait "$p" || true
    rm -rf "$d"
    row "ready on a fresh data directory ($i)" "$t s" "-"
  done
fi

bash bench/octokit.sh >"$OUT/octokit-2.out" 2>&1
octokit2="$(pick octokit-2.out '.*: \([0-9.]*\) req\/s.*')"
row "bash bench/octokit.sh (last)" "$octokit2 req/s" "$(ratio "$octokit2" "$octokit1")"

echo
echo "one sitting, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, N=$N WARMUP_N=$WARMUP_N WARMUP_S=$WARMUP_S (ratios against the first octokit run)"
printf '| %s | %s | %s |\n' command figure "× octokit"
printf '| --- | ---: | ---: |\n'
for r in "${rows[@]}"; do
  IFS='|' read -r a b c <<<"$r"
  printf '| `%s` | %s | %s |\n' "$a" "$b" "$c"
done
echo "(outputs in $OUT)"

#!/usr/bin/env bash
# Board and matching benchmark: a workspace of ISSUES (5,000) open issues whose
# embeddings the in-process model computes, then PRS (1,000) pull requests opened at
# RATE (50) per second against a local fake LLM (OpenAI-compatible, LLM_DELAY_MS
# each). Prints the matching layers' p50/p99 (explicit identifiers, semantic top-k
# over the workspace, LLM verification) from /metrics, and the latency from a
# webhook's 202 to its board message on the Server-Sent Events stream.
#
# Floors: semantic top-10 ≤ 20 ms p99 at 5,000 issues; webhook → board message ≤ 250 ms
# p99 at 50 PRs/s.
#
# The first WARMUP (500) pull requests, sent at the same rate just before, warm the
# process (JIT, the first load of the workspace's vectors); their figures print apart.
#
# Knobs (env): ISSUES, PRS, RATE, WARMUP, TOP_K (10), LLM_DELAY_MS (30), PORT (18200), BENCH_ENV (extra
# HOOKYARD_*=… settings), SKIP_BUILD=1, KEEP=1
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

ISSUES="${ISSUES:-5000}"
PRS="${PRS:-1000}"
RATE="${RATE:-50}"
TOP_K="${TOP_K:-10}"
WARMUP="${WARMUP:-500}"
LLM_DELAY_MS="${LLM_DELAY_MS:-30}"
PORT="${PORT:-18200}"
LLM_PORT="$(( PORT + 1 ))"

BENCH_TAG=matching
source "$ROOT/bench/lib.sh"
build_jar

# The fake LLM must not be the bottleneck: Node's HTTP server when there is one.
if command -v node >/dev/null; then
  node bench/fake_llm.js "$LLM_PORT" "$LLM_DELAY_MS" &
else
  python3 bench/matching_load.py fake-llm "$LLM_PORT" "$LLM_DELAY_MS" &
fi
llm_pid=$!
trap 'kill "$llm_pid" 2>/dev/null || true; cleanup' EXIT

start_hookyard matching HOOKYARD_ROLES=all HOOKYARD_AI_PROVIDER=openai HOOKYARD_AI_URL="http://127.0.0.1:$LLM_PORT/v1" \
  HOOKYARD_AI_MODEL=bench HOOKYARD_MATCHING_TOP_K="$TOP_K" HOOKYARD_METRICS_POOLS=true ${BENCH_ENV:-}
admin POST /api/v1/workspaces '{"slug":"bench","name":"Bench","issue_prefix":"BENCH"}' >/dev/null
admin POST /api/v1/workspaces/bench/repositories '{"full_name":"bench-org/bench-repo","default_branch":"main"}' >/dev/null

log "creating $ISSUES issues"
t0="$(now)"
python3 bench/matching_load.py issues "$BASE" "$token" "$ISSUES"
log "created in $(secs "$t0" "$(now)") s; waiting for their embeddings"
while :; do
  read -r pending _ _ _ _ < <(job_totals)
  (( pending == 0 )) && break
  sleep 1
done
log "embeddings done $(secs "$t0" "$(now)") s after the first issue"

curl -sf "$BASE/metrics" >"$tmp/metrics-before.txt"
METRICS_AT_WARM_END="$tmp/metrics-warm.txt" python3 bench/matching_load.py prs "$BASE" "$token" "$secret" "$PRS" "$RATE" "$ISSUES" "$WARMUP"
while :; do
  read -r pending _ _ dead _ < <(job_totals)
  (( pending == 0 )) && break
  sleep 1
done

curl -sf "$BASE/metrics" >"$tmp/metrics-after.txt"
echo "matching layers (ms, from the buckets of /metrics scraped before the PRs, as the measured ones begin, and after; a bucket's upper bound; $ISSUES open issues, top-$TOP_K, LLM answering in $LLM_DELAY_MS ms):"
python3 bench/matching_report.py layers "$tmp/metrics-before.txt" "$tmp/metrics-warm.txt" "$tmp/metrics-after.txt" "$WARMUP"
echo "job handler time by queue (mean ms, from /metrics):"
curl -sf "$BASE/metrics" | python3 -c '
import re, sys
sums, counts = {}, {}
for line in sys.stdin:
    m = re.match(r"hookyard_job_duration_seconds_(sum|count)\{(.*)\} ([0-9.eE+-]+)$", line.strip())
    if m:
        queue = dict(re.findall(r"(\w+)=\"([^\"]*)\"", m.group(2)))["queue"]
        (sums if m.group(1) == "sum" else counts)[queue] = (sums if m.group(1) == "sum" else counts).get(queue, 0) + float(m.group(3))
for queue in ("webhook.pull_request", "board-automation", "board-matching", "issue-embedding"):
    if counts.get(queue):
        print("  %-21s %6d jobs   mean %8.2f" % (queue, counts[queue], sums[queue] / counts[queue] * 1000))'
python3 bench/matching_report.py waits "$tmp/metrics-before.txt" "$tmp/metrics-warm.txt" "$tmp/metrics-after.txt" "$WARMUP"
echo "dead letters: $dead"

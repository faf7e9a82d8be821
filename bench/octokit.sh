#!/usr/bin/env bash
# Baseline for bench/ingest.sh: @octokit/webhooks (Node) verifying the same signed push
# payload and storing nothing, driven by the same wrk script, connections and timings.
# Prints its req/s so ingest figures can be read against it on the same machine.
#
# Knobs (env): PORT (18183), DURATION (15), CONNECTIONS (64), THREADS (2),
#   WARMUP (30, seconds), OCTOKIT_VERSION (14.2.0), KEEP=1
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PORT="${PORT:-18183}"
DURATION="${DURATION:-15}"
CONNECTIONS="${CONNECTIONS:-64}"
THREADS="${THREADS:-2}"
WARMUP="${WARMUP:-30}"
OCTOKIT_VERSION="${OCTOKIT_VERSION:-14.2.0}"

BENCH_TAG=octokit
source "$ROOT/bench/lib.sh"
need_wrk
command -v node >/dev/null || die "node is not available"

fixture="$ROOT/../shared/fixtures/github/push.none.0.json"
[[ -f "$fixture" ]] || die "$fixture not found"
body="$tmp/push.json"
cp "$fixture" "$body"
sig="sha256=$(openssl dgst -sha256 -hmac "$secret" -r "$body" | cut -d' ' -f1)"

log "installing @octokit/webhooks@$OCTOKIT_VERSION"
(cd "$tmp" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund "@octokit/webhooks@$OCTOKIT_VERSION" >&2)
cat >"$tmp/server.mjs" <<'JS'
import http from "node:http";
import { Webhooks, createNodeMiddleware } from "@octokit/webhooks";
const webhooks = new Webhooks({ secret: process.env.SECRET });
webhooks.onAny(() => {});
http.createServer(createNodeMiddleware(webhooks, { path: "/webhooks/github" })).listen(Number(process.env.PORT), "127.0.0.1");
JS
hookyard_log="$tmp/octokit.log"
(cd "$tmp" && SECRET="$secret" PORT="$PORT" exec node server.mjs) >"$hookyard_log" 2>&1 &
pid=$!
for i in $(seq 1 30); do
  curl -s -m 2 -o /dev/null -X POST "$BASE/webhooks/github" && break
  [[ $i == 30 ]] && die "octokit server did not start"
  sleep 0.5
done

run_wrk() { # run_id seconds output
  BENCH_BODY="$body" BENCH_SIG="$sig" BENCH_RUN_ID="$1" \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$2"s --timeout 10s --latency -s bench/ingest.lua "$BASE/webhooks/github" >"$3"
}
log "warm-up: ${WARMUP} s"
run_wrk warm "$WARMUP" "$tmp/warmup.out"
log "measured run: ${DURATION} s, $CONNECTIONS connections"
run_wrk run "$DURATION" "$tmp/run.out"
val() { sed -n "s/^$1=//p" "$tmp/run.out"; }
[[ "$(val responses_non2xx)" == 0 ]] || die "octokit answered non-2xx: $(val responses_non2xx)"
echo "octokit/webhooks $OCTOKIT_VERSION (verifies, stores nothing): $(awk -v n="$(val responses_2xx)" -v d="$(val duration_s)" 'BEGIN { printf "%.1f", n / d }') req/s, p50 $(val latency_p50_ms) ms, p99 $(val latency_p99_ms) ms"

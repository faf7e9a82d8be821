#!/usr/bin/env bash
# Queue benchmark: noop jobs through hookyard's own queue exactly as production runs
# them (JobQueue and JobWorker with leases, attempts, fencing, retries and dead letters
# on, the default queue settings): N jobs enqueued in batches of 1,000, then drained.
# With PEER=1, graphile-worker (bench/graphile.sh: 0.17.3 on Node, its perfTest
# settings) drains N noop jobs on the same PostgreSQL server after each round, and the
# ratio of the medians is printed.
#
# Prints per round, then the medians:
#   queue jobs/s: <drain rate>    enqueue jobs/s: <n>
#   cpu us/job: jvm <a> postgres <b>   (CPU of the JVM and of every process named
#                                        postgres on this machine, during the drain)
#   graphile jobs/s: <n>   ratio hookyard/graphile: <r>   (with PEER=1)
#
# Knobs (env):
#   N (50000)          jobs per round
#   ROUNDS (2)         rounds; with PEER=1 they alternate hookyard, graphile-worker
#   PEER (0)           1: run graphile-worker beside it
#   HOOKYARD_DB_URL    an external PostgreSQL (postgresql://user:pass@host:port/db);
#                      unset, an embedded one in a temp dir
#   HOOKYARD_QUEUE_*   queue settings, as in production (unset: the defaults)
#   SKIP_BUILD=1       reuse app/target/hookyard.jar
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
JAR="app/target/hookyard.jar"

if [[ "${SKIP_BUILD:-}" != 1 ]]; then
  echo "[queue] building $JAR" >&2
  mvn -B -q -DskipTests package 2>&1 | sed 's/\x1b\[[0-9;]*m//g' >&2
fi
[[ -f "$JAR" ]] || { echo "[queue] $JAR not found" >&2; exit 1; }

peer=()
if [[ "${PEER:-0}" == 1 ]]; then
  command -v node >/dev/null || { echo "[queue] PEER=1 needs node" >&2; exit 1; }
  peer=(PEER="bash $ROOT/bench/graphile.sh")
fi

env N="${N:-50000}" ROUNDS="${ROUNDS:-2}" HOOKYARD_LOG_LEVEL="${HOOKYARD_LOG_LEVEL:-WARN}" "${peer[@]}" \
  java -cp "$JAR" dev.hookyard.app.QueueBench

#!/usr/bin/env bash
# Baseline for the hookyard queue figures: graphile-worker (Node) draining N no-op jobs
# from the PostgreSQL server at DB_URL, with the settings of graphile-worker's own
# perfTest (perfTest/graphile.config.js): 24 concurrent jobs, a 25-connection pool, a
# 500-job local queue (refetch delay 10 ms) and batched completion (delay 0 ms).
#
# It runs graphile-worker's migrations (schema graphile_worker), empties its jobs table,
# enqueues N jobs with batched add_jobs calls, then starts one worker with run() and
# times it from start until every job has run and the jobs table is empty again. During
# the drain it samples CPU of the node process (process.cpuUsage) and of every local
# process named postgres (/proc/<pid>/stat), so the PostgreSQL figures only mean
# something when DB_URL points at a server on this machine. Prints to stdout:
#   graphile enqueue jobs/s: <n>
#   graphile jobs/s: <n>
#   graphile node cpu s: <x>
#   graphile postgres cpu s: <x>
#   graphile cpu us/job: node <a> postgres <b>
# and exits non-zero if the jobs do not drain within DRAIN_TIMEOUT.
#
# Knobs (env): DB_URL (required, postgresql://user:pass@host:port/db), N (50000),
#   CONCURRENCY (24), POOL (25), LOCAL_QUEUE (500; -1 disables it), BATCH_DELAY (0, ms
#   for completeJobBatchDelay/failJobBatchDelay; -1 disables batching),
#   ENQUEUE_BATCH (10000 jobs per add_jobs call), DRAIN_TIMEOUT (300, seconds),
#   GRAPHILE_VERSION (0.17.3), KEEP=1 keeps the temp dir.
# The npm install is cached in ${XDG_CACHE_HOME:-$HOME/.cache}/hookyard-bench/.
set -euo pipefail

DB_URL="${DB_URL:-}"
N="${N:-50000}"
CONCURRENCY="${CONCURRENCY:-24}"
POOL="${POOL:-25}"
LOCAL_QUEUE="${LOCAL_QUEUE:-500}"
BATCH_DELAY="${BATCH_DELAY:-0}"
ENQUEUE_BATCH="${ENQUEUE_BATCH:-10000}"
DRAIN_TIMEOUT="${DRAIN_TIMEOUT:-300}"
GRAPHILE_VERSION="${GRAPHILE_VERSION:-0.17.3}"

log() { echo "[graphile] $*" >&2; }
die() { log "$*"; exit 1; }

[[ -n "$DB_URL" ]] || die "DB_URL is required (postgresql://user:pass@host:port/db)"
[[ "$DB_URL" =~ ^postgres(ql)?:// ]] || die "DB_URL must be a postgresql:// URL"
for knob in N CONCURRENCY POOL ENQUEUE_BATCH DRAIN_TIMEOUT; do
  [[ "${!knob}" =~ ^[1-9][0-9]*$ ]] || die "$knob must be a positive integer (got '${!knob}')"
done
for knob in LOCAL_QUEUE BATCH_DELAY; do
  [[ "${!knob}" =~ ^(-1|0|[1-9][0-9]*)$ ]] || die "$knob must be -1 or a non-negative integer (got '${!knob}')"
done
command -v node >/dev/null || die "node is not available"
command -v npm >/dev/null || die "npm is not available"

tmp="$(mktemp -d -t hookyard-graphile.XXXXXX)"
cleanup() {
  local rc=$?
  if [[ "${KEEP:-}" == 1 ]]; then
    log "kept $tmp"
  else
    rm -rf "$tmp"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# graphile-worker and its dependencies (pg among them), installed once per version. A
# fresh install is staged next to the cache and renamed into place, so an interrupted
# or concurrent run never leaves a half-written cache behind.
cache="${XDG_CACHE_HOME:-$HOME/.cache}/hookyard-bench/graphile-$GRAPHILE_VERSION"
installed_version() {
  node -e 'console.log(require(process.argv[1] + "/node_modules/graphile-worker/package.json").version)' "$1" 2>/dev/null || true
}
if [[ "$(installed_version "$cache")" != "$GRAPHILE_VERSION" ]]; then
  log "installing graphile-worker@$GRAPHILE_VERSION"
  (cd "$tmp" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund "graphile-worker@$GRAPHILE_VERSION" >&2) ||
    die "npm install graphile-worker@$GRAPHILE_VERSION failed"
  [[ "$(installed_version "$tmp")" == "$GRAPHILE_VERSION" ]] || die "npm did not install graphile-worker@$GRAPHILE_VERSION"
  mkdir -p "$(dirname "$cache")"
  staged="$(mktemp -d "$cache.partial.XXXXXX")"
  mv "$tmp/node_modules" "$tmp/package.json" "$tmp/package-lock.json" "$staged/"
  rm -rf "$cache"
  mv -T "$staged" "$cache" 2>/dev/null || rm -rf "$staged" # another run got there first
  [[ "$(installed_version "$cache")" == "$GRAPHILE_VERSION" ]] || die "could not cache graphile-worker in $cache"
fi

cat >"$tmp/bench.cjs" <<'JS'
"use strict";
// Drains N no-op jobs with graphile-worker; see bench/graphile.sh for what it measures.
const fs = require("node:fs");
const { EventEmitter } = require("node:events");
const { Pool } = require("pg");
const { Logger, run, runMigrations } = require("graphile-worker");

const env = process.env;
const DB_URL = env.DB_URL;
const [N, CONCURRENCY, POOL, LOCAL_QUEUE, BATCH_DELAY, ENQUEUE_BATCH, DRAIN_TIMEOUT, CLK_TCK] = [
  "N", "CONCURRENCY", "POOL", "LOCAL_QUEUE", "BATCH_DELAY", "ENQUEUE_BATCH", "DRAIN_TIMEOUT", "CLK_TCK",
].map((name) => Number(env[name]));
const SCHEMA = "graphile_worker";
const TASK = "noop";

const log = (msg) => process.stderr.write(`[graphile] ${msg}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const now = () => Number(process.hrtime.bigint()) / 1e9;

// graphile-worker's own logging goes to stderr, warnings and errors only, so stdout
// carries nothing but the results.
const logger = new Logger(() => (level, message) => {
  if (level === "error" || level === "warning") log(`worker ${level}: ${message}`);
});

// CPU clock ticks of every process named postgres. The postmaster's cutime/cstime hold
// the CPU of backends it has already reaped, so a backend exiting mid-drain still counts.
function postgresTicks() {
  let ticks = 0;
  let procs = 0;
  for (const pid of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (fs.readFileSync(`/proc/${pid}/comm`, "utf8").trim() !== "postgres") continue;
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      // Fields after "(comm) ": state is field 3, utime..cstime are fields 14..17.
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
      procs++;
    } catch {
      // the process exited between readdir and read
    }
  }
  return { ticks, procs };
}

async function main() {
  const db = new Pool({ connectionString: DB_URL, max: 1 });
  try {
    // (1) schema, and an empty jobs table so every run starts from the same state.
    await runMigrations({ connectionString: DB_URL, schema: SCHEMA, logger });
    await db.query(`truncate ${SCHEMA}._private_jobs, ${SCHEMA}._private_job_queues`);

    // (2) enqueue: add_jobs with ENQUEUE_BATCH job specs per call, built server-side.
    const t0 = now();
    for (let from = 1; from <= N; from += ENQUEUE_BATCH) {
      const to = Math.min(N, from + ENQUEUE_BATCH - 1);
      await db.query(
        `select count(*) from ${SCHEMA}.add_jobs(array(
           select json_populate_record(null::${SCHEMA}.job_spec,
                    json_build_object('identifier', $1::text, 'payload', json_build_object('id', i)))
           from generate_series($2::int, $3::int) i))`,
        [TASK, from, to],
      );
    }
    const enqueueS = now() - t0;
    const queued = Number((await db.query(`select count(*) from ${SCHEMA}._private_jobs`)).rows[0].count);
    if (queued !== N) throw new Error(`expected ${N} queued jobs, found ${queued}`);
    console.log(`graphile enqueue jobs/s: ${Math.round(N / enqueueS)}`);

    // (3) drain: one worker with perfTest's preset; the task counts its runs.
    let ran = 0;
    let failed = 0;
    let allRan;
    const allRanP = new Promise((resolve) => (allRan = resolve));
    const taskList = {
      [TASK]: () => {
        if (++ran === N) allRan();
      },
    };
    const events = new EventEmitter();
    let localQueues = 0;
    let fetches = 0;
    let firstJobAt = 0;
    events.on("localQueue:init", () => localQueues++);
    events.on("localQueue:getJobs:complete", () => fetches++);
    events.once("job:start", () => (firstJobAt = now()));
    events.on("job:error", ({ error }) => {
      if (++failed === 1) log(`first job error: ${error}`);
    });
    const preset = {
      worker: {
        connectionString: DB_URL,
        schema: SCHEMA,
        concurrentJobs: CONCURRENCY,
        maxPoolSize: POOL,
        localQueue: LOCAL_QUEUE > 0 ? { size: LOCAL_QUEUE, refetchDelay: { durationMs: 10 } } : { size: -1 },
        completeJobBatchDelay: BATCH_DELAY,
        failJobBatchDelay: BATCH_DELAY,
        gracefulShutdownAbortTimeout: 2500,
        logger,
        events,
      },
    };

    const deadline = now() + DRAIN_TIMEOUT;
    const timedOut = async () => {
      const left = Number((await db.query(`select count(*) from ${SCHEMA}._private_jobs`)).rows[0].count);
      throw new Error(
        `jobs did not drain within DRAIN_TIMEOUT=${DRAIN_TIMEOUT} s: ${ran}/${N} ran, ` +
          `${failed} errored, ${left} still in ${SCHEMA}._private_jobs`,
      );
    };

    const cpu0 = process.cpuUsage();
    const pg0 = postgresTicks();
    const start = now();
    const runner = await run({ preset, taskList, noHandleSignals: true });
    try {
      if (LOCAL_QUEUE > 0 && localQueues !== 1) throw new Error(`expected one local queue, worker made ${localQueues}`);
      const progress = setInterval(() => log(`... ${ran}/${N} jobs ran after ${(now() - start).toFixed(0)} s`), 10000);
      let timer;
      const timeout = new Promise((resolve) => (timer = setTimeout(resolve, DRAIN_TIMEOUT * 1000, "timeout")));
      const outcome = await Promise.race([allRanP, timeout, runner.promise.then(() => "stopped")]);
      clearInterval(progress);
      clearTimeout(timer);
      if (outcome === "timeout") await timedOut();
      if (outcome === "stopped") throw new Error(`worker stopped after ${ran}/${N} jobs`);
      // Every task has run; completions are batched, so wait for the table to empty.
      while (Number((await db.query(`select count(*) from ${SCHEMA}._private_jobs`)).rows[0].count) > 0) {
        if (now() > deadline) await timedOut();
        await sleep(5);
      }
      const drainS = now() - start;
      const pg1 = postgresTicks();
      const cpu = process.cpuUsage(cpu0);

      const nodeS = (cpu.user + cpu.system) / 1e6;
      const pgS = (pg1.ticks - pg0.ticks) / CLK_TCK;
      log(
        `drained ${N} jobs in ${drainS.toFixed(3)} s (first job after ${((firstJobAt - start) * 1000).toFixed(0)} ms, ` +
          `${fetches} local-queue fetches, ${failed} job errors)`,
      );
      console.log(`graphile jobs/s: ${Math.round(N / drainS)}`);
      console.log(`graphile node cpu s: ${nodeS.toFixed(2)}`);
      if (pg1.procs === 0) {
        log("no local process named postgres: PostgreSQL CPU not measured (is DB_URL on another machine?)");
        console.log("graphile postgres cpu s: n/a");
        console.log(`graphile cpu us/job: node ${((nodeS * 1e6) / N).toFixed(1)} postgres n/a`);
      } else {
        console.log(`graphile postgres cpu s: ${pgS.toFixed(2)}`);
        console.log(`graphile cpu us/job: node ${((nodeS * 1e6) / N).toFixed(1)} postgres ${((pgS * 1e6) / N).toFixed(1)}`);
      }
    } finally {
      await runner.stop();
    }
  } finally {
    await db.end();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    log(`FAILED: ${e && e.message ? e.message : e}`);
    process.exit(1);
  },
);
JS

log "graphile-worker $GRAPHILE_VERSION: $N jobs, concurrency $CONCURRENCY, pool $POOL, local queue $LOCAL_QUEUE, batch delay $BATCH_DELAY ms"
# The worker runs from the temp dir so no graphile-worker config file (cosmiconfig,
# crontab, tasks/) around the caller's working directory can change its settings.
cd "$tmp"
DB_URL="$DB_URL" N="$N" CONCURRENCY="$CONCURRENCY" POOL="$POOL" LOCAL_QUEUE="$LOCAL_QUEUE" \
  BATCH_DELAY="$BATCH_DELAY" ENQUEUE_BATCH="$ENQUEUE_BATCH" DRAIN_TIMEOUT="$DRAIN_TIMEOUT" \
  CLK_TCK="$(getconf CLK_TCK)" NODE_PATH="$cache/node_modules" GRAPHILE_WORKER_SCHEMA=graphile_worker \
  node bench.cjs || die "graphile-worker benchmark failed"

package dev.hookyard.common.config;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * hookyard's configuration: {@code HOOKYARD_*} environment variables over an optional
 * JSON file named by {@code HOOKYARD_CONFIG_FILE} (same keys). Assembled once at start
 * and handed to verticles as a {@link JsonObject}.
 */
public final class HookyardConfig {

  public static final String HTTP_PORT = "HOOKYARD_HTTP_PORT";
  /** The HTTP port when {@link #HTTP_PORT} is unset (the image exposes it too). */
  public static final int DEFAULT_HTTP_PORT = 8080;
  public static final String HTTP_HOST = "HOOKYARD_HTTP_HOST";
  public static final String DEFAULT_HTTP_HOST = "0.0.0.0";
  public static final String ROLES = "HOOKYARD_ROLES";
  public static final String DB_URL = "HOOKYARD_DB_URL";
  public static final String DB_POOL_SIZE = "HOOKYARD_DB_POOL_SIZE";
  public static final int DEFAULT_DB_POOL_SIZE = 10;
  /** Connections of the gateway's own pool, apart from the workers' (default: gateway instances × ingest batches in flight + 2). */
  public static final String DB_GATEWAY_POOL_SIZE = "HOOKYARD_DB_GATEWAY_POOL_SIZE";
  /** A session idle inside a transaction this long is ended by the server, releasing its locks (default: the queue lease). */
  public static final String DB_IDLE_IN_TRANSACTION_TIMEOUT_MS = "HOOKYARD_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS";
  public static final String DATA_DIR = "HOOKYARD_DATA_DIR";
  public static final String DEFAULT_DATA_DIR = "./hookyard-data";
  public static final String WEBHOOK_SECRETS = "HOOKYARD_WEBHOOK_SECRETS";
  public static final String ADMIN_TOKEN = "HOOKYARD_ADMIN_TOKEN";
  public static final String CLUSTER = "HOOKYARD_CLUSTER";
  public static final String CLUSTER_HOST = "HOOKYARD_CLUSTER_HOST";
  public static final String DEFAULT_CLUSTER_HOST = "127.0.0.1";
  public static final String CLUSTER_MEMBERS = "HOOKYARD_CLUSTER_MEMBERS";
  /** The Hazelcast cluster's name: processes join only a cluster of their own name. */
  public static final String CLUSTER_NAME = "HOOKYARD_CLUSTER_NAME";
  public static final String DEFAULT_CLUSTER_NAME = "hookyard";
  public static final String CLUSTER_PORT = "HOOKYARD_CLUSTER_PORT";
  public static final int DEFAULT_CLUSTER_PORT = 5701;
  /** Seconds without a heartbeat after which the cluster drops a member (a frozen or cut-off process). */
  public static final String CLUSTER_HEARTBEAT_TIMEOUT_SECONDS = "HOOKYARD_CLUSTER_HEARTBEAT_TIMEOUT_SECONDS";
  public static final int DEFAULT_CLUSTER_HEARTBEAT_TIMEOUT_SECONDS = 60;
  /** How often a process that lost the cluster looks for it again, to merge back into it without a restart. */
  public static final String CLUSTER_MERGE_DELAY_SECONDS = "HOOKYARD_CLUSTER_MERGE_DELAY_SECONDS";
  public static final int DEFAULT_CLUSTER_MERGE_DELAY_SECONDS = 60;
  /**
   * A DNS name (such as a Kubernetes headless Service) whose addresses are the cluster's
   * members: Hazelcast's Kubernetes discovery in DNS-lookup mode replaces the TCP-IP list.
   */
  public static final String CLUSTER_KUBERNETES_DNS = "HOOKYARD_CLUSTER_KUBERNETES_DNS";
  /** The clustered event bus's TCP port; unset or 0: a random free port. */
  public static final String EVENTBUS_PORT = "HOOKYARD_EVENTBUS_PORT";
  public static final int DEFAULT_EVENTBUS_PORT = 0;
  public static final String MAX_BODY_BYTES = "HOOKYARD_MAX_BODY_BYTES";
  /** {@link #MAX_BODY_BYTES} when unset: GitHub's 25 MB. */
  public static final long DEFAULT_MAX_BODY_BYTES = 26_214_400L;
  public static final String GATEWAY_INSTANCES = "HOOKYARD_GATEWAY_INSTANCES";
  /** {@link #GATEWAY_INSTANCES} when unset: One per core. */
  public static final int DEFAULT_GATEWAY_INSTANCES = Runtime.getRuntime().availableProcessors();
  public static final String INGEST_BATCH_SIZE = "HOOKYARD_INGEST_BATCH_SIZE";
  public static final int DEFAULT_INGEST_BATCH_SIZE = 256;
  public static final String INGEST_TIMEOUT_MS = "HOOKYARD_INGEST_TIMEOUT_MS";
  public static final int DEFAULT_INGEST_TIMEOUT_MS = 5_000;
  /** Ingest batches each gateway instance writes at once; {@link #DEFAULT_INGEST_IN_FLIGHT} when unset. */
  public static final String INGEST_IN_FLIGHT = "HOOKYARD_INGEST_IN_FLIGHT";
  /**
   * Two: a delivery arriving while a batch commits starts the next batch at once instead
   * of waiting for that commit (the database flushes both commits' WAL together).
   */
  public static final int DEFAULT_INGEST_IN_FLIGHT = 2;
  public static final String INGEST_MAX_WAITING = "HOOKYARD_INGEST_MAX_WAITING";
  public static final int DEFAULT_INGEST_MAX_WAITING = 10_000;
  /** Request-body bytes held at once by all webhook requests of a process; beyond it, 503. */
  public static final String MAX_INFLIGHT_BYTES = "HOOKYARD_MAX_INFLIGHT_BYTES";
  public static final long DEFAULT_MAX_INFLIGHT_BYTES = 268_435_456L;
  /** A webhook request's whole body must arrive within this many ms of its headers. */
  public static final String BODY_TIMEOUT_MS = "HOOKYARD_BODY_TIMEOUT_MS";
  public static final long DEFAULT_BODY_TIMEOUT_MS = 30_000;
  public static final String PROCESSOR_INSTANCES = "HOOKYARD_PROCESSOR_INSTANCES";
  public static final int DEFAULT_PROCESSOR_INSTANCES = 1;
  /**
   * Threads that run processors, board work and the scheduler, apart from the event loops
   * that accept deliveries; {@link #DEFAULT_PROCESSING_THREADS} when unset.
   */
  public static final String PROCESSING_THREADS = "HOOKYARD_PROCESSING_THREADS";
  /** {@link #PROCESSING_THREADS} when unset: one per core. */
  public static final int DEFAULT_PROCESSING_THREADS = Runtime.getRuntime().availableProcessors();
  /**
   * Acknowledgements slower than this many ms, three within 250 ms, make the process's
   * processing run one lane at a time for a moment (see {@code IngestFirst}); 0: never.
   * The default is the p99 an acknowledgement should stay within.
   */
  public static final String INGEST_YIELD_MS = "HOOKYARD_INGEST_YIELD_MS";
  /** {@link #INGEST_YIELD_MS} when unset. */
  public static final long DEFAULT_INGEST_YIELD_MS = 25;
  public static final String QUEUE_MAX_ATTEMPTS = "HOOKYARD_QUEUE_MAX_ATTEMPTS";
  public static final int DEFAULT_QUEUE_MAX_ATTEMPTS = 3;
  public static final String QUEUE_BACKOFF_BASE_MS = "HOOKYARD_QUEUE_BACKOFF_BASE_MS";
  public static final long DEFAULT_QUEUE_BACKOFF_BASE_MS = 2_000;
  public static final String QUEUE_BACKOFF_MAX_MS = "HOOKYARD_QUEUE_BACKOFF_MAX_MS";
  public static final long DEFAULT_QUEUE_BACKOFF_MAX_MS = 300_000;
  public static final String QUEUE_LEASE_MS = "HOOKYARD_QUEUE_LEASE_MS";
  public static final long DEFAULT_QUEUE_LEASE_MS = 60_000;
  public static final String QUEUE_POLL_MS = "HOOKYARD_QUEUE_POLL_MS";
  public static final long DEFAULT_QUEUE_POLL_MS = 1_000;
  public static final String QUEUE_BATCH_SIZE = "HOOKYARD_QUEUE_BATCH_SIZE";
  public static final int DEFAULT_QUEUE_BATCH_SIZE = 500;
  public static final String QUEUE_CONCURRENCY = "HOOKYARD_QUEUE_CONCURRENCY";
  public static final int DEFAULT_QUEUE_CONCURRENCY = 4;
  /** Unset: 90 % of the queue's lease ({@code QueueSettings.jobTimeoutFor}). */
  public static final String QUEUE_JOB_TIMEOUT_MS = "HOOKYARD_QUEUE_JOB_TIMEOUT_MS";
  /** Deliveries or dead letters an operator's bulk operation feeds to the queues per step. */
  public static final String OPERATIONS_BATCH = "HOOKYARD_OPERATIONS_BATCH";
  /** {@link #OPERATIONS_BATCH} when unset. */
  public static final int DEFAULT_OPERATIONS_BATCH = 100;
  /** The most deliveries or dead letters a bulk operation feeds per second (0: no limit). */
  public static final String OPERATIONS_RATE = "HOOKYARD_OPERATIONS_RATE";
  /**
   * The most deliveries or dead letters an operation feeds per second when
   * {@link #OPERATIONS_RATE} is unset (0: as fast as the processors take them). Low priority keeps history behind live jobs in each queue, but on a small
   * machine the live deliveries also share the CPU with whatever the processors run:
   * unpaced, a reprocess of 50,000 deliveries took the ingest p99 at 50/s from 52 to
   * 274 ms here (bench/reprocess.sh).
   */
  public static final int DEFAULT_OPERATIONS_RATE = 250;
  public static final String SHUTDOWN_GRACE_MS = "HOOKYARD_SHUTDOWN_GRACE_MS";
  /** {@link #SHUTDOWN_GRACE_MS} when unset. */
  public static final long DEFAULT_SHUTDOWN_GRACE_MS = 20_000;
  /**
   * Failures that repeat per delivery, job or event are logged once, then summed up
   * once per this many ms per cause; a cause also stays named on the health answers
   * for this long after it last occurred.
   */
  public static final String LOG_REPEAT_INTERVAL_MS = "HOOKYARD_LOG_REPEAT_INTERVAL_MS";
  /** {@link #LOG_REPEAT_INTERVAL_MS} when unset. */
  public static final long DEFAULT_LOG_REPEAT_INTERVAL_MS = 10_000;
  public static final String CONFIG_FILE = "HOOKYARD_CONFIG_FILE";
  public static final String SENTRY_SECRET = "HOOKYARD_SENTRY_SECRET";
  public static final String LOKI_TOKEN = "HOOKYARD_LOKI_TOKEN";
  /** Workspaces handled per job when one event fans out over the workspaces tracking a repository. */
  public static final String FANOUT_CHUNK = "HOOKYARD_FANOUT_CHUNK";
  /** {@link #FANOUT_CHUNK} when unset: beyond this many workspaces, an event's effects go to background chunks. */
  public static final int DEFAULT_FANOUT_CHUNK = 10;
  /** Delay that gathers events into one developer-metrics recomputation. */
  public static final String METRICS_DEBOUNCE_MS = "HOOKYARD_METRICS_DEBOUNCE_MS";
  public static final long DEFAULT_METRICS_DEBOUNCE_MS = 5_000;
  /**
   * Meter the connection pools and the processing pool (waits for a connection, time in
   * use): off by default, since every task of the processing pool then pays for a timer
   * sample; on for a run that needs {@code vertx_pool_*}, as {@code bench/matching.sh}.
   */
  public static final String METRICS_POOLS = "HOOKYARD_METRICS_POOLS";
  /** How long a GitHub-to-user mapping is cached (changes to users invalidate it at once). */
  public static final String USER_CACHE_TTL_MS = "HOOKYARD_USER_CACHE_TTL_MS";
  public static final long DEFAULT_USER_CACHE_TTL_MS = 300_000;

  /** The LLM verifier of issue matching: {@code none}, {@code openai} (chat completions) or {@code gemini}. */
  public static final String AI_PROVIDER = "HOOKYARD_AI_PROVIDER";
  public static final String DEFAULT_AI_PROVIDER = "none";
  public static final String AI_URL = "HOOKYARD_AI_URL";
  public static final String AI_KEY = "HOOKYARD_AI_KEY";
  public static final String AI_MODEL = "HOOKYARD_AI_MODEL";
  /** LLM confidence (0–100) at which a semantic candidate is linked. */
  public static final String AI_MIN_CONFIDENCE = "HOOKYARD_AI_MIN_CONFIDENCE";
  public static final int DEFAULT_AI_MIN_CONFIDENCE = 85;
  /** How many of the closest semantic candidates are put to the LLM per pull request. */
  public static final String AI_MAX_VERIFICATIONS = "HOOKYARD_AI_MAX_VERIFICATIONS";
  public static final int DEFAULT_AI_MAX_VERIFICATIONS = 3;
  /** One verifier call's time limit; past it the call counts as a failure. */
  public static final String AI_TIMEOUT_MS = "HOOKYARD_AI_TIMEOUT_MS";
  public static final long DEFAULT_AI_TIMEOUT_MS = 10_000;
  /** Consecutive failures that open the verifier's circuit breaker. */
  public static final String AI_BREAKER_FAILURES = "HOOKYARD_AI_BREAKER_FAILURES";
  public static final int DEFAULT_AI_BREAKER_FAILURES = 5;
  /** How long the breaker stays open before one trial call. */
  public static final String AI_BREAKER_RESET_MS = "HOOKYARD_AI_BREAKER_RESET_MS";
  public static final long DEFAULT_AI_BREAKER_RESET_MS = 30_000;
  /** Matching verticle instances per processors process. */
  public static final String MATCHING_INSTANCES = "HOOKYARD_MATCHING_INSTANCES";
  public static final int DEFAULT_MATCHING_INSTANCES = 1;
  /** Threads of the pool that runs matching's inference and ranking; one per matching instance when unset. */
  public static final String MATCHING_THREADS = "HOOKYARD_MATCHING_THREADS";
  /** Semantic candidates considered per pull request. */
  public static final String MATCHING_TOP_K = "HOOKYARD_MATCHING_TOP_K";
  public static final int DEFAULT_MATCHING_TOP_K = 5;
  /** Cosine similarity below which an issue is no candidate at all. */
  public static final String MATCHING_MIN_SIMILARITY = "HOOKYARD_MATCHING_MIN_SIMILARITY";
  public static final String DEFAULT_MATCHING_MIN_SIMILARITY = "0.3";
  /** How long board automation waits for the matcher before it links explicit identifiers alone. */
  public static final String MATCHING_TIMEOUT_MS = "HOOKYARD_MATCHING_TIMEOUT_MS";
  public static final long DEFAULT_MATCHING_TIMEOUT_MS = 30_000;
  /** Head branches whose merge into a base branch is a release (default {@code staging}). */
  public static final String RELEASE_HEAD_BRANCHES = "HOOKYARD_RELEASE_HEAD_BRANCHES";
  public static final List<String> DEFAULT_RELEASE_HEAD_BRANCHES = List.of("staging");
  /** Base branches of releases and production deploys (default {@code main,master}). */
  public static final String RELEASE_BASE_BRANCHES = "HOOKYARD_RELEASE_BASE_BRANCHES";
  public static final List<String> DEFAULT_RELEASE_BASE_BRANCHES = List.of("main", "master");
  /** GitHub's REST API (release-PR commits, deploy ancestry, redeliveries). */
  public static final String GITHUB_API_URL = "HOOKYARD_GITHUB_API_URL";
  public static final String DEFAULT_GITHUB_API_URL = "https://api.github.com";
  public static final String GITHUB_TOKEN = "HOOKYARD_GITHUB_TOKEN";
  public static final String GITHUB_APP_ID = "HOOKYARD_GITHUB_APP_ID";
  public static final String GITHUB_APP_PRIVATE_KEY = "HOOKYARD_GITHUB_APP_PRIVATE_KEY";
  public static final String RECONCILE_EVERY = "HOOKYARD_RECONCILE_EVERY";
  public static final String DEFAULT_RECONCILE_EVERY = "PT10M";
  public static final String DEPLOY_WORKFLOWS = "HOOKYARD_DEPLOY_WORKFLOWS";
  public static final List<String> DEFAULT_DEPLOY_WORKFLOWS = List.of("production", "deploy-prod");
  public static final String VERIFICATION_WINDOW = "HOOKYARD_VERIFICATION_WINDOW";
  public static final String DEFAULT_VERIFICATION_WINDOW = "PT48H";
  public static final String SCHEDULER_TICK_MS = "HOOKYARD_SCHEDULER_TICK_MS";
  public static final long DEFAULT_SCHEDULER_TICK_MS = 10_000;
  public static final String RETENTION_DAYS = "HOOKYARD_RETENTION_DAYS";
  public static final int DEFAULT_RETENTION_DAYS = 14;
  /** Comma CIDRs, or {@code meta} for GitHub's published hook ranges; unset: every source. */
  public static final String GITHUB_ALLOWED_CIDRS = "HOOKYARD_GITHUB_ALLOWED_CIDRS";
  /** CIDRs of proxies whose {@code X-Forwarded-For} is believed. */
  public static final String TRUSTED_PROXIES = "HOOKYARD_TRUSTED_PROXIES";
  /** How often GitHub's published hook ranges are fetched again ({@code meta} allow-list). */
  public static final String GITHUB_META_REFRESH_MS = "HOOKYARD_GITHUB_META_REFRESH_MS";
  /** {@link #GITHUB_META_REFRESH_MS} when unset: Hourly. */
  public static final long DEFAULT_GITHUB_META_REFRESH_MS = 3_600_000;

  private static final String PREFIX = "HOOKYARD_";

  private final JsonObject values;

  private HookyardConfig(JsonObject values) {
    this.values = values;
  }

  /** The process configuration: the file (if any) overlaid by the environment. */
  public static HookyardConfig fromEnvironment() {
    return from(System.getenv());
  }

  /** Builds a configuration from an environment-like map (used by tests). */
  public static HookyardConfig from(Map<String, String> env) {
    JsonObject merged = new JsonObject();
    String file = env.get(CONFIG_FILE);
    if (file != null && !file.isBlank()) {
      try {
        JsonObject fromFile = new JsonObject(Files.readString(Path.of(file)));
        fromFile.forEach(e -> merged.put(e.getKey(), e.getValue() == null ? null : String.valueOf(e.getValue())));
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read " + CONFIG_FILE + " " + file + ": " + e.getMessage(), e);
      }
    }
    env.forEach((k, v) -> {
      if (k.startsWith(PREFIX)) {
        merged.put(k, v);
      }
    });
    return new HookyardConfig(merged);
  }

  /** Whether {@code key} was given at all, even as an empty value. */
  public boolean isSet(String key) {
    return values.getValue(key) != null;
  }

  public String string(String key, String fallback) {
    Object v = values.getValue(key);
    if (v == null) {
      return fallback;
    }
    String s = String.valueOf(v).trim();
    return s.isEmpty() ? fallback : s;
  }

  public int integer(String key, int fallback) {
    String s = string(key, null);
    if (s == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a whole number, got '" + s + "'");
    }
  }

  public long longValue(String key, long fallback) {
    String s = string(key, null);
    if (s == null) {
      return fallback;
    }
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a whole number, got '" + s + "'");
    }
  }

  public boolean bool(String key, boolean fallback) {
    String s = string(key, null);
    if (s == null) {
      return fallback;
    }
    return switch (s.toLowerCase(Locale.ROOT)) {
      case "true", "1", "yes", "on" -> true;
      case "false", "0", "no", "off" -> false;
      default -> throw new IllegalArgumentException(key + " must be true or false, got '" + s + "'");
    };
  }

  /** An ISO-8601 duration such as {@code PT48H}. */
  public java.time.Duration duration(String key, String fallback) {
    String s = string(key, fallback);
    try {
      return java.time.Duration.parse(s);
    } catch (java.time.format.DateTimeParseException e) {
      throw new IllegalArgumentException(key + " must be an ISO-8601 duration such as " + fallback + ", got '" + s + "'");
    }
  }

  public List<String> list(String key) {
    String s = string(key, null);
    if (s == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).forEach(out::add);
    return out;
  }

  /** {@link #list(String)}, or {@code fallback} when that is empty. */
  public List<String> list(String key, List<String> fallback) {
    List<String> given = list(key);
    return given.isEmpty() ? fallback : given;
  }

  /** {@link #INGEST_IN_FLIGHT}, at least one. */
  public int ingestInFlight() {
    return Math.max(1, integer(INGEST_IN_FLIGHT, DEFAULT_INGEST_IN_FLIGHT));
  }

  /** {@link #GATEWAY_INSTANCES}. */
  public int gatewayInstances() {
    return integer(GATEWAY_INSTANCES, DEFAULT_GATEWAY_INSTANCES);
  }

  /** {@link #SCHEDULER_TICK_MS}. */
  public long schedulerTickMs() {
    return longValue(SCHEDULER_TICK_MS, DEFAULT_SCHEDULER_TICK_MS);
  }

  /** A per-queue override, e.g. {@code HOOKYARD_QUEUE_WEBHOOK_PUSH_MAX_ATTEMPTS}, else the global key. */
  public int perQueue(String queue, String globalKey, int fallback) {
    String suffix = globalKey.substring("HOOKYARD_QUEUE_".length());
    String specific = "HOOKYARD_QUEUE_" + envName(queue) + "_" + suffix;
    return integer(specific, integer(globalKey, fallback));
  }

  /** Upper-case, underscore-separated form of a queue or event name for configuration keys. */
  public static String envName(String name) {
    return name.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
  }
}

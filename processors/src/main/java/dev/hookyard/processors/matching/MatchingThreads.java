package dev.hookyard.processors.matching;

import dev.hookyard.common.config.HookyardConfig;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

/**
 * Where matching's CPU work runs (the model's inference, the semantic ranking, the
 * model's loading): a pool of its own, {@code HOOKYARD_MATCHING_THREADS} threads
 * (one per matching instance unless set), never the processing pool. A pull request
 * that names its issue then never waits behind another one's ranking, which before the
 * JIT has compiled it takes a hundred milliseconds and more.
 */
final class MatchingThreads {

  static final String POOL = "hookyard-matching";

  private MatchingThreads() {
  }

  /** The process's matching pool (shared by name: the first call's size holds). */
  static WorkerExecutor executor(Vertx vertx, HookyardConfig config) {
    int instances = Math.max(1, config.integer(HookyardConfig.MATCHING_INSTANCES, HookyardConfig.DEFAULT_MATCHING_INSTANCES));
    return vertx.createSharedWorkerExecutor(POOL, Math.max(1, config.integer(HookyardConfig.MATCHING_THREADS, instances)));
  }
}

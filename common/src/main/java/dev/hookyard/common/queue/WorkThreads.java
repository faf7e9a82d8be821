package dev.hookyard.common.queue;

import dev.hookyard.common.config.HookyardConfig;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.ThreadingModel;

/**
 * Where processing runs: worker verticles on one named pool of
 * {@code HOOKYARD_PROCESSING_THREADS} threads, never on the event loops. The event loops
 * then only move bytes (HTTP, the PostgreSQL protocol) and run the gateway, so a
 * delivery's acknowledgement never queues behind a batch of processing on its loop, and
 * the operating system shares the cores between the two as it shares them between threads.
 * A worker verticle still runs one task at a time, in order, as on an event loop.
 */
public final class WorkThreads {

  /** The pool's name in thread names and metrics. */
  public static final String POOL = "hookyard-processing";

  private WorkThreads() {
  }

  /** Deployment options for {@code instances} processing verticles. */
  public static DeploymentOptions options(HookyardConfig config, int instances) {
    int threads = Math.max(1, config.integer(HookyardConfig.PROCESSING_THREADS, HookyardConfig.DEFAULT_PROCESSING_THREADS));
    return new DeploymentOptions()
      .setInstances(instances)
      .setThreadingModel(ThreadingModel.WORKER)
      .setWorkerPoolName(POOL)
      .setWorkerPoolSize(threads);
  }
}

package dev.hookyard.processors.verification;

import dev.hookyard.common.config.HookyardConfig;
import dev.hookyard.common.queue.JobHandler;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;

import java.time.Duration;
import java.util.LinkedHashSet;

/** The job handlers of fix verification: deploys ({@code workflow_run}) and alerts. */
public final class VerificationDeployment {

  /** Whether a deploy's head contains a merged SHA, or null when GitHub cannot be asked. */
  @FunctionalInterface
  public interface Ancestry {
    Future<Boolean> contains(String fullName, String merged, String head);
  }

  public static JobHandler deploys(Vertx vertx, HookyardConfig config, Pool pool, Ancestry ancestry) {
    return new DeployProcessor(vertx, pool, config.list(HookyardConfig.DEPLOY_WORKFLOWS, HookyardConfig.DEFAULT_DEPLOY_WORKFLOWS),
      new LinkedHashSet<>(config.list(HookyardConfig.RELEASE_BASE_BRANCHES, HookyardConfig.DEFAULT_RELEASE_BASE_BRANCHES)),
      window(config), ancestry);
  }

  public static JobHandler sentryAlerts(Vertx vertx, Pool pool) {
    return new AlertProcessor(vertx, pool, "sentry");
  }

  public static JobHandler lokiAlerts(Vertx vertx, Pool pool) {
    return new AlertProcessor(vertx, pool, "loki");
  }

  /** {@code HOOKYARD_VERIFICATION_WINDOW}, an ISO-8601 duration (PT48H). */
  public static Duration window(HookyardConfig config) {
    return config.duration(HookyardConfig.VERIFICATION_WINDOW, HookyardConfig.DEFAULT_VERIFICATION_WINDOW);
  }


  private VerificationDeployment() {
  }
}

package dev.hookyard.scheduler;

import dev.hookyard.common.config.HookyardConfig;
import dev.hookyard.common.github.AppJwt;
import dev.hookyard.common.github.GitHubApi;
import dev.hookyard.common.queue.QueueAdmin;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The scheduler role: one {@link SchedulerVerticle} with the tasks the configuration asks for. */
public final class SchedulerDeployment {

  private static final Logger log = LoggerFactory.getLogger(SchedulerDeployment.class);

  /** The tasks: fix verification windows, retention, queue gauges and, with a GitHub App, the reconciler. */
  public static List<ScheduledTask> tasks(Vertx vertx, HookyardConfig config, Pool pool) {
    Duration tick = Duration.ofMillis(config.schedulerTickMs());
    List<ScheduledTask> tasks = new ArrayList<>();
    tasks.add(new FixVerificationWindow(vertx, pool, tick));
    tasks.add(new RetentionTask(pool, Duration.ofDays(config.integer(HookyardConfig.RETENTION_DAYS, HookyardConfig.DEFAULT_RETENTION_DAYS)), tick));
    tasks.add(new QueueDepthTask(new QueueAdmin(pool), tick));
    AppJwt app = AppJwt.of(config);
    if (app != null) {
      tasks.add(new RedeliveryReconciler(pool, GitHubApi.of(vertx, config), app,
        config.duration(HookyardConfig.RECONCILE_EVERY, HookyardConfig.DEFAULT_RECONCILE_EVERY)));
      log.info("Redelivery reconciler on for GitHub App {}", app.appId());
    }
    return tasks;
  }

  public static Future<String> deploy(Vertx vertx, HookyardConfig config, Pool pool, Clock clock) {
    return deploy(vertx, pool, clock, config.schedulerTickMs(), tasks(vertx, config, pool));
  }

  public static Future<String> deploy(Vertx vertx, Pool pool, Clock clock, long tickMs, List<ScheduledTask> tasks) {
    return vertx.deployVerticle(new SchedulerVerticle(pool, clock, tickMs, tasks, ManagementFactory.getRuntimeMXBean().getName()));
  }


  private SchedulerDeployment() {
  }
}

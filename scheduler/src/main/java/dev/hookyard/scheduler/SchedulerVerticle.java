package dev.hookyard.scheduler;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every {@code HOOKYARD_SCHEDULER_TICK_MS} looks at each task: one whose period has
 * turned fires — a cluster-wide task only if this node's insert of (task, period) into
 * {@code scheduler_firings} wins, so it fires once per period however many schedulers
 * run. A failing task logs one line and never stops the others or the timer; a task
 * still running from its last period is not started again. Time comes from a clock,
 * so tests move it.
 */
public final class SchedulerVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(SchedulerVerticle.class);

  private final Pool pool;
  private final Clock clock;
  private final long tickMs;
  private final List<ScheduledTask> tasks;
  private final String node;
  private final Map<String, Long> lastPeriod = new HashMap<>();
  private final Set<String> running = new HashSet<>();
  private long timer = -1;

  public SchedulerVerticle(Pool pool, Clock clock, long tickMs, List<ScheduledTask> tasks, String node) {
    this.pool = pool;
    this.clock = clock;
    this.tickMs = tickMs;
    this.tasks = List.copyOf(tasks);
    this.node = node;
  }

  @Override
  public Future<?> start() {
    timer = vertx.setPeriodic(tickMs, tickMs, t -> tick());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  /** One tick now: every due task that this node claims runs; their summaries by name ("" when not fired here). */
  public Future<Map<String, String>> tick() {
    Instant now = clock.instant();
    Map<String, Future<String>> fired = new LinkedHashMap<>();
    for (ScheduledTask task : tasks) {
      long period = ScheduledTask.period(now, task.every());
      Long last = lastPeriod.get(task.name());
      if ((last != null && last >= period) || running.contains(task.name())) {
        continue;
      }
      lastPeriod.put(task.name(), period);
      running.add(task.name());
      Future<Boolean> claimed = task.clusterWide()
        ? pool.preparedQuery(SchedulerQueries.CLAIM_FIRING).execute(Tuple.of(task.name(), period, node)).map(rows -> rows.size() == 1)
        : Future.succeededFuture(true);
      Future<String> result = claimed.compose(mine -> {
        if (!mine) {
          return Future.succeededFuture("");
        }
        Future<String> run;
        try {
          run = task.run(now);
        } catch (Throwable e) {
          run = Future.failedFuture(e);
        }
        return run.compose(summary -> !task.clusterWide() ? Future.succeededFuture(summary)
          : pool.preparedQuery(SchedulerQueries.RECORD_FIRING).execute(Tuple.of(task.name(), period, summary)).map(summary))
          .onSuccess(summary -> log.debug("Scheduled task {} fired for period {}: {}", task.name(), period, summary));
      }).recover(err -> {
        log.warn("Scheduled task {} failed for period {}: {}", task.name(), period, err.toString());
        return Future.succeededFuture("failed: " + err.getMessage());
      }).onComplete(ar -> running.remove(task.name()));
      fired.put(task.name(), result);
    }
    return Future.join(new ArrayList<>(fired.values())).map(all -> {
      Map<String, String> out = new LinkedHashMap<>();
      fired.forEach((name, f) -> out.put(name, f.result()));
      return out;
    });
  }
}

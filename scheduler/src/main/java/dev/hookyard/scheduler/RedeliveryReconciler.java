package dev.hookyard.scheduler;

import dev.hookyard.common.github.AppJwt;
import dev.hookyard.common.github.GitHubApi;
import dev.hookyard.common.logging.FailureCause;
import dev.hookyard.common.logging.RepeatedFailures;
import dev.hookyard.common.metrics.HookyardMetrics;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * GitHub does not retry a delivery that failed. Every {@code HOOKYARD_RECONCILE_EVERY}
 * this lists the App's hook deliveries of the last three days and, for each GUID whose
 * every attempt failed and that hookyard has not stored, asks GitHub to deliver it again
 * — at most once per GUID an hour ({@code redelivery_requests}).
 */
final class RedeliveryReconciler implements ScheduledTask {

  private static final Logger log = LoggerFactory.getLogger(RedeliveryReconciler.class);
  private static final RepeatedFailures NOT_REQUESTED = RepeatedFailures.of(log, Level.WARN,
    "redeliveries not requested of GitHub");
  static final Duration LOOK_BACK = Duration.ofDays(3);
  static final int MAX_PER_RUN = 200;

  private final Pool pool;
  private final GitHubApi github;
  private final AppJwt jwt;
  private final Duration every;

  RedeliveryReconciler(Pool pool, GitHubApi github, AppJwt jwt, Duration every) {
    this.pool = pool;
    this.github = github;
    this.jwt = jwt;
    this.every = every;
    // Both outcomes exist from the start, so an alert on their rates works before the first failure.
    runs("ok");
    runs("failed");
  }

  @Override
  public String name() {
    return "redelivery-reconciler";
  }

  @Override
  public Duration every() {
    return every;
  }

  @Override
  public Future<String> run(Instant now) {
    Future<String> run;
    try {
      run = reconcile(now);
    } catch (RuntimeException e) {
      run = Future.failedFuture(e);
    }
    return run.onComplete(ar -> runs(ar.succeeded() ? "ok" : "failed").increment());
  }

  /** Runs of the reconciler by outcome: {@code hookyard_redelivery_reconciler_runs_total{outcome="ok"|"failed"}}. */
  private static Counter runs(String outcome) {
    return Counter.builder("hookyard.redelivery.reconciler.runs").description("Redelivery reconciler runs, by outcome")
      .tag("outcome", outcome).register(HookyardMetrics.registry());
  }

  private Future<String> reconcile(Instant now) {
    String token = jwt.token(now);
    Instant since = now.minus(LOOK_BACK);
    return github.appHookDeliveries(token, last -> !deliveredAt(last).isBefore(since)).compose(deliveries -> {
      // GitHub lists every attempt; a GUID is lost only if none of its attempts succeeded.
      Map<String, JsonObject> failed = new LinkedHashMap<>();
      Set<String> succeeded = new HashSet<>();
      for (JsonObject d : deliveries) {
        String guid = d.getString("guid");
        if (guid == null || deliveredAt(d).isBefore(since)) {
          continue;
        }
        if (ok(d)) {
          succeeded.add(guid);
        } else {
          failed.putIfAbsent(guid, d);
        }
      }
      succeeded.forEach(failed::remove);
      if (failed.isEmpty()) {
        return Future.succeededFuture("no failed delivery to ask for again");
      }
      String[] guids = failed.keySet().toArray(new String[0]);
      OffsetDateTime hourAgo = now.minus(Duration.ofHours(1)).atOffset(ZoneOffset.UTC);
      Future<Set<String>> skip = pool.preparedQuery(SchedulerQueries.STORED_DELIVERIES).execute(Tuple.of((Object) guids)).compose(stored ->
        pool.preparedQuery(SchedulerQueries.RECENT_REDELIVERIES).execute(Tuple.of(guids, hourAgo)).map(recent -> {
          Set<String> out = new HashSet<>();
          stored.forEach(r -> out.add(r.getString("id")));
          recent.forEach(r -> out.add(r.getString("guid")));
          return out;
        }));
      return skip.compose(known -> {
        List<JsonObject> wanted = new ArrayList<>();
        failed.forEach((guid, d) -> {
          if (!known.contains(guid) && wanted.size() < MAX_PER_RUN) {
            wanted.add(d);
          }
        });
        return redeliver(token, wanted, 0, 0, now).map(asked -> asked + " of " + failed.size() + " failed deliveries asked for again");
      });
    });
  }

  private Future<Integer> redeliver(String token, List<JsonObject> wanted, int index, int asked, Instant now) {
    if (index >= wanted.size()) {
      return Future.succeededFuture(asked);
    }
    JsonObject d = wanted.get(index);
    long id = d.getLong("id");
    return github.redeliver(token, id)
      .compose(v -> pool.preparedQuery(SchedulerQueries.REMEMBER_REDELIVERY).execute(Tuple.of(d.getString("guid"), id, now.atOffset(ZoneOffset.UTC))))
      .map(v -> {
        counter("requested").increment();
        return 1;
      })
      .recover(err -> {
        counter("failed").increment();
        FailureCause cause = FailureCause.of(err);
        NOT_REQUESTED.record(cause, d.getString("guid"), () -> "Redelivery of " + d.getString("guid") + " (hook delivery " + id
          + ") not requested: " + cause.text());
        return Future.succeededFuture(0);
      })
      .compose(n -> redeliver(token, wanted, index + 1, asked + n, now));
  }

  private static Counter counter(String outcome) {
    return Counter.builder("hookyard.redeliveries.requested").description("Redeliveries asked of GitHub for failed deliveries")
      .tag("outcome", outcome).register(HookyardMetrics.registry());
  }

  private static boolean ok(JsonObject d) {
    Integer code = d.getInteger("status_code");
    return "OK".equalsIgnoreCase(d.getString("status")) || (code != null && code >= 200 && code < 300);
  }

  private static Instant deliveredAt(JsonObject d) {
    try {
      String at = d.getString("delivered_at");
      return at == null ? Instant.EPOCH : OffsetDateTime.parse(at).toInstant();
    } catch (DateTimeParseException e) {
      return Instant.EPOCH;
    }
  }
}

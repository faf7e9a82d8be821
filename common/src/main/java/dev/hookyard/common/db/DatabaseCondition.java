package dev.hookyard.common.db;

import dev.hookyard.common.logging.FailureCause;
import dev.hookyard.common.logging.RepeatedFailures;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What recent failures say about the database beyond "it answers": a full disk, no
 * memory, no connection slot, read-only. The database answers {@code SELECT 1} through
 * all of these, so readiness stays as it is (every replica shares the database: taking
 * them all out of service would turn 503s into connection errors); the health answers
 * name the condition instead, for as long as failures keep showing it (one repeat
 * interval after the last).
 *
 * <p>One per Vert.x instance (so per process), fed by every failure recorded through
 * {@link RepeatedFailures#of(Vertx, org.slf4j.Logger, org.slf4j.event.Level, String)}.
 */
public final class DatabaseCondition implements Shareable {

  private static final String MAP = "hookyard.database";
  private static final String KEY = "condition";

  private final Map<String, Instant> seen = new ConcurrentHashMap<>();
  private final Clock clock = Clock.systemUTC();

  /** The condition of this process's database, as its failures tell it. */
  public static DatabaseCondition of(Vertx vertx) {
    return vertx.sharedData().<String, DatabaseCondition>getLocalMap(MAP).computeIfAbsent(KEY, k -> new DatabaseCondition());
  }

  /** Notes the condition a failure shows, if it shows one. */
  public void observe(FailureCause cause) {
    if (cause.condition() != null) {
      seen.put(cause.condition(), clock.instant());
    }
  }

  /** The condition shown within the last repeat interval ("disk full"), the latest if several; null when none. */
  public String current() {
    Instant since = clock.instant().minus(RepeatedFailures.interval());
    String latest = null;
    Instant at = null;
    for (Map.Entry<String, Instant> e : seen.entrySet()) {
      if (e.getValue().isAfter(since) && (at == null || e.getValue().isAfter(at))) {
        latest = e.getKey();
        at = e.getValue();
      }
    }
    return latest;
  }
}

package dev.hookyard.common.db;

import dev.hookyard.common.logging.FailureCause;
import dev.hookyard.common.logging.RepeatedFailures;

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
 * <p>Process-wide: fed by every failure recorded through {@link RepeatedFailures}.
 */
public final class DatabaseCondition {

  private static final Map<String, Instant> SEEN = new ConcurrentHashMap<>();
  private static final Clock clock = Clock.systemUTC();

  /** Notes the condition a failure shows, if it shows one. */
  public static void observe(FailureCause cause) {
    if (cause.condition() != null) {
      SEEN.put(cause.condition(), clock.instant());
    }
  }

  /** The condition shown within the last repeat interval ("disk full"), the latest if several; null when none. */
  public static String current() {
    Instant since = clock.instant().minus(RepeatedFailures.interval());
    String latest = null;
    Instant at = null;
    for (Map.Entry<String, Instant> e : SEEN.entrySet()) {
      if (e.getValue().isAfter(since) && (at == null || e.getValue().isAfter(at))) {
        latest = e.getKey();
        at = e.getValue();
      }
    }
    return latest;
  }

  private DatabaseCondition() {
  }
}

package dev.hookyard.common.logging;

import dev.hookyard.common.db.DatabaseCondition;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;
import org.slf4j.Logger;
import org.slf4j.MDC;
import org.slf4j.event.Level;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Logs a failure that can repeat once per delivery, job or event by its cause rather
 * than once per occurrence: the first occurrence of a cause at once, in full; then one
 * line per cause per interval with the count and an example ("2,314 deliveries refused
 * in the last 10 s: the database's disk is full (…), e.g. 3f86…"); and one line when an
 * interval passes without it. A full disk refusing thousands of deliveries a second
 * writes a handful of lines, not one per delivery on the same disk.
 *
 * <p>There is one instance per logger and kind of failure in a process — per Vert.x
 * instance ({@link #of(Vertx, Logger, Level, String)}: one per process, but tests run
 * several), or for the whole JVM ({@link #of(Logger, Level, String)}) where no Vert.x
 * instance is at hand — so every gateway or worker instance adds to the same counts.
 * {@link #record} is cheap and safe on any thread; summaries are written by one daemon
 * thread. {@link #ongoing()} tells which causes occurred within the last interval: what
 * the health answers name while a cause lasts. Failures recorded per Vert.x instance
 * also tell its {@link DatabaseCondition} what they show about the database.
 */
public final class RepeatedFailures implements Shareable {

  /** The interval when none is set: {@code HOOKYARD_LOG_REPEAT_INTERVAL_MS}. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
  /** Causes told apart per instance; beyond them, occurrences count under one "other causes" entry. */
  static final int MAX_CAUSES = 64;

  /** Log fields of the summary lines (besides {@link LogContext#REASON}). */
  public static final String COUNT = "count";
  public static final String EXAMPLE = "example";

  private static final String MAP = "hookyard.repeated-failures";
  private static final Map<String, RepeatedFailures> JVM = new ConcurrentHashMap<>();
  /** Every instance, for the summaries; those of a closed Vert.x instance fall away with it. */
  private static final Set<RepeatedFailures> ALL = Collections.newSetFromMap(new WeakHashMap<>());
  private static volatile Duration interval = DEFAULT_INTERVAL;
  private static ScheduledExecutorService summaries;

  /** A cause that occurred within the last interval. */
  public record Ongoing(FailureCause cause, Instant since, Instant last, long count) {
  }

  private static final class Tally {
    final FailureCause cause;
    final Instant since;
    Instant last;
    Instant windowStart;
    String text;
    long inWindow;
    String example;
    long total = 1;
    boolean ended;

    Tally(FailureCause cause, Instant now) {
      this.cause = cause;
      this.since = now;
      this.last = now;
      this.windowStart = now;
      this.text = cause.text();
    }
  }

  private final Logger log;
  private final Level level;
  private final String what;
  private final Clock clock;
  private final Supplier<Duration> every;
  private final DatabaseCondition database;
  private final Map<String, Tally> tallies = new ConcurrentHashMap<>();

  RepeatedFailures(Logger log, Level level, String what, Clock clock, Supplier<Duration> every, DatabaseCondition database) {
    this.log = log;
    this.level = level;
    this.what = what;
    this.clock = clock;
    this.every = every;
    this.database = database;
  }

  /**
   * The process's instance for this logger and kind of failure.
   *
   * @param what the failures counted, as a plural noun phrase: "deliveries refused",
   *             "jobs of webhook.push failed, to be retried"
   */
  public static RepeatedFailures of(Vertx vertx, Logger log, Level level, String what) {
    return vertx.sharedData().<String, RepeatedFailures>getLocalMap(MAP).computeIfAbsent(log.getName() + "\n" + what,
      k -> registered(new RepeatedFailures(log, level, what, Clock.systemUTC(), RepeatedFailures::interval,
        DatabaseCondition.of(vertx))));
  }

  /** As {@link #of(Vertx, Logger, Level, String)}, one for the whole JVM, for failures that say nothing about the database. */
  public static RepeatedFailures of(Logger log, Level level, String what) {
    return JVM.computeIfAbsent(log.getName() + "\n" + what,
      k -> registered(new RepeatedFailures(log, level, what, Clock.systemUTC(), RepeatedFailures::interval, null)));
  }

  private static RepeatedFailures registered(RepeatedFailures failures) {
    synchronized (ALL) {
      ALL.add(failures);
    }
    startSummaries();
    return failures;
  }

  private static void flushAll() {
    List<RepeatedFailures> all;
    synchronized (ALL) {
      all = new ArrayList<>(ALL);
    }
    all.forEach(RepeatedFailures::flushQuietly);
  }

  /** Sets the interval of every instance ({@code HOOKYARD_LOG_REPEAT_INTERVAL_MS}). */
  public static void interval(Duration every) {
    if (every.isNegative() || every.isZero()) {
      throw new IllegalArgumentException("the repeat interval must be positive, not " + every);
    }
    interval = every;
  }

  public static Duration interval() {
    return interval;
  }

  private static synchronized void startSummaries() {
    if (summaries != null) {
      return;
    }
    summaries = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "hookyard-repeated-failures");
      t.setDaemon(true);
      return t;
    });
    // Ticks often enough that a summary is at most a tenth of an interval late.
    summaries.scheduleWithFixedDelay(RepeatedFailures::flushAll, 100, 100, TimeUnit.MILLISECONDS);
  }

  private static void flushQuietly(RepeatedFailures failures) {
    try {
      failures.flush();
    } catch (RuntimeException e) {
      // A logging failure must not stop the summaries of every other cause.
    }
  }

  /**
   * One occurrence. The first of its cause is logged at once as {@code first} says
   * (with {@code error}'s stack trace when given); later ones are counted, {@code example}
   * (a delivery id, a job) kept for the summary.
   */
  public void record(FailureCause cause, String example, Supplier<String> first, Throwable error) {
    if (database != null) {
      database.observe(cause);
    }
    Instant now = clock.instant();
    String key = cause.key();
    while (true) {
      Tally t = tallies.get(key);
      if (t == null) {
        if (tallies.size() >= MAX_CAUSES) {
          key = "other";
          cause = new FailureCause(cause.reason(), key, "other causes, e.g. " + cause.text(), cause.condition());
          t = tallies.get(key);
        }
        if (t == null) {
          Tally fresh = new Tally(cause, now);
          if (tallies.putIfAbsent(key, fresh) == null) {
            logFirst(cause, first, error);
            return;
          }
          continue;
        }
      }
      synchronized (t) {
        if (t.ended) {
          continue;
        }
        if (t.inWindow++ == 0) {
          t.example = example;
        }
        t.total++;
        t.last = now;
        t.text = cause.text();
      }
      return;
    }
  }

  public void record(FailureCause cause, String example, Supplier<String> first) {
    record(cause, example, first, null);
  }

  private void logFirst(FailureCause cause, Supplier<String> first, Throwable error) {
    String before = MDC.get(LogContext.REASON);
    MDC.put(LogContext.REASON, cause.reason());
    try {
      var line = log.atLevel(level);
      if (error != null) {
        line = line.setCause(error);
      }
      line.log(first.get() + "; more " + what + " for this cause are counted and logged every " + seconds(every.get()));
    } finally {
      if (before == null) {
        MDC.remove(LogContext.REASON);
      } else {
        MDC.put(LogContext.REASON, before);
      }
    }
  }

  /** Writes the summaries of the intervals that are over, and the end of causes gone quiet. */
  void flush() {
    Instant now = clock.instant();
    Duration window = every.get();
    for (Map.Entry<String, Tally> e : tallies.entrySet()) {
      Tally t = e.getValue();
      long count;
      String example;
      String text;
      Duration elapsed;
      boolean ended = false;
      synchronized (t) {
        elapsed = Duration.between(t.windowStart, now);
        if (elapsed.compareTo(window) < 0) {
          continue;
        }
        count = t.inWindow;
        example = t.example;
        text = t.text;
        if (count > 0) {
          t.inWindow = 0;
          t.example = null;
          t.windowStart = now;
        } else {
          t.ended = true;
          ended = true;
        }
      }
      if (ended) {
        tallies.remove(e.getKey(), t);
        if (t.total > 1) {
          summary(Level.INFO, t.cause.reason(), t.total, null, "No more " + what + " in the last "
            + seconds(Duration.between(t.last, now)) + " for this cause: " + text + " (" + count(t.total) + " in "
            + seconds(Duration.between(t.since, t.last)) + " in all)");
        }
      } else {
        summary(level, t.cause.reason(), count, example,
          (count == 1 ? "One more of the " + what : count(count) + " " + what) + " in the last " + seconds(elapsed) + ": " + text
            + (example == null ? "" : count == 1 ? ": " + example : ", e.g. " + example));
      }
    }
  }

  /** A summary stands for many occurrences: its fields are its own, not those of whichever delivery is in place. */
  private void summary(Level at, String reason, long count, String example, String line) {
    Map<String, String> before = MDC.getCopyOfContextMap();
    MDC.clear();
    MDC.put(LogContext.REASON, reason);
    MDC.put(COUNT, Long.toString(count));
    if (example != null) {
      MDC.put(EXAMPLE, example);
    }
    try {
      log.atLevel(at).log(line);
    } finally {
      MDC.clear();
      if (before != null) {
        MDC.setContextMap(before);
      }
    }
  }

  /** The causes that occurred within the last interval, the longest-lasting first. */
  public List<Ongoing> ongoing() {
    Instant since = clock.instant().minus(every.get());
    List<Ongoing> ongoing = new ArrayList<>();
    for (Tally t : tallies.values()) {
      synchronized (t) {
        if (!t.ended && t.last.isAfter(since)) {
          ongoing.add(new Ongoing(new FailureCause(t.cause.reason(), t.cause.key(), t.text, t.cause.condition()), t.since, t.last,
            t.total));
        }
      }
    }
    ongoing.sort((a, b) -> a.since().compareTo(b.since()));
    return ongoing;
  }

  static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  static String seconds(Duration d) {
    long ms = d.toMillis();
    return ms < 1_000 || (ms < 10_000 && ms % 1_000 != 0) ? String.format(Locale.ROOT, "%.1f s", ms / 1000.0)
      : Math.round(ms / 1000.0) + " s";
  }
}

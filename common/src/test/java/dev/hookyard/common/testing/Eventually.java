package dev.hookyard.common.testing;

import java.time.Duration;
import java.util.function.Predicate;

/**
 * Waits for an outcome a test can observe (a row, an answer, a counter), polling it:
 * briefly at first, then every 50 ms. Fails naming what it waited for and what it saw
 * last. The one wait loop of the tests; a test sleeps only to let time pass on purpose.
 */
public final class Eventually {

  /** How long a wait lasts unless it says otherwise. */
  public static final Duration WITHIN = Duration.ofSeconds(30);

  private static final long MAX_PAUSE_MS = 50;

  /** What is looked at, once per poll. */
  @FunctionalInterface
  public interface Probe<T> {
    T get() throws Exception;
  }

  /** A condition looked at once per poll. */
  @FunctionalInterface
  public interface Condition {
    boolean holds() throws Exception;
  }

  /** Polls {@code probe} until {@code done} accepts its value; returns that value. */
  public static <T> T until(Duration within, String what, Probe<T> probe, Predicate<T> done) throws Exception {
    T last = atMost(within, probe, done);
    if (!done.test(last)) {
      throw new AssertionError(what + " not within " + within + "; last seen: " + last);
    }
    return last;
  }

  /**
   * Polls {@code probe} until {@code done} accepts its value or {@code within} has
   * passed; returns the last value either way, for a test that reports what it saw
   * before it asserts.
   */
  public static <T> T atMost(Duration within, Probe<T> probe, Predicate<T> done) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    long pause = 2;
    T last = probe.get();
    while (!done.test(last) && System.nanoTime() - deadline < 0) {
      Thread.sleep(pause);
      pause = Math.min(pause * 2, MAX_PAUSE_MS);
      last = probe.get();
    }
    return last;
  }

  /** {@link #until(Duration, String, Probe, Predicate)} within {@link #WITHIN}. */
  public static <T> T until(String what, Probe<T> probe, Predicate<T> done) throws Exception {
    return until(WITHIN, what, probe, done);
  }

  /** Polls {@code condition} until it holds. */
  public static void until(Duration within, String what, Condition condition) throws Exception {
    until(within, what, condition::holds, Boolean::booleanValue);
  }

  /** {@link #until(Duration, String, Condition)} within {@link #WITHIN}. */
  public static void until(String what, Condition condition) throws Exception {
    until(WITHIN, what, condition);
  }

  private Eventually() {
  }
}

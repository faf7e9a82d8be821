package dev.hookyard.app;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Waits for a condition observed through the API, polling; fails naming what it waited for and what it saw last. */
final class Eventually {

  /** Polls {@code probe} until {@code done} accepts its value; returns that value. */
  static <T> T until(Duration within, String what, Callable<T> probe, java.util.function.Predicate<T> done) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    T last = probe.call();
    while (!done.test(last)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + " not within " + within + "; last seen: " + last);
      }
      Thread.sleep(50);
      last = probe.call();
    }
    return last;
  }

  private Eventually() {
  }
}

package dev.hookyard.app;

import java.util.concurrent.Callable;
import java.util.function.Predicate;

/** Waits for an observable outcome: polls {@code probe} until {@code done} accepts its value, or fails after 30 s. */
final class Await {

  static <T> T until(String what, Callable<T> probe, Predicate<T> done) throws Exception {
    long deadline = System.currentTimeMillis() + 30_000;
    T last = probe.call();
    while (!done.test(last)) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("timed out waiting for " + what + "; last seen: " + last);
      }
      Thread.sleep(50);
      last = probe.call();
    }
    return last;
  }

  private Await() {
  }
}

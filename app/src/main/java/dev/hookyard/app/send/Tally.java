package dev.hookyard.app.send;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** Answers counted by status as they arrive (from the HTTP client's threads). */
final class Tally {

  /** The key under which requests that got no HTTP answer at all are counted. */
  static final String NO_ANSWER = "error";

  private final int expected;
  private final Map<String, LongAdder> byStatus = new ConcurrentHashMap<>();
  private final Map<String, String> firstAnswer = new ConcurrentHashMap<>();
  private final AtomicInteger done = new AtomicInteger();
  private final AtomicInteger notOk = new AtomicInteger();

  Tally(int expected) {
    this.expected = expected;
  }

  void answered(int status, String body) {
    String key = Integer.toString(status);
    count(key, status >= 200 && status < 300, body);
  }

  void failed(Throwable cause) {
    // The HTTP client wraps what went wrong (a refused connection, a timeout) in a CompletionException.
    Throwable reason = cause instanceof CompletionException && cause.getCause() != null
      ? cause.getCause() : cause;
    count(NO_ANSWER, false, reason.toString());
  }

  private void count(String key, boolean ok, String example) {
    byStatus.computeIfAbsent(key, k -> new LongAdder()).increment();
    // One example per status is enough to tell a wrong secret from a full database.
    firstAnswer.putIfAbsent(key, example == null ? "" : example);
    if (!ok) {
      notOk.incrementAndGet();
    }
    done.incrementAndGet();
  }

  int expected() {
    return expected;
  }

  int done() {
    return done.get();
  }

  /** Answers that were not 2xx (a duplicate is a 200, so it counts as fine). */
  int notOk() {
    return notOk.get();
  }

  SortedMap<String, Long> byStatus() {
    SortedMap<String, Long> counts = new TreeMap<>();
    byStatus.forEach((k, v) -> counts.put(k, v.sum()));
    return counts;
  }

  String example(String status) {
    return firstAnswer.get(status);
  }
}

package dev.hookyard.gateway.ingest;

import dev.hookyard.common.metrics.HookyardMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The request-body bytes all webhook requests of a process may hold at once
 * ({@code HOOKYARD_MAX_INFLIGHT_BYTES}). Every gateway instance (event loop) of the process
 * draws on the same budget, so a few dozen slow 25 MiB senders cannot exhaust the heap:
 * past the budget a request is answered 503 with Retry-After instead of being buffered.
 * <p>
 * The last eighth is kept for small bodies (a declared length of at most
 * {@link #SMALL_BODY} bytes, which every GitHub delivery of ordinary size has): large or
 * unannounced bodies stop short of it, so they can fill the budget without shutting out
 * the deliveries that matter.
 */
public final class BodyBudget implements Shareable {

  /** Bodies up to this size count as small: they may use the reserved part, and are verified inline. */
  static final long SMALL_BODY = 1024 * 1024;

  private static final String MAP = "hookyard.ingest";
  private static final String KEY = "body-budget";

  private final long limit;
  private final long largeLimit;
  private final AtomicLong inFlight = new AtomicLong();
  private final AtomicLong peak = new AtomicLong();

  BodyBudget(long limit) {
    this.limit = limit;
    this.largeLimit = limit - limit / 8;
  }

  /** The budget of this process (one per Vert.x instance), created with {@code limit} by the first caller. */
  static BodyBudget of(Vertx vertx, long limit) {
    return vertx.sharedData().<String, BodyBudget>getLocalMap(MAP).computeIfAbsent(KEY, k -> {
      BodyBudget budget = new BodyBudget(limit);
      HookyardMetrics.bodyBytesInFlight(budget::inFlight);
      return budget;
    });
  }

  /** The budget of this process, or null before the gateway has started. */
  public static BodyBudget existing(Vertx vertx) {
    return vertx.sharedData().<String, BodyBudget>getLocalMap(MAP).get(KEY);
  }

  /** Takes {@code bytes} from the budget, or nothing and false when they do not fit. */
  boolean tryReserve(long bytes, boolean small) {
    long cap = small ? limit : largeLimit;
    while (true) {
      long now = inFlight.get();
      if (now + bytes > cap) {
        return false;
      }
      if (inFlight.compareAndSet(now, now + bytes)) {
        peak.accumulateAndGet(now + bytes, Math::max);
        return true;
      }
    }
  }

  void release(long bytes) {
    if (bytes > 0) {
      inFlight.addAndGet(-bytes);
    }
  }

  public long inFlight() {
    return inFlight.get();
  }

  /** The most ever held at once (reported by tests and usable as a gauge). */
  public long peak() {
    return peak.get();
  }

  public long limit() {
    return limit;
  }
}

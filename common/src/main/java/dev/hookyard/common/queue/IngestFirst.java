package dev.hookyard.common.queue;

import dev.hookyard.common.Addresses;
import dev.hookyard.common.metrics.HookyardMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Acknowledgements before processing. The gateway reports how long each acknowledgement
 * took; while {@link #SLOW_ACKS_TO_HOLD} of them within {@link #SLOW_WINDOW_MS} took longer
 * than the target (and for a window after the last of them; in this process or, told over
 * the event bus, in any gateway of the cluster), the
 * process's job workers run one lane at a time between them, so processing keeps going on about a core and the rest is left to the
 * deliveries still arriving. Otherwise the lanes run as configured. Nothing is refused or
 * dropped: jobs wait claimed in their workers (their time limit counts from the claim,
 * as always) and the backlog is worked off once the acknowledgements are quick again.
 *
 * <p>One per Vert.x instance ({@link #of}); thread-safe.
 */
public final class IngestFirst implements Shareable {

  /** How long slow acknowledgements hold processing back, and the window they are counted in. */
  static final long SLOW_WINDOW_MS = 250;
  /**
   * Slow acknowledgements within the window that hold processing back. One alone is a
   * disk flush or a collection, not processing taking the gateway's cores: at 50 pull
   * requests a second, holding the board's jobs for a window after each such one put
   * 250–400 ms into the p99 from webhook to board message (52 ms without holding).
   */
  static final int SLOW_ACKS_TO_HOLD = 3;
  /** Lanes that run at once across the process while acknowledgements are slow. */
  static final int LANES_WHILE_SLOW = 1;

  private static final String MAP = "hookyard.ingest-first";

  /** How often a gateway tells the cluster that its acknowledgements are slow, at most. */
  static final long PUBLISH_EVERY_MS = 100;

  private final Vertx vertx;
  private volatile long targetNanos = TimeUnit.MILLISECONDS.toNanos(25);
  private volatile long publishedNanos = System.nanoTime() - TimeUnit.SECONDS.toNanos(1);
  private volatile long slowUntilNanos = System.nanoTime();
  private final AtomicInteger lanes = new AtomicInteger();
  private final ConcurrentLinkedQueue<Runnable> waiting = new ConcurrentLinkedQueue<>();
  /** When the latest slow acknowledgements were reported, a ring of {@link #SLOW_ACKS_TO_HOLD}. */
  private final long[] slowAcks = new long[SLOW_ACKS_TO_HOLD];
  private long slowAckCount;

  private IngestFirst(Vertx vertx) {
    this.vertx = vertx;
  }

  /** This Vert.x instance's. */
  public static IngestFirst of(Vertx vertx) {
    return (IngestFirst) vertx.sharedData().getLocalMap(MAP).computeIfAbsent("state", k -> new IngestFirst(vertx));
  }

  /** An acknowledgement slower than {@code ms} holds processing back; 0: never. */
  public IngestFirst target(long ms) {
    targetNanos = ms <= 0 ? Long.MAX_VALUE : TimeUnit.MILLISECONDS.toNanos(ms);
    return this;
  }

  /**
   * The gateway's report of one acknowledgement. The {@link #SLOW_ACKS_TO_HOLD}th slow one
   * within the window holds back this process's processing and, at most every
   * {@link #PUBLISH_EVERY_MS}, every other node's.
   */
  public void acknowledged(long tookNanos) {
    if (tookNanos > targetNanos) {
      long now = System.nanoTime();
      if (!inARow(now)) {
        return;
      }
      if (!slow()) {
        HookyardMetrics.processingHeld();
      }
      slowUntilNanos = now + TimeUnit.MILLISECONDS.toNanos(SLOW_WINDOW_MS);
      long last = publishedNanos;
      if (now - last > TimeUnit.MILLISECONDS.toNanos(PUBLISH_EVERY_MS)) {
        publishedNanos = now;
        vertx.eventBus().publish(Addresses.INGEST_SLOW, null);
      }
    }
  }

  /** Records a slow acknowledgement; whether it is the last of enough within the window. */
  private synchronized boolean inARow(long now) {
    slowAcks[(int) (slowAckCount % SLOW_ACKS_TO_HOLD)] = now;
    slowAckCount++;
    // The slot written next holds the oldest of the last SLOW_ACKS_TO_HOLD.
    return slowAckCount >= SLOW_ACKS_TO_HOLD
      && now - slowAcks[(int) (slowAckCount % SLOW_ACKS_TO_HOLD)] <= TimeUnit.MILLISECONDS.toNanos(SLOW_WINDOW_MS);
  }

  /** Holds back this node's processing whenever a gateway anywhere in the cluster reports slow acknowledgements. */
  public Future<Void> listen() {
    return vertx.eventBus().consumer(Addresses.INGEST_SLOW, m ->
      slowUntilNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SLOW_WINDOW_MS)).completion();
  }

  /** Whether an acknowledgement was slow lately. */
  public boolean slow() {
    return System.nanoTime() - slowUntilNanos < 0;
  }

  /**
   * Takes a lane if one may start now; else false, and {@code resume} (unless null: the
   * caller is already waiting) runs once, on any thread, when a lane ends.
   */
  boolean tryStart(Runnable resume) {
    if (!slow()) {
      lanes.incrementAndGet();
      return true;
    }
    while (true) {
      int n = lanes.get();
      if (n >= LANES_WHILE_SLOW) {
        if (resume != null) {
          waiting.add(resume);
        }
        return false;
      }
      if (lanes.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  /** A lane taken by {@link #tryStart} has ended: whoever waits looks again. */
  void ended() {
    lanes.decrementAndGet();
    Runnable next;
    while ((next = waiting.poll()) != null) {
      next.run();
    }
  }
}

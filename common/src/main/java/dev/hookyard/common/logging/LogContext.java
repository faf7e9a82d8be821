package dev.hookyard.common.logging;

import dev.hookyard.common.queue.Job;
import io.vertx.core.Handler;
import org.slf4j.MDC;

import java.util.Map;

/**
 * The fields that let one delivery be followed through every process that touched it:
 * {@code delivery_id}, {@code event}, {@code job_id} and {@code queue}, kept in the SLF4J
 * MDC (the JSON log format writes them as fields of each line).
 *
 * <p>The MDC is a thread-local and Vert.x callbacks run later on whichever event loop
 * thread, interleaved with other deliveries' callbacks, so nothing here is left in place
 * between callbacks: a {@link Scope} is opened around a synchronous piece of work and
 * restores what was there before when closed, and {@link #carried(Handler)} re-opens the
 * fields of the moment it was called around a callback that logs.
 */
public final class LogContext {

  public static final String DELIVERY_ID = "delivery_id";
  public static final String EVENT = "event";
  public static final String JOB_ID = "job_id";
  public static final String QUEUE = "queue";
  /**
   * Why a delivery was refused or a job failed, as a short code ({@code disk_full},
   * {@code bad_signature}, …): the same values as the refusal counter's label.
   */
  public static final String REASON = "reason";
  /** An admin request that failed inside hookyard; its answer names the same id. */
  public static final String REQUEST_ID = "request_id";
  /** The process's roles; a logger-context property rather than MDC, since it holds for every thread. */
  public static final String ROLE = "role";

  /** Restores the fields as they were before it was opened. */
  public interface Scope extends AutoCloseable {
    @Override
    void close();
  }

  /** A delivery being ingested. */
  public static Scope delivery(String deliveryId, String event) {
    Map<String, String> before = MDC.getCopyOfContextMap();
    putIfKnown(DELIVERY_ID, deliveryId);
    putIfKnown(EVENT, event);
    return () -> restore(before);
  }

  /** A request being answered, and the delivery it concerns when it is known. */
  public static Scope request(String requestId, String deliveryId) {
    Map<String, String> before = MDC.getCopyOfContextMap();
    putIfKnown(REQUEST_ID, requestId);
    putIfKnown(DELIVERY_ID, deliveryId);
    return () -> restore(before);
  }

  /** The handler, run with a delivery's fields in place (on whichever thread it is called). */
  public static <T> Handler<T> delivery(String deliveryId, String event, Handler<T> handler) {
    return value -> {
      try (Scope fields = delivery(deliveryId, event)) {
        handler.handle(value);
      }
    };
  }

  /**
   * A job being run. Follow-up jobs have no delivery of their own; those that were
   * caused by one (board automation) name it in their payload.
   */
  public static Scope job(Job job) {
    // Only these four fields change, so only they are put back: cheaper than copying the
    // whole context, which this does once per job.
    String jobBefore = MDC.get(JOB_ID);
    String queueBefore = MDC.get(QUEUE);
    String deliveryBefore = MDC.get(DELIVERY_ID);
    String eventBefore = MDC.get(EVENT);
    MDC.put(JOB_ID, Long.toString(job.id()));
    set(QUEUE, job.queue());
    String deliveryId = job.deliveryId();
    if (deliveryId == null && job.payload() != null) {
      deliveryId = job.payload().getString(DELIVERY_ID);
    }
    set(DELIVERY_ID, deliveryId);
    set(EVENT, job.event());
    return () -> {
      set(JOB_ID, jobBefore);
      set(QUEUE, queueBefore);
      set(DELIVERY_ID, deliveryBefore);
      set(EVENT, eventBefore);
    };
  }

  /** The handler, run with the job's fields in place (on whichever thread it is called). */
  public static <T> Handler<T> job(Job job, Handler<T> handler) {
    return value -> {
      try (Scope fields = job(job)) {
        handler.handle(value);
      }
    };
  }

  /** The handler, run with the fields in place now (on whichever thread it is called). */
  public static <T> Handler<T> carried(Handler<T> handler) {
    Map<String, String> fields = MDC.getCopyOfContextMap();
    if (fields == null || fields.isEmpty()) {
      return handler;
    }
    return value -> {
      Map<String, String> before = MDC.getCopyOfContextMap();
      MDC.setContextMap(fields);
      try {
        handler.handle(value);
      } finally {
        restore(before);
      }
    };
  }

  private static void set(String key, String value) {
    if (value != null) {
      MDC.put(key, value);
    } else {
      MDC.remove(key);
    }
  }

  private static void putIfKnown(String key, String value) {
    if (value != null) {
      MDC.put(key, value);
    }
  }

  private static void restore(Map<String, String> before) {
    if (before == null || before.isEmpty()) {
      MDC.clear();
    } else {
      MDC.setContextMap(before);
    }
  }

  private LogContext() {
  }
}

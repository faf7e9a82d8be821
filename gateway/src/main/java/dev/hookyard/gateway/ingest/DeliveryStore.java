package dev.hookyard.gateway.ingest;

import dev.hookyard.common.queue.Enqueue;
import dev.hookyard.common.Queues;
import dev.hookyard.common.db.DatabaseFailures;
import dev.hookyard.common.db.PgText;
import dev.hookyard.common.webhook.BodyCodec;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stores verified deliveries with their jobs. Requests that arrive while a batch is
 * being written wait for the next one, so concurrent requests share one statement and
 * one commit (group commit) without a timer adding latency to a lone request.
 * Confined to its verticle's event loop.
 */
final class DeliveryStore {

  private static final Logger log = LoggerFactory.getLogger(DeliveryStore.class);

  /**
   * A verified delivery ready to be stored; {@code stored} is its compressed body when
   * that was already made off the event loop (large bodies), else null.
   */
  record Incoming(String id, String event, String action, String repository, String contentType, String signature, Buffer body, Buffer stored) {
  }

  /**
   * PostgreSQL refused this delivery's own values (a data or integrity error when it was
   * written alone): the sender's problem, answered 400, unlike an outage (503).
   */
  static final class Unstorable extends RuntimeException {
    Unstorable(String message) {
      super(message, null, false, false);
    }
  }

  /** More deliveries are waiting for a batch than the store keeps: answered 503 at once. */
  static final class Overloaded extends RuntimeException {
    Overloaded(int waiting) {
      super(waiting + " deliveries are already waiting to be stored", null, false, false);
    }
  }

  enum Result { STORED, DUPLICATE }

  private record Pending(Incoming delivery, Promise<Result> promise) {
  }

  private final Vertx vertx;
  private final Pool pool;
  private final int maxBatch;
  private final int maxInFlight;
  private final long timeoutMs;
  private final int maxWaiting;
  private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
  private int inFlight;

  /**
   * Each batch adds to the next row among the per-minute delivery counters, so batches in
   * flight together (of this store, of stores on other event loops, of other processes)
   * never wait on each other's lock of a counter row: that would hold a batch until the
   * one before it had committed.
   */
  private static final AtomicInteger NEXT_SHARD = new AtomicInteger(ThreadLocalRandom.current().nextInt(IngestQueries.COUNTER_SHARDS));

  private static final String[] STATEMENTS = new String[Integer.SIZE];

  private static String statement(int rows) {
    int slot = Integer.numberOfTrailingZeros(rows);
    String sql = STATEMENTS[slot];
    if (sql == null) {
      sql = IngestQueries.storeBatch(rows);
      STATEMENTS[slot] = sql;
    }
    return sql;
  }

  /** Index of the first row's first parameter: ids, queues and the counter shard come first. */
  private static final int FIRST_ROW_PARAM = 3;
  private static final int ROW_PARAMS = 7;

  /** One row's parameters; no text reaches PostgreSQL with a NUL in it, which would fail the whole batch. */
  private static void addRow(List<Object> params, Incoming d, Buffer storedBody) {
    params.add(PgText.clean(d.id()));
    params.add(PgText.clean(d.event()));
    params.add(PgText.clean(d.action()));
    params.add(PgText.clean(d.repository()));
    params.add(PgText.clean(d.contentType()));
    params.add(PgText.clean(d.signature()));
    params.add(storedBody);
  }

  /**
   * @param maxWaiting deliveries kept waiting for the next batch at most; beyond it a
   *                   delivery is refused at once rather than queued in memory without end
   */
  DeliveryStore(Vertx vertx, Pool pool, int maxBatch, int maxInFlight, long timeoutMs, int maxWaiting) {
    this.vertx = vertx;
    this.pool = pool;
    this.maxBatch = maxBatch;
    this.maxInFlight = maxInFlight;
    this.timeoutMs = timeoutMs;
    this.maxWaiting = maxWaiting;
  }

  /** Completes once the delivery and its job are committed, or it was already stored. */
  Future<Result> store(Incoming delivery) {
    if (waiting.size() >= maxWaiting) {
      return Future.failedFuture(new Overloaded(waiting.size()));
    }
    Promise<Result> promise = Promise.promise();
    waiting.add(new Pending(delivery, promise));
    flush();
    // Past the timeout the caller answers 503; GitHub redelivers and the GUID dedupes.
    return promise.future().timeout(timeoutMs, TimeUnit.MILLISECONDS);
  }

  private void flush() {
    while (inFlight < maxInFlight && !waiting.isEmpty()) {
      List<Pending> batch = new ArrayList<>(Math.min(waiting.size(), maxBatch));
      while (batch.size() < maxBatch && !waiting.isEmpty()) {
        batch.add(waiting.poll());
      }
      inFlight++;
      Future<Void> written;
      try {
        written = write(batch);
      } catch (Throwable t) {
        // Whatever was thrown, the batch is answered and its slot given back.
        log.error("Storing a batch of {} deliveries failed", batch.size(), t);
        batch.forEach(p -> p.promise().tryFail(t));
        written = Future.failedFuture(t);
      }
      written.onComplete(ar -> {
        inFlight--;
        flush();
      });
    }
  }

  private Future<Void> write(List<Pending> batch) {
    // The same GUID twice in one batch: the first one is written, the rest are duplicates.
    Map<String, Pending> byId = new LinkedHashMap<>();
    List<Pending> repeats = new ArrayList<>();
    for (Pending p : batch) {
      if (byId.putIfAbsent(p.delivery().id(), p) != null) {
        repeats.add(p);
      }
    }
    List<Pending> first = new ArrayList<>(byId.values());
    return insert(first)
      .recover(err -> {
        if (!DatabaseFailures.refusedValues(err) || first.size() == 1) {
          return Future.failedFuture(err);
        }
        // One bad row fails the statement for all: write each alone, so only that one is refused.
        log.warn("A batch of {} deliveries was refused ({}); storing them one by one", first.size(), err.getMessage());
        List<Future<Void>> each = new ArrayList<>(first.size());
        for (Pending p : first) {
          each.add(insert(List.of(p)).otherwise(e -> {
            p.promise().tryFail(e);
            return null;
          }));
        }
        return Future.join(each).mapEmpty();
      })
      .map(v -> {
        // A repeat shares the fate of the first of its id: a duplicate of a stored one, refused with a refused one.
        for (Pending p : repeats) {
          Future<Result> firstOfId = byId.get(p.delivery().id()).promise().future();
          if (firstOfId.failed()) {
            p.promise().tryFail(firstOfId.cause());
          } else {
            p.promise().tryComplete(Result.DUPLICATE);
          }
        }
        return (Void) null;
      })
      .onFailure(err -> batch.forEach(p -> p.promise().tryFail(err)));
  }

  /**
   * Inserts deliveries (distinct ids) and their jobs in one statement, and completes their
   * promises. Fails with the statement's error, or {@link Unstorable} for a lone
   * delivery whose values PostgreSQL refused.
   */
  private Future<Void> insert(List<Pending> first) {
    // Batch sizes are rounded up to a power of two so a handful of prepared statements
    // serve every size; the padding repeats the first row, which the conflict clause skips.
    int n = first.size();
    int rows = Integer.highestOneBit(n) == n ? n : Integer.highestOneBit(n) << 1;
    String[] ids = new String[n];
    String[] queues = new String[n];
    List<Object> params = new ArrayList<>(FIRST_ROW_PARAM + rows * ROW_PARAMS);
    params.add(ids);
    params.add(queues);
    params.add((short) Math.floorMod(NEXT_SHARD.getAndIncrement(), IngestQueries.COUNTER_SHARDS));
    BodyCodec codec = BodyCodec.forThisThread();
    for (int i = 0; i < n; i++) {
      Incoming d = first.get(i).delivery();
      ids[i] = PgText.clean(d.id());
      queues[i] = Queues.forEvent(d.event());
      addRow(params, d, d.stored() != null ? d.stored() : codec.compress(d.body()));
    }
    for (int r = n; r < rows; r++) {
      params.addAll(params.subList(FIRST_ROW_PARAM, FIRST_ROW_PARAM + ROW_PARAMS));
    }
    return pool.preparedQuery(statement(rows))
      .execute(Tuple.wrap(params))
      .recover(err -> Future.failedFuture(n == 1 && DatabaseFailures.refusedValues(err)
        ? new Unstorable(describe((PgException) err)) : err))
      .map(result -> {
        Set<String> stored = new HashSet<>();
        for (Row r : result) {
          stored.add(r.getString("delivery_id"));
        }
        Set<String> woken = new HashSet<>();
        for (int i = 0; i < n; i++) {
          boolean isNew = stored.contains(ids[i]);
          if (isNew && woken.add(queues[i])) {
            Enqueue.wake(vertx, queues[i]);
          }
          first.get(i).promise().tryComplete(isNew ? Result.STORED : Result.DUPLICATE);
        }
        return (Void) null;
      });
  }

  private static String describe(PgException e) {
    String message = e.getErrorMessage() == null ? e.getMessage() : e.getErrorMessage();
    return "PostgreSQL refused it (SQL state " + e.getSqlState() + "): " + message;
  }
}

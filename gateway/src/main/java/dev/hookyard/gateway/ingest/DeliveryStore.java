package dev.hookyard.gateway.ingest;

import dev.hookyard.common.Queues;
import dev.hookyard.common.queue.JobQueue;
import dev.hookyard.common.webhook.BodyCodec;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Stores verified deliveries with their jobs. Requests that arrive while a batch is
 * being written wait for the next one, so concurrent requests share one statement and
 * one commit (group commit) without a timer adding latency to a lone request.
 * Confined to its verticle's event loop.
 */
final class DeliveryStore {

  /** A verified delivery ready to be stored. */
  record Incoming(String id, String event, String action, String contentType, String signature, Buffer body) {
  }

  enum Result { STORED, DUPLICATE }

  private record Pending(Incoming delivery, Promise<Result> promise) {
  }

  private final Vertx vertx;
  private final Pool pool;
  private final int maxBatch;
  private final int maxInFlight;
  private final long timeoutMs;
  private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
  private int inFlight;

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

  private static void addRow(List<Object> params, Incoming d, Buffer storedBody) {
    params.add(d.id());
    params.add(d.event());
    params.add(d.action());
    params.add(d.contentType());
    params.add(d.signature());
    params.add(storedBody);
  }

  DeliveryStore(Vertx vertx, Pool pool, int maxBatch, int maxInFlight, long timeoutMs) {
    this.vertx = vertx;
    this.pool = pool;
    this.maxBatch = maxBatch;
    this.maxInFlight = maxInFlight;
    this.timeoutMs = timeoutMs;
  }

  /** Completes once the delivery and its job are committed, or it was already stored. */
  Future<Result> store(Incoming delivery) {
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
      write(batch).onComplete(ar -> {
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
    // Batch sizes are rounded up to a power of two so a handful of prepared statements
    // serve every size; the padding repeats the first row, which the conflict clause skips.
    int n = first.size();
    int rows = Integer.highestOneBit(n) == n ? n : Integer.highestOneBit(n) << 1;
    String[] ids = new String[n];
    String[] queues = new String[n];
    List<Object> params = new ArrayList<>(2 + rows * 6);
    params.add(ids);
    params.add(queues);
    BodyCodec codec = BodyCodec.forThisThread();
    for (int i = 0; i < n; i++) {
      Incoming d = first.get(i).delivery();
      ids[i] = d.id();
      queues[i] = Queues.forEvent(d.event());
      addRow(params, d, codec.compress(d.body()));
    }
    for (int r = n; r < rows; r++) {
      params.addAll(params.subList(2, 8));
    }
    return pool.preparedQuery(statement(rows))
      .execute(Tuple.wrap(params))
      .map(result -> {
        Set<String> stored = new HashSet<>();
        for (Row r : result) {
          stored.add(r.getString("delivery_id"));
        }
        Set<String> woken = new HashSet<>();
        for (int i = 0; i < n; i++) {
          boolean isNew = stored.contains(ids[i]);
          if (isNew && woken.add(queues[i])) {
            JobQueue.wake(vertx, queues[i]);
          }
          first.get(i).promise().tryComplete(isNew ? Result.STORED : Result.DUPLICATE);
        }
        repeats.forEach(p -> p.promise().tryComplete(Result.DUPLICATE));
        return (Void) null;
      })
      .onFailure(err -> batch.forEach(p -> p.promise().tryFail(err)));
  }
}

package dev.hookyard.common.operations;

import dev.hookyard.common.Queues;
import dev.hookyard.common.queue.Enqueue;
import dev.hookyard.common.queue.Job;
import dev.hookyard.common.queue.JobHandler;
import dev.hookyard.common.queue.JobOutcome;
import dev.hookyard.common.queue.PermanentJobFailure;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One step of a bulk operation (a job of queue {@code operations}): with the operation
 * locked, it feeds the next batch of its selection to the queues — once fewer than half
 * of the previous batch still wait, and no faster than its rate — and queues the step
 * after it; when the selection
 * is spent and every job it fed has finished, the operation is done. A step is one
 * transaction, so a crash between steps loses nothing and feeds nothing twice; steps
 * of one operation never overlap (the lock, and one pending step at a time).
 */
public final class OperationSteps implements JobHandler {

  /** How soon a step looks again while its previous batch is still being worked off. */
  private static final long RECHECK_MS = 200;
  /** How soon a step looks again once everything is fed, until the last jobs finish. */
  private static final long FINISH_CHECK_MS = 1_000;

  private final Vertx vertx;
  private final Pool pool;
  private final int batch;
  private final int rate;

  /** @param rate the most rows fed per second per operation; 0 for no limit */
  public OperationSteps(Vertx vertx, Pool pool, int batch, int rate) {
    if (batch < 1 || rate < 0) {
      throw new IllegalArgumentException("an operations batch is at least 1 and its rate at least 0, not " + batch + " and " + rate);
    }
    this.vertx = vertx;
    this.pool = pool;
    this.batch = batch;
    this.rate = rate;
  }

  /** What a step did, told after its commit: the queues it fed and when the next step is due. */
  private record Step(String note, Set<String> fed, long nextInMs) {
  }

  @Override
  public Future<JobOutcome> handle(Job job) {
    Long id = job.payload() == null ? null : job.payload().getLong("operation_id");
    if (id == null) {
      return Future.failedFuture(new PermanentJobFailure("an operations job needs an operation_id"));
    }
    return pool.withTransaction(conn -> conn.preparedQuery(OperationQueries.LOCK).execute(Tuple.of(id)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture(new Step("operation " + id + " does not exist", Set.of(), -1));
      }
      Row op = rows.iterator().next();
      if (!op.getString("status").equals("running")) {
        return Future.succeededFuture(new Step("operation " + id + " is " + op.getString("status"), Set.of(), -1));
      }
      Long[] last = op.getArrayOfLongs("last_batch");
      Future<Boolean> ready = last.length == 0 ? Future.succeededFuture(true)
        : conn.preparedQuery(OperationQueries.WAITING).execute(Tuple.of(last))
          .map(w -> w.iterator().next().getLong("n") * 2 < last.length);
      return ready.compose(go -> go ? feed(conn, op) : Future.succeededFuture(new Step("waiting for its batch", Set.of(), RECHECK_MS)))
        .compose(step -> step.nextInMs() < 0 ? Future.succeededFuture(step)
          : Enqueue.debounced(conn, Queues.OPERATIONS, new JsonObject().put("operation_id", id), "operation:" + id,
            step.nextInMs()).map(step));
    })).map(step -> {
      step.fed().forEach(q -> Enqueue.wake(vertx, q));
      if (step.nextInMs() >= 0) {
        vertx.setTimer(step.nextInMs(), t -> Enqueue.wake(vertx, Queues.OPERATIONS));
      }
      return JobOutcome.done(step.note());
    });
  }

  private Future<Step> feed(SqlConnection conn, Row op) {
    long id = op.getLong("id");
    String kind = op.getString("kind");
    OperationFilter filter = OperationFilter.fromJson((JsonObject) op.getValue("filter"));
    if (kind.equals(Operations.RETRY)) {
      long after = op.getLong("cursor_job") == null ? 0 : op.getLong("cursor_job");
      Tuple params = filter.deadParams().addInteger(batch).addLong(after);
      return conn.preparedQuery(OperationQueries.NEXT_DEAD).execute(params).compose(rows -> {
        if (rows.size() == 0) {
          return finishing(conn, id);
        }
        List<Long> ids = new ArrayList<>(rows.size());
        rows.forEach(r -> ids.add(r.getLong("id")));
        return conn.preparedQuery(OperationQueries.RETRY_DEAD)
          .execute(Tuple.of(ids.toArray(new Long[0]), Operations.PRIORITY, id))
          .compose(jobs -> advance(conn, id, null, null, ids.get(ids.size() - 1), jobs));
      });
    }
    OffsetDateTime at = op.getOffsetDateTime("cursor_at");
    Tuple params = filter.deliveryParams().addOffsetDateTime(at == null ? OperationFilter.start() : at).addInteger(batch)
      .addString(op.getString("cursor_id") == null ? "" : op.getString("cursor_id"));
    return conn.preparedQuery(OperationQueries.NEXT_DELIVERIES).execute(params).compose(rows -> {
      if (rows.size() == 0) {
        return finishing(conn, id);
      }
      List<String> queues = new ArrayList<>(rows.size());
      List<String> deliveries = new ArrayList<>(rows.size());
      Row lastRow = null;
      for (Row r : rows) {
        queues.add(Queues.forEvent(r.getString("event")));
        deliveries.add(r.getString("id"));
        lastRow = r;
      }
      JsonObject payload = kind.equals(Operations.REPROCESS) ? new JsonObject().put("reprocess", id) : null;
      Row cursor = lastRow;
      return conn.preparedQuery(OperationQueries.ENQUEUE_DELIVERIES)
        .execute(Tuple.of(queues.toArray(new String[0]), deliveries.toArray(new String[0]), Operations.PRIORITY, payload, id))
        .compose(jobs -> advance(conn, id, cursor.getOffsetDateTime("received_at"), cursor.getString("id"), null, jobs));
    });
  }

  private Future<Step> advance(SqlConnection conn, long id, OffsetDateTime at, String deliveryId, Long jobId, RowSet<Row> jobs) {
    List<Long> ids = new ArrayList<>(jobs.size());
    Set<String> queues = new LinkedHashSet<>();
    for (Row j : jobs) {
      ids.add(j.getLong("id"));
      queues.add(j.getString("queue"));
    }
    return conn.preparedQuery(OperationQueries.ADVANCE)
      .execute(Tuple.of(id, at, deliveryId, jobId, ids.size(), ids.toArray(new Long[0])))
      .map(v -> new Step("fed " + ids.size() + " jobs", queues,
        rate == 0 ? RECHECK_MS : Math.max(RECHECK_MS, Math.round(1000.0 * ids.size() / rate))));
  }

  /** Everything is fed: done once every job of the operation has finished, else look again later. */
  private Future<Step> finishing(SqlConnection conn, long id) {
    return conn.preparedQuery(OperationQueries.UNFINISHED).execute(Tuple.of(id)).compose(rows -> {
      long unfinished = rows.iterator().next().getLong("n");
      if (unfinished > 0) {
        return Future.succeededFuture(new Step(unfinished + " jobs still to finish", Set.of(), FINISH_CHECK_MS));
      }
      return conn.preparedQuery(OperationQueries.FINISH).execute(Tuple.of(id)).map(v -> new Step("operation " + id + " done", Set.of(), -1));
    });
  }
}

package dev.hookyard.common.operations;

import dev.hookyard.common.JsonDates;
import dev.hookyard.common.Queues;
import dev.hookyard.common.queue.Enqueue;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.util.Optional;

/**
 * Operators' bulk operations over stored history: a <b>replay</b> queues selected
 * deliveries again as a replay of each would; a <b>reprocess</b> runs today's processors
 * over them again, letting a payload rewrite the facts it made itself (see
 * {@link dev.hookyard.common.queue.Job#reprocess()}); a <b>retry</b> puts selected dead
 * letters back in their queues. A dry run answers the plan; otherwise the operation is
 * recorded and its first step queued in one transaction, and {@link OperationSteps} feeds
 * the selection to the queues in bounded batches at {@link #PRIORITY}, below live work.
 */
public final class Operations {

  public static final String REPLAY = "replay";
  public static final String REPROCESS = "reprocess";
  public static final String RETRY = "retry";

  /**
   * Jobs of operations are claimed after every live job of their queue (priority 0 and
   * up): a burst of history never queues in front of a delivery that just arrived.
   */
  public static final int PRIORITY = -10;

  private final Vertx vertx;
  private final Pool pool;

  public Operations(Vertx vertx, Pool pool) {
    this.vertx = vertx;
    this.pool = pool;
  }

  /** What {@code kind} would select: {@code {"total", "<by>": {key: count}}}, by event (deliveries) or queue (dead letters). */
  public Future<JsonObject> plan(String kind, OperationFilter filter) {
    boolean dead = kind.equals(RETRY);
    return pool.preparedQuery(dead ? OperationQueries.PLAN_DEAD : OperationQueries.PLAN_DELIVERIES)
      .execute(dead ? filter.deadParams() : filter.deliveryParams())
      .map(rows -> {
        JsonObject by = new JsonObject();
        long total = 0;
        for (Row r : rows) {
          by.put(r.getString("key"), r.getLong("n"));
          total += r.getLong("n");
        }
        return new JsonObject().put("kind", kind).put("dry_run", true).put("total", total)
          .put(dead ? "queues" : "events", by).put("filter", filter.toJson());
      });
  }

  /** Records the operation and queues its first step; answers the operation as {@link #get} would. */
  public Future<JsonObject> start(String kind, OperationFilter filter) {
    return plan(kind, filter).compose(plan -> pool.withTransaction(conn -> conn.preparedQuery(OperationQueries.CREATE)
        .execute(Tuple.of(kind, filter.toJson(), plan.getLong("total").intValue()))
        .compose(rows -> {
          long id = rows.iterator().next().getLong("id");
          return Enqueue.one(conn, Queues.OPERATIONS, new JsonObject().put("operation_id", id), null, 0).map(id);
        }))
      .compose(id -> {
        Enqueue.wake(vertx, Queues.OPERATIONS);
        return get(id).map(Optional::orElseThrow);
      }));
  }

  /**
   * An operation with its progress: {@code status} (running, done, cancelled), the
   * {@code total} selected, how many jobs it has queued ({@code queued_jobs}), and of
   * those how many are {@code done}, {@code ignored}, {@code failed} (dead, or failed
   * and waiting for a retry) and still {@code waiting} (queued or running).
   */
  public Future<Optional<JsonObject>> get(long id) {
    return pool.preparedQuery(OperationQueries.GET).execute(Tuple.of(id)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture(Optional.empty());
      }
      Row op = rows.iterator().next();
      return pool.preparedQuery(OperationQueries.PROGRESS).execute(Tuple.of(id))
        .map(progress -> Optional.of(describe(op, progress)));
    });
  }

  private static JsonObject describe(Row op, RowSet<Row> progress) {
    long done = 0;
    long ignored = 0;
    long failed = 0;
    long waiting = 0;
    for (Row r : progress) {
      long n = r.getLong("n");
      switch (r.getString("status")) {
        case "done" -> done += n;
        case "ignored" -> ignored += n;
        case "failed", "dead" -> failed += n;
        default -> waiting += n;
      }
    }
    return new JsonObject().put("id", op.getLong("id")).put("kind", op.getString("kind")).put("status", op.getString("status"))
      .put("filter", op.getValue("filter")).put("total", op.getInteger("total")).put("queued_jobs", op.getInteger("fed"))
      .put("done", done).put("ignored", ignored).put("failed", failed).put("waiting", waiting)
      .put("created_at", JsonDates.iso(op.getOffsetDateTime("created_at")))
      .put("finished_at", JsonDates.iso(op.getOffsetDateTime("finished_at")));
  }

  /**
   * Cancels a running operation: nothing more is fed, and the jobs a replay or reprocess
   * queued that no worker has started are dropped (revived dead letters stay revived).
   * Empty when there is no such operation; a finished one is answered unchanged.
   */
  public Future<Optional<JsonObject>> cancel(long id) {
    return pool.withTransaction(conn -> conn.preparedQuery(OperationQueries.CANCEL).execute(Tuple.of(id)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture(false);
      }
      Row r = rows.iterator().next();
      if (r.getString("kind").equals(RETRY) || !r.getString("status").equals("cancelled")) {
        return Future.succeededFuture(true);
      }
      return conn.preparedQuery(OperationQueries.DROP_QUEUED).execute(Tuple.of(id)).map(true);
    })).compose(found -> found ? get(id) : Future.succeededFuture(Optional.empty()));
  }
}

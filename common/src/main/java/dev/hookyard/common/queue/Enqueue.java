package dev.hookyard.common.queue;

import dev.hookyard.common.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The producers' side of the queue: jobs added on the caller's client (so they join its
 * transaction), and the wake-up that tells workers once they are committed.
 */
public final class Enqueue {

  private static final Logger log = LoggerFactory.getLogger(Enqueue.class);

  /**
   * Adds a job; with a dedupe key, a second job with the same key is not created
   * (empty result). Runs on {@code client}, so it joins the caller's transaction.
   */
  public static Future<Optional<Long>> one(SqlClient client, String queue, JsonObject payload, String dedupeKey, int priority) {
    return client.preparedQuery(QueueQueries.ENQUEUE)
      .execute(Tuple.of(queue, payload, dedupeKey, priority, null))
      .map(rows -> rows.size() == 0 ? Optional.<Long>empty() : Optional.of(rows.iterator().next().getLong("id")));
  }

  /**
   * Adds many jobs to one queue in one statement, each with its dedupe key (keys
   * already present are skipped); returns how many were created.
   */
  public static Future<Integer> all(SqlClient client, String queue, List<JsonObject> payloads, List<String> dedupeKeys, int priority) {
    if (payloads.isEmpty()) {
      return Future.succeededFuture(0);
    }
    return client.preparedQuery(QueueQueries.ENQUEUE_ALL)
      .execute(Tuple.of(queue, payloads.toArray(new JsonObject[0]), dedupeKeys.toArray(new String[0]), priority))
      .map(RowSet::rowCount);
  }

  /**
   * {@link #all}, answering the ids of the jobs created by their dedupe keys: a key
   * absent from the answer was already taken (or repeated earlier in the list).
   */
  public static Future<Map<String, Long>> allByKey(SqlClient client, String queue, List<JsonObject> payloads, List<String> dedupeKeys,
                                                   int priority) {
    if (payloads.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    return client.preparedQuery(QueueQueries.ENQUEUE_ALL)
      .execute(Tuple.of(queue, payloads.toArray(new JsonObject[0]), dedupeKeys.toArray(new String[0]), priority))
      .map(rows -> {
        Map<String, Long> created = new HashMap<>();
        rows.forEach(r -> {
          if (r.getString("dedupe_key") != null) {
            created.put(r.getString("dedupe_key"), r.getLong("id"));
          }
        });
        return created;
      });
  }

  /**
   * Asks for a job to run in {@code delayMs} unless one with the same pending key is
   * still queued: events that land within the delay share one job. Call it after the
   * facts the job reads are committed; a job already claimed does not absorb the call,
   * so nothing committed before it is missed.
   */
  public static Future<Optional<Long>> debounced(SqlClient client, String queue, JsonObject payload, String pendingKey, long delayMs) {
    return client.preparedQuery(QueueQueries.ENQUEUE_DEBOUNCED)
      .execute(Tuple.of(queue, payload, pendingKey, delayMs))
      .map(rows -> rows.size() == 0 ? Optional.<Long>empty() : Optional.of(rows.iterator().next().getLong("id")));
  }

  /**
   * Tells the workers of {@code queue}, on every node, that committed jobs are waiting.
   * Call it only after the commit: a worker woken earlier would find nothing to claim.
   */
  public static void wake(Vertx vertx, String queue) {
    try {
      vertx.eventBus().publish(Addresses.wake(queue), new JsonObject().put("type", "jobs.wake"));
    } catch (RuntimeException e) {
      // A wake-up is an optimisation (workers poll); a member leaving the cluster can make
      // a publish throw, and that must not fail the work whose commit it announces.
      log.debug("Wake-up for {} not published: {}", queue, e.toString());
    }
  }

  private Enqueue() {
  }
}

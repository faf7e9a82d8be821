package dev.hookyard.scheduler;

import dev.hookyard.common.board.BoardEvents;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Verification windows: a fix attempt still monitored when its deadline passes was
 * quiet in production, so it is {@code verified}. The update only takes attempts that
 * are still {@code monitoring}, so however many schedulers race for the same attempt,
 * one verifies it and writes its history and board message.
 */
final class FixVerificationWindow implements ScheduledTask {

  /** At most this many attempts per run, so one run never holds many row locks for long. */
  static final int BATCH = 500;

  private final Vertx vertx;
  private final Pool pool;
  private final java.time.Duration every;

  FixVerificationWindow(Vertx vertx, Pool pool, java.time.Duration every) {
    this.vertx = vertx;
    this.pool = pool;
    this.every = every;
  }

  @Override
  public String name() {
    return "fix-verification";
  }

  @Override
  public java.time.Duration every() {
    return every;
  }

  /** Verifies every attempt whose deadline passed by {@code now}; a short summary. */
  @Override
  public Future<String> run(Instant now) {
    OffsetDateTime at = now.atOffset(ZoneOffset.UTC);
    return pool.withTransaction(conn -> conn.preparedQuery(SchedulerQueries.VERIFY_FIXES).execute(Tuple.of(at, BATCH)).compose(rows -> {
      List<BoardEvents.Change> changes = new ArrayList<>();
      for (Row r : rows) {
        changes.add(new BoardEvents.Change(r.getLong("workspace_id"), r.getString("workspace"), r.getLong("issue_id"),
          r.getString("identifier"), BoardEvents.FIX_STATUS_CHANGED, "monitoring", "verified", r.getInteger("pr_number"),
          new JsonObject().put("actor", "fix-verification").put("attempt_id", r.getLong("id"))
            .put("deployed_sha", r.getString("deployed_sha"))
            .put("verification_deadline", r.getOffsetDateTime("verification_deadline").toInstant().toString())));
      }
      return BoardEvents.record(conn, changes);
    })).map(messages -> {
      BoardEvents.publish(vertx, messages);
      return messages.size() + " fix attempt(s) verified";
    });
  }
}

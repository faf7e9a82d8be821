package dev.hookyard.common.logging;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import io.vertx.sqlclient.DatabaseException;

import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * Why something failed, as an operator reads it: a {@code reason} code (a metric label
 * and the {@code reason} log field, from a small fixed set), a {@code key} that makes
 * two failures "the same cause" (occurrences that differ only by ids share it), and a
 * sentence ({@code text}) naming the cause. {@code condition} is what the failure
 * says about the database while it lasts ("disk full"), or null.
 *
 * <p>Every place that turns an exception into a cause uses {@link #of(Throwable)}, so a
 * full disk is called the same in the refusal counter, the logs and the health answers.
 */
public record FailureCause(String reason, String key, String text, String condition) {

  public static final String DISK_FULL = "disk_full";
  public static final String DATABASE_UNAVAILABLE = "database_unavailable";
  public static final String DATABASE_TIMEOUT = "database_timeout";
  public static final String DATABASE_OUT_OF_MEMORY = "database_out_of_memory";
  public static final String DATABASE_OUT_OF_CONNECTIONS = "database_out_of_connections";
  public static final String DATABASE_READ_ONLY = "database_read_only";
  public static final String DATABASE_ERROR = "database_error";
  public static final String EVENT_BUS_TIMEOUT = "event_bus_timeout";
  public static final String EVENT_BUS_NO_HANDLERS = "event_bus_no_handlers";
  public static final String EVENT_BUS_RECIPIENT_FAILURE = "event_bus_recipient_failure";
  public static final String TIMEOUT = "timeout";
  public static final String CONNECTION_FAILED = "connection_failed";
  public static final String ERROR = "error";

  /** Ids, counts and hashes inside messages: four or more digits, long hex runs. */
  private static final Pattern VARYING = Pattern.compile("\\b[0-9a-f]{12,}\\b|\\d{4,}");
  private static final int MAX_TEXT = 300;

  /** A cause known by its reason alone: every occurrence of the reason is the same cause. */
  public static FailureCause of(String reason, String text) {
    return new FailureCause(reason, reason, text, null);
  }

  /** A cause whose occurrences are told apart by a normalised form of their text. */
  public static FailureCause keyed(String reason, String text) {
    return new FailureCause(reason, reason + ":" + normalise(text), text, null);
  }

  /**
   * The cause of a failure: PostgreSQL's by SQL state, the event bus's by failure type,
   * timeouts and broken connections by kind, anything else by its class and message.
   */
  public static FailureCause of(Throwable err) {
    Throwable e = err;
    // A future's failure may wrap the one that matters.
    while (e.getCause() != null && e.getCause() != e
      && (e.getClass() == RuntimeException.class || e instanceof java.util.concurrent.CompletionException)) {
      e = e.getCause();
    }
    if (e instanceof DatabaseException db && db.getSqlState() != null) {
      return database(db);
    }
    if (e instanceof ReplyException reply) {
      return switch (reply.failureType()) {
        case TIMEOUT -> of(EVENT_BUS_TIMEOUT, "no answer on the event bus in time (" + reply.getMessage() + ")");
        case NO_HANDLERS -> of(EVENT_BUS_NO_HANDLERS, "nothing consumes the address on the event bus (" + reply.getMessage() + ")");
        default -> keyed(EVENT_BUS_RECIPIENT_FAILURE, "the consumer on the event bus failed: " + reply.getMessage());
      };
    }
    if (e instanceof TimeoutException) {
      return of(TIMEOUT, "no answer in time (" + e.getMessage() + ")");
    }
    if (e instanceof ClosedConnectionException || e instanceof IOException
      || (e.getMessage() != null && e.getMessage().toLowerCase(Locale.ROOT).startsWith("connection"))) {
      return keyed(CONNECTION_FAILED, "the connection failed (" + clip(e.toString()) + ")");
    }
    String message = e.getMessage() == null || e instanceof Error ? e.toString() : e.getMessage();
    return new FailureCause(ERROR, ERROR + ":" + e.getClass().getName() + ":" + normalise(message), clip(message), null);
  }

  /**
   * The cause of a failed database call: as {@link #of(Throwable)}, with a timeout or a
   * broken connection read as the database's (not answering, not reachable).
   */
  public static FailureCause ofDatabase(Throwable err) {
    FailureCause cause = of(err);
    return switch (cause.reason()) {
      case TIMEOUT -> new FailureCause(DATABASE_TIMEOUT, DATABASE_TIMEOUT, "the database did not answer in time", null);
      case CONNECTION_FAILED -> new FailureCause(DATABASE_UNAVAILABLE, DATABASE_UNAVAILABLE,
        "the database is not reachable " + cause.text().substring("the connection failed ".length()), null);
      default -> cause;
    };
  }

  /** A failure PostgreSQL reported, by its SQL state. */
  private static FailureCause database(DatabaseException db) {
    String state = db.getSqlState();
    String message = clip(db instanceof PgException pg && pg.getErrorMessage() != null ? pg.getErrorMessage() : db.getMessage());
    if (state.equals("53100")) {
      return new FailureCause(DISK_FULL, DISK_FULL, "the database's disk is full (" + message + ")", "disk full");
    }
    if (state.equals("53200")) {
      return new FailureCause(DATABASE_OUT_OF_MEMORY, DATABASE_OUT_OF_MEMORY, "the database is out of memory (" + message + ")",
        "out of memory");
    }
    if (state.equals("53300")) {
      return new FailureCause(DATABASE_OUT_OF_CONNECTIONS, DATABASE_OUT_OF_CONNECTIONS,
        "the database has no connection slot left (" + message + ")", "out of connections");
    }
    if (state.equals("25006")) {
      return new FailureCause(DATABASE_READ_ONLY, DATABASE_READ_ONLY, "the database is read-only (" + message + ")", "read only");
    }
    // Connection exceptions, shutdowns, crash restarts, server-side cancellations.
    if (state.startsWith("08") || state.startsWith("57")) {
      return new FailureCause(DATABASE_UNAVAILABLE, DATABASE_UNAVAILABLE + ":" + state,
        "the database is not available (" + message + ")", null);
    }
    return new FailureCause(DATABASE_ERROR, DATABASE_ERROR + ":" + state + ":" + normalise(message),
      "the database refused the statement (SQL state " + state + ": " + message + ")", null);
  }

  static String normalise(String text) {
    if (text == null) {
      return "";
    }
    String s = VARYING.matcher(text).replaceAll("#");
    return s.length() > 120 ? s.substring(0, 120) : s;
  }

  private static String clip(String text) {
    if (text == null) {
      return "";
    }
    return text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT) + "…" : text;
  }
}

package dev.hookyard.common.db;

import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import io.vertx.sqlclient.DatabaseException;

import java.io.IOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

/**
 * What a failed database call says, read from the exception's type and SQL state: the
 * statement's own values were refused, or the database could not be reached or could
 * not serve. Every caller that branches on a failure asks here.
 */
public final class DatabaseFailures {

  /**
   * PostgreSQL refused the values themselves (SQL state class 22, data exception, or
   * 23, integrity constraint): the same statement with other values would pass, so
   * writing the rows one by one isolates the bad one. A lost connection, a timeout or
   * an overloaded server fails every row alike and is not this.
   */
  public static boolean refusedValues(Throwable err) {
    String state = err instanceof PgException pg ? pg.getSqlState() : null;
    return state != null && (state.startsWith("22") || state.startsWith("23"));
  }

  /**
   * The database could not be reached or could not serve the call: a timeout, a closed
   * or refused connection, or an SQL state of a connection exception (08), insufficient
   * resources (53: disk full, out of memory, out of connections), operator intervention
   * (57: shutdown, cancellation), a system error (58) or a read-only server (25006).
   * Asking again later may succeed; a refused statement will not.
   */
  public static boolean unreachable(Throwable err) {
    Throwable e = unwrap(err);
    if (e instanceof TimeoutException || e instanceof ClosedConnectionException || e instanceof IOException) {
      return true;
    }
    String state = e instanceof DatabaseException db ? db.getSqlState() : null;
    return state != null && (state.startsWith("08") || state.startsWith("53") || state.startsWith("57")
      || state.startsWith("58") || state.equals("25006"));
  }

  /** A future's failure may wrap the one that matters. */
  private static Throwable unwrap(Throwable err) {
    Throwable e = err;
    while (e != null && e.getCause() != null && e.getCause() != e
      && (e.getClass() == RuntimeException.class || e instanceof CompletionException)) {
      e = e.getCause();
    }
    return e;
  }

  private DatabaseFailures() {
  }
}

package dev.hookyard.common.db;

import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;

class DatabaseFailuresTest {

  private static PgException state(String sqlState) {
    return new PgException("refused", "ERROR", sqlState, null);
  }

  @Test
  @DisplayName("Refused values are SQL state classes 22 and 23, nothing else")
  void refusedValues() {
    assertThat(DatabaseFailures.refusedValues(state("22021"))).isTrue();
    assertThat(DatabaseFailures.refusedValues(state("23514"))).isTrue();
    assertThat(DatabaseFailures.refusedValues(state("42P01"))).isFalse();
    assertThat(DatabaseFailures.refusedValues(state("53100"))).isFalse();
    assertThat(DatabaseFailures.refusedValues(state("08006"))).isFalse();
    assertThat(DatabaseFailures.refusedValues(new TimeoutException())).isFalse();
    assertThat(DatabaseFailures.refusedValues(new IllegalStateException())).isFalse();
  }

  @Test
  @DisplayName("Unreachable: timeouts, broken connections and the connection, resource, shutdown and read-only states; not a bug")
  void unreachable() {
    assertThat(DatabaseFailures.unreachable(new TimeoutException("pool"))).isTrue();
    assertThat(DatabaseFailures.unreachable(ClosedConnectionException.INSTANCE)).isTrue();
    assertThat(DatabaseFailures.unreachable(new ConnectException("refused"))).isTrue();
    assertThat(DatabaseFailures.unreachable(new CompletionException(new TimeoutException()))).isTrue();
    for (String s : new String[] {"08006", "53100", "53300", "57P01", "58030", "25006"}) {
      assertThat(DatabaseFailures.unreachable(state(s))).as(s).isTrue();
    }
    assertThat(DatabaseFailures.unreachable(state("42P01"))).isFalse();
    assertThat(DatabaseFailures.unreachable(state("22021"))).isFalse();
    assertThat(DatabaseFailures.unreachable(new NullPointerException())).isFalse();
    assertThat(DatabaseFailures.unreachable(new IllegalArgumentException("bad"))).isFalse();
  }
}

package dev.hookyard.common.db;

import dev.hookyard.common.config.HookyardConfig;
import dev.hookyard.common.testing.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Sessions opened by {@link Database#open}: settings the server applies to every connection. */
class DatabaseSessionTest {

  @Test
  void aSessionIdleInATransactionIsEndedAfterTheLeaseAndNoStatementIsJitCompiled() throws Exception {
    PgConnectOptions db = TestDatabase.fresh();
    Vertx vertx = Vertx.vertx();
    try (Database database = Database.open(HookyardConfig.from(Map.of(HookyardConfig.DB_URL, TestDatabase.url(db),
      HookyardConfig.QUEUE_LEASE_MS, "1500")), Files.createTempDirectory("hookyard-db"))) {
      Pool pool = database.pool(vertx, 2);
      assertThat(pool.query("SHOW jit").execute().await(10, TimeUnit.SECONDS).iterator().next().getString(0)).isEqualTo("off");
      Pool work = database.workPool(vertx, 1);
      assertThat(work.query("SHOW jit").execute().await(10, TimeUnit.SECONDS).iterator().next().getString(0)).isEqualTo("off");
      // pg_stat_activity tells the pools' sessions apart.
      assertThat(pool.query("SHOW application_name").execute().await(10, TimeUnit.SECONDS).iterator().next().getString(0))
        .isEqualTo("hookyard-gateway");
      assertThat(work.query("SHOW application_name").execute().await(10, TimeUnit.SECONDS).iterator().next().getString(0))
        .isEqualTo("hookyard-work");
      assertThat(pool.query("SHOW idle_in_transaction_session_timeout").execute().await(10, TimeUnit.SECONDS)
        .iterator().next().getString(0)).isEqualTo("1500ms");
      var conn = pool.getConnection().await(10, TimeUnit.SECONDS);
      conn.begin().await(10, TimeUnit.SECONDS);
      conn.query("SELECT 1").execute().await(10, TimeUnit.SECONDS);
      Thread.sleep(3_000);
      assertThatThrownBy(() -> conn.query("SELECT 1").execute().await(10, TimeUnit.SECONDS));
      conn.close();
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}

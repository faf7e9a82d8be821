package dev.hookyard.gateway;

import dev.hookyard.common.testing.TcpProxy;
import dev.hookyard.common.testing.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgConnectOptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
class DatabaseOutageTest {

  private static final String PUSH = "{\"ref\":\"refs/heads/main\"}";

  @Test
  @DisplayName("While the database is unreachable every delivery gets 503 with Retry-After, and storing resumes after")
  void outageAndRecovery(Vertx vertx) throws Exception {
    PgConnectOptions db = TestDatabase.fresh();
    TcpProxy proxy = new TcpProxy(vertx, db.getHost(), db.getPort());
    int proxyPort = proxy.start().await(10, TimeUnit.SECONDS);
    GatewayFixture gw = GatewayFixture.start(vertx, Map.of("HOOKYARD_INGEST_TIMEOUT_MS", "3000"),
      new PgConnectOptions(db).setPort(proxyPort));

    assertThat(gw.deliver("push", "before", PUSH).statusCode()).isEqualTo(202);

    proxy.cut();
    for (int i = 0; i < 5; i++) {
      HttpResponse<Buffer> res = gw.deliver("push", "during-" + i, PUSH);
      assertThat(res.statusCode()).as("delivery %d during the outage", i).isEqualTo(503);
      assertThat(res.getHeader("Retry-After")).isNotBlank();
      assertThat(res.bodyAsJsonObject().getString("error")).isEqualTo("unavailable");
    }
    assertThat(gw.client.get("/ready").send().await(10, TimeUnit.SECONDS).statusCode()).isEqualTo(503);

    proxy.restore();
    HttpResponse<Buffer> after = null;
    for (int i = 0; i < 20; i++) {
      after = gw.deliver("push", "during-0", PUSH);
      if (after.statusCode() != 503) {
        break;
      }
      Thread.sleep(250);
    }
    assertThat(after.statusCode()).isEqualTo(202);
    assertThat(gw.deliver("push", "after", PUSH).statusCode()).isEqualTo(202);

    // Checked over a direct connection: exactly what was acknowledged is stored.
    GatewayFixture direct = GatewayFixture.start(vertx, Map.of(), db);
    assertThat(direct.count("SELECT count(*) FROM deliveries")).isEqualTo(3);
    assertThat(direct.count("SELECT count(*) FROM deliveries WHERE id IN ('before', 'during-0', 'after')")).isEqualTo(3);
    assertThat(direct.count("SELECT count(*) FROM jobs")).isEqualTo(3);
  }
}

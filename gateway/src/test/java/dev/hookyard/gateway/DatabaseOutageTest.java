package dev.hookyard.gateway;

import dev.hookyard.common.testing.Eventually;
import dev.hookyard.common.db.Database;
import dev.hookyard.common.db.EmbeddedDatabase;
import dev.hookyard.common.testing.TcpProxy;
import dev.hookyard.common.testing.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
class DatabaseOutageTest {

  private static final String PUSH = "{\"ref\":\"refs/heads/main\"}";

  @Test
  @DisplayName("While the database is unreachable every delivery gets 503 with Retry-After, and storing resumes after")
  void outageAndRecovery(Vertx vertx) throws Exception {
    PgConnectOptions db = TestDatabase.fresh();
    TcpProxy proxy = new TcpProxy(vertx, db.getHost(), db.getPort());
    GatewayFixture gw = GatewayFixture.behind(proxy, vertx, Map.of("HOOKYARD_INGEST_TIMEOUT_MS", "3000"), db);

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
    HttpResponse<Buffer> after = Eventually.atMost(Duration.ofSeconds(5), () -> gw.deliver("push", "during-0", PUSH),
      res -> res.statusCode() != 503);
    assertThat(after.statusCode()).isEqualTo(202);
    assertThat(gw.deliver("push", "after", PUSH).statusCode()).isEqualTo(202);

    // Checked over a direct connection: exactly what was acknowledged is stored.
    GatewayFixture direct = GatewayFixture.start(vertx, Map.of(), db);
    assertThat(direct.count("SELECT count(*) FROM deliveries")).isEqualTo(3);
    assertThat(direct.count("SELECT count(*) FROM deliveries WHERE id IN ('before', 'during-0', 'after')")).isEqualTo(3);
    assertThat(direct.count("SELECT count(*) FROM jobs")).isEqualTo(3);
  }

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  @DisplayName("PostgreSQL stopped and started again under signed load: only 202 or 503 meanwhile, every 202 stored, storing resumes without a restart")
  void serverStoppedUnderLoad(Vertx vertx) throws Exception {
    Path dir = Files.createTempDirectory("hookyard-outage-").resolve("pg");
    EmbeddedDatabase server = EmbeddedDatabase.start(dir);
    int pgPort = server.port();
    PgConnectOptions db = server.connectOptions();
    Database.connect(db);
    GatewayFixture gw = GatewayFixture.start(vertx, Map.of("HOOKYARD_INGEST_TIMEOUT_MS", "3000"), db);

    Map<String, Integer> answers = new ConcurrentHashMap<>();
    AtomicInteger next = new AtomicInteger();
    AtomicBoolean sending = new AtomicBoolean(true);
    AtomicInteger afterRestart = new AtomicInteger(-1);
    ExecutorService threads = Executors.newFixedThreadPool(4);
    List<java.util.concurrent.Future<?>> senders = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      senders.add(threads.submit(() -> {
        while (sending.get()) {
          String guid = "load-" + next.incrementAndGet();
          answers.put(guid, gw.deliver("push", guid, PUSH).statusCode());
        }
        return null;
      }));
    }
    try {
      Thread.sleep(1_000);
      server.close(); // PostgreSQL stops: connections close, new ones are refused
      Thread.sleep(3_000);
      server = EmbeddedDatabase.start(dir, pgPort);
      afterRestart.set(next.get());
      // Storing resumes by itself: wait for a run of 202s after the restart.
      Eventually.atMost(Duration.ofSeconds(60), () -> answers.entrySet().stream()
        .filter(e -> Integer.parseInt(e.getKey().substring(5)) > afterRestart.get() + 50 && e.getValue() == 202).count(), n -> n >= 50);
    } finally {
      sending.set(false);
      for (java.util.concurrent.Future<?> sender : senders) {
        sender.get(60, TimeUnit.SECONDS);
      }
      threads.shutdown();
    }
    try {
      Map<Integer, Long> byStatus = answers.values().stream()
        .collect(java.util.stream.Collectors.groupingBy(c -> c, java.util.stream.Collectors.counting()));
      System.out.println("answers while PostgreSQL was stopped and started: " + byStatus);
      assertThat(byStatus.keySet()).containsOnly(202, 503);
      assertThat(byStatus.get(503)).as("503s while the server was down").isPositive();
      long recovered = answers.entrySet().stream()
        .filter(e -> Integer.parseInt(e.getKey().substring(5)) > afterRestart.get() + 50 && e.getValue() == 202).count();
      assertThat(recovered).as("202s after the restart").isGreaterThanOrEqualTo(50);

      String[] acknowledged = answers.entrySet().stream().filter(e -> e.getValue() == 202).map(Map.Entry::getKey).toArray(String[]::new);
      Pool direct = Database.createPool(vertx, server.connectOptions(), 2);
      long stored = direct.preparedQuery("SELECT count(*) FROM deliveries d JOIN jobs j ON j.delivery_id = d.id WHERE d.id = ANY($1)")
        .execute(Tuple.tuple().addArrayOfString(acknowledged)).await(10, TimeUnit.SECONDS).iterator().next().getLong(0);
      assertThat(stored).as("every acknowledged delivery is stored with its job").isEqualTo(acknowledged.length);
    } finally {
      server.close();
    }
  }
}

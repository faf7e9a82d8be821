package dev.hookyard.scheduler;

import dev.hookyard.common.testing.Ports;
import dev.hookyard.common.db.Database;
import dev.hookyard.common.github.AppJwt;
import dev.hookyard.common.github.GitHubApi;
import dev.hookyard.common.metrics.HookyardMetrics;
import dev.hookyard.common.testing.TestDatabase;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The redelivery reconciler against a local fake of GitHub's App hook-delivery endpoints. */
class RedeliveryReconcilerTest {

  private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");

  private Vertx vertx;
  private Pool pool;
  private HttpServer fake;
  private int port;
  private KeyPair keys;
  private final List<String> authorizations = new CopyOnWriteArrayList<>();
  private final List<Long> redelivered = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    pool = Database.createPool(vertx, TestDatabase.fresh(), 4);
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    keys = generator.generateKeyPair();
    port = Ports.freePort();
    fake = vertx.createHttpServer().requestHandler(req -> {
      authorizations.add(req.getHeader("Authorization"));
      if (req.method().name().equals("GET") && req.path().equals("/app/hook/deliveries")) {
        boolean second = "2".equals(req.getParam("page"));
        JsonArray page = second
          ? new JsonArray().add(delivery(7, "g7", 500, "Invalid HTTP Response: 500", NOW.minus(Duration.ofDays(2))))
            .add(delivery(6, "g6", 502, "failed", NOW.minus(Duration.ofDays(4))))
          : new JsonArray()
            .add(delivery(5, "g4", 200, "OK", NOW.minus(Duration.ofMinutes(5))))
            .add(delivery(1, "g1", 502, "Invalid HTTP Response: 502", NOW.minus(Duration.ofMinutes(10))))
            .add(delivery(2, "g2", 200, "OK", NOW.minus(Duration.ofMinutes(20))))
            .add(delivery(3, "g3", 503, "Invalid HTTP Response: 503", NOW.minus(Duration.ofMinutes(30))))
            .add(delivery(4, "g4", 0, "timed out", NOW.minus(Duration.ofMinutes(40))));
        if (!second) {
          req.response().putHeader("Link", "<http://127.0.0.1:" + port + "/app/hook/deliveries?per_page=100&page=2>; rel=\"next\"");
        }
        req.response().putHeader("Content-Type", "application/json").end(page.encode());
      } else if (req.method().name().equals("POST") && req.path().matches("/app/hook/deliveries/\\d+/attempts")) {
        redelivered.add(Long.parseLong(req.path().split("/")[4]));
        req.response().setStatusCode(202).end("{}");
      } else {
        req.response().setStatusCode(404).end();
      }
    });
    fake.listen(port, "127.0.0.1").await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static JsonObject delivery(long id, String guid, int code, String status, Instant at) {
    return new JsonObject().put("id", id).put("guid", guid).put("status_code", code).put("status", status)
      .put("delivered_at", at.toString()).put("event", "push").put("redelivery", false);
  }

  private String pem(byte[] der, String type) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
      + "\n-----END " + type + "-----\n";
  }

  private double counter() {
    Counter c = HookyardMetrics.registry().find("hookyard.redeliveries.requested").tag("outcome", "requested").counter();
    return c == null ? 0 : c.count();
  }

  @Test
  @DisplayName("Failed deliveries of the last three days that hookyard never stored are asked for again, once an hour, with a valid App JWT")
  void redeliversWhatWasLost() throws Exception {
    pool.query("INSERT INTO deliveries (id, event, content_type, body) VALUES ('g3', 'push', 'application/json', '\\x00'::bytea)")
      .execute().await(10, TimeUnit.SECONDS);
    // GitHub hands out PKCS#1 keys; the JDK's encoding is PKCS#8 with a 26-byte header before the PKCS#1 key.
    byte[] pkcs8 = keys.getPrivate().getEncoded();
    String githubPem = pem(Arrays.copyOfRange(pkcs8, 26, pkcs8.length), "RSA PRIVATE KEY");
    RedeliveryReconciler reconciler = new RedeliveryReconciler(pool, new GitHubApi(vertx, "http://127.0.0.1:" + port, null),
      new AppJwt("4242", githubPem), Duration.ofMinutes(10));
    double before = counter();

    String summary = reconciler.run(NOW).await(30, TimeUnit.SECONDS);
    assertThat(redelivered).containsExactlyInAnyOrder(1L, 7L);
    assertThat(summary).startsWith("2 of 3 failed deliveries");
    assertThat(counter() - before).isEqualTo(2.0);

    String jwt = authorizations.get(0).substring("Bearer ".length());
    String[] parts = jwt.split("\\.");
    Signature rsa = Signature.getInstance("SHA256withRSA");
    rsa.initVerify(keys.getPublic());
    rsa.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
    assertThat(rsa.verify(Base64.getUrlDecoder().decode(parts[2]))).isTrue();
    JsonObject claims = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    assertThat(claims.getString("iss")).isEqualTo("4242");
    assertThat(claims.getLong("exp")).isEqualTo(NOW.getEpochSecond() + 540);
    assertThat(claims.getLong("iat")).isEqualTo(NOW.getEpochSecond() - 60);

    // Within the hour nothing is asked again; after it, what is still missing is.
    reconciler.run(NOW.plus(Duration.ofMinutes(10))).await(30, TimeUnit.SECONDS);
    assertThat(redelivered).hasSize(2);
    pool.query("INSERT INTO deliveries (id, event, content_type, body) VALUES ('g7', 'push', 'application/json', '\\x00'::bytea)")
      .execute().await(10, TimeUnit.SECONDS);
    reconciler.run(NOW.plus(Duration.ofMinutes(61))).await(30, TimeUnit.SECONDS);
    assertThat(redelivered).containsExactlyInAnyOrder(1L, 7L, 1L);
    assertThat(pool.query("SELECT attempts FROM redelivery_requests WHERE guid = 'g1'").execute().await(10, TimeUnit.SECONDS)
      .iterator().next().getInteger(0)).isEqualTo(2);
  }
}

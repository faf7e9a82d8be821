package dev.hookyard.gateway;

import dev.hookyard.common.testing.Eventually;
import dev.hookyard.common.config.HookyardConfig;
import dev.hookyard.common.metrics.HookyardMetrics;
import dev.hookyard.gateway.ingest.BodyBudget;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
class SlowBodyAttackTest {

  private static final int ATTACKERS = 200;
  private static final long BUDGET = 32L * 1024 * 1024;
  private static final long ATTACK_MS = 8_000;
  private static final byte[] CHUNK = new byte[16 * 1024];

  /** Heap in use right after a full collection: what is really held (client side of the test included), not garbage. */
  private static long liveHeap(MemoryMXBean memory) {
    System.gc();
    return memory.getHeapMemoryUsage().getUsed();
  }

  private static double rejected(String reason) {
    Counter c = HookyardMetrics.registry().find("hookyard.webhook.deliveries.rejected").tag("reason", reason).counter();
    return c == null ? 0 : c.count();
  }

  @Test
  @Timeout(90)
  @DisplayName("200 slow unsigned 25 MiB chunked requests: held body bytes stay within the budget and signed deliveries sent meanwhile are stored")
  void slowBodies(Vertx vertx) throws Exception {
    GatewayFixture gw = GatewayFixture.start(vertx, Map.of(
      HookyardConfig.MAX_INFLIGHT_BYTES, String.valueOf(BUDGET),
      HookyardConfig.BODY_TIMEOUT_MS, "3000"));
    BodyBudget budget = BodyBudget.existing(vertx);
    double overBefore = rejected("over_capacity");
    double lateBefore = rejected("request_timeout");
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long liveBefore = liveHeap(memory);
    long heapBefore = memory.getHeapMemoryUsage().getUsed();

    long stopAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ATTACK_MS);
    AtomicLong connections = new AtomicLong();
    AtomicLong sent = new AtomicLong();
    ConcurrentLinkedQueue<RawHttp> open = new ConcurrentLinkedQueue<>();
    List<Thread> attackers = new ArrayList<>();
    for (int a = 0; a < ATTACKERS; a++) {
      int attacker = a;
      Thread t = new Thread(() -> {
        int round = 0;
        while (System.nanoTime() < stopAt) {
          try (RawHttp http = new RawHttp(gw.port)) {
            open.add(http);
            connections.incrementAndGet();
            // Well-formed but unsigned: it passes every header check and is only found out once read.
            http.head("/webhooks/github", "Content-Type: application/json", "Transfer-Encoding: chunked",
              "X-Hub-Signature-256: sha256=" + "0".repeat(64), "X-GitHub-Event: push",
              "X-GitHub-Delivery: attack-" + attacker + "-" + round++);
            for (long body = 0; body < 25L * 1024 * 1024 && System.nanoTime() < stopAt; body += CHUNK.length) {
              http.chunk(CHUNK);
              sent.addAndGet(CHUNK.length);
              Thread.sleep(100);
            }
          } catch (Exception e) {
            // Refused or cut off: come back with a new connection, as an attacker would.
          }
        }
      }, "attacker-" + a);
      t.setDaemon(true);
      t.start();
      attackers.add(t);
    }

    long peakHeap = heapBefore;
    long peakLive = liveBefore;
    List<Future<HttpResponse<Buffer>>> signed = new ArrayList<>();
    int n = 0;
    while (System.nanoTime() < stopAt) {
      signed.add(gw.deliverAsync("push", "signed-" + n++, Buffer.buffer("{\"ref\":\"refs/heads/main\",\"n\":" + n + "}"),
        GatewayFixture.SECRET, "application/json"));
      peakHeap = Math.max(peakHeap, memory.getHeapMemoryUsage().getUsed());
      if (n % 20 == 0) {
        peakLive = Math.max(peakLive, liveHeap(memory));
      }
      Thread.sleep(50);
    }
    open.forEach(http -> {
      try {
        http.close();
      } catch (Exception ignored) {
        // already closed
      }
    });
    for (Thread t : attackers) {
      t.join(10_000);
    }
    Future.join(signed).await(30, TimeUnit.SECONDS);

    long accepted = signed.stream().filter(f -> f.succeeded() && f.result().statusCode() == 202).count();
    long stored = gw.count("SELECT count(*) FROM deliveries WHERE id LIKE 'signed-%'");
    double over = rejected("over_capacity") - overBefore;
    double late = rejected("request_timeout") - lateBefore;
    System.out.printf("Slow-body attack: %d attackers, %d connections, %d MiB sent in %d ms; peak body bytes in flight %d "
        + "(%.1f MiB of a %d MiB budget); live heap after full GC peak %d MiB (%d MiB before), heap used peak %d MiB with garbage; refused %.0f over the budget, %.0f late; "
        + "signed deliveries: %d sent, %d answered 202, %d stored%n",
      ATTACKERS, connections.get(), sent.get() >> 20, ATTACK_MS, budget.peak(), budget.peak() / 1048576.0, BUDGET >> 20,
      peakLive >> 20, liveBefore >> 20, peakHeap >> 20, over, late, signed.size(), accepted, stored);

    assertThat(budget.peak()).isLessThanOrEqualTo(BUDGET);
    assertThat(over).as("requests refused past the budget").isPositive();
    assertThat(accepted).isEqualTo(signed.size());
    assertThat(stored).isEqualTo(signed.size());
    assertThat(gw.count("SELECT count(*) FROM deliveries WHERE id LIKE 'attack-%'")).isZero();
    Eventually.until(Duration.ofSeconds(10), "every body's bytes given back", () -> budget.inFlight() == 0);
  }
}

package dev.hookyard.gateway;

import dev.hookyard.common.testing.Eventually;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.hookyard.common.db.Database;
import dev.hookyard.common.db.EmbeddedDatabase;
import dev.hookyard.common.logging.RepeatedFailures;
import dev.hookyard.common.metrics.HookyardMetrics;
import dev.hookyard.common.testing.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
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
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The embedded database's data directory on a small tmpfs, filled while signed senders
 * post pushes. Mounting needs root: CI runs the suite as root; elsewhere it is skipped,
 * saying so.
 */
class DiskFullTest {

  private static final int SENDERS = 6;
  private static final Duration INTERVAL = Duration.ofSeconds(2);
  private static final String PUSH = "{\"ref\":\"refs/heads/main\",\"after\":\"6113728f27ae82c7b1a177c8d03f9e96e0adf246\","
    + "\"repository\":{\"id\":1,\"full_name\":\"acme/api\"},\"commits\":[{\"id\":\"6113728f27ae82c7b1a177c8d03f9e96e0adf246\","
    + "\"message\":\"" + "Fix the build. ".repeat(40) + "\"}]}";

  private Vertx vertx;
  private Path mount;
  private Duration intervalBefore;

  @AfterEach
  void tearDown() throws Exception {
    if (vertx != null) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
    if (intervalBefore != null) {
      RepeatedFailures.interval(intervalBefore);
    }
    if (mount != null) {
      run("umount", "-l", mount.toString());
      Files.deleteIfExists(mount);
    }
  }

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  @DisplayName("The database's disk fills under six signed senders: only 202 or 503, every 202 stored, the cause named on health and "
    + "/ready, a few log lines for thousands of refusals, and deliveries accepted again once space is freed, without a restart")
  void diskFull() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")) && System.getProperty("os.name").startsWith("Linux"),
      "DiskFullTest mounts a small tmpfs for the database's data directory, which needs root on Linux (CI runs the suite as root); "
        + "skipped as " + System.getProperty("user.name"));
    mount = Files.createTempDirectory("hookyard-disk-full-");
    if (run("mount", "-t", "tmpfs", "-o", "size=192m", "tmpfs", mount.toString()) != 0) {
      Files.deleteIfExists(mount);
      mount = null;
      assumeTrue(false, "DiskFullTest could not mount a tmpfs (a container without CAP_SYS_ADMIN?); skipped");
    }
    intervalBefore = RepeatedFailures.interval();
    RepeatedFailures.interval(INTERVAL);

    EmbeddedDatabase server = EmbeddedDatabase.start(mount.resolve("pg"));
    try {
      PgConnectOptions db = server.connectOptions();
      Database.connect(db);
      // WAL segments ready for reuse: a full disk then refuses new table pages (an error
      // for the statement) rather than a new WAL segment (which stops the server).
      for (int i = 0; i < 4; i++) {
        TestDatabase.execute(db, "CREATE TABLE wal_filler AS SELECT g FROM generate_series(1, 1000) g; DROP TABLE wal_filler;"
          + " SELECT pg_switch_wal()");
      }
      TestDatabase.execute(db, "CHECKPOINT");

      vertx = Vertx.builder().with(HookyardMetrics.vertxOptions()).withMetrics(HookyardMetrics.factory()).build();
      GatewayFixture gw = GatewayFixture.start(vertx, Map.of("HOOKYARD_INGEST_TIMEOUT_MS", "3000"), db);
      ListAppender<ILoggingEvent> lines = new ListAppender<>();
      lines.start();
      ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
      root.addAppender(lines);

      Map<String, Integer> answers = new ConcurrentHashMap<>();
      AtomicInteger next = new AtomicInteger();
      AtomicBoolean sending = new AtomicBoolean(true);
      ExecutorService threads = Executors.newFixedThreadPool(SENDERS);
      List<java.util.concurrent.Future<?>> senders = new ArrayList<>();
      for (int t = 0; t < SENDERS; t++) {
        senders.add(threads.submit(() -> {
          while (sending.get()) {
            String guid = "df-" + next.incrementAndGet();
            answers.put(guid, gw.deliver("push", guid, PUSH).statusCode());
          }
          return null;
        }));
      }
      Path filler = mount.resolve("filler");
      JsonObject healthDuring;
      JsonObject readyDuring;
      int readyStatusDuring;
      int faultLines;
      int firstAfterFree;
      long refusedWhileFull;
      try {
        Thread.sleep(1_000);
        int beforeFault = lines.list.size();
        fill(filler);
        // Until refusals have gone on for three intervals (at most 30 s).
        long deadline = System.currentTimeMillis() + 30_000;
        long firstRefusal = 0;
        while (System.currentTimeMillis() < deadline) {
          if (firstRefusal == 0 && answers.containsValue(503)) {
            firstRefusal = System.currentTimeMillis();
          }
          if (firstRefusal > 0 && System.currentTimeMillis() - firstRefusal > 3 * INTERVAL.toMillis()) {
            break;
          }
          Thread.sleep(100);
        }
        assertThat(firstRefusal).as("deliveries refused once the disk is full").isPositive();
        healthDuring = gw.client.get("/webhooks/github/health").send().await(10, TimeUnit.SECONDS).bodyAsJsonObject();
        var ready = gw.client.get("/ready").send().await(10, TimeUnit.SECONDS);
        readyStatusDuring = ready.statusCode();
        readyDuring = ready.bodyAsJsonObject();
        refusedWhileFull = answers.values().stream().filter(c -> c == 503).count();
        faultLines = lines.list.size() - beforeFault;

        Files.delete(filler);
        firstAfterFree = next.get();
        // Accepting again by itself: a run of 202s after the space came back.
        int freed = firstAfterFree;
        Eventually.atMost(Duration.ofSeconds(60), () -> acceptedAfter(answers, freed), n -> n >= 50);
      } finally {
        sending.set(false);
        for (java.util.concurrent.Future<?> sender : senders) {
          sender.get(60, TimeUnit.SECONDS);
        }
        threads.shutdown();
        root.detachAppender(lines);
      }

      Map<Integer, Long> byStatus = answers.values().stream().collect(Collectors.groupingBy(c -> c, Collectors.counting()));
      System.out.println("answers while the disk filled and was freed: " + byStatus + "; " + faultLines
        + " log lines for " + refusedWhileFull + " refusals:");
      lines.list.forEach(e -> System.out.println("  " + e.getLevel() + " " + e.getLoggerName() + " - " + e.getFormattedMessage()));

      assertThat(byStatus.keySet()).containsOnly(202, 503);
      assertThat(refusedWhileFull).as("503s while the disk was full").isGreaterThanOrEqualTo(100);
      assertThat(acceptedAfter(answers, firstAfterFree)).as("202s once space was freed").isGreaterThanOrEqualTo(50);

      // The cause, named while it lasts; readiness unchanged.
      assertThat(healthDuring.getString("status")).isEqualTo("degraded");
      assertThat(healthDuring.getString("database")).isEqualTo("disk full");
      assertThat(healthDuring.getJsonArray("refusing").stream().map(o -> ((JsonObject) o).getString("reason"))).contains("disk_full");
      assertThat(readyStatusDuring).isEqualTo(200);
      assertThat(readyDuring.getString("database")).isEqualTo("disk full");

      // A few lines, not one per refusal: per cause, the first, one per interval, the end.
      assertThat(faultLines).as("log lines while %d deliveries were refused", refusedWhileFull).isLessThanOrEqualTo(30);
      assertThat(lines.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
        .map(ILoggingEvent::getFormattedMessage))
        .anyMatch(m -> m.matches("[0-9,]+ deliveries refused in the last [0-9.]+ s: the database's disk is full \\(.*\\), e\\.g\\. df-[0-9]+"));
      assertThat(lines.list.stream().filter(e -> e.getFormattedMessage().contains("disk is full")))
        .allSatisfy(e -> assertThat(e.getMDCPropertyMap()).containsEntry("reason", "disk_full"));

      String metrics = gw.client.get("/metrics").send().await(10, TimeUnit.SECONDS).bodyAsString();
      assertThat(metrics).containsPattern("hookyard_webhook_refused_total\\{reason=\"disk_full\"} [1-9]");
      assertThat(metrics).contains("hookyard_webhook_refused_total{reason=\"bad_signature\"} 0.0");

      // Nothing acknowledged is lost: every 202 is stored with its job.
      String[] acknowledged = answers.entrySet().stream().filter(e -> e.getValue() == 202).map(Map.Entry::getKey).toArray(String[]::new);
      Pool direct = Database.createPool(vertx, db, 2);
      long stored = direct.preparedQuery("SELECT count(*) FROM deliveries d JOIN jobs j ON j.delivery_id = d.id WHERE d.id = ANY($1)")
        .execute(Tuple.tuple().addArrayOfString(acknowledged)).await(10, TimeUnit.SECONDS).iterator().next().getLong(0);
      assertThat(stored).as("every acknowledged delivery is stored with its job").isEqualTo(acknowledged.length);

      // Once no refusal has happened for an interval, health says so again.
      JsonObject after = Eventually.atMost(INTERVAL.multipliedBy(5),
        () -> gw.client.get("/webhooks/github/health").send().await(10, TimeUnit.SECONDS).bodyAsJsonObject(),
        health -> "up".equals(health.getString("database")) && health.getJsonArray("refusing").isEmpty());
      assertThat(after.getString("database")).isEqualTo("up");
      assertThat(after.getString("status")).isEqualTo("healthy");
    } finally {
      server.close();
    }
  }

  private static long acceptedAfter(Map<String, Integer> answers, int first) {
    return answers.entrySet().stream()
      .filter(e -> Integer.parseInt(e.getKey().substring(3)) > first && e.getValue() == 202).count();
  }

  /** Writes zeros until the file system has no space left. */
  private static void fill(Path file) throws IOException {
    byte[] chunk = new byte[1 << 20];
    try (OutputStream out = Files.newOutputStream(file)) {
      while (true) {
        out.write(chunk);
      }
    } catch (IOException e) {
      if (!String.valueOf(e.getMessage()).contains("No space left")) {
        throw e;
      }
    }
  }

  private static int run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    int rc = p.waitFor();
    if (rc != 0) {
      System.out.println(String.join(" ", command) + " failed (" + rc + "): " + output.trim());
    }
    return rc;
  }
}

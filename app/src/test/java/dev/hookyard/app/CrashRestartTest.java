package dev.hookyard.app;

import dev.hookyard.common.testing.Eventually;
import dev.hookyard.common.testing.Ports;
import dev.hookyard.common.config.HookyardConfig;
import dev.hookyard.common.db.Database;
import dev.hookyard.common.db.EmbeddedDatabase;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kill -9 of a whole hookyard (every role, embedded PostgreSQL) under signed load, then
 * a restart on the same data directory: nothing acknowledged is lost.
 */
class CrashRestartTest {

  private static final SignedPushes PUSHES = new SignedPushes("crash", "acme/crash", 7070, "crash-");
  private static final Pattern PG_PORT = Pattern.compile("Embedded PostgreSQL on 127\\.0\\.0\\.1:(\\d+)");

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  @DisplayName("kill -9 under signed load, restart on the same data dir: ready within 15 s, every 202'd delivery processed once")
  void killNineAndRestart() throws Exception {
    Path dataDir = TestHookyard.tempDir();
    Map<String, String> env = new HashMap<>();
    env.put(HookyardConfig.DATA_DIR, dataDir.toString());
    env.put(HookyardConfig.HTTP_PORT, String.valueOf(Ports.freePort()));
    env.put(HookyardConfig.HTTP_HOST, "127.0.0.1");
    env.put(HookyardConfig.WEBHOOK_SECRETS, TestHookyard.SECRET);
    env.put(HookyardConfig.ADMIN_TOKEN, TestHookyard.TOKEN);
    env.put(HookyardConfig.GATEWAY_INSTANCES, "1");
    // Jobs the killed process held are taken again once their lease runs out.
    env.put(HookyardConfig.QUEUE_LEASE_MS, "4000");
    env.put(HookyardConfig.QUEUE_POLL_MS, "200");

    List<HookyardProcess> all = new ArrayList<>();
    Vertx vertx = Vertx.vertx();
    ExecutorService threads = Executors.newFixedThreadPool(8);
    try {
      HookyardProcess first = HookyardProcess.start("crash-first", env).awaitReady(Duration.ofSeconds(120));
      all.add(first);
      int port = Integer.parseInt(env.get(HookyardConfig.HTTP_PORT));
      WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
        .setConnectTimeout(2_000), new io.vertx.core.http.PoolOptions().setHttp1MaxSize(8));
      PUSHES.track(client);

      Set<String> accepted = ConcurrentHashMap.newKeySet();
      AtomicInteger next = new AtomicInteger();
      AtomicBoolean down = new AtomicBoolean();
      Path pidFile = dataDir.resolve("pg").resolve("postmaster.pid");
      long postmaster = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());

      // Signed load; the process is killed once 300 deliveries were accepted, mid-stream.
      List<Future<?>> senders = new ArrayList<>();
      for (int s = 0; s < 8; s++) {
        senders.add(threads.submit(() -> {
          while (!down.get()) {
            int n = next.incrementAndGet();
            try {
              if (PUSHES.send(client, n) == 202) {
                accepted.add(PUSHES.guid(n));
              }
            } catch (Exception e) {
              return null; // the process is gone
            }
          }
          return null;
        }));
      }
      Eventually.until(Duration.ofSeconds(90), "300 deliveries accepted", () -> accepted.size() >= 300);
      first.kill9();
      down.set(true);
      for (Future<?> sender : senders) {
        sender.get(60, TimeUnit.SECONDS);
      }
      int acceptedBeforeKill = accepted.size();

      long restarting = System.nanoTime();
      HookyardProcess second = HookyardProcess.start("crash-second", env);
      all.add(second);
      second.awaitReady(Duration.ofSeconds(60));
      double readyAfter = (System.nanoTime() - restarting) / 1e9;
      // Gone once it exited: a zombie left for the init process to reap counts as gone.
      Eventually.until(Duration.ofSeconds(10), "the killed process's PostgreSQL is gone", () -> !EmbeddedDatabase.running(postmaster));

      // More load after the restart: the new process takes it beside the rescued work.
      for (int i = 0; i < 100; i++) {
        int n = next.incrementAndGet();
        assertThat(PUSHES.send(client, n)).isEqualTo(202);
        accepted.add(PUSHES.guid(n));
      }

      Matcher m = PG_PORT.matcher(second.output());
      assertThat(m.find()).as("the embedded PostgreSQL's port is in the log").isTrue();
      String password = Files.readString(dataDir.resolve(EmbeddedDatabase.PASSWORD_FILE)).trim();
      PgConnectOptions db = new PgConnectOptions().setHost("127.0.0.1").setPort(Integer.parseInt(m.group(1)))
        .setDatabase("postgres").setUser("postgres").setPassword(password);
      Pool pool = Database.createPool(vertx, db, 2);
      String[] ids = accepted.toArray(String[]::new);
      // Index jobs of deliveries sent but never acknowledged count too: wait for all of them
      // (one the killed process held comes back when its lease runs out).
      Row state = Eventually.until(Duration.ofSeconds(90), "every accepted delivery processed", () -> pool.preparedQuery("""
            SELECT count(*) FILTER (WHERE delivery_id = ANY($1) AND status = 'done') AS webhooks_done,
                   count(*) FILTER (WHERE queue = 'index-repository' AND status IN ('done', 'ignored')) AS index_done,
                   count(*) FILTER (WHERE queue = 'index-repository') AS index_jobs,
                   count(DISTINCT dedupe_key) FILTER (WHERE queue = 'index-repository') AS index_keys,
                   count(*) FILTER (WHERE status = 'dead') AS dead,
            """ + TestHookyard.unindexedPushes("w.delivery_id = ANY($1)", "'done', 'ignored'") + """
              FROM jobs
            """).execute(io.vertx.sqlclient.Tuple.tuple().addArrayOfString(ids)).await(10, TimeUnit.SECONDS).iterator().next(),
        s -> s.getLong("webhooks_done") == ids.length && s.getLong("unindexed") == 0
          && s.getLong("index_done").equals(s.getLong("index_jobs")));
      double processedAfter = (System.nanoTime() - restarting) / 1e9;
      System.out.printf("kill -9 after %d accepted deliveries; restart ready in %.1f s; all %d accepted processed %.1f s after the restart%n",
        acceptedBeforeKill, readyAfter, ids.length, processedAfter);
      assertThat(state.getLong("webhooks_done")).isEqualTo(ids.length);
      // Every accepted push indexed by one index job, its own or a newer push's of its batch,
      // and no index job twice (deliveries sent but not acknowledged may add theirs).
      assertThat(state.getLong("unindexed")).isZero();
      assertThat(state.getLong("index_jobs")).isEqualTo(state.getLong("index_keys")).isPositive();
      assertThat(state.getLong("index_done")).isEqualTo(state.getLong("index_jobs"));
      assertThat(state.getLong("dead")).isZero();
      assertThat(readyAfter).as("ready after the restart, in seconds").isLessThanOrEqualTo(15.0);
    } finally {
      threads.shutdownNow();
      for (HookyardProcess p : all) {
        p.close();
      }
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }
}

package dev.hookyard.app;

import dev.hookyard.common.testing.Eventually;
import dev.hookyard.common.testing.Ports;
import dev.hookyard.common.config.HookyardConfig;
import dev.hookyard.common.testing.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Roles as separate JVMs on one PostgreSQL: a gateway, processors processes that share
 * the work, lose one to kill -9 and gain one mid-load, and a scheduler; schedulers
 * killed and restarted; a processors process frozen until the cluster drops it.
 */
class MultiProcessClusterTest {

  private static final int DELIVERIES = 1_200;
  private static final SignedPushes PUSHES = new SignedPushes("mp", "acme/mp", 9090, "mp-");

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  @DisplayName("Under signed load, two processors processes share the jobs; one is killed -9 and a third joins: every accepted delivery is processed exactly once")
  void processorsShareSurviveAndJoin() throws Exception {
    try (TestCluster tc = new TestCluster(0)) {
      List<HookyardProcess> all = tc.all;
      Vertx vertx = tc.vertx;
      Pool pool = tc.pool;
      HookyardProcess gateway = track(all, HookyardProcess.start("gateway", tc.env("gateway")));
      HookyardProcess a = track(all, HookyardProcess.start("processors-a", tc.env("processors")));
      HookyardProcess b = track(all, HookyardProcess.start("processors-b", tc.env("processors")));
      HookyardProcess scheduler = track(all, HookyardProcess.start("scheduler", tc.env("scheduler")));
      for (HookyardProcess p : all) {
        p.awaitReady(Duration.ofSeconds(90));
      }

      WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(gateway.port),
        new io.vertx.core.http.PoolOptions().setHttp1MaxSize(16));
      PUSHES.track(client);

      Set<String> accepted = ConcurrentHashMap.newKeySet();
      AtomicInteger sent = new AtomicInteger();
      long[] beforeKill = new long[2];
      HookyardProcess[] joined = new HookyardProcess[1];
      java.util.concurrent.CountDownLatch joinedReady = new java.util.concurrent.CountDownLatch(1);
      // 16 senders in parallel; at a third of the load A is killed, at half C is started.
      java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(16);
      List<java.util.concurrent.Future<Void>> senders = new ArrayList<>();
      for (int s = 0; s < 16; s++) {
        senders.add(threads.submit(() -> {
          int n;
          while ((n = sent.incrementAndGet()) <= DELIVERIES) {
            if (n == DELIVERIES / 3) {
              beforeKill[0] = a.jobsFinished("done");
              a.kill9();
              beforeKill[1] = System.nanoTime();
            }
            if (n == DELIVERIES / 2) {
              joined[0] = track(all, HookyardProcess.start("processors-c", tc.env("processors")));
              joined[0].awaitReady(Duration.ofSeconds(90));
              joinedReady.countDown();
            }
            // The last third is sent once the new process has joined, so it has work to take.
            if (n > DELIVERIES * 2 / 3) {
              joinedReady.await(100, TimeUnit.SECONDS);
            }
            if (PUSHES.send(client, n) == 202) {
              accepted.add(PUSHES.guid(n));
            }
            if (n % 40 == 0) {
              Thread.sleep(20);
            }
          }
          return null;
        }));
      }
      for (java.util.concurrent.Future<Void> sender : senders) {
        sender.get(120, TimeUnit.SECONDS);
      }
      threads.shutdown();
      HookyardProcess c = joined[0];
      assertThat(accepted).hasSize(DELIVERIES);

      // Every accepted delivery's job is done, and the index job that indexes it (its own or
      // a newer push's of its batch) exists exactly once and has run (an index job that
      // finds a newer push already indexed is recorded as ignored).
      Row state = Eventually.atMost(Duration.ofSeconds(60), () -> pool.query("""
            SELECT count(*) FILTER (WHERE delivery_id LIKE 'mp-%' AND status = 'done') AS webhooks_done,
                   count(*) FILTER (WHERE queue = 'index-repository' AND status IN ('done', 'ignored')) AS index_done,
                   count(*) FILTER (WHERE queue = 'index-repository') AS index_jobs,
                   count(DISTINCT dedupe_key) FILTER (WHERE queue = 'index-repository') AS index_keys,
                   count(*) FILTER (WHERE status = 'dead') AS dead,
            """ + TestHookyard.unindexedPushes("w.delivery_id LIKE 'mp-%'", "'done', 'ignored'") + """
              FROM jobs
            """).execute().await(10, TimeUnit.SECONDS).iterator().next(),
        s -> s.getLong("webhooks_done") == DELIVERIES && s.getLong("unindexed") == 0
          && s.getLong("index_done").equals(s.getLong("index_jobs")));
      List<String> byStatus = new ArrayList<>();
      pool.query("SELECT queue, status, count(*) AS n, max(attempts) AS attempts FROM jobs GROUP BY queue, status ORDER BY 1, 2")
        .execute().await(10, TimeUnit.SECONDS)
        .forEach(r -> byStatus.add(r.getString("queue") + " " + r.getString("status") + " " + r.getLong("n") + " (attempts <= "
          + r.getInteger("attempts") + ")"));
      System.out.println("jobs by queue and status: " + byStatus);
      assertThat(state.getLong("webhooks_done")).as("jobs by queue and status: %s", byStatus).isEqualTo(DELIVERIES);
      assertThat(state.getLong("unindexed")).isZero();
      assertThat(state.getLong("index_jobs")).isEqualTo(state.getLong("index_keys")).isBetween(1L, (long) DELIVERIES);
      assertThat(state.getLong("index_done")).isEqualTo(state.getLong("index_jobs"));
      assertThat(state.getLong("dead")).isZero();

      long byB = b.jobsFinished("done");
      long byC = c.jobsFinished("done");
      System.out.printf("jobs done per process: A (before kill -9) %d, B %d, C (joined mid-load) %d; accepted %d, "
          + "all processed %.1f s after the kill -9%n", beforeKill[0], byB, byC, accepted.size(),
        (System.nanoTime() - beforeKill[1]) / 1e9);
      assertThat(beforeKill[0]).isPositive();
      assertThat(byB).isPositive();
      assertThat(byC).isPositive();
      assertThat(scheduler.alive()).isTrue();
    }
  }

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  @DisplayName("Processes outlive each other: a gateway with no processors keeps accepting, processors whose gateway died keep draining, and no event loop blocks")
  void processesOutliveEachOther() throws Exception {
    try (TestCluster tc = new TestCluster(97)) {
      List<HookyardProcess> all = tc.all;
      Vertx vertx = tc.vertx;
      Pool pool = tc.pool;
      HookyardProcess gateway = track(all, HookyardProcess.start("gateway", tc.env("gateway")));
      HookyardProcess first = track(all, HookyardProcess.start("processors-1", tc.env("processors")));
      gateway.awaitReady(Duration.ofSeconds(90));
      first.awaitReady(Duration.ofSeconds(90));
      WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(gateway.port));
      PUSHES.track(client);

      // Every processors process gone: the gateway still stores and acknowledges; jobs wait.
      first.kill9();
      for (int n = 1; n <= 50; n++) {
        assertThat(PUSHES.send(client, n)).isEqualTo(202);
      }
      assertThat(http(gateway, "/ready")).isEqualTo(200);
      assertThat(count(pool, "SELECT count(*) FROM jobs WHERE delivery_id LIKE 'mp-%' AND status = 'queued'")).isEqualTo(50);

      // A new processors process drains them; then the gateway dies mid-load and it keeps draining.
      HookyardProcess second = track(all, HookyardProcess.start("processors-2", tc.env("processors")));
      second.awaitReady(Duration.ofSeconds(90));
      for (int n = 51; n <= 400; n++) {
        assertThat(PUSHES.send(client, n)).isEqualTo(202);
      }
      gateway.kill9();
      Eventually.atMost(Duration.ofSeconds(60),
        () -> count(pool, "SELECT count(*) FROM jobs WHERE delivery_id LIKE 'mp-%' AND status = 'done'"), n -> n >= 400);
      List<String> byStatus = new ArrayList<>();
      pool.query("SELECT queue, status, count(*) AS n, max(attempts) AS attempts, max(locked_by) AS by FROM jobs GROUP BY 1, 2")
        .execute().await(10, TimeUnit.SECONDS)
        .forEach(r -> byStatus.add(r.getString("queue") + " " + r.getString("status") + " " + r.getLong("n") + " "
          + r.getInteger("attempts") + " " + r.getString("by")));
      assertThat(count(pool, "SELECT count(*) FROM jobs WHERE delivery_id LIKE 'mp-%' AND status = 'done'"))
        .as("jobs: %s", byStatus).isEqualTo(400);
      assertThat(http(second, "/ready")).isEqualTo(200);
      for (HookyardProcess p : all) {
        assertThat(p.output()).as("%s's log", p.name).doesNotContain("has been blocked for");
      }
    }
  }

  private static final long TICK_MS = 300;
  private static final List<String> CLUSTER_WIDE = List.of("fix-verification", "retention");
  private static final Pattern FIRED = Pattern.compile("Scheduled task (\\S+) fired for period (\\d+):");

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  @DisplayName("Two schedulers, one killed -9, then the other, then a new one: tasks keep firing, never twice for a period")
  void schedulersKilledAndRestarted() throws Exception {
    try (TestCluster tc = new TestCluster(197)) {
      List<HookyardProcess> all = tc.all;
      Vertx vertx = tc.vertx;
      Pool pool = tc.pool;
      List<String> debugFirings = List.of("-Dlogback.configurationFile=" + schedulerDebugLogging());
      Map<String, String> env = tc.env("scheduler");
      env.put(HookyardConfig.SCHEDULER_TICK_MS, String.valueOf(TICK_MS));
      HookyardProcess s1 = track(all, HookyardProcess.start("scheduler-1", withPort(env), debugFirings));
      HookyardProcess s2 = track(all, HookyardProcess.start("scheduler-2", withPort(env), debugFirings));
      s1.awaitReady(Duration.ofSeconds(90));
      s2.awaitReady(Duration.ofSeconds(90));
      long bothUp = period();
      awaitFirings(pool, bothUp, 5);

      // One killed: the survivor fires every task, and only the survivor.
      s1.kill9();
      long firstKilled = period();
      awaitFirings(pool, firstKilled, 5);
      s2.kill9();
      long secondKilled = period();
      Map<String, Long> survivorPeriods = firingsBetween(pool, firstKilled, secondKilled);
      assertThat(nodesBetween(pool, firstKilled, secondKilled)).containsOnly(node(s2));

      // Both gone, a new one started: the tasks resume, fired by it alone.
      HookyardProcess s3 = track(all, HookyardProcess.start("scheduler-3", withPort(env), debugFirings));
      s3.awaitReady(Duration.ofSeconds(90));
      long restarted = period();
      awaitFirings(pool, restarted, 5);
      s3.close(); // drained: every firing it recorded is in its log
      long end = period() + 1;
      assertThat(nodesBetween(pool, secondKilled, end)).containsOnly(node(s3));

      // One row per (task, period) by primary key; the logs show no period run twice, and
      // every run a process logged is the row it claimed.
      Map<String, String> ranBy = new HashMap<>();
      Map<String, Long> linesBy = new HashMap<>();
      for (HookyardProcess s : List.of(s1, s2, s3)) {
        Matcher m = FIRED.matcher(s.output());
        while (m.find()) {
          if (!CLUSTER_WIDE.contains(m.group(1))) {
            continue;
          }
          String key = m.group(1) + "/" + m.group(2);
          String before = ranBy.put(key, node(s));
          assertThat(before).as("%s run twice", key).isNull();
          linesBy.merge(s.name, 1L, Long::sum);
        }
      }
      Map<String, String> claimed = new HashMap<>();
      Map<String, String> recorded = new HashMap<>();
      pool.query("SELECT task, period, node, summary FROM scheduler_firings").execute().await(10, TimeUnit.SECONDS).forEach(r -> {
        String key = r.getString("task") + "/" + r.getLong("period");
        claimed.put(key, r.getString("node"));
        if (r.getString("summary") != null) {
          recorded.put(key, r.getString("node"));
        }
      });
      assertThat(claimed).containsAllEntriesOf(ranBy);
      // The last process stopped cleanly: what it recorded and what it logged are the same runs.
      assertThat(keysOf(recorded, node(s3))).isEqualTo(keysOf(ranBy, node(s3)));
      // A killed one may have recorded a run whose log line it never wrote, one per task at most.
      for (HookyardProcess killed : List.of(s1, s2)) {
        Set<String> unlogged = new java.util.HashSet<>(keysOf(recorded, node(killed)));
        unlogged.removeAll(keysOf(ranBy, node(killed)));
        assertThat(unlogged).as("%s's runs missing from its log", killed.name).hasSizeLessThanOrEqualTo(CLUSTER_WIDE.size());
      }
      assertThat(linesBy.get(s3.name)).isPositive();
      System.out.printf("scheduler firings (tick %d ms): %d periods claimed in all, logged per process %s; "
          + "while scheduler-1 was dead scheduler-2 fired %s over %d periods; scheduler-3 fired %d after the restart%n",
        TICK_MS, claimed.size(), linesBy, survivorPeriods, secondKilled - firstKilled, keysOf(ranBy, node(s3)).size());
    }
  }

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  @DisplayName("A processors process frozen until the cluster drops it: the other takes its jobs, and resumed it rejoins without a restart")
  void frozenProcessRejoins() throws Exception {
    try (TestCluster tc = new TestCluster(297)) {
      List<HookyardProcess> all = tc.all;
      Vertx vertx = tc.vertx;
      Pool pool = tc.pool;
      Map<String, String> gatewayEnv = quickCluster(tc.env("gateway"));
      Map<String, String> bEnv = quickCluster(tc.env("processors"));
      // A never polls in this test: every job it takes after the first claim, it takes on a wake-up over the event bus.
      Map<String, String> aEnv = quickCluster(tc.env("processors"));
      aEnv.put(HookyardConfig.QUEUE_POLL_MS, "600000");
      HookyardProcess gateway = track(all, HookyardProcess.start("gateway", gatewayEnv));
      HookyardProcess a = track(all, HookyardProcess.start("processors-a", aEnv));
      HookyardProcess b = track(all, HookyardProcess.start("processors-b", bEnv));
      for (HookyardProcess p : all) {
        p.awaitReady(Duration.ofSeconds(90));
      }
      awaitMembers(List.of(gateway, a, b), 3, Duration.ofSeconds(60));
      WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(gateway.port),
        new io.vertx.core.http.PoolOptions().setHttp1MaxSize(8));
      PUSHES.track(client);

      sendAll(client, 1, 150, null);
      awaitDone(pool, 150);
      long aBeforeFreeze = a.jobsFinished("done");

      // Frozen holding claimed jobs. To catch A with jobs in hand, B is paused for a moment
      // (well under the heartbeat timeout and the blocked-thread limit) while a few
      // deliveries arrive: every job claimed meanwhile is A's.
      int sent = 150;
      Set<Long> heldByA = Set.of();
      long frozen = 0;
      for (int attempt = 0; attempt < 5 && heldByA.isEmpty(); attempt++) {
        awaitIdle(pool);
        b.freeze();
        Thread.sleep(100);
        java.time.OffsetDateTime since = pool.query("SELECT now()").execute().await(10, TimeUnit.SECONDS).iterator().next()
          .getOffsetDateTime(0);
        sendAll(client, sent + 1, sent + 12, null);
        sent += 12;
        Eventually.atMost(Duration.ofMillis(500), () -> runningSince(pool, since), running -> !running.isEmpty());
        a.freeze();
        frozen = System.nanoTime();
        Thread.sleep(250); // a settlement A sent just before it froze lands first
        heldByA = runningSince(pool, since);
        if (heldByA.isEmpty()) {
          a.resume();
        }
        b.resume();
      }
      assertThat(heldByA).as("jobs A held when frozen").isNotEmpty();
      // The cluster drops A; B takes its jobs once their leases run out, and all new work.
      int frozenAt = sent;
      sendAll(client, sent + 1, 450, null);
      awaitMembers(List.of(gateway, b), 2, Duration.ofSeconds(60));
      double dropped = (System.nanoTime() - frozen) / 1e9;
      awaitDone(pool, 450);
      double drained = (System.nanoTime() - frozen) / 1e9;
      List<String> takenOver = new ArrayList<>();
      pool.preparedQuery("SELECT id, status, attempts FROM jobs WHERE id = ANY($1)")
        .execute(io.vertx.sqlclient.Tuple.of(heldByA.toArray(new Long[0]))).await(10, TimeUnit.SECONDS)
        .forEach(r -> takenOver.add(r.getLong("id") + " " + r.getString("status") + " after " + r.getInteger("attempts")));
      assertThat(takenOver).as("A's jobs").hasSize(heldByA.size()).allMatch(j -> j.matches("\\d+ (done|ignored) after \\d"))
        .anyMatch(j -> j.matches("\\d+ (done|ignored) after [2-9]"));
      assertThat(a.alive()).isTrue();

      // Resumed: it merges back into the cluster, and wake-ups reach it again.
      a.resume();
      long resumed = System.nanoTime();
      awaitMembers(List.of(gateway, a, b), 3, Duration.ofSeconds(90));
      double rejoined = (System.nanoTime() - resumed) / 1e9;
      // Nothing left to claim: from here on A claims only when a wake-up reaches it.
      awaitIdle(pool);
      long aBefore = a.jobsFinished("done");
      long bBefore = b.jobsFinished("done");
      // The event-bus registrations the cluster dropped with A come back shortly after the
      // merge: deliveries arrive in groups of ten, a quarter of a second apart, until A takes
      // some on a wake-up; the rest follow at once.
      int next = 451;
      double firstTaken = -1;
      while (next <= 650) {
        int to = firstTaken < 0 ? Math.min(next + 9, 650) : 650;
        sendAll(client, next, to, null);
        next = to + 1;
        awaitDone(pool, to);
        if (firstTaken < 0) {
          if (a.jobsFinished("done") > aBefore) {
            firstTaken = (System.nanoTime() - resumed) / 1e9;
          } else {
            Thread.sleep(250);
          }
        }
      }
      long aAfter = a.jobsFinished("done");
      long bAfter = b.jobsFinished("done");
      assertThat(aAfter).as("jobs A took on wake-ups after rejoining").isGreaterThan(aBefore);

      Row state = pool.query("""
          SELECT count(*) FILTER (WHERE delivery_id LIKE 'mp-%' AND status = 'done') AS webhooks_done,
                 count(*) FILTER (WHERE queue = 'index-repository') AS index_jobs,
                 count(DISTINCT dedupe_key) FILTER (WHERE queue = 'index-repository') AS index_keys,
                 count(*) FILTER (WHERE status = 'dead') AS dead,
          """ + TestHookyard.unindexedPushes("w.delivery_id LIKE 'mp-%'", "'queued', 'running', 'failed', 'done', 'ignored'") + """
            FROM jobs
          """).execute().await(10, TimeUnit.SECONDS).iterator().next();
      assertThat(state.getLong("webhooks_done")).isEqualTo(650);
      assertThat(state.getLong("unindexed")).isZero();
      assertThat(state.getLong("index_jobs")).isEqualTo(state.getLong("index_keys")).isBetween(1L, 650L);
      assertThat(state.getLong("dead")).isZero();
      assertThat(a.alive()).isTrue();
      for (HookyardProcess p : List.of(gateway, b)) {
        assertThat(p.output()).as("%s's log", p.name).doesNotContain("has been blocked for");
      }
      System.out.printf("frozen processors process: frozen after delivery %d holding %d jobs; dropped from the cluster "
          + "%.1f s after SIGSTOP, all 450 deliveries done by the others %.1f s after it, A's jobs among them (%s); merged "
          + "back %.1f s after SIGCONT; jobs done by A before the freeze %d; of the 400 jobs of the 200 deliveries after it "
          + "rejoined, A did %d and B %d, A's first %.1f s after SIGCONT%n", frozenAt, heldByA.size(), dropped, drained,
        String.join(", ", takenOver), rejoined, aBeforeFreeze, aAfter - aBefore, bAfter - bBefore, firstTaken);
    }
  }

  /** The current scheduler period (the test and the processes share the machine's clock). */
  private static long period() {
    return System.currentTimeMillis() / TICK_MS;
  }

  /** Waits until every cluster-wide task has fired at least {@code count} periods after {@code after}. */
  private static void awaitFirings(Pool pool, long after, int count) throws Exception {
    Eventually.until(Duration.ofSeconds(60), "every cluster-wide task fired " + count + " periods after " + after,
      () -> firingsBetween(pool, after, Long.MAX_VALUE),
      fired -> CLUSTER_WIDE.stream().allMatch(t -> fired.getOrDefault(t, 0L) >= count));
  }

  /** Periods fired per task in ({@code after}, {@code before}]. */
  private static Map<String, Long> firingsBetween(Pool pool, long after, long before) throws Exception {
    Map<String, Long> out = new java.util.TreeMap<>();
    pool.preparedQuery("SELECT task, count(*) AS n FROM scheduler_firings WHERE period > $1 AND period <= $2 GROUP BY task")
      .execute(io.vertx.sqlclient.Tuple.of(after, before)).await(10, TimeUnit.SECONDS)
      .forEach(r -> out.put(r.getString("task"), r.getLong("n")));
    return out;
  }

  private static Set<String> nodesBetween(Pool pool, long after, long before) throws Exception {
    Set<String> nodes = new java.util.TreeSet<>();
    pool.preparedQuery("SELECT DISTINCT node FROM scheduler_firings WHERE period > $1 AND period <= $2")
      .execute(io.vertx.sqlclient.Tuple.of(after, before)).await(10, TimeUnit.SECONDS).forEach(r -> nodes.add(r.getString(0)));
    return nodes;
  }

  /** The scheduler's name for a process ({@code pid@host}, as in {@code scheduler_firings.node}). */
  private static String node(HookyardProcess p) {
    return p.pid() + "@" + ManagementHost.NAME;
  }

  private static final class ManagementHost {
    static final String NAME = java.lang.management.ManagementFactory.getRuntimeMXBean().getName().replaceFirst("^[0-9]+@", "");
  }

  private static Set<String> keysOf(Map<String, String> byNode, String node) {
    Set<String> keys = new java.util.TreeSet<>();
    byNode.forEach((k, n) -> {
      if (node.equals(n)) {
        keys.add(k);
      }
    });
    return keys;
  }

  /** Logging as usual, with each scheduler firing logged too. */
  private static String schedulerDebugLogging() throws Exception {
    java.nio.file.Path file = java.nio.file.Files.createTempFile("hookyard-logback-", ".xml");
    java.nio.file.Files.writeString(file, """
      <configuration>
        <appender name="console" class="ch.qos.logback.core.ConsoleAppender">
          <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{24} - %msg%n</pattern></encoder>
        </appender>
        <logger name="com.hazelcast" level="WARN"/>
        <logger name="org.flywaydb" level="WARN"/>
        <logger name="io.netty" level="INFO"/>
        <logger name="io.micrometer.core.instrument.MeterRegistry" level="ERROR"/>
        <logger name="dev.hookyard.scheduler.SchedulerVerticle" level="DEBUG"/>
        <root level="INFO"><appender-ref ref="console"/></root>
      </configuration>
      """);
    file.toFile().deleteOnExit();
    return file.toString();
  }

  private static Map<String, String> withPort(Map<String, String> env) throws Exception {
    Map<String, String> copy = new HashMap<>(env);
    copy.put(HookyardConfig.HTTP_PORT, String.valueOf(Ports.freePort()));
    return copy;
  }

  /** Members dropped after a few silent seconds, and merged back soon after. */
  private static Map<String, String> quickCluster(Map<String, String> env) {
    env.put(HookyardConfig.CLUSTER_HEARTBEAT_TIMEOUT_SECONDS, "10");
    env.put(HookyardConfig.CLUSTER_MERGE_DELAY_SECONDS, "3");
    return env;
  }

  private static void awaitMembers(List<HookyardProcess> processes, int members, Duration within) throws Exception {
    Eventually.until(within, "cluster members seen by " + processes.stream().map(p -> p.name).toList() + " to be " + members,
      () -> processes.stream().map(HookyardProcess::clusterMembers).toList(), seen -> seen.stream().allMatch(n -> n == members));
  }

  private interface BeforeSend {
    void accept(int n) throws Exception;
  }

  /** Sends deliveries {@code from..to} from 8 threads; every one must be accepted. */
  private static void sendAll(WebClient client, int from, int to, BeforeSend before) throws Exception {
    AtomicInteger next = new AtomicInteger(from);
    java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      List<java.util.concurrent.Future<Void>> senders = new ArrayList<>();
      for (int s = 0; s < 8; s++) {
        senders.add(threads.submit(() -> {
          int n;
          while ((n = next.getAndIncrement()) <= to) {
            if (before != null) {
              before.accept(n);
            }
            assertThat(PUSHES.send(client, n)).as("delivery mp-%d", n).isEqualTo(202);
          }
          return null;
        }));
      }
      for (java.util.concurrent.Future<Void> sender : senders) {
        sender.get(120, TimeUnit.SECONDS);
      }
    } finally {
      threads.shutdownNow();
    }
  }

  /** Jobs running, claimed (or their lease renewed) after {@code since}. */
  private static Set<Long> runningSince(Pool pool, java.time.OffsetDateTime since) throws Exception {
    Set<Long> ids = new java.util.TreeSet<>();
    pool.preparedQuery("SELECT id FROM jobs WHERE status = 'running' AND updated_at > $1")
      .execute(io.vertx.sqlclient.Tuple.of(since)).await(10, TimeUnit.SECONDS).forEach(r -> ids.add(r.getLong(0)));
    return ids;
  }

  /** Waits until no job is running or due. */
  private static void awaitIdle(Pool pool) throws Exception {
    String sql = "SELECT count(*) FROM jobs WHERE status = 'running' OR (status IN ('queued', 'failed') AND run_at <= now())";
    Eventually.until(Duration.ofSeconds(60), "no job running or due", () -> count(pool, sql) == 0);
  }

  /** Waits until {@code deliveries} webhook jobs are done. */
  private static void awaitDone(Pool pool, long deliveries) throws Exception {
    String sql = "SELECT count(*) FROM jobs WHERE delivery_id LIKE 'mp-%' AND status = 'done'";
    long done = Eventually.until(Duration.ofSeconds(60), deliveries + " webhook jobs done", () -> count(pool, sql), n -> n >= deliveries);
    assertThat(done).as("webhook jobs done").isEqualTo(deliveries);
  }

  private static int http(HookyardProcess p, String path) throws Exception {
    return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create("http://127.0.0.1:" + p.port + path)).timeout(Duration.ofSeconds(10)).build(),
      java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private static long count(Pool pool, String sql) throws Exception {
    return pool.query(sql).execute().await(10, TimeUnit.SECONDS).iterator().next().getLong(0);
  }

  private static synchronized HookyardProcess track(List<HookyardProcess> all, HookyardProcess p) {
    all.add(p);
    return p;
  }

  /**
   * One test's cluster: a fresh database, a cluster name and port of its own, the
   * processes it started (closed at the end) and a pool to check the database with.
   */
  private static final class TestCluster implements AutoCloseable {
    final PgConnectOptions db = TestDatabase.fresh();
    final String name = "hookyard-mp-" + UUID.randomUUID();
    final int port;
    final List<HookyardProcess> all = new ArrayList<>();
    final Vertx vertx = Vertx.vertx();
    final Pool pool = dev.hookyard.common.db.Database.createPool(vertx, db, 4);

    /** The configuration of a process of this cluster with {@code roles}. */
    Map<String, String> env(String roles) throws Exception {
      return MultiProcessClusterTest.env(db, name, port, roles);
    }

    TestCluster(int portOffset) {
      port = 20_000 + (int) ((ProcessHandle.current().pid() + portOffset) % 20_000);
    }

    @Override
    public void close() throws Exception {
      for (HookyardProcess p : all) {
        p.close();
      }
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  private static Map<String, String> env(PgConnectOptions db, String cluster, int clusterPort, String roles) throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put(HookyardConfig.DB_URL, TestDatabase.url(db));
    env.put(HookyardConfig.ROLES, roles);
    env.put(HookyardConfig.HTTP_PORT, String.valueOf(Ports.freePort()));
    env.put(HookyardConfig.HTTP_HOST, "127.0.0.1");
    env.put(HookyardConfig.DATA_DIR, TestHookyard.tempDir().toString());
    env.put(HookyardConfig.CLUSTER, "true");
    env.put("HOOKYARD_CLUSTER_NAME", cluster);
    env.put(HookyardConfig.CLUSTER_PORT, String.valueOf(clusterPort));
    env.put(HookyardConfig.DB_POOL_SIZE, "6");
    env.put(HookyardConfig.GATEWAY_INSTANCES, "1");
    // A killed worker's jobs are rescued once their lease runs out.
    env.put(HookyardConfig.QUEUE_LEASE_MS, "4000");
    env.put(HookyardConfig.QUEUE_POLL_MS, "200");
    env.put(HookyardConfig.QUEUE_BATCH_SIZE, "10");
    if (roles.contains("gateway")) {
      env.put(HookyardConfig.WEBHOOK_SECRETS, TestHookyard.SECRET);
      env.put(HookyardConfig.ADMIN_TOKEN, TestHookyard.TOKEN);
    }
    return env;
  }
}

package dev.hookyard.scheduler;

import dev.hookyard.common.Addresses;
import dev.hookyard.common.db.Database;
import dev.hookyard.common.testing.MutableClock;
import dev.hookyard.common.testing.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Two schedulers on two Vert.x instances sharing one database, with a clock the test moves. */
class SchedulerTest {

  private final List<Vertx> vertxes = new ArrayList<>();
  private PgConnectOptions db;
  private Pool pool;
  private Pool otherPool;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-24T10:00:00Z"));

  @BeforeEach
  void setUp() {
    db = TestDatabase.fresh();
    vertxes.add(Vertx.vertx());
    vertxes.add(Vertx.vertx());
    pool = Database.createPool(vertxes.get(0), db, 4);
    otherPool = Database.createPool(vertxes.get(1), db, 4);
  }

  @AfterEach
  void tearDown() throws Exception {
    for (Vertx v : vertxes) {
      v.close().await(10, TimeUnit.SECONDS);
    }
  }

  /** A task that counts its runs per period. */
  private static ScheduledTask counting(String name, Duration every, Map<Long, AtomicInteger> runs) {
    return new ScheduledTask() {
      public String name() {
        return name;
      }

      public Duration every() {
        return every;
      }

      public Future<String> run(Instant now) {
        runs.computeIfAbsent(ScheduledTask.period(now, every), p -> new AtomicInteger()).incrementAndGet();
        return Future.succeededFuture("ran");
      }
    };
  }

  private SchedulerVerticle scheduler(int node, List<ScheduledTask> tasks) throws Exception {
    SchedulerVerticle s = new SchedulerVerticle(node == 0 ? pool : otherPool, clock, 3_600_000, tasks, "node-" + node);
    vertxes.get(node).deployVerticle(s).await(10, TimeUnit.SECONDS);
    return s;
  }

  @Test
  @DisplayName("Two schedulers ticking at once over many periods fire each cluster-wide task once per period")
  void oncePerPeriodAcrossSchedulers() throws Exception {
    Map<Long, AtomicInteger> runs = new ConcurrentHashMap<>();
    SchedulerVerticle a = scheduler(0, List.of(counting("count", Duration.ofSeconds(10), runs)));
    SchedulerVerticle b = scheduler(1, List.of(counting("count", Duration.ofSeconds(10), runs)));
    for (int i = 0; i < 20; i++) {
      Future.all(a.tick(), b.tick(), a.tick(), b.tick()).await(10, TimeUnit.SECONDS);
      clock.advance(Duration.ofSeconds(10));
    }
    assertThat(runs).hasSize(20);
    assertThat(runs.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
    assertThat(pool.query("SELECT count(*) FROM scheduler_firings WHERE task = 'count'").execute().await(10, TimeUnit.SECONDS)
      .iterator().next().getLong(0)).isEqualTo(20);
  }

  @Test
  @DisplayName("48 hours pass in a millisecond: a daily task fires twice, and a failing task stops neither the others nor the next tick")
  void clockAndFailures() throws Exception {
    Map<Long, AtomicInteger> daily = new ConcurrentHashMap<>();
    AtomicInteger failures = new AtomicInteger();
    ScheduledTask failing = new ScheduledTask() {
      public String name() {
        return "failing";
      }

      public Duration every() {
        return Duration.ofHours(1);
      }

      public Future<String> run(Instant now) {
        failures.incrementAndGet();
        throw new IllegalStateException("broken task");
      }
    };
    SchedulerVerticle s = scheduler(0, List.of(failing, counting("daily", Duration.ofHours(24), daily)));
    Map<String, String> first = s.tick().await(10, TimeUnit.SECONDS);
    assertThat(first.get("failing")).startsWith("failed");
    assertThat(first.get("daily")).isEqualTo("ran");
    clock.advance(Duration.ofHours(24));
    s.tick().await(10, TimeUnit.SECONDS);
    clock.advance(Duration.ofHours(24));
    s.tick().await(10, TimeUnit.SECONDS);
    s.tick().await(10, TimeUnit.SECONDS);
    assertThat(daily.values().stream().mapToInt(AtomicInteger::get).sum()).isEqualTo(3);
    assertThat(failures.get()).isEqualTo(3);
  }

  @Test
  @DisplayName("Two schedulers verifying windows at once: each attempt whose deadline passed is verified once, with one history row and one board message")
  void verificationWindowOnce() throws Exception {
    long ws = execId("INSERT INTO workspaces (slug, name, issue_prefix) VALUES ('vw', 'VW', 'VW') RETURNING id");
    long repo = execId("INSERT INTO repositories (full_name, default_branch) VALUES ('acme/vw', 'main') RETURNING id");
    List<Long> attempts = new ArrayList<>();
    for (int i = 1; i <= 6; i++) {
      long issue = execId("INSERT INTO board_issues (workspace_id, number, identifier, title, status, error_source, error_external_id) "
        + "VALUES ($1, $2, $3, 'e', 'Done', 'sentry', $3) RETURNING id", ws, i, "VW-" + i);
      // Four deadlines passed, two still open.
      attempts.add(execId("INSERT INTO fix_attempts (issue_id, repository_id, pr_number, merged_at, status, deployed_sha, "
          + "deployed_at, verification_deadline) VALUES ($1, $2, $3, $4, 'monitoring', 'abc', $4, $5) RETURNING id",
        issue, repo, i, clock.instant().atOffset(java.time.ZoneOffset.UTC).minusHours(50),
        clock.instant().atOffset(java.time.ZoneOffset.UTC).plusHours(i <= 4 ? -2 : 2)));
    }
    List<JsonObject> messages = new CopyOnWriteArrayList<>();
    for (Vertx v : vertxes) {
      v.eventBus().<JsonObject>consumer(Addresses.board("vw"), m -> messages.add(m.body())).completion().await(10, TimeUnit.SECONDS);
    }
    // The window task itself, twice at once (as two schedulers whose claims both won would), and through both schedulers.
    FixVerificationWindow one = new FixVerificationWindow(vertxes.get(0), pool, Duration.ofSeconds(10));
    FixVerificationWindow two = new FixVerificationWindow(vertxes.get(1), otherPool, Duration.ofSeconds(10));
    Future.all(one.run(clock.instant()), two.run(clock.instant()), one.run(clock.instant())).await(20, TimeUnit.SECONDS);
    SchedulerVerticle a = scheduler(0, List.of(one));
    SchedulerVerticle b = scheduler(1, List.of(two));
    Future.all(a.tick(), b.tick()).await(20, TimeUnit.SECONDS);
    Thread.sleep(300);

    assertThat(count("SELECT count(*) FROM fix_attempts WHERE status = 'verified'")).isEqualTo(4);
    assertThat(count("SELECT count(*) FROM fix_attempts WHERE status = 'monitoring'")).isEqualTo(2);
    assertThat(count("SELECT count(*) FROM issue_history WHERE type = 'issue.fix_status_changed' AND to_value = 'verified'"))
      .isEqualTo(4);
    // Each node hears what it publishes itself: four messages in all means each verification was announced once.
    assertThat(messages).hasSize(4);
    assertThat(messages.stream().map(m -> m.getString("identifier")).distinct()).hasSize(4);
  }

  @Test
  @DisplayName("Retention deletes old done jobs and their deliveries in batches, and keeps dead letters, recent rows and work still to do")
  void retention() throws Exception {
    String old = "now() - interval '20 days'";
    exec("INSERT INTO deliveries (id, event, content_type, body, received_at) SELECT 'old-' || g, 'push', 'application/json', '\\x00'::bytea, "
      + old + " FROM generate_series(1, 12000) g");
    exec("INSERT INTO job_history (id, queue, delivery_id, dedupe_key, priority, status, attempts, created_at, finished_at) "
      + "SELECT nextval('job_queue_id_seq'), 'webhook.push', 'old-' || g, 'old-key-' || g, 0, 'done', 1, " + old + ", " + old
      + " FROM generate_series(1, 12000) g");
    exec("INSERT INTO job_keys (key) SELECT 'old-key-' || g FROM generate_series(1, 12000) g");
    exec("INSERT INTO job_keys (key) VALUES ('live-key')");
    exec("INSERT INTO deliveries (id, event, content_type, body, received_at) VALUES "
      + "('old-dead', 'push', 'application/json', '\\x00'::bytea, " + old + "), "
      + "('old-queued', 'push', 'application/json', '\\x00'::bytea, " + old + "), "
      + "('recent', 'push', 'application/json', '\\x00'::bytea, now())");
    exec("INSERT INTO job_history (id, queue, delivery_id, priority, status, attempts, created_at, finished_at) VALUES "
      + "(nextval('job_queue_id_seq'), 'webhook.push', 'old-dead', 0, 'dead', 3, " + old + ", " + old + "), "
      + "(nextval('job_queue_id_seq'), 'webhook.push', 'recent', 0, 'done', 1, now(), now())");
    exec("INSERT INTO job_queue (queue, delivery_id) VALUES ('webhook.push', 'old-queued')");
    RetentionTask retention = new RetentionTask(pool, Duration.ofDays(14), Duration.ofHours(1));
    String summary = retention.run(Instant.now()).await(60, TimeUnit.SECONDS);
    assertThat(summary).contains("deleted 12000 jobs");
    assertThat(count("SELECT count(*) FROM deliveries WHERE id LIKE 'old-%' AND id NOT IN ('old-dead', 'old-queued')")).isZero();
    assertThat(count("SELECT count(*) FROM deliveries WHERE id IN ('old-dead', 'old-queued', 'recent')")).isEqualTo(3);
    assertThat(count("SELECT count(*) FROM jobs WHERE status = 'dead'")).isEqualTo(1);
    assertThat(count("SELECT count(*) FROM jobs")).isEqualTo(3);
    // The old jobs' dedupe keys went with them; a key nobody's job has finished stays.
    assertThat(count("SELECT count(*) FROM job_keys")).isEqualTo(1);
  }

  private void exec(String sql, Object... args) throws Exception {
    pool.preparedQuery(sql).execute(Tuple.from(args)).await(60, TimeUnit.SECONDS);
  }

  private long execId(String sql, Object... args) throws Exception {
    return pool.preparedQuery(sql).execute(Tuple.from(args)).await(10, TimeUnit.SECONDS).iterator().next().getLong(0);
  }

  private long count(String sql) throws Exception {
    return pool.query(sql).execute().await(10, TimeUnit.SECONDS).iterator().next().getLong(0);
  }
}

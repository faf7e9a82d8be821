package dev.hookyard.processors.github;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static dev.hookyard.processors.github.Payloads.REPO;
import static dev.hookyard.processors.github.Payloads.account;
import static dev.hookyard.processors.github.Payloads.issue;
import static dev.hookyard.processors.github.Payloads.pullRequest;
import static dev.hookyard.processors.github.Payloads.repository;
import static dev.hookyard.processors.github.Payloads.review;
import static org.assertj.core.api.Assertions.assertThat;

class DeveloperMetricsTest {

  private static final String ACTIVITY = """
    SELECT user_id, day::text AS day, prs_merged, pr_cycle_times_s::text AS cycles, review_turnarounds_s::text AS reviews,
           issues_closed, issue_resolutions_s::text AS resolutions, issues_opened, commits, commit_additions, commit_deletions
      FROM developer_activity WHERE repository_id = $1 ORDER BY user_id, day
    """;

  private static ProcessorsFixture fx;
  private static long repo;

  @BeforeAll
  static void start() throws Exception {
    fx = ProcessorsFixture.start(Map.of());
    repo = fx.track("core", REPO, "main");
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  private static void deliverAll(Map<String, JsonObject> deliveries) throws Exception {
    for (Map.Entry<String, JsonObject> d : deliveries.entrySet()) {
      String event = d.getValue().containsKey("review") ? "pull_request_review"
        : d.getValue().containsKey("issue") ? "issues" : "pull_request";
      fx.deliver(event, d.getKey(), d.getValue());
    }
    for (String guid : deliveries.keySet()) {
      fx.awaitDelivery(guid);
    }
    fx.awaitQuiet("developer-metrics");
  }

  /** The rollup as a rebuild of every day gives it, read in a transaction that is rolled back. */
  private static List<JsonObject> rebuilt() throws Exception {
    Tuple repository = Tuple.of(repo);
    return fx.pool.getConnection().compose(conn -> conn.begin().compose(tx -> conn.preparedQuery(MetricsQueries.CLEAR).execute(repository)
        .compose(v -> conn.preparedQuery(MetricsQueries.ROLL_UP).execute(repository))
        .compose(v -> conn.preparedQuery(ACTIVITY).execute(repository))
        .map(rows -> {
          List<JsonObject> out = new ArrayList<>();
          rows.forEach(r -> out.add(r.toJson()));
          return out;
        })
        .eventually(tx::rollback))
      .eventually(conn::close))
      .await(10, TimeUnit.SECONDS);
  }

  private static String lastRollUp() throws Exception {
    return fx.rows("SELECT result FROM jobs WHERE queue = 'developer-metrics' AND status = 'done' ORDER BY id DESC LIMIT 1")
      .get(0).getString("result");
  }

  @Test
  @DisplayName("Rolling up only the changed days gives what a rebuild of every day gives: a reopened issue leaves its close day, an earlier review takes over from a later one; a new user makes the next rollup claim older facts")
  void changedDaysMatchARebuild() throws Exception {
    long alice = fx.user("alice", "alice@acme.test", 1001L);
    long bob = fx.user("bob", "bob@acme.test", 2002L);
    deliverAll(Map.of(
      "m-pr", pullRequest("closed", 611, 17, "closed", true,
        "2026-10-01T00:00:00Z", "2026-10-02T02:00:00Z", "2026-10-02T02:00:00Z", "2026-10-02T02:00:00Z"),
      "m-review-late", review("submitted", 9101, 611, "bob", 2002, "2026-10-03T00:30:00Z", "2026-10-01T00:00:00Z"),
      "m-issue-close", issue("closed", 711, 18, "closed",
        "2026-10-01T00:00:00Z", "2026-10-04T01:00:00Z", "2026-10-04T01:00:00Z", account("alice", 1001))));
    assertThat(fx.rows(ACTIVITY, repo)).isEqualTo(rebuilt());
    assertThat(fx.count("SELECT issues_closed FROM developer_activity WHERE repository_id = $1 AND user_id = $2 AND day = '2026-10-04'",
      repo, alice)).isEqualTo(1);
    assertThat(fx.count("SELECT count(*) FROM developer_activity WHERE repository_id = $1 AND user_id = $2 AND day = '2026-10-03' "
      + "AND cardinality(review_turnarounds_s) > 0", repo, bob)).isEqualTo(1);

    // The issue is reopened (its close day loses it) and bob's earlier review of the PR
    // arrives (it becomes his first, the later one no longer counts).
    deliverAll(Map.of(
      "m-issue-reopen", issue("reopened", 711, 18, "open", "2026-10-01T00:00:00Z", "2026-10-05T00:00:00Z", null, null),
      "m-review-early", review("submitted", 9102, 611, "bob", 2002, "2026-10-02T00:10:00Z", "2026-10-01T00:00:00Z")));
    assertThat(lastRollUp()).contains("changed days");
    assertThat(fx.rows(ACTIVITY, repo)).isEqualTo(rebuilt());
    assertThat(fx.count("SELECT count(*) FROM developer_activity WHERE repository_id = $1 AND day = '2026-10-04' AND issues_closed > 0",
      repo)).isZero();
    assertThat(fx.count("SELECT count(*) FROM developer_activity WHERE repository_id = $1 AND user_id = $2 AND day = '2026-10-03' "
      + "AND cardinality(review_turnarounds_s) > 0", repo, bob)).isZero();
    assertThat(fx.count("SELECT count(*) FROM developer_activity WHERE repository_id = $1 AND user_id = $2 AND day = '2026-10-02' "
      + "AND cardinality(review_turnarounds_s) > 0", repo, bob)).isEqualTo(1);

    // carol opened the issue before she was a user: once she is one, the next rollup
    // (made by a fact of another day) rebuilds every day and counts her issue.
    long carol = fx.user("carol", "carol@acme.test", 3003L);
    deliverAll(Map.of("m-pr-2", pullRequest("closed", 612, 19, "closed", true,
      "2026-10-06T00:00:00Z", "2026-10-06T02:00:00Z", "2026-10-06T02:00:00Z", "2026-10-06T02:00:00Z")));
    assertThat(lastRollUp()).doesNotContain("changed days");
    assertThat(fx.rows(ACTIVITY, repo)).isEqualTo(rebuilt());
    assertThat(fx.count("SELECT issues_opened FROM developer_activity WHERE repository_id = $1 AND user_id = $2 AND day = '2026-10-01'",
      repo, carol)).isEqualTo(1);
    assertThat(fx.count("SELECT count(*) FROM developer_activity_dirty WHERE repository_id = $1", repo)).isZero();
  }

  @Test
  @DisplayName("A rollup of changed days reads those days' pull requests, reviews and issues, not the repository's history")
  void changedDaysReadOnlyTheirFacts() throws Exception {
    long history = fx.track("core", "acme/long-history", "main");
    long dev = fx.user("dana", "dana@acme.test", 4004L);
    // Three thousand of each fact, all on one old day, written as one statement each.
    fx.execute("""
      INSERT INTO pull_requests (id, repository_id, number, state, created_at, updated_at, merged_at, cycle_time_s, author_user_id)
      SELECT 5000000 + g, $1, g, 'MERGED', '2025-01-01T00:00:00Z', '2025-01-01T06:00:00Z', '2025-01-01T06:00:00Z', 21600, $2
        FROM generate_series(1, 3000) g""", history, dev);
    fx.execute("""
      INSERT INTO pull_request_reviews (id, pull_request_id, repository_id, reviewer_github_id, reviewer_user_id, state,
                                        submitted_at, pr_created_at, turnaround_s)
      SELECT 6000000 + g, 5000000 + g, $1, 4004, $2, 'approved', '2025-01-01T02:00:00Z', '2025-01-01T00:00:00Z', 7200
        FROM generate_series(1, 3000) g""", history, dev);
    fx.execute("""
      INSERT INTO repository_issues (id, repository_id, number, state, created_at, updated_at, closed_at, resolution_s,
                                     author_user_id, resolver_user_id)
      SELECT 7000000 + g, $1, g, 'CLOSED', '2025-01-01T00:00:00Z', '2025-01-01T03:00:00Z', '2025-01-01T03:00:00Z', 10800, $2, $2
        FROM generate_series(1, 3000) g""", history, dev);
    fx.execute("ANALYZE pull_requests, pull_request_reviews, repository_issues");
    // One more of each on the day that changes.
    JsonObject repository = repository(4343, "acme/long-history");
    deliverAll(Map.of(
      "h-pr", pullRequest("closed", 5999999, 9999, "closed", true,
        "2026-10-10T00:00:00Z", "2026-10-10T02:00:00Z", "2026-10-10T02:00:00Z", "2026-10-10T02:00:00Z").put("repository", repository),
      "h-review", review("submitted", 6999999, 5999999, "dana", 4004, "2026-10-10T01:00:00Z", "2026-10-10T00:00:00Z")
        .put("repository", repository),
      "h-issue", issue("closed", 7999999, 9998, "closed",
        "2026-10-10T00:00:00Z", "2026-10-10T03:00:00Z", "2026-10-10T03:00:00Z", account("dana", 4004)).put("repository", repository)));

    Tuple onDay = Tuple.of(history, (Object) new LocalDate[] {LocalDate.parse("2026-10-10")});
    JsonObject plan = fx.pool.getConnection().compose(conn -> conn.begin().compose(tx -> conn.preparedQuery(MetricsQueries.CLEAR_DAYS)
          .execute(onDay)
          .compose(v -> conn.preparedQuery("EXPLAIN (ANALYZE, FORMAT JSON) " + MetricsQueries.ROLL_UP_DAYS).execute(onDay))
          .map(rows -> rows.iterator().next().getJsonArray(0).getJsonObject(0).getJsonObject("Plan"))
          .eventually(tx::rollback))
        .eventually(conn::close))
      .await(10, TimeUnit.SECONDS);
    long read = rowsRead(plan);

    assertThat(read).as("rows of pull_requests, pull_request_reviews and repository_issues read by the rollup of one day")
      .isLessThan(100);
    // dana's review (her first of the PR) and the issue she resolved count on that day.
    assertThat(fx.count("SELECT issues_closed + cardinality(review_turnarounds_s) "
      + "FROM developer_activity WHERE repository_id = $1 AND user_id = $2 AND day = '2026-10-10'", history, dev)).isEqualTo(2);
  }

  /** Rows the plan's scans of pull_requests, pull_request_reviews and repository_issues went through, kept or not. */
  private static long rowsRead(JsonObject node) {
    long read = 0;
    if (Set.of("pull_requests", "pull_request_reviews", "repository_issues").contains(node.getString("Relation Name", ""))) {
      read += node.getLong("Actual Loops", 1L) * (node.getLong("Actual Rows", 0L) + node.getLong("Rows Removed by Filter", 0L)
        + node.getLong("Rows Removed by Index Recheck", 0L));
    }
    JsonArray children = node.getJsonArray("Plans", new JsonArray());
    for (int i = 0; i < children.size(); i++) {
      read += rowsRead(children.getJsonObject(i));
    }
    return read;
  }
}

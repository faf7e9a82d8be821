package dev.hookyard.processors.github;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.hookyard.processors.github.Payloads.REPO;
import static dev.hookyard.processors.github.Payloads.account;
import static dev.hookyard.processors.github.Payloads.issue;
import static dev.hookyard.processors.github.Payloads.pullRequest;
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
}

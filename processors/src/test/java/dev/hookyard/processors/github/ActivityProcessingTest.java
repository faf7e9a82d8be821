package dev.hookyard.processors.github;

import dev.hookyard.common.queue.Enqueue;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.hookyard.processors.github.Payloads.REPO;
import static dev.hookyard.processors.github.Payloads.issue;
import static dev.hookyard.processors.github.Payloads.pullRequest;
import static dev.hookyard.processors.github.Payloads.review;
import static org.assertj.core.api.Assertions.assertThat;

class ActivityProcessingTest {

  private static ProcessorsFixture fx;
  private static long repo;

  @BeforeAll
  static void start() throws Exception {
    fx = ProcessorsFixture.start(Map.of());
    repo = fx.track("core", REPO, "main");
    fx.track("mobile", REPO, "main");
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  @Test
  @DisplayName("A PR merged a day after it was created has a cycle time of 86,400 s, and each tracking workspace hears of it")
  void cycleTime() throws Exception {
    fx.deliver("pull_request", "pr-open", pullRequest("opened", 501, 5, "open", false,
      "2026-11-01T10:00:00Z", "2026-11-01T10:00:00Z", null, null));
    assertThat(fx.awaitDelivery("pr-open").getString("status")).isEqualTo("done");
    fx.deliver("pull_request", "pr-merge", pullRequest("closed", 501, 5, "closed", true,
      "2026-11-01T10:00:00Z", "2026-11-02T10:00:00Z", "2026-11-02T10:00:00Z", "2026-11-02T10:00:00Z"));
    assertThat(fx.awaitDelivery("pr-merge").getString("status")).isEqualTo("done");
    JsonObject pr = fx.rows("SELECT state, cycle_time_s, additions, head_ref FROM pull_requests WHERE id = 501").get(0);
    assertThat(pr.getString("state")).isEqualTo("MERGED");
    assertThat(pr.getLong("cycle_time_s")).isEqualTo(86_400L);
    assertThat(pr.getInteger("additions")).isEqualTo(10);
    assertThat(pr.getString("head_ref")).isEqualTo("fix/hy-1");

    fx.awaitRow("SELECT 1 FROM jobs WHERE queue = 'developer-metrics' AND status = 'done'");
    List<JsonObject> merged = fx.rows("SELECT payload FROM jobs WHERE queue IN ('board-automation', 'board-matching') "
      + "AND (payload ->> 'number')::int = 5 AND (payload ->> 'merged')::boolean").stream()
      .map(r -> r.getJsonObject("payload")).toList();
    assertThat(merged).extracting(m -> m.getString("workspace")).containsExactlyInAnyOrder("core", "mobile");
    assertThat(merged.get(0).getString("type")).isEqualTo("pull_request.changed");
    assertThat(merged.get(0).getString("head_ref")).isEqualTo("fix/hy-1");
    assertThat(merged.get(0).getString("delivery_id")).isEqualTo("pr-merge");
  }

  @Test
  @DisplayName("A PR naming a workspace issue in its title, body or any-case branch goes to board-automation; one naming none to board-matching")
  void boardQueues() throws Exception {
    JsonObject byBranch = Payloads.pullRequest("opened", 511, 11, "open", false, "2026-11-05T10:00:00Z", "2026-11-05T10:00:00Z", null, null);
    byBranch.getJsonObject("pull_request").put("title", "Crash on start").put("body", "See the logs")
      .getJsonObject("head").put("ref", "feature/hy-7-crash");
    JsonObject none = Payloads.pullRequest("opened", 512, 12, "open", false, "2026-11-05T10:00:00Z", "2026-11-05T10:00:00Z", null, null);
    none.getJsonObject("pull_request").put("title", "Crash on start").put("body", "See the logs")
      .getJsonObject("head").put("ref", "change-12"); // shaped like an identifier, not of this workspace's prefix
    fx.deliver("pull_request", "queue-branch", byBranch);
    fx.deliver("pull_request", "queue-none", none);
    fx.awaitDelivery("queue-branch");
    fx.awaitDelivery("queue-none");
    assertThat(fx.rows("SELECT DISTINCT queue FROM jobs WHERE payload ->> 'delivery_id' = 'queue-branch' AND queue LIKE 'board-%'"))
      .extracting(r -> r.getString("queue")).containsExactly("board-automation");
    assertThat(fx.rows("SELECT DISTINCT queue FROM jobs WHERE payload ->> 'delivery_id' = 'queue-none' AND queue LIKE 'board-%'"))
      .extracting(r -> r.getString("queue")).containsExactly("board-matching");
  }

  @Test
  @DisplayName("Pull requests, reviews and issues stored together are written in batches with each job's own outcome: events of one PR apply in order, a stale one is ignored, an untracked repository is named, a bad payload dead alone")
  void burstOfActivity() throws Exception {
    for (int n = 0; n < 30; n++) {
      long id = 700 + n;
      fx.store("pull_request", "burst-open-" + n, pullRequest("opened", id, 70 + n, "open", false,
        "2026-11-10T10:00:00Z", "2026-11-10T10:00:00Z", null, null));
      fx.store("pull_request", "burst-merge-" + n, pullRequest("closed", id, 70 + n, "closed", true,
        "2026-11-10T10:00:00Z", "2026-11-10T12:00:00Z", "2026-11-10T12:00:00Z", "2026-11-10T12:00:00Z"));
      // Redelivered late under a new GUID: older than what the batch has just written.
      fx.store("pull_request", "burst-stale-" + n, pullRequest("opened", id, 70 + n, "open", false,
        "2026-11-10T10:00:00Z", "2026-11-10T10:00:00Z", null, null));
    }
    JsonObject untracked = pullRequest("opened", 799, 99, "open", false, "2026-11-10T10:00:00Z", "2026-11-10T10:00:00Z", null, null);
    untracked.put("repository", Payloads.repository(98_765, "someone/else"));
    fx.store("pull_request", "burst-untracked", untracked);
    JsonObject bad = pullRequest("opened", 798, 98, "open", false, "2026-11-10T10:00:00Z", "2026-11-10T10:00:00Z", null, null);
    bad.getJsonObject("pull_request").remove("created_at");
    fx.store("pull_request", "burst-bad", bad);
    for (int n = 0; n < 10; n++) {
      fx.store("issues", "burst-issue-" + n, issue("opened", 7_000 + n, 700 + n, "open", "2026-11-10T10:00:00Z",
        "2026-11-10T10:00:00Z", null, null));
    }
    Enqueue.wake(fx.vertx, "webhook.pull_request");
    Enqueue.wake(fx.vertx, "webhook.issues");
    // Batches run side by side, so of one PR's events a later one may land first: the
    // merge always applies; of the two identical opens at most one does, the other (or
    // both, after the merge) is ignored as older than the stored state.
    int boardChanges = 0;
    for (int n = 0; n < 30; n++) {
      JsonObject merge = fx.awaitDelivery("burst-merge-" + n);
      assertThat(merge.getString("status")).isEqualTo("done");
      assertThat(merge.getString("result")).endsWith("is MERGED");
      int opened = 0;
      for (String guid : List.of("burst-open-" + n, "burst-stale-" + n)) {
        JsonObject job = fx.awaitDelivery(guid);
        if (job.getString("status").equals("done")) {
          opened++;
        } else {
          assertThat(job.getString("status")).as("%s: %s", guid, job).isEqualTo("ignored");
          assertThat(job.getString("result")).contains("older than the stored state");
        }
      }
      assertThat(opened).isLessThanOrEqualTo(1);
      boardChanges += 1 + opened;
    }
    assertThat(fx.awaitDelivery("burst-untracked").getString("result")).isEqualTo("repository someone/else is not tracked");
    assertThat(fx.awaitDelivery("burst-bad").getString("status")).isEqualTo("dead");
    for (int n = 0; n < 10; n++) {
      assertThat(fx.awaitDelivery("burst-issue-" + n).getString("status")).isEqualTo("done");
    }
    assertThat(fx.count("SELECT count(*) FROM pull_requests WHERE id BETWEEN 700 AND 729 AND state = 'MERGED' AND cycle_time_s = 7200"))
      .isEqualTo(30);
    // Each change applied reached both workspaces once; an ignored event queued nothing.
    assertThat(fx.count("SELECT count(*) FROM jobs WHERE queue IN ('board-automation', 'board-matching') "
      + "AND (payload ->> 'number')::int BETWEEN 70 AND 99")).isEqualTo(boardChanges * 2L);
    assertThat(fx.count("SELECT count(*) FROM repository_issues WHERE id BETWEEN 7000 AND 7009")).isEqualTo(10);
  }

  @Test
  @DisplayName("A PR whose closed event arrives before its opened event ends closed")
  void closedBeforeOpened() throws Exception {
    fx.deliver("pull_request", "late-close", pullRequest("closed", 502, 6, "closed", false,
      "2026-11-03T09:00:00Z", "2026-11-03T12:00:00Z", "2026-11-03T12:00:00Z", null));
    fx.awaitDelivery("late-close");
    fx.deliver("pull_request", "late-open", pullRequest("opened", 502, 6, "open", false,
      "2026-11-03T09:00:00Z", "2026-11-03T09:00:00Z", null, null));
    JsonObject stale = fx.awaitDelivery("late-open");
    assertThat(stale.getString("status")).isEqualTo("ignored");
    assertThat(stale.getString("result")).contains("older than the stored state");
    JsonObject pr = fx.rows("SELECT state, closed_at FROM pull_requests WHERE id = 502").get(0);
    assertThat(pr.getString("state")).isEqualTo("CLOSED");
    assertThat(pr.getValue("closed_at")).isNotNull();
    assertThat(fx.rows("SELECT payload ->> 'state' AS state FROM jobs WHERE queue IN ('board-automation', 'board-matching') "
      + "AND (payload ->> 'number')::int = 6")).extracting(r -> r.getString("state")).containsOnly("CLOSED");
  }

  @Test
  @DisplayName("Reviews, closed issues and merged PRs roll up into per-user developer activity")
  void developerActivity() throws Exception {
    long alice = fx.user("alice", "alice@acme.test", 1001L);
    long bob = fx.user("bob", "bob@acme.test", 2002L);
    fx.deliver("pull_request", "dev-pr", pullRequest("closed", 601, 7, "closed", true,
      "2026-10-01T00:00:00Z", "2026-10-01T02:00:00Z", "2026-10-01T02:00:00Z", "2026-10-01T02:00:00Z"));
    fx.deliver("pull_request_review", "dev-review", review("submitted", 9001, 601, "bob", 2002,
      "2026-10-01T00:30:00Z", "2026-10-01T00:00:00Z"));
    fx.deliver("pull_request_review", "dev-self-review", review("submitted", 9002, 601, "alice", 1001,
      "2026-10-01T00:40:00Z", "2026-10-01T00:00:00Z"));
    fx.deliver("issues", "dev-issue", issue("closed", 701, 8, "closed",
      "2026-10-01T00:00:00Z", "2026-10-01T01:00:00Z", "2026-10-01T01:00:00Z", Payloads.account("bob", 2002)));
    for (String guid : List.of("dev-pr", "dev-review", "dev-self-review", "dev-issue")) {
      assertThat(fx.awaitDelivery(guid).getString("status")).as(guid).isEqualTo("done");
    }
    assertThat(fx.count("SELECT turnaround_s FROM pull_request_reviews WHERE id = 9001")).isEqualTo(1_800);
    assertThat(fx.rows("SELECT turnaround_s FROM pull_request_reviews WHERE id = 9002").get(0).getValue("turnaround_s")).isNull();
    assertThat(fx.count("SELECT resolution_s FROM repository_issues WHERE id = 701")).isEqualTo(3_600);

    fx.awaitQuiet("developer-metrics");
    JsonObject a = fx.awaitRow("SELECT prs_merged, pr_cycle_times_s FROM developer_activity WHERE user_id = $1 AND day = '2026-10-01'", alice);
    assertThat(a.getInteger("prs_merged")).isEqualTo(1);
    assertThat(a.getJsonArray("pr_cycle_times_s").getList()).containsExactly(7_200L);
    JsonObject b = fx.awaitRow("SELECT issues_closed, review_turnarounds_s, issue_resolutions_s FROM developer_activity "
      + "WHERE user_id = $1 AND day = '2026-10-01'", bob);
    assertThat(b.getInteger("issues_closed")).isEqualTo(1);
    assertThat(b.getJsonArray("review_turnarounds_s").getList()).containsExactly(1_800L);
    assertThat(b.getJsonArray("issue_resolutions_s").getList()).containsExactly(3_600L);
    assertThat(fx.count("SELECT count(*) FROM developer_metrics_runs WHERE repository_id = $1", repo)).isEqualTo(1);
  }

  @Test
  @DisplayName("An issue's older reopen does not undo its newer close, and a dismissed review stays dismissed")
  void outOfOrderIssuesAndReviews() throws Exception {
    fx.deliver("issues", "issue-close", issue("closed", 702, 9, "closed",
      "2026-11-05T00:00:00Z", "2026-11-05T05:00:00Z", "2026-11-05T05:00:00Z", null));
    fx.awaitDelivery("issue-close");
    fx.deliver("issues", "issue-old-open", issue("opened", 702, 9, "open",
      "2026-11-05T00:00:00Z", "2026-11-05T00:00:00Z", null, null));
    assertThat(fx.awaitDelivery("issue-old-open").getString("status")).isEqualTo("ignored");
    JsonObject i = fx.rows("SELECT state, resolver_login, resolution_s FROM repository_issues WHERE id = 702").get(0);
    assertThat(i.getString("state")).isEqualTo("CLOSED");
    assertThat(i.getString("resolver_login")).isEqualTo("dave");
    assertThat(i.getLong("resolution_s")).isEqualTo(18_000L);

    fx.deliver("pull_request_review", "review-dismissed", review("dismissed", 9003, 601, "bob", 2002,
      "2026-11-05T01:00:00Z", "2026-11-05T00:00:00Z"));
    fx.awaitDelivery("review-dismissed");
    fx.deliver("pull_request_review", "review-late-submit", review("submitted", 9003, 601, "bob", 2002,
      "2026-11-05T01:00:00Z", "2026-11-05T00:00:00Z"));
    fx.awaitDelivery("review-late-submit");
    JsonObject r = fx.rows("SELECT state, dismissed FROM pull_request_reviews WHERE id = 9003").get(0);
    assertThat(r.getString("state")).isEqualTo("dismissed");
    assertThat(r.getBoolean("dismissed")).isTrue();
  }

  @Test
  @DisplayName("Activity of repositories nobody tracks is ignored with the reason")
  void untrackedActivity() throws Exception {
    JsonObject pr = pullRequest("opened", 801, 1, "open", false, "2026-11-01T00:00:00Z", "2026-11-01T00:00:00Z", null, null);
    pr.put("repository", Payloads.repository(31337, "elsewhere/thing"));
    fx.deliver("pull_request", "untracked-pr", pr);
    JsonObject job = fx.awaitDelivery("untracked-pr");
    assertThat(job.getString("status")).isEqualTo("ignored");
    assertThat(job.getString("result")).contains("not tracked");
    assertThat(fx.count("SELECT count(*) FROM pull_requests WHERE id = 801")).isZero();
  }
}

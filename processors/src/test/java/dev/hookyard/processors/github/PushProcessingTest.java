package dev.hookyard.processors.github;

import dev.hookyard.common.queue.Enqueue;
import dev.hookyard.common.config.HookyardConfig;
import dev.hookyard.common.queue.JobQueue;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.hookyard.processors.github.Payloads.REPO;
import static dev.hookyard.processors.github.Payloads.commit;
import static dev.hookyard.processors.github.Payloads.push;
import static dev.hookyard.processors.github.Payloads.sha;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PushProcessingTest {

  private static ProcessorsFixture fx;
  private static long repo;

  @BeforeAll
  static void start() throws Exception {
    fx = ProcessorsFixture.start(Map.of(HookyardConfig.FANOUT_CHUNK, "2"));
    repo = fx.track("core", REPO, "main");
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  private long indexJobs(String sha) throws Exception {
    return fx.count("SELECT count(*) FROM jobs WHERE queue = 'index-repository' AND payload ->> 'commit_sha' = $1", sha);
  }

  @Test
  @DisplayName("The same push delivered under three GUIDs at once makes exactly one index job")
  void onePushOneIndexJob() throws Exception {
    String after = sha(0xA1);
    JsonObject payload = push("refs/heads/main", after, new JsonArray().add(commit(0xA1, "dev", "dev@acme.test", "README.md")));
    // Stored first and woken once: one claim takes all three, and their transactions race for the key.
    for (String guid : List.of("same-push-1", "same-push-2", "same-push-3")) {
      fx.store("push", guid, payload);
    }
    Enqueue.wake(fx.vertx, "webhook.push");
    for (String guid : List.of("same-push-1", "same-push-2", "same-push-3")) {
      assertThat(fx.awaitDelivery(guid).getString("status")).isEqualTo("done");
    }
    assertThat(indexJobs(after)).isEqualTo(1);
    JsonObject job = fx.rows("SELECT payload FROM jobs WHERE queue = 'index-repository' AND payload ->> 'commit_sha' = $1", after)
      .get(0).getJsonObject("payload");
    assertThat(job.getLong("repository_id")).isEqualTo(repo);
    assertThat(job.getString("ref")).isEqualTo("refs/heads/main");
    fx.awaitQuiet("index-repository");
    assertThat(fx.rows("SELECT indexed_sha, last_push_at FROM repositories WHERE id = $1", repo).get(0).getString("indexed_sha"))
      .isNotNull();
    assertThat(fx.count("SELECT count(*) FROM repositories WHERE id = $1 AND last_push_at IS NOT NULL AND github_id = $2",
      repo, Payloads.REPO_ID)).isEqualTo(1);
  }

  @Test
  @DisplayName("Feature-branch, tag, deleted-branch and untracked pushes make no index job and say why they were ignored")
  void ignoredPushes() throws Exception {
    JsonArray commits = new JsonArray().add(commit(0xB1, "dev", "dev@acme.test", "a.txt"));
    fx.deliver("push", "feature", push("refs/heads/feature/x", sha(0xB1), commits));
    fx.deliver("push", "tag", push("refs/tags/v1.0", sha(0xB2), commits));
    fx.deliver("push", "deleted", push("refs/heads/main", sha(0), new JsonArray()).put("deleted", true));
    JsonObject untracked = push("refs/heads/main", sha(0xB4), commits);
    untracked.put("repository", Payloads.repository(9999, "other/untracked"));
    fx.deliver("push", "untracked", untracked);

    assertThat(fx.awaitDelivery("feature").getString("result")).contains("not the default branch main");
    assertThat(fx.awaitDelivery("tag").getString("result")).contains("tag push");
    assertThat(fx.awaitDelivery("deleted").getString("result")).contains("deleted");
    assertThat(fx.awaitDelivery("untracked").getString("result")).contains("not tracked");
    for (String guid : List.of("feature", "tag", "deleted", "untracked")) {
      assertThat(fx.awaitDelivery(guid).getString("status")).isEqualTo("ignored");
    }
    for (long n : List.of(0xB1L, 0xB2L, 0L, 0xB4L)) {
      assertThat(indexJobs(sha(n))).isZero();
    }
    assertThat(fx.count("SELECT count(*) FROM commits WHERE sha = $1", sha(0xB1))).isZero();
  }

  @Test
  @DisplayName("Commits are stored once with their authors mapped to users by login or email")
  void commitsWithAuthors() throws Exception {
    long erin = fx.user("erin", "erin@acme.test", 5005L);
    long frank = fx.user("frank", "frank@acme.test", null);
    JsonArray commits = new JsonArray()
      .add(commit(0xC1, "erin", "someone@else.test", "x.txt"))
      .add(commit(0xC2, "not-a-user", "FRANK@acme.test", "y.txt"))
      .add(commit(0xC3, "stranger", "stranger@acme.test", "z.txt"));
    fx.deliver("push", "commits-1", push("refs/heads/main", sha(0xC3), commits));
    fx.deliver("push", "commits-2", push("refs/heads/main", sha(0xC3), commits));
    fx.awaitDelivery("commits-1");
    fx.awaitDelivery("commits-2");
    List<JsonObject> rows = fx.rows("SELECT sha, author_user_id FROM commits WHERE repository_id = $1 AND sha = ANY($2) ORDER BY sha",
      repo, new String[] {sha(0xC1), sha(0xC2), sha(0xC3)});
    assertThat(rows).hasSize(3);
    assertThat(rows.get(0).getLong("author_user_id")).isEqualTo(erin);
    assertThat(rows.get(1).getLong("author_user_id")).isEqualTo(frank);
    assertThat(rows.get(2).getLong("author_user_id")).isNull();
  }

  @Test
  @DisplayName("A repository whose facts are stored cannot be deleted: the delete is refused and its commits keep their repository")
  void repositoriesAreKept() throws Exception {
    long kept = fx.track("kept", "octo-org/kept", "main");
    JsonObject payload = push("refs/heads/main", sha(0xC9), new JsonArray().add(commit(0xC9, "dev", "dev@acme.test", "k.txt")));
    payload.put("repository", Payloads.repository(9090, "octo-org/kept"));
    fx.deliver("push", "kept-push", payload);
    assertThat(fx.awaitDelivery("kept-push").getString("status")).isEqualTo("done");
    assertThat(fx.count("SELECT count(*) FROM commits WHERE repository_id = $1", kept)).isEqualTo(1);

    assertThatThrownBy(() -> fx.execute("DELETE FROM repositories WHERE id = $1", kept))
      .isInstanceOf(PgException.class).hasMessageContaining("never deleted")
      .extracting(e -> ((PgException) e).getSqlState()).isEqualTo("23001");
    assertThatThrownBy(() -> fx.execute("TRUNCATE repositories CASCADE"))
      .isInstanceOf(PgException.class).hasMessageContaining("never deleted");
    assertThat(fx.count("SELECT count(*) FROM commits c JOIN repositories r ON r.id = c.repository_id WHERE r.id = $1", kept))
      .isEqualTo(1);
  }

  @Test
  @DisplayName("A push touching a manifest or the plan records a project update and a high-priority refresh job, skipped with its reason without GitHub credentials")
  void projectRefresh() throws Exception {
    long project = fx.count("INSERT INTO projects (workspace_id, repository_id, plan_path) "
      + "SELECT id, $1, 'docs/PLAN.md' FROM workspaces WHERE slug = 'core' RETURNING id", repo);
    fx.deliver("push", "manifest", push("refs/heads/main", sha(0xD1),
      new JsonArray().add(commit(0xD1, "dev", "dev@acme.test", "web/package.json", "src/app.js"))));
    fx.deliver("push", "plan", push("refs/heads/main", sha(0xD2),
      new JsonArray().add(commit(0xD2, "dev", "dev@acme.test", "docs/PLAN.md"))));
    fx.deliver("push", "neither", push("refs/heads/main", sha(0xD3),
      new JsonArray().add(commit(0xD3, "dev", "dev@acme.test", "src/app.js"))));
    for (String guid : List.of("manifest", "plan", "neither")) {
      assertThat(fx.awaitDelivery(guid).getString("status")).isEqualTo("done");
    }
    fx.awaitQuiet("refresh-project");
    List<JsonObject> updates = fx.rows("SELECT commit_sha, reason, files, status, status_reason FROM project_updates "
      + "WHERE project_id = $1 ORDER BY commit_sha", project);
    assertThat(updates).hasSize(2);
    assertThat(updates.get(0).getString("reason")).isEqualTo("manifest");
    assertThat(updates.get(0).getJsonArray("files").getList()).containsExactly("web/package.json");
    assertThat(updates.get(1).getString("reason")).isEqualTo("plan");
    assertThat(updates).allSatisfy(u -> {
      assertThat(u.getString("status")).isEqualTo("skipped");
      assertThat(u.getString("status_reason")).startsWith("no GitHub credentials");
    });
    assertThat(fx.count("SELECT count(*) FROM jobs WHERE queue = 'refresh-project' AND priority > 0 AND status = 'ignored' "
      + "AND (payload ->> 'project_id')::bigint = $1", project)).isEqualTo(2);
    assertThat(fx.rows("SELECT last_refreshed_sha FROM projects WHERE id = $1", project).get(0).getString("last_refreshed_sha"))
      .isNull();
  }

  @Test
  @DisplayName("A burst of pushes to several repositories, stored together, goes through in batches: each push's own outcome, commits once, the newest push indexed, a bad payload dead alone")
  void burstOfPushes() throws Exception {
    long a = fx.track("core", "acme/burst-a", "main");
    long b = fx.track("core", "acme/burst-b", "main");
    fx.execute("UPDATE repositories SET github_id = 9101 WHERE id = $1", a);
    List<String> guids = new java.util.ArrayList<>();
    Map<Long, Integer> lastMain = new java.util.HashMap<>();
    for (int i = 0; i < 90; i++) {
      int which = i % 3;
      String name = which == 0 ? "acme/burst-a" : which == 1 ? "acme/burst-b" : "acme/burst-nobody";
      String ref = i % 10 == 9 ? "refs/heads/feature" : "refs/heads/main";
      JsonObject payload = push(ref, sha(0xE000 + i), new JsonArray().add(commit(0xE000 + i, "dev", "dev@acme.test", "f" + i)));
      payload.put("repository", Payloads.repository(9101 + which, name).put("pushed_at", 1_790_000_000L + i));
      if (i == 44) {
        payload.remove("ref");
      } else if (which < 2 && ref.endsWith("main")) {
        lastMain.put(which == 0 ? a : b, i);
      }
      guids.add("burst-" + i);
      fx.store("push", "burst-" + i, payload);
    }
    Enqueue.wake(fx.vertx, "webhook.push");
    for (int i = 0; i < 90; i++) {
      JsonObject job = fx.awaitDelivery(guids.get(i));
      String expected = i == 44 ? "dead" : i % 3 == 2 || i % 10 == 9 ? "ignored" : "done";
      assertThat(job.getString("status")).as("push %d: %s", i, job).isEqualTo(expected);
      if (i % 3 == 2 && i != 44 && i % 10 != 9) {
        assertThat(job.getString("result")).isEqualTo("repository acme/burst-nobody is not tracked");
      } else if (expected.equals("done")) {
        assertThat(job.getString("result")).matches("(queued index job \\d+|indexed with the newer push [0-9a-f]{40} of its batch), 1 commits");
      }
    }
    fx.awaitQuiet("index-repository");
    for (long r : List.of(a, b)) {
      long counted = java.util.stream.IntStream.range(0, 90)
        .filter(i -> i != 44 && i % 10 != 9 && (i % 3 == (r == a ? 0 : 1))).count();
      assertThat(fx.count("SELECT count(*) FROM commits WHERE repository_id = $1 AND sha LIKE '%e0__'", r)).isEqualTo(counted);
      // One index job per repository and claimed batch: its newest push.
      assertThat(fx.count("SELECT count(*) FROM jobs WHERE queue = 'index-repository' AND (payload ->> 'repository_id')::bigint = $1 "
        + "AND status IN ('done', 'ignored')", r)).isBetween(1L, counted - 1);
      JsonObject row = fx.rows("SELECT indexed_sha, extract(epoch FROM last_push_at)::bigint AS pushed FROM repositories WHERE id = $1", r).get(0);
      assertThat(row.getString("indexed_sha")).isEqualTo(sha(0xE000 + lastMain.get(r)));
      assertThat(row.getLong("pushed")).isEqualTo(1_790_000_000L + lastMain.get(r));
    }
    // The repository tracked by name learnt its GitHub id from the batch.
    assertThat(fx.count("SELECT github_id FROM repositories WHERE id = $1", b)).isEqualTo(9102);
  }

  @Test
  @DisplayName("A push of 2,000 commits is handled in one job")
  void hugePush() throws Exception {
    JsonArray commits = new JsonArray();
    for (int i = 0; i < 2_000; i++) {
      commits.add(commit(0x100000 + i, "dev", "dev@acme.test", "src/file" + i + ".txt"));
    }
    fx.deliver("push", "huge", push("refs/heads/main", sha(0x100000 + 1_999), commits));
    JsonObject job = fx.awaitDelivery("huge");
    assertThat(job.getString("status")).isEqualTo("done");
    assertThat(job.getString("result")).contains("2000 commits");
    assertThat(fx.count("SELECT count(*) FROM commits WHERE repository_id = $1 AND sha >= $2 AND sha <= $3",
      repo, sha(0x100000), sha(0x100000 + 1_999))).isEqualTo(2_000);
    assertThat(fx.count("SELECT attempts FROM jobs WHERE delivery_id = 'huge'")).isEqualTo(1);
  }

  @Test
  @DisplayName("A repository tracked by more workspaces than the chunk size fans out push and pull-request effects in chunk jobs that reach every workspace")
  void fanOut() throws Exception {
    String name = "acme/shared-lib";
    long shared = 0;
    for (int i = 1; i <= 5; i++) {
      shared = fx.track("team-" + i, name, "main");
      fx.execute("INSERT INTO projects (workspace_id, repository_id, plan_path) SELECT id, $1, 'PLAN.md' FROM workspaces WHERE slug = $2",
        shared, "team-" + i);
    }
    JsonObject payload = push("refs/heads/main", sha(0xE1), new JsonArray().add(commit(0xE1, "dev", "dev@acme.test", "PLAN.md")));
    payload.put("repository", Payloads.repository(5151, name));
    fx.deliver("push", "fan-out", payload);
    assertThat(fx.awaitDelivery("fan-out").getString("status")).isEqualTo("done");
    fx.awaitQuiet("workspace-fanout", "refresh-project");
    long pushJob = fx.count("SELECT id FROM jobs WHERE delivery_id = 'fan-out'");
    assertThat(fx.count("SELECT count(*) FROM jobs WHERE queue = 'workspace-fanout' AND status = 'done' AND dedupe_key LIKE $1",
      "fanout:" + pushJob + ":%")).isEqualTo(3);
    assertThat(fx.count("SELECT count(*) FROM project_updates u JOIN projects p ON p.id = u.project_id "
      + "WHERE p.repository_id = $1 AND u.status = 'skipped'", shared)).isEqualTo(5);

    // A pull request on the same repository reaches all five workspaces' board automation through chunk jobs too.
    JsonObject pr = Payloads.pullRequest("opened", 7001, 3, "open", false, "2026-11-10T10:00:00Z", "2026-11-10T10:00:00Z", null, null);
    pr.put("repository", Payloads.repository(5151, name));
    fx.deliver("pull_request", "fan-out-pr", pr);
    assertThat(fx.awaitDelivery("fan-out-pr").getString("status")).isEqualTo("done");
    fx.awaitQuiet("workspace-fanout");
    List<JsonObject> heard = fx.rows("SELECT payload FROM jobs WHERE queue IN ('board-automation', 'board-matching') "
      + "AND (payload ->> 'number')::int = 3 AND (payload ->> 'repository_id')::bigint = $1", shared).stream()
      .map(r -> r.getJsonObject("payload")).toList();
    assertThat(heard).extracting(m -> m.getString("workspace"))
      .containsExactlyInAnyOrder("team-1", "team-2", "team-3", "team-4", "team-5");
  }
}

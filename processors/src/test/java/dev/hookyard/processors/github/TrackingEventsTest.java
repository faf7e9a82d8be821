package dev.hookyard.processors.github;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.hookyard.processors.github.Payloads.commit;
import static dev.hookyard.processors.github.Payloads.push;
import static dev.hookyard.processors.github.Payloads.repository;
import static dev.hookyard.processors.github.Payloads.sha;
import static org.assertj.core.api.Assertions.assertThat;

class TrackingEventsTest {

  private static ProcessorsFixture fx;
  private static final long INSTALLATION = 880;

  @BeforeAll
  static void start() throws Exception {
    fx = ProcessorsFixture.start(Map.of());
    fx.execute("INSERT INTO workspaces (slug, name, issue_prefix) VALUES ('apps', 'Apps', 'APP')");
    fx.execute("INSERT INTO workspace_installations (workspace_id, installation_id) SELECT id, $1 FROM workspaces WHERE slug = 'apps'",
      INSTALLATION);
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  private static JsonObject installationEvent(String action, JsonArray repositories) {
    return new JsonObject().put("action", action)
      .put("installation", new JsonObject().put("id", INSTALLATION).put("account", Payloads.account("octo-org", 1)))
      .put("repositories", repositories).put("sender", Payloads.account("admin", 9));
  }

  private static JsonObject repo(long id, String fullName) {
    return new JsonObject().put("id", id).put("full_name", fullName).put("name", fullName.substring(fullName.indexOf('/') + 1));
  }

  private long repositoryId(long githubId) throws Exception {
    return fx.count("SELECT id FROM repositories WHERE github_id = $1", githubId);
  }

  @Test
  @DisplayName("An installation's repositories are tracked in its linked workspace, untracked while suspended, and dropped on uninstall")
  void installationLifecycle() throws Exception {
    fx.deliver("installation", "inst-created", installationEvent("created",
      new JsonArray().add(repo(301, "octo-org/api")).add(repo(302, "octo-org/web"))));
    assertThat(fx.awaitDelivery("inst-created").getString("status")).isEqualTo("done");
    long api = repositoryId(301);
    assertThat(fx.tracked(api)).isTrue();
    assertThat(fx.count("SELECT installation_id FROM repositories WHERE id = $1", api)).isEqualTo(INSTALLATION);

    fx.deliver("installation_repositories", "inst-added", new JsonObject().put("action", "added")
      .put("installation", new JsonObject().put("id", INSTALLATION))
      .put("repositories_added", new JsonArray().add(repo(303, "octo-org/docs"))).put("repositories_removed", new JsonArray()));
    fx.deliver("installation_repositories", "inst-removed", new JsonObject().put("action", "removed")
      .put("installation", new JsonObject().put("id", INSTALLATION))
      .put("repositories_added", new JsonArray()).put("repositories_removed", new JsonArray().add(repo(302, "octo-org/web"))));
    fx.awaitDelivery("inst-added");
    fx.awaitDelivery("inst-removed");
    assertThat(fx.tracked(repositoryId(303))).isTrue();
    assertThat(fx.tracked(repositoryId(302))).isFalse();
    assertThat(fx.rows("SELECT installation_id FROM repositories WHERE github_id = 302").get(0).getValue("installation_id")).isNull();

    fx.deliver("installation", "inst-suspend", installationEvent("suspend", null));
    fx.awaitDelivery("inst-suspend");
    assertThat(fx.tracked(api)).isFalse();
    fx.deliver("installation", "inst-unsuspend", installationEvent("unsuspend", null));
    fx.awaitDelivery("inst-unsuspend");
    assertThat(fx.tracked(api)).isTrue();

    fx.deliver("installation", "inst-deleted", installationEvent("deleted", null));
    assertThat(fx.awaitDelivery("inst-deleted").getString("status")).isEqualTo("done");
    assertThat(fx.tracked(api)).isFalse();
    assertThat(fx.tracked(repositoryId(303))).isFalse();
  }

  @Test
  @DisplayName("A repository tracked by name learns its id, follows a rename, a default-branch change and a transfer, and stops on archive and delete")
  void repositoryLifecycle() throws Exception {
    long id = fx.track("apps", "octo-org/old-name", "main");
    fx.deliver("repository", "repo-renamed", new JsonObject().put("action", "renamed")
      .put("changes", new JsonObject().put("repository", new JsonObject().put("name", new JsonObject().put("from", "old-name"))))
      .put("repository", repository(401, "octo-org/new-name")));
    assertThat(fx.awaitDelivery("repo-renamed").getString("status")).isEqualTo("done");
    JsonObject row = fx.rows("SELECT full_name, github_id FROM repositories WHERE id = $1", id).get(0);
    assertThat(row.getString("full_name")).isEqualTo("octo-org/new-name");
    assertThat(row.getLong("github_id")).isEqualTo(401L);
    assertThat(fx.tracked(id)).isTrue();

    fx.deliver("repository", "repo-branch", new JsonObject().put("action", "edited")
      .put("changes", new JsonObject().put("default_branch", new JsonObject().put("from", "main")))
      .put("repository", repository(401, "octo-org/new-name").put("default_branch", "trunk")));
    fx.awaitDelivery("repo-branch");
    JsonObject toTrunk = push("refs/heads/trunk", sha(0xF1), new JsonArray().add(commit(0xF1, "dev", "dev@acme.test", "a")));
    toTrunk.put("repository", repository(401, "octo-org/new-name"));
    fx.deliver("push", "push-trunk", toTrunk);
    assertThat(fx.awaitDelivery("push-trunk").getString("status")).isEqualTo("done");
    JsonObject toMain = push("refs/heads/main", sha(0xF2), new JsonArray().add(commit(0xF2, "dev", "dev@acme.test", "a")));
    toMain.put("repository", repository(401, "octo-org/new-name"));
    fx.deliver("push", "push-main", toMain);
    assertThat(fx.awaitDelivery("push-main").getString("result")).contains("not the default branch trunk");

    fx.deliver("repository", "repo-transferred", new JsonObject().put("action", "transferred")
      .put("changes", new JsonObject().put("owner", new JsonObject().put("from", new JsonObject().put("user", Payloads.account("octo-org", 1)))))
      .put("repository", repository(401, "new-owner/new-name")));
    assertThat(fx.awaitDelivery("repo-transferred").getString("status")).isEqualTo("done");
    assertThat(fx.rows("SELECT full_name FROM repositories WHERE id = $1", id).get(0).getString("full_name")).isEqualTo("new-owner/new-name");
    assertThat(fx.tracked(id)).isTrue();

    fx.deliver("repository", "repo-archived", new JsonObject().put("action", "archived").put("repository", repository(401, "octo-org/new-name")));
    fx.awaitDelivery("repo-archived");
    assertThat(fx.tracked(id)).isFalse();
    fx.deliver("repository", "repo-unarchived", new JsonObject().put("action", "unarchived").put("repository", repository(401, "octo-org/new-name")));
    fx.awaitDelivery("repo-unarchived");
    assertThat(fx.tracked(id)).isTrue();

    fx.deliver("repository", "repo-deleted", new JsonObject().put("action", "deleted").put("repository", repository(401, "octo-org/new-name")));
    fx.awaitDelivery("repo-deleted");
    assertThat(fx.tracked(id)).isFalse();
    assertThat(fx.count("SELECT count(*) FROM workspace_repositories WHERE repository_id = $1", id)).isZero();
  }

  @Test
  @DisplayName("A rename onto a name already tracked by hand merges the two: one repository, tracked in both workspaces, with both projects")
  void renameOntoTrackedName() throws Exception {
    long old = fx.track("apps", "octo-org/before", "main");
    fx.execute("UPDATE repositories SET github_id = 501 WHERE id = $1", old);
    long byHand = fx.track("platform", "octo-org/after", "main");
    fx.execute("INSERT INTO projects (workspace_id, repository_id, plan_path) SELECT id, $1, 'PLAN.md' FROM workspaces WHERE slug = 'platform'",
      byHand);

    fx.deliver("repository", "rename-merge", new JsonObject().put("action", "renamed")
      .put("changes", new JsonObject().put("repository", new JsonObject().put("name", new JsonObject().put("from", "before"))))
      .put("repository", repository(501, "octo-org/after")));
    assertThat(fx.awaitDelivery("rename-merge").getString("status")).isEqualTo("done");

    assertThat(fx.count("SELECT count(*) FROM repositories WHERE lower(full_name) = 'octo-org/after' AND deleted_at IS NULL")).isEqualTo(1);
    assertThat(fx.count("SELECT id FROM repositories WHERE lower(full_name) = 'octo-org/after' AND deleted_at IS NULL")).isEqualTo(old);
    assertThat(fx.count("SELECT count(*) FROM workspace_repositories WHERE repository_id = $1", old)).isEqualTo(2);
    assertThat(fx.count("SELECT count(*) FROM projects WHERE repository_id = $1", old)).isEqualTo(1);
    assertThat(fx.tracked(old)).isTrue();
    assertThat(fx.tracked(byHand)).isFalse();
  }

  @Test
  @DisplayName("A late or replayed repository or installation event does not undo a newer one")
  void lateEventsDoNotUndoNewerOnes() throws Exception {
    long id = fx.track("order", "octo-org/ordered", "main");
    fx.deliver("repository", "order-archived", new JsonObject().put("action", "archived")
      .put("repository", repository(601, "octo-org/ordered").put("updated_at", "2026-11-10T12:00:00Z")));
    assertThat(fx.awaitDelivery("order-archived").getString("status")).isEqualTo("done");
    fx.deliver("repository", "order-unarchived-late", new JsonObject().put("action", "unarchived")
      .put("repository", repository(601, "octo-org/ordered").put("updated_at", "2026-11-10T11:00:00Z")));
    JsonObject late = fx.awaitDelivery("order-unarchived-late");
    assertThat(late.getString("status")).isEqualTo("ignored");
    assertThat(late.getString("result")).contains("older than the last applied event");
    assertThat(fx.tracked(id)).isFalse();

    long installation = 88_001;
    fx.execute("INSERT INTO workspace_installations (workspace_id, installation_id) SELECT id, $1 FROM workspaces WHERE slug = 'order'",
      installation);
    JsonObject inst = new JsonObject().put("id", installation).put("account", Payloads.account("octo-org", 1));
    fx.deliver("installation", "order-inst-created", new JsonObject().put("action", "created")
      .put("installation", inst.copy().put("updated_at", "2026-11-10T09:00:00Z"))
      .put("repositories", new JsonArray().add(repo(602, "octo-org/installed"))));
    fx.awaitDelivery("order-inst-created");
    long installed = repositoryId(602);
    assertThat(fx.tracked(installed)).isTrue();
    fx.deliver("installation", "order-suspend", new JsonObject().put("action", "suspend")
      .put("installation", inst.copy().put("updated_at", "2026-11-10T12:00:00Z").put("suspended_at", "2026-11-10T12:00:00Z")));
    fx.awaitDelivery("order-suspend");
    assertThat(fx.tracked(installed)).isFalse();
    fx.deliver("installation", "order-unsuspend-late", new JsonObject().put("action", "unsuspend")
      .put("installation", inst.copy().put("updated_at", "2026-11-10T10:00:00Z")));
    assertThat(fx.awaitDelivery("order-unsuspend-late").getString("status")).isEqualTo("ignored");
    assertThat(fx.tracked(installed)).isFalse();
    fx.deliver("installation", "order-unsuspend", new JsonObject().put("action", "unsuspend")
      .put("installation", inst.copy().put("updated_at", "2026-11-10T13:00:00Z")));
    assertThat(fx.awaitDelivery("order-unsuspend").getString("status")).isEqualTo("done");
    assertThat(fx.tracked(installed)).isTrue();
  }

  @Test
  @DisplayName("A payload missing what its processor needs is dead-lettered at once with the field named")
  void malformedPayloadDeadLetters() throws Exception {
    fx.deliver("pull_request", "no-pr-object", new JsonObject().put("action", "opened").put("repository", repository(1, "a/b")));
    JsonObject job = fx.awaitDelivery("no-pr-object");
    assertThat(job.getString("status")).isEqualTo("dead");
    assertThat(job.getString("last_error")).contains("pull_request");
  }
}

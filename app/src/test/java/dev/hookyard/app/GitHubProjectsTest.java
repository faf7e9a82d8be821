package dev.hookyard.app;

import dev.hookyard.common.testing.Eventually;
import dev.hookyard.common.config.HookyardConfig;
import dev.hookyard.common.testing.TestDatabase;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * GitHub's API against a local fake: plan progress read at the pushed commit, the
 * App's installation tokens (issued, cached, renewed before expiry and after a 401),
 * the personal token as the fallback, rate limits, commit sizes and issue authors in
 * the developer metrics. Everything goes in through the webhook and out through the
 * HTTP API of a whole hookyard.
 */
class GitHubProjectsTest {

  private static final String REPO = "acme/api";
  private static final String PLAN = "docs/plan.md";
  private static final long INSTALLATION = 77;

  private FakeGitHub github;
  private Hookyard hookyard;
  private WebClient client;

  @AfterEach
  void stop() throws Exception {
    if (hookyard != null) {
      hookyard.close();
    }
    if (github != null) {
      github.close();
    }
  }

  @Test
  @DisplayName("With a GitHub App, a push touching the plan stores its task-list progress per phase, read with the installation's token, and a change is published on the board")
  void planProgress() throws Exception {
    start(true, null, Map.of());
    github.file(REPO, PLAN, sha(1), """
      # Launch plan
      Intro text, and a list that is no task:
      - not a task
      ## Phase 1: ingest
      - [x] verify signatures
      - [ ] store deliveries
      ```
      - [ ] inside a code block, not counted
      ```
      ## Phase 2: board
      * [X] columns
        - [ ] nested drag and drop
      1. [ ] live updates
      """);
    github.file(REPO, PLAN, sha(2), """
      ## Phase 1: ingest
      - [x] verify signatures
      - [x] store deliveries
      ## Phase 2: board
      - [x] columns
      - [X] nested drag and drop
      - [ ] live updates
      """);
    installApp();
    long project = project();
    List<JsonObject> board = new CopyOnWriteArrayList<>();
    MessageConsumer<JsonObject> consumer = hookyard.vertx().eventBus().consumer("board.acme", m -> board.add(m.body()));
    consumer.completion().await(10, TimeUnit.SECONDS);

    push(sha(1), PLAN);
    JsonObject first = Eventually.until("the first progress", () -> get("/api/v1/workspaces/acme/projects/" + project),
      p -> p.getValue("progress") != null);
    JsonObject progress = first.getJsonObject("progress");
    assertThat(progress.getString("commit_sha")).isEqualTo(sha(1));
    assertThat(progress.getInteger("total")).isEqualTo(5);
    assertThat(progress.getInteger("done")).isEqualTo(2);
    assertThat(progress.getJsonArray("phases")).isEqualTo(new JsonArray()
      .add(phase("Phase 1: ingest", 2, 1)).add(phase("Phase 2: board", 3, 1)));
    assertThat(progress.getString("at")).isNotNull();
    assertThat(first.getString("last_refreshed_sha")).isEqualTo(sha(1));

    push(sha(2), PLAN);
    Eventually.until("a second snapshot", () -> getArray("/api/v1/workspaces/acme/projects/" + project + "/snapshots"),
      s -> s.size() == 2);
    // Same plan again: a snapshot, but no change to publish.
    github.file(REPO, PLAN, sha(3), """
      ## Phase 1: ingest
      - [x] verify signatures
      - [x] store deliveries
      ## Phase 2: board
      - [x] columns
      - [X] nested drag and drop
      - [ ] live updates
      """);
    push(sha(3), PLAN);
    JsonArray snapshots = Eventually.until("a third snapshot",
      () -> getArray("/api/v1/workspaces/acme/projects/" + project + "/snapshots"), s -> s.size() == 3);
    assertThat(snapshots.getJsonObject(0).getString("commit_sha")).isEqualTo(sha(3));
    assertThat(snapshots.getJsonObject(1).getInteger("done")).isEqualTo(4);
    assertThat(snapshots.getJsonObject(2).getInteger("done")).isEqualTo(2);
    assertThat(get("/api/v1/workspaces/acme/projects/" + project).getJsonObject("progress").getInteger("done")).isEqualTo(4);

    List<JsonObject> changes = board.stream().filter(m -> "project.progress_changed".equals(m.getString("type"))).toList();
    assertThat(changes).hasSize(2);
    assertThat(changes.get(0).getValue("previous")).isNull();
    assertThat(changes.get(1).getString("commit_sha")).isEqualTo(sha(2));
    assertThat(changes.get(1).getInteger("done")).isEqualTo(4);
    assertThat(changes.get(1).getJsonObject("previous")).isEqualTo(new JsonObject().put("total", 5).put("done", 2));
    assertThat(changes.get(1).getLong("project_id")).isEqualTo(project);

    // The plan is gone at this commit: recorded with the reason, not failed.
    push(sha(4), PLAN);
    JsonObject missing = awaitUpdate(project, sha(4));
    assertThat(missing.getString("status")).isEqualTo("not_found");
    assertThat(missing.getString("status_reason")).contains(PLAN).contains(sha(4)).contains("404");

    // One installation token served every call; the App's JWT asked for it.
    assertThat(github.issued).hasSize(1);
    assertThat(github.requests("/app/installations/" + INSTALLATION + "/access_tokens")).hasSize(1);
    assertThat(github.requests("/repos/" + REPO + "/contents/")).hasSize(4)
      .allSatisfy(r -> assertThat(r.auth()).isEqualTo("Bearer " + github.issued.get(0)));
    consumer.unregister().await(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("An installation token close to expiry is renewed before use, a fresh one is reused, and one GitHub refuses (401) is replaced once and the call repeated")
  void installationTokens() throws Exception {
    start(true, null, Map.of());
    for (int i = 1; i <= 4; i++) {
      github.file(REPO, PLAN, sha(i), "## Work\n- [x] step one\n" + "- [ ] more\n".repeat(i));
    }
    // The first token comes within hookyard's five-minute renewal margin three seconds after
    // it is issued; the next ones live an hour.
    github.tokenLifetimes(Duration.ofMinutes(5).plusSeconds(3));
    installApp();
    long project = project();
    push(sha(1), PLAN);
    assertThat(awaitUpdate(project, sha(1)).getString("status")).isEqualTo("refreshed");
    Instant renewalDue = github.requests("/app/installations/").get(0).at().plusMillis(3_500);
    Eventually.until("the first token inside its renewal margin", Instant::now, now -> now.isAfter(renewalDue));
    for (int i = 2; i <= 3; i++) {
      push(sha(i), PLAN);
      assertThat(awaitUpdate(project, sha(i)).getString("status")).isEqualTo("refreshed");
    }
    assertThat(github.issued).hasSize(2);

    // GitHub stops accepting the current token; the commit-size calls of the next push are held meanwhile.
    Promise<Void> gate = Promise.promise();
    github.holdCommits(gate.future());
    github.revoke(github.issued.get(1));
    push(sha(4), PLAN);
    assertThat(awaitUpdate(project, sha(4)).getString("status")).isEqualTo("refreshed");
    assertThat(github.issued).hasSize(3);
    assertThat(github.requests("/repos/" + REPO + "/contents/")).extracting(FakeGitHub.Request::auth).containsExactly(
      "Bearer " + github.issued.get(0),
      "Bearer " + github.issued.get(1),
      "Bearer " + github.issued.get(1),
      "Bearer " + github.issued.get(1),
      "Bearer " + github.issued.get(2));
    // The held commit call ends with the renewed token too (refused and repeated, if it was sent with the
    // old one), without a fourth token.
    gate.complete();
    String renewed = "Bearer " + github.issued.get(2);
    Eventually.until("the held commit call answered", () -> github.requests("/repos/" + REPO + "/commits/" + sha(4)),
      calls -> !calls.isEmpty() && calls.get(calls.size() - 1).auth().equals(renewed));
    assertThat(github.issued).hasSize(3);
    assertThat(get("/api/v1/workspaces/acme/projects/" + project).getJsonObject("progress").getInteger("total")).isEqualTo(5);
  }

  @Test
  @DisplayName("A repository without an installation uses the personal token, and a 403 rate limit makes the refresh wait for the reset instead of retrying at once")
  void rateLimit() throws Exception {
    // Ordinary failures would be retried after 50 ms.
    start(true, "gh-personal", Map.of(HookyardConfig.QUEUE_BACKOFF_BASE_MS, "50"));
    github.file(REPO, PLAN, sha(1), "# Plan\n- [x] one\n- [ ] two\n");
    trackByHand();
    long project = project();
    Instant reset = Instant.ofEpochSecond(Instant.now().getEpochSecond() + 3);
    github.rateLimit("/repos/" + REPO + "/contents/", 1, reset);
    push(sha(1), PLAN);
    Eventually.until("the rate-limited call", () -> github.requests("/repos/" + REPO + "/contents/"), r -> r.size() == 1);
    assertThat(updates(project).getJsonObject(0).getString("status")).isEqualTo("pending");

    assertThat(awaitUpdate(project, sha(1)).getString("status")).isEqualTo("refreshed");
    List<FakeGitHub.Request> calls = github.requests("/repos/" + REPO + "/contents/");
    assertThat(calls).hasSize(2).allSatisfy(r -> assertThat(r.auth()).isEqualTo("Bearer gh-personal"));
    assertThat(calls.get(1).at()).isAfterOrEqualTo(reset);
    assertThat(github.issued).isEmpty();
    assertThat(get("/api/v1/workspaces/acme/projects/" + project).getJsonObject("progress").getInteger("done")).isEqualTo(1);
  }

  @Test
  @DisplayName("Without credentials for the repository, a refresh is recorded as skipped with the reason, never failed, and GitHub is not called")
  void noCredentials() throws Exception {
    start(true, null, Map.of());
    trackByHand();
    long project = project();
    push(sha(1), PLAN);
    JsonObject update = awaitUpdate(project, sha(1));
    assertThat(update.getString("status")).isEqualTo("skipped");
    assertThat(update.getString("status_reason")).contains("no installation of the App is known for it")
      .contains("HOOKYARD_GITHUB_TOKEN");
    assertThat(get("/api/v1/workspaces/acme/projects/" + project).getValue("progress")).isNull();
    JsonObject refreshes = get("/api/v1/jobs/stats").getJsonObject("refresh-project");
    assertThat(refreshes.getInteger("ignored")).isEqualTo(1);
    assertThat(refreshes.getInteger("failed") + refreshes.getInteger("dead")).isZero();
    assertThat(github.requests("/repos/")).isEmpty();
  }

  @Test
  @DisplayName("Commit sizes are read in a job of their own after the push is done, and show with issues opened in the developer metrics")
  void commitSizesAndIssueAuthors() throws Exception {
    start(true, null, Map.of(HookyardConfig.METRICS_DEBOUNCE_MS, "100"));
    installApp();
    assertThat(TestHookyard.adminPost(client, "/api/v1/users",
      new JsonObject().put("login", "ada").put("name", "Ada").put("github_id", 31)).statusCode()).isEqualTo(201);
    github.commit(REPO, sha(11), 10, 2);
    github.commit(REPO, sha(12), 5, 0);
    github.commit(REPO, sha(13), 1, 1);
    // sha(14) is unknown to GitHub: it keeps no size.
    Promise<Void> gate = Promise.promise();
    github.holdCommits(gate.future());

    String delivery = push(sha(14), "src/a.c", sha(11), sha(12), sha(13), sha(14));
    // The push finishes while GitHub has not answered a single commit.
    Eventually.until("the push job", () -> get("/api/v1/deliveries/" + delivery).getJsonArray("jobs"),
      jobs -> !jobs.isEmpty() && "done".equals(jobs.getJsonObject(0).getString("status")));
    JsonObject before = Eventually.until("the commits counted", this::ada, a -> a != null && a.getLong("commits") == 4);
    assertThat(before.getLong("commit_additions")).isZero();
    gate.complete();

    JsonObject ada = Eventually.until("the commit sizes", this::ada, a -> a.getLong("commit_additions") == 16);
    assertThat(ada.getLong("commit_deletions")).isEqualTo(3);
    assertThat(github.requests("/repos/" + REPO + "/commits/")).hasSize(4)
      .allSatisfy(r -> assertThat(r.auth()).isEqualTo("Bearer " + github.issued.get(0)));

    JsonObject issue = new JsonObject().put("id", 5001).put("number", 8).put("title", "Slow board").put("state", "open")
      .put("user", new JsonObject().put("login", "ada").put("id", 31))
      .put("created_at", "2026-11-20T10:00:00Z").put("updated_at", "2026-11-20T10:00:00Z");
    deliver("issues", new JsonObject().put("action", "opened").put("issue", issue).put("repository", repository()));
    JsonObject withIssue = Eventually.until("the issue opened", this::ada, a -> a.getLong("issues_opened") == 1);
    assertThat(withIssue.getLong("issues_closed")).isZero();
    assertThat(withIssue.getLong("commits")).isEqualTo(4);
  }

  @Test
  @DisplayName("A merged release PR's commits are read over every page with the installation's token")
  void releaseCommitsOverPages() throws Exception {
    start(true, null, Map.of());
    installApp();
    for (String title : List.of("In the first page", "In the second page", "Not released")) {
      assertThat(TestHookyard.adminPost(client, "/api/v1/workspaces/acme/issues", new JsonObject().put("title", title))
        .statusCode()).isEqualTo(201);
    }
    github.pullRequestCommits(REPO, 401, List.of(
      new JsonArray().add(prCommit("Fix ACME-1: retry uploads")).add(prCommit("Tidy")),
      new JsonArray().add(prCommit("Refs ACME-2"))));
    JsonObject pr = BoardScenario.pullRequest("closed", 401, "Release 2026-11-24", "Ships the week", "staging", "main",
      "closed", true, "2026-11-24T12:00:00Z");
    pr.put("repository", repository());
    deliver("pull_request", pr);
    Eventually.until("ACME-2 done", () -> get("/api/v1/workspaces/acme/issues/ACME-2").getString("status"), "Done"::equals);
    assertThat(get("/api/v1/workspaces/acme/issues/ACME-1").getString("status")).isEqualTo("Done");
    assertThat(get("/api/v1/workspaces/acme/issues/ACME-3").getString("status")).isEqualTo("Backlog");
    assertThat(github.requests("/repos/" + REPO + "/pulls/401/commits")).hasSize(2)
      .allSatisfy(r -> assertThat(r.auth()).isEqualTo("Bearer " + github.issued.get(0)));
  }

  private void start(boolean app, String personalToken, Map<String, String> extra) throws Exception {
    github = new FakeGitHub(personalToken);
    Map<String, String> env = TestHookyard.config(TestDatabase.fresh());
    env.put(HookyardConfig.GITHUB_API_URL, github.url());
    if (app) {
      env.put(HookyardConfig.GITHUB_APP_ID, FakeGitHub.APP_ID);
      env.put(HookyardConfig.GITHUB_APP_PRIVATE_KEY, github.privateKeyPem());
      // The reconciler would list the App's deliveries: not what these tests watch.
      env.put(HookyardConfig.RECONCILE_EVERY, "PT24H");
    }
    if (personalToken != null) {
      env.put(HookyardConfig.GITHUB_TOKEN, personalToken);
    }
    env.putAll(extra);
    hookyard = TestHookyard.start(env);
    client = TestHookyard.client(hookyard, env);
    assertThat(TestHookyard.adminPost(client, "/api/v1/workspaces",
      new JsonObject().put("slug", "acme").put("name", "Acme").put("issue_prefix", "ACME")).statusCode()).isEqualTo(201);
  }

  /** The App is installed on acme/api, in the workspace's installation. */
  private void installApp() throws Exception {
    assertThat(TestHookyard.adminPost(client, "/api/v1/workspaces/acme/installations",
      new JsonObject().put("installation_id", INSTALLATION)).statusCode()).isIn(200, 201);
    deliver("installation", new JsonObject().put("action", "created")
      .put("installation", new JsonObject().put("id", INSTALLATION).put("account", new JsonObject().put("login", "acme")))
      .put("repositories", new JsonArray().add(new JsonObject().put("id", 1).put("full_name", REPO))));
    Eventually.until("the installation's repository", () -> TestHookyard.admin(client, HttpMethod.GET, "/api/v1/repositories/" + REPO),
      r -> r.statusCode() == 200 && Boolean.TRUE.equals(r.bodyAsJsonObject().getBoolean("tracked"))
        && Long.valueOf(INSTALLATION).equals(r.bodyAsJsonObject().getLong("installation_id")));
  }

  private void trackByHand() throws Exception {
    assertThat(TestHookyard.adminPost(client, "/api/v1/workspaces/acme/repositories",
      new JsonObject().put("full_name", REPO).put("default_branch", "main")).statusCode()).isEqualTo(201);
  }

  private long project() throws Exception {
    var created = TestHookyard.adminPost(client, "/api/v1/workspaces/acme/projects",
      new JsonObject().put("repository", REPO).put("plan_path", PLAN));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    return created.bodyAsJsonObject().getLong("id");
  }

  /** A push to main whose head is {@code head}, touching {@code file}, of commits {@code shas} (else just the head) by ada. */
  private String push(String head, String file, String... shas) throws Exception {
    JsonArray commits = new JsonArray();
    for (String sha : shas.length == 0 ? new String[] {head} : shas) {
      commits.add(new JsonObject().put("id", sha).put("message", "Work " + sha.substring(0, 7))
        .put("timestamp", "2026-11-20T09:00:00Z")
        .put("author", new JsonObject().put("name", "Ada").put("email", "ada@acme.test").put("username", "ada"))
        .put("modified", new JsonArray().add(file)));
    }
    return deliver("push", new JsonObject().put("ref", "refs/heads/main").put("after", head)
      .put("repository", repository()).put("commits", commits));
  }

  private static JsonObject repository() {
    return new JsonObject().put("id", 1).put("full_name", REPO).put("default_branch", "main");
  }

  private String deliver(String event, JsonObject body) throws Exception {
    String guid = UUID.randomUUID().toString();
    var answer = TestHookyard.deliver(client, event, guid, body.toBuffer().getBytes());
    assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(202);
    return guid;
  }

  private JsonObject awaitUpdate(long project, String sha) throws Exception {
    return Eventually.until("the refresh of " + sha, () -> {
      for (Object o : updates(project)) {
        JsonObject u = (JsonObject) o;
        if (u.getString("commit_sha").equals(sha) && !"pending".equals(u.getString("status"))) {
          return u;
        }
      }
      return null;
    }, u -> u != null);
  }

  private JsonArray updates(long project) throws Exception {
    return getArray("/api/v1/workspaces/acme/projects/" + project + "/updates");
  }

  private JsonObject ada() throws Exception {
    JsonArray developers = get("/api/v1/metrics/developers?repository=" + REPO).getJsonArray("developers");
    return developers.stream().map(JsonObject.class::cast).filter(d -> "ada".equals(d.getString("login"))).findFirst().orElse(null);
  }

  private JsonObject get(String uri) throws Exception {
    var res = TestHookyard.admin(client, HttpMethod.GET, uri);
    assertThat(res.statusCode()).as(uri + ": " + res.bodyAsString()).isEqualTo(200);
    return res.bodyAsJsonObject();
  }

  private JsonArray getArray(String uri) throws Exception {
    var res = TestHookyard.admin(client, HttpMethod.GET, uri);
    assertThat(res.statusCode()).as(uri + ": " + res.bodyAsString()).isEqualTo(200);
    return res.bodyAsJsonArray();
  }

  private static JsonObject phase(String name, int total, int done) {
    return new JsonObject().put("name", name).put("total", total).put("done", done);
  }

  private static JsonObject prCommit(String message) {
    return new JsonObject().put("sha", "c".repeat(40)).put("commit", new JsonObject().put("message", message));
  }

  private static String sha(int n) {
    return String.format("%040x", n);
  }
}

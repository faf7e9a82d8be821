package dev.hookyard.gateway;

import dev.hookyard.common.testing.Eventually;
import dev.hookyard.common.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class TrackingApiTest {

  private static Vertx vertx;
  private static GatewayFixture fx;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    fx = GatewayFixture.start(vertx, Map.of());
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(20, TimeUnit.SECONDS);
  }

  private static HttpResponse<Buffer> post(String uri, JsonObject body) throws Exception {
    return fx.client.post(uri).bearerTokenAuthentication(GatewayFixture.TOKEN).sendJsonObject(body).await(20, TimeUnit.SECONDS);
  }

  private static JsonObject workspace(String slug) {
    return new JsonObject().put("slug", slug).put("name", "Team " + slug).put("issue_prefix", "HY");
  }

  @Test
  @DisplayName("Workspaces are created once, with their fields checked, and only with the admin token")
  void workspaces() throws Exception {
    HttpResponse<Buffer> created = post("/api/v1/workspaces", workspace("payments"));
    assertThat(created.statusCode()).isEqualTo(201);
    assertThat(created.bodyAsJsonObject().getString("slug")).isEqualTo("payments");
    assertThat(created.bodyAsJsonObject().getString("issue_prefix")).isEqualTo("HY");

    HttpResponse<Buffer> again = post("/api/v1/workspaces", workspace("payments"));
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(again.bodyAsJsonObject().getString("error")).isEqualTo("conflict");

    HttpResponse<Buffer> badPrefix = post("/api/v1/workspaces", workspace("other").put("issue_prefix", "hy-"));
    assertThat(badPrefix.statusCode()).isEqualTo(400);
    assertThat(badPrefix.bodyAsJsonObject().getString("message")).contains("issue_prefix");
    assertThat(fx.client.post("/api/v1/workspaces").bearerTokenAuthentication(GatewayFixture.TOKEN)
      .sendBuffer(Buffer.buffer("not json")).await(20, TimeUnit.SECONDS).statusCode()).isEqualTo(400);

    assertThat(fx.client.post("/api/v1/workspaces").sendJsonObject(workspace("nope")).await(20, TimeUnit.SECONDS).statusCode())
      .isEqualTo(401);
    assertThat(fx.count("SELECT count(*) FROM workspaces WHERE slug = 'nope'")).isZero();
  }

  @Test
  @DisplayName("A tracked repository shows its workspaces; tracking twice answers 200; untracking answers 204, then 404")
  void trackAndUntrack() throws Exception {
    post("/api/v1/workspaces", workspace("web"));
    HttpResponse<Buffer> tracked = post("/api/v1/workspaces/web/repositories",
      new JsonObject().put("full_name", "Acme/Site").put("default_branch", "trunk"));
    assertThat(tracked.statusCode()).isEqualTo(201);
    assertThat(tracked.bodyAsJsonObject().getBoolean("tracked")).isTrue();
    assertThat(post("/api/v1/workspaces/web/repositories", new JsonObject().put("full_name", "acme/site")).statusCode()).isEqualTo(200);

    JsonObject repo = fx.admin(HttpMethod.GET, "/api/v1/repositories/acme/SITE").bodyAsJsonObject();
    assertThat(repo.getString("full_name")).isEqualTo("Acme/Site");
    assertThat(repo.getString("default_branch")).isEqualTo("trunk");
    assertThat(repo.getBoolean("tracked")).isTrue();
    assertThat(repo.getJsonArray("workspaces").getList()).containsExactly("web");
    assertThat(repo.containsKey("last_push_at")).isTrue();
    assertThat(repo.containsKey("installation_id")).isTrue();

    assertThat(post("/api/v1/workspaces/ghost/repositories", new JsonObject().put("full_name", "acme/site")).statusCode()).isEqualTo(404);
    assertThat(post("/api/v1/workspaces/web/repositories", new JsonObject().put("full_name", "no-slash")).statusCode()).isEqualTo(400);

    assertThat(fx.admin(HttpMethod.DELETE, "/api/v1/workspaces/web/repositories/acme/site").statusCode()).isEqualTo(204);
    assertThat(fx.admin(HttpMethod.GET, "/api/v1/repositories/acme/site").bodyAsJsonObject().getBoolean("tracked")).isFalse();
    assertThat(fx.admin(HttpMethod.DELETE, "/api/v1/workspaces/web/repositories/acme/site").statusCode()).isEqualTo(404);
    assertThat(fx.admin(HttpMethod.GET, "/api/v1/repositories/acme/unknown").statusCode()).isEqualTo(404);
  }

  @Test
  @DisplayName("Linking an installation tracks the repositories it already brought")
  void installations() throws Exception {
    post("/api/v1/workspaces", workspace("apps"));
    fx.count("INSERT INTO repositories (github_id, full_name, installation_id) VALUES (71, 'octo/one', 555) RETURNING id");
    HttpResponse<Buffer> linked = post("/api/v1/workspaces/apps/installations", new JsonObject().put("installation_id", 555));
    assertThat(linked.statusCode()).isEqualTo(201);
    assertThat(linked.bodyAsJsonObject().getJsonArray("repositories").getList()).containsExactly("octo/one");
    assertThat(post("/api/v1/workspaces/apps/installations", new JsonObject().put("installation_id", 555)).statusCode()).isEqualTo(200);
    assertThat(post("/api/v1/workspaces/apps/installations", new JsonObject().put("installation_id", -1)).statusCode()).isEqualTo(400);
    JsonObject repo = fx.admin(HttpMethod.GET, "/api/v1/repositories/octo/one").bodyAsJsonObject();
    assertThat(repo.getBoolean("tracked")).isTrue();
    assertThat(repo.getLong("installation_id")).isEqualTo(555L);
  }

  @Test
  @DisplayName("Projects need a repository the workspace tracks; their updates and the repository's index jobs list newest first")
  void projectsAndIndexJobs() throws Exception {
    post("/api/v1/workspaces", workspace("docs"));
    post("/api/v1/workspaces/docs/repositories", new JsonObject().put("full_name", "acme/handbook"));
    JsonObject project = new JsonObject().put("repository", "acme/handbook").put("plan_path", "PLAN.md");
    HttpResponse<Buffer> created = post("/api/v1/workspaces/docs/projects", project);
    assertThat(created.statusCode()).isEqualTo(201);
    long id = created.bodyAsJsonObject().getLong("id");
    assertThat(post("/api/v1/workspaces/docs/projects", project).statusCode()).isEqualTo(409);
    assertThat(post("/api/v1/workspaces/docs/projects", project.copy().put("repository", "acme/elsewhere")).statusCode()).isEqualTo(404);
    assertThat(post("/api/v1/workspaces/docs/projects", project.copy().put("plan_path", "../etc/passwd")).statusCode()).isEqualTo(400);

    fx.count("INSERT INTO project_updates (project_id, commit_sha, ref, reason, files) VALUES ($1, 'aaa', 'refs/heads/main', 'plan', '{PLAN.md}') RETURNING id", id);
    fx.count("INSERT INTO project_updates (project_id, commit_sha, ref, reason, files) VALUES ($1, 'bbb', 'refs/heads/main', 'manifest', '{package.json}') RETURNING id", id);
    JsonArray updates = fx.admin(HttpMethod.GET, "/api/v1/workspaces/docs/projects/" + id + "/updates").bodyAsJsonArray();
    assertThat(updates).hasSize(2);
    assertThat(updates.getJsonObject(0).getString("commit_sha")).isEqualTo("bbb");
    assertThat(updates.getJsonObject(0).getJsonArray("files").getList()).containsExactly("package.json");
    assertThat(fx.admin(HttpMethod.GET, "/api/v1/workspaces/web/projects/" + id + "/updates").statusCode()).isEqualTo(404);

    long repo = fx.count("SELECT id FROM repositories WHERE full_name = 'acme/handbook'");
    for (String sha : List.of("111", "222")) {
      fx.count("INSERT INTO job_queue (queue, payload, dedupe_key) VALUES ('index-repository', $1, $2) RETURNING id",
        new JsonObject().put("repository_id", repo).put("commit_sha", sha).put("ref", "refs/heads/main"), "index-repository:" + repo + ":" + sha);
    }
    JsonArray jobs = fx.admin(HttpMethod.GET, "/api/v1/repositories/acme/handbook/index-jobs").bodyAsJsonArray();
    assertThat(jobs).hasSize(2);
    assertThat(jobs.getJsonObject(0).getString("commit_sha")).isEqualTo("222");
    assertThat(jobs.getJsonObject(0).getString("status")).isEqualTo("queued");
    assertThat(jobs.getJsonObject(0).getString("ref")).isEqualTo("refs/heads/main");
  }

  @Test
  @DisplayName("Creating a user announces users.changed on the event bus; a second user with the same login is a conflict")
  void users() throws Exception {
    List<JsonObject> heard = new CopyOnWriteArrayList<>();
    vertx.eventBus().<JsonObject>consumer(Addresses.USERS_CHANGED, m -> heard.add(m.body())).completion().await(10, TimeUnit.SECONDS);
    HttpResponse<Buffer> created = post("/api/v1/users",
      new JsonObject().put("login", "hopper").put("name", "Grace Hopper").put("email", "grace@acme.test").put("github_id", 1906));
    assertThat(created.statusCode()).isEqualTo(201);
    long id = created.bodyAsJsonObject().getLong("id");
    Eventually.atMost(Duration.ofSeconds(10), heard::isEmpty, empty -> !empty);
    assertThat(heard).extracting(m -> m.getLong("user_id")).containsExactly(id);
    assertThat(post("/api/v1/users", new JsonObject().put("login", "HOPPER")).statusCode()).isEqualTo(409);
    assertThat(post("/api/v1/users", new JsonObject().put("login", "other").put("github_id", 1906)).statusCode()).isEqualTo(409);
    assertThat(post("/api/v1/users", new JsonObject().put("name", "no login")).statusCode()).isEqualTo(400);
  }

  @Test
  @DisplayName("Developer metrics sum and take medians over the rollup, filtered by repository and day")
  void developerMetrics() throws Exception {
    long ada = fx.count("INSERT INTO users (login, name) VALUES ('ada', 'Ada') RETURNING id");
    long linus = fx.count("INSERT INTO users (login, name) VALUES ('linus', 'Linus') RETURNING id");
    long r1 = fx.count("INSERT INTO repositories (full_name) VALUES ('acme/m1') RETURNING id");
    long r2 = fx.count("INSERT INTO repositories (full_name) VALUES ('acme/m2') RETURNING id");
    String insert = "INSERT INTO developer_activity (repository_id, user_id, day, prs_merged, pr_cycle_times_s, "
      + "review_turnarounds_s, issues_closed, issue_resolutions_s) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING 1";
    fx.count(insert, r1, ada, java.time.LocalDate.parse("2026-11-01"), 2, new Long[] {100L, 300L}, new Long[] {}, 1, new Long[] {50L});
    fx.count(insert, r1, ada, java.time.LocalDate.parse("2026-11-03"), 1, new Long[] {200L}, new Long[] {10L}, 0, new Long[] {});
    fx.count(insert, r2, ada, java.time.LocalDate.parse("2026-11-03"), 1, new Long[] {1000L}, new Long[] {}, 0, new Long[] {});
    fx.count(insert, r1, linus, java.time.LocalDate.parse("2026-11-02"), 0, new Long[] {}, new Long[] {20L, 40L}, 2, new Long[] {60L, 80L});
    fx.count("INSERT INTO developer_metrics_runs (repository_id, computed_at) VALUES ($1, now()) RETURNING 1", r1);

    JsonObject all = fx.admin(HttpMethod.GET, "/api/v1/metrics/developers").bodyAsJsonObject();
    JsonObject adaAll = all.getJsonArray("developers").getJsonObject(0);
    assertThat(adaAll.getString("login")).isEqualTo("ada");
    assertThat(adaAll.getLong("prs_merged")).isEqualTo(4);
    assertThat(adaAll.getLong("median_pr_cycle_time_s")).isEqualTo(250);
    assertThat(adaAll.getLong("median_review_turnaround_s")).isEqualTo(10);
    assertThat(adaAll.getLong("issues_closed")).isEqualTo(1);

    JsonObject m1 = fx.admin(HttpMethod.GET, "/api/v1/metrics/developers?repository=acme/m1").bodyAsJsonObject();
    assertThat(m1.getString("repository")).isEqualTo("acme/m1");
    assertThat(m1.getString("computed_at")).isNotNull();
    JsonObject adaM1 = m1.getJsonArray("developers").getJsonObject(0);
    assertThat(adaM1.getLong("prs_merged")).isEqualTo(3);
    assertThat(adaM1.getLong("median_pr_cycle_time_s")).isEqualTo(200);
    JsonObject linusM1 = m1.getJsonArray("developers").getJsonObject(1);
    assertThat(linusM1.getLong("median_review_turnaround_s")).isEqualTo(30);
    assertThat(linusM1.getLong("median_issue_resolution_s")).isEqualTo(70);
    assertThat(linusM1.getValue("median_pr_cycle_time_s")).isNull();

    JsonObject since = fx.admin(HttpMethod.GET, "/api/v1/metrics/developers?repository=acme/m1&since=2026-11-02").bodyAsJsonObject();
    assertThat(since.getString("since")).isEqualTo("2026-11-02");
    assertThat(since.getJsonArray("developers").getJsonObject(0).getLong("prs_merged")).isEqualTo(1);
    assertThat(since.getJsonArray("developers").getJsonObject(0).getLong("median_issue_resolution_s")).isNull();

    assertThat(fx.admin(HttpMethod.GET, "/api/v1/metrics/developers?repository=acme/none").statusCode()).isEqualTo(404);
    assertThat(fx.admin(HttpMethod.GET, "/api/v1/metrics/developers?since=yesterday").statusCode()).isEqualTo(400);
  }
}

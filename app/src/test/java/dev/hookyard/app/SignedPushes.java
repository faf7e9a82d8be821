package dev.hookyard.app;

import dev.hookyard.common.webhook.GitHubSignature;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Signed pushes to one tracked repository, so each delivery does real work (its
 * commit stored, an index job queued): workspace {@code slug} tracking
 * {@code fullName}; delivery {@code n} has GUID {@code <guidPrefix>n} and a commit of its own.
 */
record SignedPushes(String slug, String fullName, long repositoryId, String guidPrefix) {

  /** Creates the workspace and tracks the repository through the admin API. */
  void track(WebClient client) throws Exception {
    assertThat(client.post("/api/v1/workspaces").bearerTokenAuthentication(TestHookyard.TOKEN)
      .sendJsonObject(new JsonObject().put("slug", slug).put("name", slug).put("issue_prefix", slug.toUpperCase()))
      .await(30, TimeUnit.SECONDS).statusCode()).isEqualTo(201);
    assertThat(client.post("/api/v1/workspaces/" + slug + "/repositories").bearerTokenAuthentication(TestHookyard.TOKEN)
      .sendJsonObject(new JsonObject().put("full_name", fullName).put("default_branch", "main"))
      .await(30, TimeUnit.SECONDS).statusCode()).isEqualTo(201);
  }

  String guid(int n) {
    return guidPrefix + n;
  }

  byte[] body(int n) {
    String sha = String.format("%040x", n);
    return new JsonObject().put("ref", "refs/heads/main").put("after", sha)
      .put("commits", new JsonArray().add(new JsonObject().put("id", sha).put("message", "change " + n)
        .put("timestamp", "2026-11-20T10:00:00Z")
        .put("author", new JsonObject().put("name", "Ada").put("email", "ada@acme.test").put("username", "ada"))
        .put("modified", new JsonArray().add("src/a.txt"))))
      .put("repository", new JsonObject().put("id", repositoryId).put("full_name", fullName).put("default_branch", "main"))
      .toBuffer().getBytes();
  }

  /** Posts delivery {@code n}, signed with the test secret; returns the status code. */
  int send(WebClient client, int n) throws Exception {
    byte[] body = body(n);
    return client.post("/webhooks/github").putHeader("Content-Type", "application/json")
      .putHeader("X-GitHub-Event", "push").putHeader("X-GitHub-Delivery", guid(n))
      .putHeader(GitHubSignature.HEADER, GitHubSignature.sign(TestHookyard.SECRET, body))
      .sendBuffer(Buffer.buffer(body)).await(30, TimeUnit.SECONDS).statusCode();
  }
}

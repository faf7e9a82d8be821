package dev.hookyard.processors.matching;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MatchingExplicitTest {

  private static MatchingFixture fx;
  private static long workspace;

  @BeforeAll
  static void start() throws Exception {
    fx = MatchingFixture.start(Map.of());
    workspace = fx.workspace("acme", "HY");
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  @Test
  @DisplayName("Identifiers named in the title, the branch and the body come back with their strength and where they were read")
  void explicitIdentifiers() throws Exception {
    JsonObject reply = fx.match(workspace, "Fix HY-12: crash on save",
      "Refs HY-3. Not OTHER-5, and hy-99 in prose is no identifier.", "feature/hy-7-login", false);

    assertThat(reply.getString("type")).isEqualTo("matching.result");
    assertThat(reply.getJsonArray("explicit")).isEqualTo(new JsonArray()
      .add(new JsonObject().put("identifier", "HY-12").put("strength", "closes").put("where", "title"))
      .add(new JsonObject().put("identifier", "HY-7").put("strength", "closes").put("where", "branch"))
      .add(new JsonObject().put("identifier", "HY-3").put("strength", "refs").put("where", "body")));
    assertThat(reply.getJsonArray("candidates")).isEmpty();
    assertThat(reply.getString("verifier")).isEqualTo("skipped");
    assertThat(reply.getJsonObject("timings_ms").fieldNames()).containsExactlyInAnyOrder("explicit", "semantic", "llm");
  }

  @Test
  @DisplayName("A malformed request is failed with 400 and its reason, and the verticle goes on answering")
  void malformedRequests() throws Exception {
    for (Object bad : new Object[] {
      "not an object",
      new JsonObject().put("type", "matching.request").put("issue_prefix", "HY"),
      new JsonObject().put("workspace_id", "one").put("issue_prefix", "HY"),
      new JsonObject().put("workspace_id", workspace),
      new JsonObject().put("workspace_id", workspace).put("issue_prefix", "HY").put("title", 42),
      new JsonObject().put("workspace_id", workspace).put("issue_prefix", "HY").put("semantic", "yes"),
      new JsonObject().put("type", "something.else").put("workspace_id", workspace).put("issue_prefix", "HY")}) {
      assertThatThrownBy(() -> fx.request(bad))
        .isInstanceOfSatisfying(ReplyException.class, e -> {
          assertThat(e.failureCode()).as("for %s", bad).isEqualTo(400);
          assertThat(e.getMessage()).isNotBlank();
        });
    }
    assertThat(fx.match(workspace, "HY-1", null, null, false).getJsonArray("explicit")).hasSize(1);
  }

  @Test
  @DisplayName("An unknown AI provider fails the deployment with a message naming the setting")
  void unknownProvider() {
    var deployed = MatchingDeployment.deploy(fx.vertx,
      dev.hookyard.common.config.HookyardConfig.from(Map.of("HOOKYARD_AI_PROVIDER", "oracle")), fx.pool);
    assertThatThrownBy(() -> deployed.await(10, java.util.concurrent.TimeUnit.SECONDS))
      .hasMessageContaining("HOOKYARD_AI_PROVIDER");
  }

  @Test
  @DisplayName("A semantic request in a workspace without embedded issues has no candidates and does not call a verifier")
  void semanticWithoutIssues() throws Exception {
    JsonObject reply = fx.match(workspace, "Handle empty password on sign-in form", "", "fix/password", true);
    assertThat(reply.getJsonArray("candidates")).isEmpty();
    assertThat(reply.getString("verifier")).isEqualTo("skipped");
  }
}

package dev.hookyard.app;

import dev.hookyard.common.testing.Eventually;
import dev.hookyard.common.config.HookyardConfig;
import dev.hookyard.common.testing.TestDatabase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The README's examples, as written: every {@code sh} block marked
 * {@code <!-- run: ReadmeExamplesTest -->}, in order, in one bash session, from a
 * directory laid out like a fresh clone (the repository's {@code examples}, the
 * {@code hookyard-data} a first start generated its credentials in), against a
 * hookyard with no secrets configured. Only the launcher is swapped (the test class
 * path for {@code app/target/hookyard.jar}, which {@code package} builds after the
 * tests) and the port; every {@code curl} must answer 2xx.
 */
class ReadmeExamplesTest {

  static final String MARK = "<!-- run: ReadmeExamplesTest -->";
  private static final Pattern BLOCK = Pattern.compile(Pattern.quote(MARK) + "\\s*\\n```sh\\n(.*?)\\n```", Pattern.DOTALL);

  static List<String> blocks(String readme) {
    List<String> out = new ArrayList<>();
    Matcher m = BLOCK.matcher(readme);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  private static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  @DisplayName("The README's examples run as written on a fresh clone: by hand, send, the worked example, the board and its settings")
  void readmeRuns() throws Exception {
    for (String tool : List.of("bash", "curl", "openssl", "sed")) {
      assumeTrue(onPath(tool), tool + " is not installed: skipping the README's shell examples");
    }
    Path repo = Path.of("..").toAbsolutePath().normalize();
    String readme = Files.readString(repo.resolve("README.md"), StandardCharsets.UTF_8);
    List<String> blocks = blocks(readme);
    assertThat(blocks).as("marked blocks in README.md").hasSizeGreaterThanOrEqualTo(5);
    assertThat(readme.split(Pattern.quote(MARK), -1)).as("every mark opens a sh block").hasSize(blocks.size() + 1);

    Path clone = TestHookyard.tempDir();
    Files.createSymbolicLink(clone.resolve("examples"), repo.resolve("examples"));
    Map<String, String> env = TestHookyard.config(TestDatabase.fresh());
    env.remove(HookyardConfig.WEBHOOK_SECRETS);
    env.remove(HookyardConfig.ADMIN_TOKEN);
    env.put(HookyardConfig.DATA_DIR, clone.resolve("hookyard-data").toString());
    String base = "http://127.0.0.1:" + env.get(HookyardConfig.HTTP_PORT);

    try (Hookyard hookyard = TestHookyard.start(env)) {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      StringBuilder script = new StringBuilder("""
        set -euo pipefail
        curl() { command curl --fail-with-body --max-time 30 "$@"; echo; }
        """);
      script.append("hookyard_jar() { \"").append(java).append("\" -cp \"$TEST_CLASS_PATH\" ").append(Main.class.getName())
        .append(" \"$1\" --url ").append(base).append(" \"${@:2}\"; }\n");
      for (String block : blocks) {
        script.append(block.replace("java -jar app/target/hookyard.jar", "hookyard_jar")
          .replace("http://localhost:8080", base)).append('\n');
      }
      Path file = clone.resolve("readme.sh");
      Files.writeString(file, script);
      ProcessBuilder builder = new ProcessBuilder("bash", file.toString()).directory(clone.toFile()).redirectErrorStream(true);
      builder.environment().keySet().removeIf(k -> k.startsWith("HOOKYARD_"));
      builder.environment().put("TEST_CLASS_PATH", System.getProperty("java.class.path"));
      Path log = clone.resolve("readme.log");
      builder.redirectOutput(log.toFile());
      Process bash = builder.start();
      assertThat(bash.waitFor(3, TimeUnit.MINUTES)).isTrue();
      String output = Files.readString(log);
      assertThat(bash.exitValue()).as("the README's commands:\n" + output).isZero();
      assertThat(output).contains("HTTP/1.1 202 Accepted").contains("\"identifier\":\"ACME-1\"");

      // What the examples did, as the API shows it once the jobs they queued are done.
      WebClient client = TestHookyard.client(hookyard, env);
      String token = new JsonObject(Files.readString(clone.resolve("hookyard-data/credentials.json"))).getString("admin_token");
      JsonObject issue = Eventually.until("ACME-1 done", () -> client.request(HttpMethod.GET, "/api/v1/workspaces/acme/issues/ACME-1")
        .bearerTokenAuthentication(token).send().await(10, TimeUnit.SECONDS).bodyAsJsonObject(),
        i -> "Done".equals(i.getString("status")));
      assertThat(issue.getJsonArray("prs").getJsonObject(0).getString("status")).isEqualTo("merged");
      JsonObject workspace = client.request(HttpMethod.GET, "/api/v1/workspaces/acme").bearerTokenAuthentication(token)
        .send().await(10, TimeUnit.SECONDS).bodyAsJsonObject();
      assertThat(workspace.getJsonObject("pr_statuses").getString("opened")).isEqualTo("In Progress");
      assertThat(client.request(HttpMethod.GET, "/api/v1/repositories/acme/api/index-jobs").bearerTokenAuthentication(token)
        .send().await(10, TimeUnit.SECONDS).bodyAsJsonArray()).hasSize(1);
    }
  }
}

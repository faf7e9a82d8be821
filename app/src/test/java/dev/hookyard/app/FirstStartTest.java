package dev.hookyard.app;

import dev.hookyard.common.testing.Eventually;
import dev.hookyard.common.testing.Ports;
import dev.hookyard.common.config.HookyardConfig;
import dev.hookyard.common.testing.TestDatabase;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A first start as a new user sees it, in processes of their own with the jar's own
 * logging configuration: no warnings about GPUs, paths printed as they are, and a
 * second instance refused in one line — before it generates or creates anything.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class FirstStartTest {

  /** The jar's logback.xml, not the tests' quieter one. */
  private static final List<String> JAR_LOGGING = List.of("-Dlogback.configurationFile=logback.xml");

  private static Map<String, String> env(Path dataDir, int port) {
    Map<String, String> env = new HashMap<>();
    env.put(HookyardConfig.DATA_DIR, dataDir.toString());
    env.put(HookyardConfig.HTTP_PORT, String.valueOf(port));
    env.put(HookyardConfig.HTTP_HOST, "127.0.0.1");
    env.put(HookyardConfig.GATEWAY_INSTANCES, "1");
    return env;
  }

  private static String exited(HookyardProcess p) throws Exception {
    Eventually.until(Duration.ofSeconds(60), "the refused process exits", () -> !p.alive());
    return p.output();
  }

  @Test
  @DisplayName("First start: credentials path normalised, no GPU warning; a second instance on the port or the data dir is refused in one line, no stack trace, nothing created")
  void firstStartAndRefusals() throws Exception {
    Path root = TestHookyard.tempDir();
    int port = Ports.freePort();
    // As a user would write it: a relative-looking segment the printed path must not keep.
    Path dataDir = root.resolve(".").resolve("hookyard-data");
    try (HookyardProcess first = HookyardProcess.start("first", env(dataDir, port), JAR_LOGGING)) {
      first.awaitReady(Duration.ofSeconds(120));
      // The tokenizer probes for a GPU as the embedding model loads, just after start-up.
      String out = Eventually.until(Duration.ofSeconds(60), "the embedding model loaded", first::output,
        o -> o.contains("Embedding model all-MiniLM-L6-v2"));
      assertThat(out).contains("hookyard generated credentials (kept in " + root.resolve("hookyard-data/credentials.json") + ")");
      assertThat(out).doesNotContain("/./");
      assertThat(out).doesNotContainIgnoringCase("GPU");
      // The breaker's gauge is there with the default provider (none) too.
      String metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
          java.net.URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
      assertThat(metrics).containsPattern("hookyard_ai_breaker_state\\{[^}]*provider=\"none\"[^}]*\\} -1\\.0");

      Path fresh = root.resolve("second-data");
      Map<String, String> samePort = env(fresh, port);
      samePort.put(HookyardConfig.DB_URL, TestDatabase.url(TestDatabase.fresh()));
      try (HookyardProcess second = HookyardProcess.start("second", samePort, JAR_LOGGING)) {
        String refused = exited(second);
        assertThat(refused).contains("hookyard did not start: HTTP port " + port + " on 127.0.0.1 is already in use");
        assertThat(refused).doesNotContain("\tat ").doesNotContain("Exception").doesNotContain("Pool closed");
        assertThat(fresh).doesNotExist();
      }

      try (HookyardProcess third = HookyardProcess.start("third", env(dataDir, Ports.freePort()), JAR_LOGGING)) {
        String refused = exited(third);
        assertThat(refused).contains("hookyard did not start: The embedded PostgreSQL data dir")
          .contains("is in use by another hookyard process");
        assertThat(refused).doesNotContain("\tat ").doesNotContain("Exception");
        assertThat(refused.lines().filter(l -> l.contains("ERROR")).count()).isEqualTo(1);
      }
      assertThat(Files.exists(dataDir.resolve("credentials.json"))).isTrue();
    }
  }
}

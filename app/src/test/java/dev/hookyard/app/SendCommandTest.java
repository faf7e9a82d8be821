package dev.hookyard.app;

import dev.hookyard.app.send.SendCommand;
import dev.hookyard.common.testing.GitHubFixtures;
import dev.hookyard.common.testing.TestDatabase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class SendCommandTest {

  /** A summary line: status, count. */
  private static final Pattern STATUS_LINE = Pattern.compile("^  (\\S+)\\s+(\\d+)", Pattern.MULTILINE);

  @Test
  @DisplayName("send posts one file signed, under its event, and the delivery is stored byte for byte")
  void oneFile() throws Exception {
    Map<String, String> env = TestHookyard.config(TestDatabase.fresh());
    try (Hookyard hookyard = TestHookyard.start(env)) {
      Path file = TestHookyard.tempDir().resolve("push.json");
      String body = "{\"ref\":\"refs/heads/main\",\"after\":\"6113728f27ae82c7b1a177c8d03f9e96e0adf246\","
        + "\"repository\":{\"id\":1,\"full_name\":\"acme/api\"}}";
      Files.writeString(file, body);

      Run run = send(env, "--url", url(env), "--secret", TestHookyard.SECRET, file.toString());

      assertThat(run.exit).as(run.toString()).isZero();
      assertThat(run.counts()).containsExactly(Map.entry("202", 1L));
      WebClient client = TestHookyard.client(hookyard, env);
      JsonArray stored = TestHookyard.admin(client, HttpMethod.GET, "/webhooks/github/events?event=push").bodyAsJsonArray();
      assertThat(stored).hasSize(1);
      String id = stored.getJsonObject(0).getString("delivery_id");
      JsonObject delivery = TestHookyard.admin(client, HttpMethod.GET, "/api/v1/deliveries/" + id).bodyAsJsonObject();
      assertThat(delivery.getString("body")).isEqualTo(body);
      assertThat(delivery.getString("event")).isEqualTo("push");
    }
  }

  @Test
  @DisplayName("send posts every *.json file of a folder, repeated, each time under a fresh GUID, with the secret from HOOKYARD_WEBHOOK_SECRETS")
  void folder() throws Exception {
    Map<String, String> env = TestHookyard.config(TestDatabase.fresh());
    try (Hookyard hookyard = TestHookyard.start(env)) {
      Path dir = TestHookyard.tempDir();
      Files.writeString(dir.resolve("issues.opened.0.json"), "{\"action\":\"opened\",\"issue\":{\"number\":1}}");
      Files.writeString(dir.resolve("repository.created.0.json"), "{\"action\":\"created\",\"repository\":{\"id\":7}}");
      Files.writeString(dir.resolve("star.created.1.json"), "{\"action\":\"created\"}");
      Files.writeString(dir.resolve("INDEX.tsv"), "file\tevent\n");

      Run run = send(Map.of("HOOKYARD_WEBHOOK_SECRETS", "  ," + TestHookyard.SECRET + ",another"),
        "--url", url(env), "--concurrency", "3", "--repeat", "2", dir.toString());

      assertThat(run.exit).as(run.toString()).isZero();
      assertThat(run.counts()).containsExactly(Map.entry("202", 6L));
      assertThat(run.out).contains("6 deliveries (3 files x 2)");
      WebClient client = TestHookyard.client(hookyard, env);
      for (String event : new String[] {"issues", "repository", "star"}) {
        JsonArray stored = TestHookyard.admin(client, HttpMethod.GET, "/webhooks/github/events?event=" + event).bodyAsJsonArray();
        assertThat(stored).as(event).hasSize(2);
      }
    }
  }

  @Test
  @DisplayName("send posts the whole folder of real GitHub examples eight at a time, and every answer is a 2xx")
  void fixtureFolder() throws Exception {
    Path dir = GitHubFixtures.dir().orElse(null);
    assumeTrue(dir != null, "../shared/fixtures/github is absent: skipping the real-payload send");
    long files;
    long pings;
    try (Stream<Path> all = Files.list(dir)) {
      files = all.filter(f -> f.getFileName().toString().endsWith(".json")).count();
    }
    try (Stream<Path> all = Files.list(dir)) {
      pings = all.filter(f -> f.getFileName().toString().startsWith("ping.")).count();
    }
    Map<String, String> env = TestHookyard.config(TestDatabase.fresh());
    try (Hookyard hookyard = TestHookyard.start(env)) {
      Run run = send(env, "--url", url(env) + "/webhooks/github", "--concurrency", "8", dir.toString());

      assertThat(run.exit).as(run.toString()).isZero();
      Map<String, Long> counts = run.counts();
      assertThat(counts.keySet()).as(run.toString()).allMatch(status -> status.startsWith("2"));
      assertThat(counts.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(files);
      assertThat(counts.get("202")).isEqualTo(files - pings);
      WebClient client = TestHookyard.client(hookyard, env);
      JsonArray stored = TestHookyard.admin(client, HttpMethod.GET, "/webhooks/github/events?limit=1000").bodyAsJsonArray();
      assertThat(stored).hasSize((int) (files - pings));
    }
  }

  @Test
  @DisplayName("send with a wrong secret counts the 401s in its summary and exits non-zero")
  void wrongSecret() throws Exception {
    Map<String, String> env = TestHookyard.config(TestDatabase.fresh());
    try (Hookyard hookyard = TestHookyard.start(env)) {
      Path dir = TestHookyard.tempDir();
      Files.writeString(dir.resolve("push.0.json"), "{\"ref\":\"refs/heads/main\"}");
      Files.writeString(dir.resolve("push.1.json"), "{\"ref\":\"refs/heads/dev\"}");

      Run run = send(env, "--url", url(env), "--secret", "not-the-secret", dir.toString());

      assertThat(run.exit).isEqualTo(1);
      assertThat(run.counts()).containsExactly(Map.entry("401", 2L));
      assertThat(run.out).contains("invalid_signature").contains("2 answers were not 2xx");
      JsonArray stored = TestHookyard.admin(TestHookyard.client(hookyard, env), HttpMethod.GET, "/webhooks/github/events")
        .bodyAsJsonArray();
      assertThat(stored).isEmpty();
    }
  }

  @Test
  @DisplayName("Without --secret, send signs with the secret hookyard generated in its data dir (--data-dir, else HOOKYARD_DATA_DIR)")
  void secretFromTheDataDir() throws Exception {
    Map<String, String> env = TestHookyard.config(TestDatabase.fresh());
    env.remove(dev.hookyard.common.config.HookyardConfig.WEBHOOK_SECRETS);
    env.remove(dev.hookyard.common.config.HookyardConfig.ADMIN_TOKEN);
    String dataDir = env.get(dev.hookyard.common.config.HookyardConfig.DATA_DIR);
    try (Hookyard hookyard = TestHookyard.start(env)) {
      assertThat(Path.of(dataDir, "credentials.json")).exists();
      Path file = TestHookyard.tempDir().resolve("ping.json");
      Files.writeString(file, "{\"zen\":\"Keep it logically awesome.\",\"hook_id\":1}");

      Run byOption = send(Map.of(), "--url", url(env), "--data-dir", dataDir, file.toString());
      assertThat(byOption.exit).as(byOption.toString()).isZero();
      assertThat(byOption.counts()).containsExactly(Map.entry("200", 1L));

      Run byEnv = send(Map.of("HOOKYARD_DATA_DIR", dataDir), "--url", url(env), file.toString());
      assertThat(byEnv.exit).as(byEnv.toString()).isZero();

      Run elsewhere = send(Map.of(), "--url", url(env), "--data-dir", dataDir + "-nothing", file.toString());
      assertThat(elsewhere.exit).isEqualTo(2);
      assertThat(elsewhere.err).contains("no secret").contains("--data-dir").contains(dataDir + "-nothing/credentials.json");
    }
  }

  @Test
  @DisplayName("send refuses a command line it cannot act on with exit code 2, and --help prints the usage")
  void commandLine() {
    assertThat(send(Map.of(), "--help").out).contains("usage: java -jar hookyard.jar send");
    Run noSecret = send(Map.of(), "push.json");
    assertThat(noSecret.exit).isEqualTo(2);
    assertThat(noSecret.err).contains("no secret");
    Run missing = send(Map.of(), "--secret", "s", "/nonexistent/push.json");
    assertThat(missing.exit).isEqualTo(2);
    assertThat(missing.err).contains("no such file or folder");
    Run badConcurrency = send(Map.of(), "--secret", "s", "--concurrency", "0", "push.json");
    assertThat(badConcurrency.exit).isEqualTo(2);
    assertThat(badConcurrency.err).contains("--concurrency wants a positive number");
  }

  private static String url(Map<String, String> env) {
    return "http://127.0.0.1:" + env.get("HOOKYARD_HTTP_PORT");
  }

  private static Run send(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = SendCommand.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
      new PrintStream(err, true, StandardCharsets.UTF_8), false);
    return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private record Run(int exit, String out, String err) {

    /** The summary's counts by status. */
    Map<String, Long> counts() {
      Map<String, Long> counts = new java.util.TreeMap<>();
      Matcher m = STATUS_LINE.matcher(out);
      while (m.find()) {
        counts.put(m.group(1), Long.parseLong(m.group(2)));
      }
      return counts;
    }
  }
}

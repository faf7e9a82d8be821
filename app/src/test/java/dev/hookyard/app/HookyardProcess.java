package dev.hookyard.app;

import dev.hookyard.common.testing.Eventually;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A whole hookyard in a JVM of its own, started the way {@code java -jar} starts it
 * (same main class, the test class path), its output in a log file.
 */
final class HookyardProcess implements AutoCloseable {

  private static final Pattern JOBS = Pattern.compile(
    "hookyard_job_duration_seconds_count\\{([^}]*)} ([0-9.E+]+)");

  final String name;
  final int port;
  final Path log;
  private final Process process;

  private HookyardProcess(String name, int port, Path log, Process process) {
    this.name = name;
    this.port = port;
    this.log = log;
    this.process = process;
  }

  /** Starts a process with exactly {@code env} as its HOOKYARD_* configuration. */
  static HookyardProcess start(String name, Map<String, String> env) throws IOException {
    return start(name, env, List.of());
  }

  /** As {@link #start(String, Map)}, with extra JVM options (system properties) before the main class. */
  static HookyardProcess start(String name, Map<String, String> env, List<String> jvmOptions) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
      "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens", "java.base/java.nio=ALL-UNNAMED",
      "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-opens", "java.management/sun.management=ALL-UNNAMED",
      "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED"));
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().keySet().removeIf(k -> k.startsWith("HOOKYARD_"));
    builder.environment().putAll(env);
    Path log = Files.createTempFile("hookyard-" + name + "-", ".log");
    builder.redirectErrorStream(true).redirectOutput(log.toFile());
    return new HookyardProcess(name, Integer.parseInt(env.get("HOOKYARD_HTTP_PORT")), log, builder.start());
  }

  /** Waits for the ready line; fails with the log's tail if the process dies or takes too long. */
  HookyardProcess awaitReady(Duration within) throws Exception {
    try {
      Eventually.until(within, name + " ready", () -> output().contains("hookyard ready in") || !process.isAlive());
    } catch (AssertionError notReady) {
      throw new AssertionError(name + " not ready within " + within + ":\n" + tail());
    }
    if (!output().contains("hookyard ready in")) {
      throw new AssertionError(name + " exited with " + process.exitValue() + ":\n" + tail());
    }
    return this;
  }

  String output() throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }

  String tail() throws IOException {
    String out = output();
    return out.substring(Math.max(0, out.length() - 4_000));
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process.isAlive();
  }

  /** SIGKILL: no shutdown hook, no draining. */
  void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGSTOP: the whole JVM freezes (no heartbeats, no timers) until {@link #resume()}. */
  void freeze() throws Exception {
    signal("-STOP");
  }

  /** SIGCONT: a frozen JVM goes on where it stopped. */
  void resume() throws Exception {
    signal("-CONT");
  }

  private void signal(String signal) throws Exception {
    Process kill = new ProcessBuilder("kill", signal, String.valueOf(process.pid())).inheritIO().start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IllegalStateException("kill " + signal + " " + process.pid() + " failed");
    }
  }

  /** Its {@code /ready} answer, or null when it does not answer within a few seconds. */
  io.vertx.core.json.JsonObject ready() {
    try {
      HttpResponse<String> ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port + "/ready")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      return new io.vertx.core.json.JsonObject(ready.body());
    } catch (Exception e) {
      return null;
    }
  }

  /** Processes in the cluster as this one sees them ({@code cluster_members} of {@code /ready}); -1 when it does not answer. */
  int clusterMembers() {
    io.vertx.core.json.JsonObject ready = ready();
    return ready == null ? -1 : ready.getInteger("cluster_members", -1);
  }

  /** Jobs this process finished, by outcome, from its own {@code /metrics}. */
  long jobsFinished(String outcome) throws Exception {
    HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
      URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    long total = 0;
    Matcher m = JOBS.matcher(metrics.body());
    while (m.find()) {
      if (m.group(1).contains("outcome=\"" + outcome + "\"")) {
        total += (long) Double.parseDouble(m.group(2));
      }
    }
    return total;
  }

  @Override
  public void close() throws Exception {
    if (process.isAlive()) {
      try {
        resume(); // a frozen process would hold its SIGTERM until resumed
      } catch (Exception ignored) {
        // it may have just exited
      }
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }
}

package dev.hookyard.k8s;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The alert rules: valid for Prometheus, firing where they should, on metrics hookyard exports, the same in k8s/. */
class AlertRulesTest {

  private static final Path MONITORING = Kustomize.K8S.resolve("monitoring");
  private static final Path RULES = MONITORING.resolve("hookyard.rules.yml");
  private static final KubernetesSerialization YAML = new KubernetesSerialization();

  @Test
  @DisplayName("promtool accepts the rules, and their unit tests fire on the series that should page and stay quiet on the rest")
  void promtool() throws Exception {
    Path promtool = onPath("promtool");
    Assumptions.assumeTrue(promtool != null, "promtool is not on PATH, so the alert rules are not checked"
      + " (Debian: apt-get install prometheus; .ci/run installs it)");
    assertThat(run(promtool, "check", "rules", RULES.toString())).contains("SUCCESS: 9 rules found");
    assertThat(run(promtool, "test", "rules", MONITORING.resolve("hookyard.rules.test.yml").toString())).contains("SUCCESS");
  }

  @Test
  @DisplayName("The PrometheusRule in k8s/monitoring carries exactly the rules file's groups")
  void prometheusRuleIsTheRulesFile() throws Exception {
    Map<?, ?> rules = YAML.unmarshal(Files.readString(RULES), Map.class);
    GenericKubernetesResource resource = YAML.unmarshal(Files.readString(MONITORING.resolve("prometheus-rule.yaml")),
      GenericKubernetesResource.class);
    assertThat(resource.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(resource.getKind()).isEqualTo("PrometheusRule");
    Map<?, ?> spec = (Map<?, ?>) resource.getAdditionalProperties().get("spec");
    assertThat(spec).isEqualTo(rules);
  }

  @Test
  @DisplayName("Every metric the rules read is one hookyard registers")
  void rulesReadHookyardsMetrics() throws Exception {
    Set<String> exported = new TreeSet<>();
    Pattern meter = Pattern.compile("\"(hookyard(?:\\.[a-z]+)+)\"");
    for (String module : List.of("common", "gateway", "processors", "scheduler", "app")) {
      try (Stream<Path> files = Files.walk(Kustomize.ROOT.resolve(module).resolve("src/main/java"))) {
        for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
          Matcher m = meter.matcher(Files.readString(f));
          while (m.find()) {
            exported.add(m.group(1).replace('.', '_'));
          }
        }
      }
    }
    Set<String> read = new TreeSet<>();
    Matcher m = Pattern.compile("\\bhookyard_[a-z_]+").matcher(Files.readString(RULES));
    while (m.find()) {
      read.add(m.group());
    }
    assertThat(read).isNotEmpty();
    for (String metric : read) {
      // Micrometer's Prometheus names: counters end in _total, timers in _seconds (and _bucket for histograms).
      boolean known = exported.stream().anyMatch(e -> metric.equals(e) || metric.equals(e + "_total")
        || metric.equals(e + "_seconds_bucket") || metric.equals(e + "_seconds_count"));
      assertThat(known).as(metric + " is registered by hookyard (" + exported + ")").isTrue();
    }
  }

  private static Path onPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String entry : path.split(File.pathSeparator)) {
      Path candidate = Path.of(entry.isEmpty() ? "." : entry, name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  private static String run(Path tool, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(tool.toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).directory(MONITORING.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", command) + ":\n" + out).isZero();
    return out;
  }
}

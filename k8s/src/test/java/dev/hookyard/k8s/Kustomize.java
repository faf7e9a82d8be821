package dev.hookyard.k8s;

import org.junit.jupiter.api.Assumptions;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Renders the kustomizations under k8s/ with the kubectl found on PATH. */
final class Kustomize {

  /** k8s/ (the module's directory, where Surefire runs). */
  static final Path K8S = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
  /** The repository root. */
  static final Path ROOT = K8S.getParent();

  private static final Map<Path, String> RENDERED = new ConcurrentHashMap<>();

  /** k8s/base and every directory under k8s/overlays that holds a kustomization. */
  static List<Path> kustomizations() {
    List<Path> dirs = new ArrayList<>();
    dirs.add(K8S.resolve("base"));
    try (Stream<Path> overlays = Files.list(K8S.resolve("overlays"))) {
      overlays.filter(d -> Files.isRegularFile(d.resolve("kustomization.yaml"))).sorted().forEach(dirs::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dirs;
  }

  /** The output of {@code kubectl kustomize dir}; the test is skipped when kubectl is missing. */
  static String render(Path dir) {
    Path kubectl = kubectl();
    Assumptions.assumeTrue(kubectl != null,
      "kubectl is not on PATH, so the kustomizations under k8s/ are not rendered or checked"
        + " (Debian: apt-get install kubernetes-client; .ci/run installs it)");
    return RENDERED.computeIfAbsent(dir, d -> run(kubectl, d));
  }

  static Path kubectl() {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String entry : path.split(java.io.File.pathSeparator)) {
      if (entry.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(entry, "kubectl");
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  private static String run(Path kubectl, Path dir) {
    try {
      Process p = new ProcessBuilder(kubectl.toString(), "kustomize", dir.toString()).start();
      p.getOutputStream().close();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      Thread errReader = new Thread(() -> copy(p.getErrorStream(), err));
      errReader.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("kubectl kustomize " + dir + " did not finish within 120 s");
      }
      errReader.join();
      if (p.exitValue() != 0) {
        throw new AssertionError("kubectl kustomize " + K8S.relativize(dir) + " failed (exit " + p.exitValue() + "):\n"
          + err.toString(StandardCharsets.UTF_8));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static void copy(InputStream in, ByteArrayOutputStream out) {
    try {
      in.transferTo(out);
    } catch (IOException ignored) {
      // the exit code tells what matters
    }
  }

  private Kustomize() {
  }
}

package dev.hookyard.common.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The real GitHub webhook examples in {@code ../shared/fixtures/github} (one file per
 * event/action example, listed in {@code INDEX.tsv}). They are read where they are,
 * never copied; {@link #dir()} is empty where the folder is absent so tests can skip.
 */
public final class GitHubFixtures {

  /** One example: its file, the event it is a delivery of, and its action (or "none"). */
  public record Fixture(Path file, String event, String action) {
    public byte[] bytes() {
      try {
        return Files.readAllBytes(file);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** The fixtures folder: {@code HOOKYARD_FIXTURES_DIR}, else {@code shared/fixtures/github} beside an ancestor. */
  public static java.util.Optional<Path> dir() {
    String env = System.getenv("HOOKYARD_FIXTURES_DIR");
    if (env != null && Files.isDirectory(Path.of(env))) {
      return java.util.Optional.of(Path.of(env));
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path candidate = p.resolve("shared").resolve("fixtures").resolve("github");
      if (Files.isRegularFile(candidate.resolve("INDEX.tsv"))) {
        return java.util.Optional.of(candidate);
      }
    }
    return java.util.Optional.empty();
  }

  public static List<Fixture> all(Path dir) {
    try {
      List<Fixture> out = new ArrayList<>();
      for (String line : Files.readAllLines(dir.resolve("INDEX.tsv"))) {
        String[] cols = line.split("\t");
        if (cols.length < 3 || cols[0].equals("file")) {
          continue;
        }
        out.add(new Fixture(dir.resolve(cols[0]), cols[1], cols[2]));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private GitHubFixtures() {
  }
}

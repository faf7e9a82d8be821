package dev.hookyard.app.send;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The payload files a {@code send} names, each with the event it is sent as. */
final class Payloads {

  /** Event names as the gateway accepts them. */
  private static final Pattern EVENT = Pattern.compile("[a-z0-9_]{1,64}");

  record Payload(Path file, String event) {
  }

  /**
   * Files as given, folders as their {@code *.json} files in name order (so an
   * {@code INDEX.tsv} or a README beside captured payloads is not sent). The event is
   * {@code eventOverride} when given, else the file name up to its first dot
   * ({@code pull_request.opened.0.json} → {@code pull_request}).
   */
  static List<Payload> collect(List<String> paths, String eventOverride) throws IOException {
    List<Payload> payloads = new ArrayList<>();
    for (String p : paths) {
      Path path = Path.of(p);
      if (Files.isDirectory(path)) {
        try (Stream<Path> files = Files.list(path)) {
          List<Path> json = files.filter(f -> Files.isRegularFile(f) && f.getFileName().toString().endsWith(".json"))
            .sorted().toList();
          if (json.isEmpty()) {
            throw new IllegalArgumentException(p + " holds no *.json file");
          }
          for (Path f : json) {
            payloads.add(new Payload(f, event(f, eventOverride)));
          }
        }
      } else if (Files.isRegularFile(path)) {
        payloads.add(new Payload(path, event(path, eventOverride)));
      } else {
        throw new IllegalArgumentException(p + ": no such file or folder");
      }
    }
    return payloads;
  }

  static String event(Path file, String eventOverride) {
    if (eventOverride != null) {
      if (!EVENT.matcher(eventOverride).matches()) {
        throw new IllegalArgumentException("--event " + eventOverride + " is not an event name");
      }
      return eventOverride;
    }
    String name = file.getFileName().toString();
    int dot = name.indexOf('.');
    String event = dot < 0 ? name : name.substring(0, dot);
    if (!EVENT.matcher(event).matches()) {
      throw new IllegalArgumentException("cannot tell the event of " + file + " from its name; pass --event");
    }
    return event;
  }

  private Payloads() {
  }
}

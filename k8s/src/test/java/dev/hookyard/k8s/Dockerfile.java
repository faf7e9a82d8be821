package dev.hookyard.k8s;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The instructions of a Dockerfile, read as text (no Docker engine involved). */
record Dockerfile(List<Instruction> instructions) {

  /** One instruction: its keyword (upper case) and its arguments as written. */
  record Instruction(String keyword, String arguments, int line) {

    /** JSON (exec) form as a list, shell form split on blanks. */
    List<String> words() {
      String a = arguments.strip();
      if (a.startsWith("[")) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(a);
        while (m.find()) {
          out.add(m.group(1).replace("\\\"", "\"").replace("\\\\", "\\"));
        }
        return out;
      }
      return List.of(a.split("\\s+"));
    }

    boolean execForm() {
      return arguments.strip().startsWith("[");
    }

    /** The words that are not {@code --flag=value} options (COPY, ADD). */
    List<String> operands() {
      return words().stream().filter(w -> !w.startsWith("--")).toList();
    }
  }

  static Dockerfile read(Path file) {
    try {
      return parse(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Dockerfile parse(String text) {
    List<Instruction> out = new ArrayList<>();
    StringBuilder pending = null;
    int start = 0;
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].stripTrailing();
      String trimmed = line.strip();
      // Comments (and parser directives) are whole lines, also inside a continued instruction.
      if (trimmed.startsWith("#") || (pending == null && trimmed.isEmpty())) {
        continue;
      }
      if (pending == null) {
        pending = new StringBuilder();
        start = i + 1;
      }
      boolean continues = line.endsWith("\\");
      pending.append(continues ? line.substring(0, line.length() - 1) : line).append(' ');
      if (!continues) {
        String whole = pending.toString().strip();
        int space = whole.indexOf(' ');
        String keyword = (space < 0 ? whole : whole.substring(0, space)).toUpperCase(Locale.ROOT);
        out.add(new Instruction(keyword, space < 0 ? "" : whole.substring(space + 1).strip(), start));
        pending = null;
      }
    }
    return new Dockerfile(out);
  }

  /** The instructions from the last FROM on: the image that runs. */
  List<Instruction> runtimeStage() {
    int from = -1;
    for (int i = 0; i < instructions.size(); i++) {
      if (instructions.get(i).keyword().equals("FROM")) {
        from = i;
      }
    }
    if (from < 0) {
      throw new AssertionError("the Dockerfile has no FROM");
    }
    return instructions.subList(from, instructions.size());
  }

  List<Instruction> all(String keyword) {
    return runtimeStage().stream().filter(i -> i.keyword().equals(keyword)).toList();
  }

  /** The one instruction of this kind in the runtime stage (the last one counts, as in Docker). */
  Instruction last(String keyword) {
    List<Instruction> found = all(keyword);
    if (found.isEmpty()) {
      throw new AssertionError("the Dockerfile's runtime stage has no " + keyword);
    }
    return found.get(found.size() - 1);
  }
}

package dev.hookyard.processors.github;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The progress a plan's Markdown task lists show: every {@code - [ ]} item is a task,
 * {@code - [x]} or {@code - [X]} a done one (also with {@code *}, {@code +} or
 * {@code 1.} bullets, at any depth), grouped as phases under the nearest heading above
 * them. Fenced code blocks are not read; headings without tasks make no phase.
 */
record PlanProgress(int total, int done, List<Phase> phases) {

  /** Tasks above the first heading. */
  static final String NO_HEADING = "(no heading)";

  record Phase(String name, int total, int done) {
  }

  private static final Pattern HEADING = Pattern.compile("^ {0,3}#{1,6}[ \\t]+(.*?)(?:[ \\t]+#+)?[ \\t]*$");
  private static final Pattern TASK = Pattern.compile("^[ \\t]*(?:[-*+]|\\d{1,9}[.)])[ \\t]+\\[([ xX])\\](?:[ \\t]|$)");
  private static final Pattern FENCE = Pattern.compile("^ {0,3}(```|~~~)");

  static PlanProgress read(String markdown) {
    List<Phase> phases = new ArrayList<>();
    String phase = NO_HEADING;
    int phaseTotal = 0;
    int phaseDone = 0;
    String fence = null;
    for (String line : markdown.split("\r\n|\r|\n", -1)) {
      Matcher f = FENCE.matcher(line);
      if (f.find()) {
        fence = fence == null ? f.group(1) : fence.equals(f.group(1)) ? null : fence;
        continue;
      }
      if (fence != null) {
        continue;
      }
      Matcher h = HEADING.matcher(line);
      if (h.matches()) {
        if (phaseTotal > 0) {
          phases.add(new Phase(phase, phaseTotal, phaseDone));
        }
        phase = h.group(1).isBlank() ? NO_HEADING : h.group(1).trim();
        phaseTotal = 0;
        phaseDone = 0;
        continue;
      }
      Matcher t = TASK.matcher(line);
      if (t.find()) {
        phaseTotal++;
        if (!t.group(1).equals(" ")) {
          phaseDone++;
        }
      }
    }
    if (phaseTotal > 0) {
      phases.add(new Phase(phase, phaseTotal, phaseDone));
    }
    return new PlanProgress(phases.stream().mapToInt(Phase::total).sum(), phases.stream().mapToInt(Phase::done).sum(),
      List.copyOf(phases));
  }

  /** {@code [{"name","total","done"}]}, as stored and shown. */
  JsonArray phasesJson() {
    JsonArray out = new JsonArray();
    phases.forEach(p -> out.add(new JsonObject().put("name", p.name()).put("total", p.total()).put("done", p.done())));
    return out;
  }
}

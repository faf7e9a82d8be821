package dev.hookyard.common.board;

import java.util.List;

/**
 * Board columns in order, and issue priorities. Automation only ever moves an issue
 * forward in this order; a person may move it anywhere (fix verification aside).
 */
public final class IssueStatus {

  public static final String BACKLOG = "Backlog";
  public static final String INVESTIGATING = "Investigating";
  public static final String NEEDS_REVIEW = "Needs Review";
  public static final String IN_PROGRESS = "In Progress";
  public static final String IN_REVIEW = "In Review";
  public static final String DONE = "Done";

  /** Every status, in board order. */
  public static final List<String> ORDER = List.of(BACKLOG, INVESTIGATING, NEEDS_REVIEW, IN_PROGRESS, IN_REVIEW, DONE);

  /** Priorities, most urgent first. */
  public static final List<String> PRIORITIES = List.of("P0", "P1", "P2", "P3", "P4");

  public static final String DEFAULT_PRIORITY = "P2";

  /** Position of {@code status} in {@link #ORDER}, -1 for an unknown one. */
  public static int rank(String status) {
    return ORDER.indexOf(status);
  }

  /** Whether moving from {@code from} to {@code to} goes forward. */
  public static boolean isForward(String from, String to) {
    return rank(to) > rank(from);
  }

  /** The status named, ignoring case and dashes/underscores for spaces ({@code in_review}), or null. */
  public static String parse(String s) {
    if (s == null) {
      return null;
    }
    String wanted = s.trim().replace('_', ' ').replace('-', ' ');
    return ORDER.stream().filter(x -> x.equalsIgnoreCase(wanted)).findFirst().orElse(null);
  }

  /** One step more urgent, never above P0. */
  public static String escalate(String priority) {
    int i = PRIORITIES.indexOf(priority);
    return i <= 0 ? PRIORITIES.get(0) : PRIORITIES.get(i - 1);
  }

  private IssueStatus() {
  }
}

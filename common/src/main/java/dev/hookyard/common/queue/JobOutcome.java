package dev.hookyard.common.queue;

/** How a handler finished a job: done, or ignored with the reason nobody acts on it. */
public record JobOutcome(String status, String reason) {

  public static final String DONE = "done";
  public static final String IGNORED = "ignored";

  public static JobOutcome done() {
    return new JobOutcome(DONE, null);
  }

  public static JobOutcome done(String note) {
    return new JobOutcome(DONE, note);
  }

  public static JobOutcome ignored(String reason) {
    return new JobOutcome(IGNORED, reason);
  }
}

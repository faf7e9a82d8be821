package dev.hookyard.common.queue;

/** A failure no retry can fix (a malformed payload, say): the job goes straight to the dead letters. */
public final class PermanentJobFailure extends RuntimeException {

  public PermanentJobFailure(String message) {
    super(message, null, false, false);
  }

  public PermanentJobFailure(String message, Throwable cause) {
    super(message, cause, false, false);
  }
}

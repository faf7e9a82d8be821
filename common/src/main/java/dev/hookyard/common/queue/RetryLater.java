package dev.hookyard.common.queue;

import java.time.Instant;

/**
 * A failure that says when trying again makes sense (a rate limit with its reset time):
 * the job goes back to the queue due at {@link #at()}, its attempt given back, since
 * waiting is not the job's fault.
 */
public class RetryLater extends RuntimeException {

  private final Instant at;

  public RetryLater(String message, Instant at) {
    super(message, null, false, false);
    this.at = at;
  }

  /** When the job may run again. */
  public Instant at() {
    return at;
  }
}

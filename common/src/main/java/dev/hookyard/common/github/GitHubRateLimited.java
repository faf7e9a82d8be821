package dev.hookyard.common.github;

import dev.hookyard.common.queue.RetryLater;

import java.time.Instant;

/**
 * GitHub's rate limit is spent until {@link #at()} (from {@code Retry-After} or
 * {@code X-RateLimit-Reset}); a job that meets it is queued again for that time.
 */
public final class GitHubRateLimited extends RetryLater {

  public GitHubRateLimited(String message, Instant at) {
    super(message, at);
  }
}

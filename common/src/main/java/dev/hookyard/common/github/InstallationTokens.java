package dev.hookyard.common.github;

import io.vertx.core.Future;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongFunction;

/**
 * Installation access tokens of the App, one per installation, kept until shortly
 * before they expire (GitHub issues them for an hour). Callers asking while one is
 * being issued share that request; a token GitHub refused is dropped once, so the
 * callers that saw the refusal share one new token.
 */
final class InstallationTokens {

  /** A token is renewed this long before GitHub's expiry, so no call starts with one about to lapse. */
  static final Duration RENEW_BEFORE = Duration.ofMinutes(5);

  record Token(String value, Instant expiresAt) {
  }

  private final ConcurrentHashMap<Long, Future<Token>> tokens = new ConcurrentHashMap<>();
  private final LongFunction<Future<Token>> issue;
  private final Clock clock;

  InstallationTokens(LongFunction<Future<Token>> issue, Clock clock) {
    this.issue = issue;
    this.clock = clock;
  }

  Future<Token> get(long installation) {
    return tokens.compute(installation, (id, current) -> usable(current) ? current : issue.apply(id));
  }

  /** Forgets {@code refused} for the installation, unless it has been replaced already. */
  void refused(long installation, String refused) {
    tokens.computeIfPresent(installation, (id, current) ->
      current.succeeded() && current.result().value().equals(refused) ? null : current);
  }

  private boolean usable(Future<Token> token) {
    if (token == null || token.failed()) {
      return false;
    }
    return !token.isComplete() || token.result().expiresAt().minus(RENEW_BEFORE).isAfter(clock.instant());
  }
}

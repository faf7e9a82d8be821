package dev.hookyard.processors.matching;

import dev.hookyard.common.logging.FailureCause;
import dev.hookyard.common.logging.RepeatedFailures;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The LLM verifier behind one circuit breaker per process, shared by every matching
 * instance: a provider that is down or slow costs one timeout per call until
 * {@code maxFailures} in a row open the breaker; from then on no call is made (the
 * candidates stay suggestions) until one trial call after the reset timeout succeeds.
 */
final class VerifierBreaker {

  private static final Logger log = LoggerFactory.getLogger(VerifierBreaker.class);

  static final String OK = "ok";
  static final String FAILED = "failed";
  static final String REJECTED = "rejected";

  /** One call's result: the verdict, or why there is none. */
  record Call(String outcome, LlmVerifier.Verdict verdict) {
  }

  private final LlmVerifier verifier;
  private final CircuitBreaker breaker;
  private final RepeatedFailures failures;

  VerifierBreaker(Vertx vertx, LlmVerifier verifier, long timeoutMs, int maxFailures, long resetMs) {
    this.verifier = verifier;
    String provider = verifier.provider().label();
    this.failures = RepeatedFailures.of(vertx, log, Level.WARN, "AI verifier (" + provider + ") calls failed");
    this.breaker = CircuitBreaker.create("hookyard-ai-verifier-" + provider, vertx, new CircuitBreakerOptions()
        .setMaxFailures(maxFailures)
        .setMaxRetries(0)
        .setTimeout(timeoutMs)
        .setResetTimeout(resetMs)
        .setFallbackOnFailure(false)
        // No periodic state broadcast on the (clustered) event bus: the gauge says it.
        .setNotificationAddress(null))
      .openHandler(v -> log.warn("AI verifier ({}) circuit breaker open: no calls, candidates stay suggestions; trial in {} ms",
        provider, resetMs))
      .halfOpenHandler(v -> log.info("AI verifier ({}) circuit breaker half-open: the next call is a trial", provider))
      .closeHandler(v -> log.info("AI verifier ({}) circuit breaker closed: calls resume", provider));
    MatchingMetrics.breaker(provider, breaker);
  }

  boolean closed() {
    return breaker.state() == CircuitBreakerState.CLOSED;
  }

  /** Never fails: a failed or refused call is an outcome. */
  Future<Call> verify(LlmVerifier.PullRequest pr, LlmVerifier.Issue issue) {
    return breaker.<LlmVerifier.Verdict>execute(() -> verifier.verify(pr, issue)).transform(ar -> {
      Call call;
      if (ar.succeeded()) {
        call = new Call(OK, ar.result());
      } else if (ar.cause() instanceof OpenCircuitException) {
        call = new Call(REJECTED, null);
      } else {
        FailureCause cause = FailureCause.of(ar.cause());
        failures.record(cause, issue.identifier(), () -> "AI verifier (" + verifier.provider().label() + ") call about "
          + issue.identifier() + " failed: " + cause.text());
        call = new Call(FAILED, null);
      }
      MatchingMetrics.verifierCall(call.outcome());
      return Future.succeededFuture(call);
    });
  }
}

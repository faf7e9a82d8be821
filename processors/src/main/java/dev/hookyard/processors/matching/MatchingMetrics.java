package dev.hookyard.processors.matching;

import dev.hookyard.common.metrics.HookyardMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.vertx.circuitbreaker.CircuitBreaker;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Matching's meters, in the registry {@code /metrics} scrapes:
 * {@code hookyard_ai_breaker_state{provider}} (0 closed, 1 half-open, 2 open; -1 with
 * {@code provider="none"}: no verifier is configured, so nothing is ever called),
 * {@code hookyard_ai_verifier_calls_total{outcome}} (ok, failed, rejected) and
 * {@code hookyard_matching_layer_seconds{layer}} (explicit, embed, semantic, llm; p50, p99 and buckets).
 */
final class MatchingMetrics {

  static final String BREAKER_STATE = "hookyard.ai.breaker.state";
  static final String VERIFIER_CALLS = "hookyard.ai.verifier.calls";
  static final String LAYER = "hookyard.matching.layer";

  // The gauge reads whichever breaker is current for its provider: a redeployment
  // brings a new breaker, and a gauge cannot be re-pointed once registered.
  private static final Map<String, AtomicReference<CircuitBreaker>> BREAKERS = new ConcurrentHashMap<>();

  private MatchingMetrics() {
  }

  static void breaker(String provider, CircuitBreaker breaker) {
    AtomicReference<CircuitBreaker> current = BREAKERS.computeIfAbsent(provider, p -> new AtomicReference<>());
    current.set(breaker);
    Gauge.builder(BREAKER_STATE, current, MatchingMetrics::stateCode)
      .description("AI verifier circuit breaker: 0 closed, 1 half-open, 2 open")
      .tag("provider", provider).strongReference(true).register(HookyardMetrics.registry());
  }

  /** With no provider configured: the gauge is there all the same, at -1, so dashboards and alerts find it. */
  static void noVerifier() {
    Gauge.builder(BREAKER_STATE, () -> -1)
      .description("AI verifier circuit breaker: 0 closed, 1 half-open, 2 open, -1 no verifier configured")
      .tag("provider", "none").strongReference(true).register(HookyardMetrics.registry());
  }

  private static double stateCode(AtomicReference<CircuitBreaker> current) {
    CircuitBreaker b = current.get();
    if (b == null) {
      return 0;
    }
    return switch (b.state()) {
      case CLOSED -> 0;
      case HALF_OPEN -> 1;
      case OPEN -> 2;
    };
  }

  static void verifierCall(String outcome) {
    Counter.builder(VERIFIER_CALLS).description("AI verifier calls, by outcome (rejected: breaker open, not sent)")
      .tag("outcome", outcome).register(HookyardMetrics.registry()).increment();
  }

  static void layer(String layer, long nanos) {
    Timer.builder(LAYER).description("Time spent in each matching layer per pull request")
      .tag("layer", layer).publishPercentiles(0.5, 0.99)
      // Buckets as well, so a part of a run (the load after a warm-up) can be told apart
      // by subtracting two scrapes; the quantiles cover the last few minutes as a whole.
      .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(10_000)).maximumExpectedValue(Duration.ofSeconds(10))
      .register(HookyardMetrics.registry())
      .record(nanos, TimeUnit.NANOSECONDS);
  }
}

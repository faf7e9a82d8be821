package dev.hookyard.processors.matching;

import dev.hookyard.common.testing.Eventually;
import dev.hookyard.common.config.HookyardConfig;
import dev.hookyard.common.metrics.HookyardMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.DoubleSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/** The LLM layer against a fake provider, for both provider dialects. */
class MatchingVerifierTest {

  private static final String PR_TITLE = "Handle empty password on sign-in form";
  private static final String PR_BODY = "Guard against an empty password before the login form is submitted.";

  private MatchingFixture fx;
  private FakeLlm llm;
  private long workspace;

  /** Matching with a fake {@code provider}, one candidate per request, short timeouts. */
  private void start(String provider, int breakerFailures) throws Exception {
    llm = FakeLlm.start();
    Map<String, String> config = new HashMap<>();
    config.put(HookyardConfig.AI_PROVIDER, provider);
    config.put(HookyardConfig.AI_URL, llm.url());
    config.put(HookyardConfig.AI_KEY, "test-key");
    config.put(HookyardConfig.AI_MODEL, "test-model");
    // Under the fake's 2 s slow answer, with room for a first call on a busy machine.
    config.put(HookyardConfig.AI_TIMEOUT_MS, "1000");
    config.put(HookyardConfig.AI_BREAKER_FAILURES, String.valueOf(breakerFailures));
    config.put(HookyardConfig.AI_BREAKER_RESET_MS, "500");
    config.put(HookyardConfig.MATCHING_TOP_K, "1");
    fx = MatchingFixture.start(config);
    workspace = fx.workspace("acme", "HY");
    fx.embeddedIssue(workspace, "HY-1", "Login page crashes when password is empty",
      "Submitting the sign-in form with no password shows a 500 error.", "Backlog");
    fx.embeddedIssue(workspace, "HY-2", "Add dark mode to the settings page", "Users want a dark theme.", "Backlog");
  }

  @AfterEach
  void stop() {
    if (fx != null) {
      fx.close();
    }
    if (llm != null) {
      llm.close();
    }
  }

  private JsonObject match() throws Exception {
    return fx.match(workspace, PR_TITLE, PR_BODY, "fix/empty-password", true);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"openai", "gemini"})
  @DisplayName("A confident verdict links the candidate with its confidence; a doubtful one leaves it a suggestion")
  void verdicts(String provider) throws Exception {
    start(provider, 5);
    double okBefore = calls("ok");

    JsonObject linked = match();
    assertThat(linked.getString("verifier")).isEqualTo("ok");
    JsonObject candidate = linked.getJsonArray("candidates").getJsonObject(0);
    assertThat(candidate.getString("identifier")).isEqualTo("HY-1");
    assertThat(candidate.getBoolean("linked")).isTrue();
    assertThat(candidate.getString("layer")).isEqualTo("llm");
    assertThat(candidate.getInteger("confidence")).isEqualTo(92);
    assertThat(candidate.getString("reason")).contains("empty password");
    assertThat(linked.getJsonObject("timings_ms").getDouble("llm")).isGreaterThan(0.0);

    if (provider.equals("openai")) {
      assertThat(llm.lastPath).isEqualTo("/v1/chat/completions");
      assertThat(llm.lastAuthorization).isEqualTo("Bearer test-key");
      assertThat(llm.lastBody.getString("model")).isEqualTo("test-model");
      assertThat(llm.lastBody.getInteger("temperature")).isZero();
      assertThat(llm.lastBody.encode()).contains(PR_TITLE, "HY-1", "fix/empty-password");
    } else {
      assertThat(llm.lastPath).isEqualTo("/v1/models/test-model:generateContent");
      assertThat(llm.lastGoogleKey).isEqualTo("test-key");
      assertThat(llm.lastAuthorization).isNull();
      assertThat(llm.lastBody.getJsonObject("generationConfig").getInteger("temperature")).isZero();
      assertThat(llm.lastBody.encode()).contains(PR_TITLE, "HY-1", "fix/empty-password");
    }

    llm.answer = FakeLlm.Answer.DOUBTFUL;
    JsonObject doubtful = match();
    assertThat(doubtful.getString("verifier")).isEqualTo("ok");
    JsonObject suggestion = doubtful.getJsonArray("candidates").getJsonObject(0);
    assertThat(suggestion.getBoolean("linked")).isFalse();
    assertThat(suggestion.getString("layer")).isEqualTo("semantic");
    assertThat(suggestion.getInteger("confidence")).isEqualTo(40);
    assertThat(calls("ok") - okBefore).isEqualTo(2);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"openai", "gemini"})
  @DisplayName("A slow answer, an HTTP 500 and prose instead of JSON each fail the call and leave the candidate unlinked")
  void failedCalls(String provider) throws Exception {
    start(provider, 10);
    double failedBefore = calls("failed");
    for (FakeLlm.Answer answer : new FakeLlm.Answer[] {FakeLlm.Answer.SLOW, FakeLlm.Answer.SERVER_ERROR, FakeLlm.Answer.PROSE}) {
      llm.answer = answer;
      long started = System.nanoTime();
      JsonObject reply = match();
      assertThat(reply.getString("verifier")).as("%s", answer).isEqualTo("failed");
      JsonObject candidate = reply.getJsonArray("candidates").getJsonObject(0);
      assertThat(candidate.getBoolean("linked")).isFalse();
      assertThat(candidate.getString("layer")).isEqualTo("semantic");
      assertThat(candidate.getValue("confidence")).isNull();
      if (answer == FakeLlm.Answer.SLOW) {
        // Given up at the 1 s limit, not after the fake's 2 s.
        assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(1_900);
      }
    }
    assertThat(llm.requests.get()).isEqualTo(3);
    assertThat(calls("failed") - failedBefore).isEqualTo(3);
    assertThat(breakerState(provider)).isZero();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"openai", "gemini"})
  @DisplayName("After 3 failed calls the breaker opens and no request reaches the provider; after the reset time one good answer closes it")
  void circuitBreaker(String provider) throws Exception {
    start(provider, 3);
    llm.answer = FakeLlm.Answer.SERVER_ERROR;
    for (int i = 0; i < 3; i++) {
      assertThat(match().getString("verifier")).isEqualTo("failed");
    }
    assertThat(llm.requests.get()).isEqualTo(3);
    assertThat(breakerState(provider)).isEqualTo(2);

    double rejectedBefore = calls("rejected");
    llm.answer = FakeLlm.Answer.CONFIDENT;
    JsonObject open = match();
    assertThat(open.getString("verifier")).isEqualTo("open");
    JsonObject candidate = open.getJsonArray("candidates").getJsonObject(0);
    assertThat(candidate.getString("identifier")).isEqualTo("HY-1");
    assertThat(candidate.getBoolean("linked")).isFalse();
    assertThat(candidate.getString("layer")).isEqualTo("semantic");
    assertThat(llm.requests.get()).as("no call while open").isEqualTo(3);
    assertThat(calls("rejected") - rejectedBefore).isEqualTo(1);

    awaitValue(() -> breakerState(provider), 1.0);
    JsonObject closed = match();
    assertThat(closed.getString("verifier")).isEqualTo("ok");
    assertThat(closed.getJsonArray("candidates").getJsonObject(0).getBoolean("linked")).isTrue();
    assertThat(llm.requests.get()).isEqualTo(4);
    assertThat(breakerState(provider)).isZero();
  }

  private static double calls(String outcome) {
    Counter c = HookyardMetrics.registry().find(MatchingMetrics.VERIFIER_CALLS).tag("outcome", outcome).counter();
    return c == null ? 0 : c.count();
  }

  private static double breakerState(String provider) {
    Gauge g = HookyardMetrics.registry().find(MatchingMetrics.BREAKER_STATE).tag("provider", provider).gauge();
    assertThat(g).as("breaker gauge for %s", provider).isNotNull();
    return g.value();
  }

  /** Polls a gauge until it shows {@code expected}: the breaker's reset runs on a timer. */
  private static void awaitValue(DoubleSupplier value, double expected) throws Exception {
    Eventually.until(Duration.ofSeconds(10), "the gauge at " + expected, value::getAsDouble, v -> v == expected);
  }
}

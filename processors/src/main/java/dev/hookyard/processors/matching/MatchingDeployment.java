package dev.hookyard.processors.matching;

import dev.hookyard.common.config.HookyardConfig;
import dev.hookyard.common.queue.JobHandler;
import dev.hookyard.common.queue.WorkThreads;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.sqlclient.Pool;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Deploys PR-to-issue matching: {@code HOOKYARD_MATCHING_INSTANCES} verticles answering
 * {@code matching.request}, sharing one embedding model, one semantic index and one
 * verifier circuit breaker; and the handler of the {@code issue-embedding} queue.
 *
 * <p>Configuration: {@code HOOKYARD_AI_PROVIDER} ({@code none}, {@code openai},
 * {@code gemini}), {@code HOOKYARD_AI_URL}, {@code HOOKYARD_AI_KEY},
 * {@code HOOKYARD_AI_MODEL}, {@code HOOKYARD_AI_MIN_CONFIDENCE} (85),
 * {@code HOOKYARD_AI_TIMEOUT_MS} (10000), {@code HOOKYARD_AI_BREAKER_FAILURES} (5),
 * {@code HOOKYARD_AI_BREAKER_RESET_MS} (30000), {@code HOOKYARD_MATCHING_TOP_K} (5),
 * {@code HOOKYARD_MATCHING_MIN_SIMILARITY} (0.3).
 */
public final class MatchingDeployment {

  private MatchingDeployment() {
  }

  /** The matching verticles; the future fails on a configuration error. */
  public static Future<List<String>> deploy(Vertx vertx, HookyardConfig config, Pool pool) {
    IssueMatcher matcher;
    int instances;
    try {
      matcher = matcher(vertx, config, pool);
      instances = config.integer(HookyardConfig.MATCHING_INSTANCES, HookyardConfig.DEFAULT_MATCHING_INSTANCES);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    TextEmbedder.warmUp(MatchingThreads.executor(vertx, config));
    return vertx.deployVerticle(() -> new MatchingVerticle(matcher), WorkThreads.options(config, instances))
      .map(List::of);
  }

  /** The handler of {@link dev.hookyard.common.Queues#ISSUE_EMBEDDING} jobs ({@code {issue_id}}). */
  public static JobHandler embeddingHandler(Vertx vertx, HookyardConfig config, Pool pool) {
    return new IssueEmbeddingJob(MatchingThreads.executor(vertx, config), pool);
  }

  private static IssueMatcher matcher(Vertx vertx, HookyardConfig config, Pool pool) {
    IssueMatcher.Settings settings = new IssueMatcher.Settings(
      config.integer(HookyardConfig.MATCHING_TOP_K, HookyardConfig.DEFAULT_MATCHING_TOP_K),
      minSimilarity(config),
      config.integer(HookyardConfig.AI_MIN_CONFIDENCE, HookyardConfig.DEFAULT_AI_MIN_CONFIDENCE),
      Math.max(0, config.integer(HookyardConfig.AI_MAX_VERIFICATIONS, HookyardConfig.DEFAULT_AI_MAX_VERIFICATIONS)));
    return new IssueMatcher(vertx, MatchingThreads.executor(vertx, config), pool, new SemanticIndex(pool), verifier(vertx, config), settings);
  }

  private static VerifierBreaker verifier(Vertx vertx, HookyardConfig config) {
    LlmVerifier.Provider provider = LlmVerifier.Provider.parse(config.string(HookyardConfig.AI_PROVIDER, HookyardConfig.DEFAULT_AI_PROVIDER));
    if (provider == LlmVerifier.Provider.NONE) {
      MatchingMetrics.noVerifier();
      return null;
    }
    long timeoutMs = config.longValue(HookyardConfig.AI_TIMEOUT_MS, HookyardConfig.DEFAULT_AI_TIMEOUT_MS);
    WebClient client = WebClient.create(vertx, new WebClientOptions()
      .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMs))
      .setIdleTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMs)).setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
      .setUserAgent("hookyard"),
      // Candidates are verified in parallel for many pull requests at once: the default of
      // five connections per host would queue them behind each other.
      new PoolOptions().setHttp1MaxSize(64).setHttp2MaxSize(8));
    LlmVerifier llm = new LlmVerifier(client, provider,
      config.string(HookyardConfig.AI_URL, LlmVerifier.defaultUrl(provider)),
      config.string(HookyardConfig.AI_KEY, null),
      config.string(HookyardConfig.AI_MODEL, LlmVerifier.defaultModel(provider)),
      timeoutMs);
    return new VerifierBreaker(vertx, llm, timeoutMs,
      config.integer(HookyardConfig.AI_BREAKER_FAILURES, HookyardConfig.DEFAULT_AI_BREAKER_FAILURES),
      config.longValue(HookyardConfig.AI_BREAKER_RESET_MS, HookyardConfig.DEFAULT_AI_BREAKER_RESET_MS));
  }

  private static double minSimilarity(HookyardConfig config) {
    String s = config.string(HookyardConfig.MATCHING_MIN_SIMILARITY, HookyardConfig.DEFAULT_MATCHING_MIN_SIMILARITY);
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(HookyardConfig.MATCHING_MIN_SIMILARITY + " must be a number, got '" + s + "'");
    }
  }
}

package dev.hookyard.processors.matching;

import dev.hookyard.common.board.IssueReferences;
import dev.hookyard.common.logging.FailureCause;
import dev.hookyard.common.logging.RepeatedFailures;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The three layers of matching a pull request to board issues: (a) identifiers it
 * names, (b) the workspace's open issues nearest to it in meaning, (c) an LLM's
 * verdict on each of those. Only (a) and a verdict at or above the minimum confidence
 * link; the other candidates go back as suggestions. Shared by every instance.
 */
final class IssueMatcher {

  private static final Logger log = LoggerFactory.getLogger(IssueMatcher.class);

  record Settings(int topK, double minSimilarity, int minConfidence, int maxVerifications) {
  }

  private final Vertx vertx;
  private final WorkerExecutor matching;
  private final Pool pool;
  private final SemanticIndex index;
  private final VerifierBreaker verifier;
  private final Settings settings;

  /** {@code verifier} is null when no provider is configured. */
  IssueMatcher(Vertx vertx, WorkerExecutor matching, Pool pool, SemanticIndex index, VerifierBreaker verifier, Settings settings) {
    this.vertx = vertx;
    this.matching = matching;
    this.pool = pool;
    this.index = index;
    this.verifier = verifier;
    this.settings = settings;
  }

  Future<JsonObject> match(MatchRequest r) {
    long started = System.nanoTime();
    List<IssueReferences.Reference> explicit = IssueReferences.find(r.issuePrefix(), r.title(), r.body(), r.headRef());
    JsonArray explicitJson = new JsonArray();
    explicit.forEach(e -> explicitJson.add(new JsonObject()
      .put("identifier", e.identifier()).put("strength", e.strength()).put("where", e.where())));
    JsonObject timings = new JsonObject().put("explicit", layer("explicit", started)).put("semantic", 0.0).put("llm", 0.0);
    JsonObject result = new JsonObject().put("type", "matching.result").put("explicit", explicitJson)
      .put("candidates", new JsonArray()).put("verifier", "skipped").put("timings_ms", timings);
    if (!r.semantic()) {
      return Future.succeededFuture(result);
    }
    Set<String> named = explicit.stream().map(e -> e.identifier().toUpperCase(Locale.ROOT)).collect(Collectors.toSet());
    return candidates(r, named, timings).compose(scored -> {
      if (scored.isEmpty()) {
        return Future.succeededFuture(result);
      }
      if (verifier == null) {
        scored.forEach(s -> result.getJsonArray("candidates").add(candidate(s, s.title(), null)));
        return Future.succeededFuture(result.put("verifier", "none"));
      }
      long llmStarted = System.nanoTime();
      return verify(r, scored, result).map(v -> {
        timings.put("llm", layer("llm", llmStarted));
        return result;
      });
    }).recover(e -> {
      // Explicit identifiers still link: the caller must not lose them to a database hiccup.
      FailureCause cause = FailureCause.of(e);
      RepeatedFailures.of(vertx, log, Level.WARN, "semantic matchings failed").record(cause, "workspace " + r.workspaceId(),
        () -> "Semantic matching in workspace " + r.workspaceId() + " failed: " + cause.text());
      return Future.succeededFuture(result.put("candidates", new JsonArray()).put("verifier", "skipped")
        .put("semantic_error", String.valueOf(e.getMessage())));
    });
  }

  /**
   * The semantic layer: the workspace's index brought up to date, the PR's text embedded
   * and the closest issues ranked. Timed apart: {@code embed} is the model's inference on
   * the PR text, {@code semantic} the search (index refresh and top-k ranking).
   */
  private Future<List<IssueVectors.Scored>> candidates(MatchRequest r, Set<String> named, JsonObject timings) {
    long started = System.nanoTime();
    return index.refresh(r.workspaceId()).compose(vectors -> vectors.size() == 0
      ? Future.succeededFuture(List.<IssueVectors.Scored>of())
      // Embedding the PR and ranking are CPU work: both on the matching pool, in one hop.
      : matching.executeBlocking(() -> {
        long refreshed = System.nanoTime();
        float[] query = TextEmbedder.embedNow(r.text());
        long embedded = System.nanoTime();
        List<IssueVectors.Scored> top = vectors.top(query, settings.topK(), settings.minSimilarity(), named);
        long ranked = System.nanoTime();
        MatchingMetrics.layer("embed", embedded - refreshed);
        MatchingMetrics.layer("semantic", (refreshed - started) + (ranked - embedded));
        timings.put("embed", (embedded - refreshed) / 1e6).put("semantic", ((refreshed - started) + (ranked - embedded)) / 1e6);
        return top;
      }, false));
  }

  private Future<Void> verify(MatchRequest r, List<IssueVectors.Scored> scored, JsonObject result) {
    Long[] ids = scored.stream().map(IssueVectors.Scored::id).toArray(Long[]::new);
    return pool.preparedQuery(MatchingQueries.CANDIDATE_TEXTS).execute(Tuple.of(ids)).compose(rows -> {
      Map<Long, LlmVerifier.Issue> issues = new HashMap<>();
      for (Row row : rows) {
        issues.put(row.getLong("id"), new LlmVerifier.Issue(row.getString("identifier"), row.getString("title"),
          row.getString("description")));
      }
      // An issue deleted since the index last looked is no candidate.
      List<IssueVectors.Scored> present = scored.stream().filter(s -> issues.containsKey(s.id())).toList();
      // Only the closest few are put to the LLM (each call costs time and money); the
      // rest come back unverified, as suggestions.
      List<IssueVectors.Scored> asked = present.subList(0, Math.min(present.size(), settings.maxVerifications()));
      return calls(r.pullRequest(), asked, issues).map(calls -> {
        JsonArray out = result.getJsonArray("candidates");
        for (int i = 0; i < present.size(); i++) {
          IssueVectors.Scored s = present.get(i);
          out.add(candidate(s, issues.get(s.id()).title(), i < calls.size() ? calls.get(i).verdict() : null));
        }
        return result.put("verifier", summary(calls));
      });
    }).mapEmpty();
  }

  /**
   * All at once while the breaker is closed. Otherwise the first alone: a half-open
   * breaker lets one trial through, and only once that succeeds may the rest go.
   */
  private Future<List<VerifierBreaker.Call>> calls(LlmVerifier.PullRequest pr, List<IssueVectors.Scored> candidates,
                                                   Map<Long, LlmVerifier.Issue> issues) {
    if (candidates.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    if (verifier.closed()) {
      return all(pr, candidates, issues);
    }
    return verifier.verify(pr, issues.get(candidates.get(0).id())).compose(first ->
      all(pr, candidates.subList(1, candidates.size()), issues).map(rest -> {
        List<VerifierBreaker.Call> calls = new ArrayList<>(List.of(first));
        calls.addAll(rest);
        return calls;
      }));
  }

  private Future<List<VerifierBreaker.Call>> all(LlmVerifier.PullRequest pr, List<IssueVectors.Scored> candidates,
                                                 Map<Long, LlmVerifier.Issue> issues) {
    List<Future<VerifierBreaker.Call>> calls = candidates.stream().map(s -> verifier.verify(pr, issues.get(s.id()))).toList();
    return Future.all(calls).map(done -> calls.stream().map(Future::result).toList());
  }

  /** "ok" if any verdict came back, "failed" if calls were made and none did, "open" if none was made. */
  private static String summary(List<VerifierBreaker.Call> calls) {
    if (calls.isEmpty()) {
      return "skipped";
    }
    if (calls.stream().anyMatch(c -> c.outcome().equals(VerifierBreaker.OK))) {
      return "ok";
    }
    return calls.stream().anyMatch(c -> c.outcome().equals(VerifierBreaker.FAILED)) ? "failed" : "open";
  }

  private JsonObject candidate(IssueVectors.Scored s, String title, LlmVerifier.Verdict verdict) {
    boolean linked = verdict != null && verdict.confidence() >= settings.minConfidence();
    return new JsonObject().put("issue_id", s.id()).put("identifier", s.identifier()).put("title", title)
      .put("similarity", Math.round(s.similarity() * 10_000) / 10_000.0)
      .put("confidence", verdict == null ? null : verdict.confidence())
      .put("reason", verdict == null ? null : verdict.reason())
      .put("layer", linked ? "llm" : "semantic").put("linked", linked);
  }

  /** Records the layer's time; the milliseconds, to three decimals. */
  private static double layer(String name, long startedNanos) {
    long nanos = System.nanoTime() - startedNanos;
    MatchingMetrics.layer(name, nanos);
    return Math.round(nanos / 1_000.0) / 1_000.0;
  }
}

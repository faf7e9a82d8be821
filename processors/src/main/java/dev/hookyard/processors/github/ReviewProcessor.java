package dev.hookyard.processors.github;

import dev.hookyard.common.queue.Job;
import dev.hookyard.common.queue.JobOutcome;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * {@code pull_request_review}: stores reviews of tracked repositories' pull requests,
 * keyed by the review's id, with the turnaround from the PR's opening to the review
 * (not counted for reviews of one's own PR).
 */
final class ReviewProcessor {

  private final TrackedFacts facts;

  ReviewProcessor(TrackedFacts facts) {
    this.facts = facts;
  }

  Future<JobOutcome> process(Job job, JsonObject payload) {
    String action = GitHubPayload.requireString(payload, "action");
    JsonObject review = GitHubPayload.requireObject(payload, "review");
    JsonObject pr = GitHubPayload.requireObject(payload, "pull_request");
    JsonObject repository = GitHubPayload.requireObject(payload, "repository");
    long reviewId = GitHubPayload.requireNumber(review, "id");
    UserDirectory.Person reviewer = GitHubPayload.person(GitHubPayload.object(review, "user"));
    UserDirectory.Person author = GitHubPayload.person(GitHubPayload.object(pr, "user"));
    boolean ownPr = reviewer != null && author != null && reviewer.githubId() != null
      && Objects.equals(reviewer.githubId(), author.githubId());
    boolean dismissed = action.equals("dismissed");
    String state = dismissed ? "dismissed"
      : Objects.requireNonNullElse(GitHubPayload.string(review, "state"), "commented").toLowerCase(Locale.ROOT);
    OffsetDateTime submittedAt = GitHubPayload.time(review, "submitted_at");
    return facts.store(repository, reviewer == null ? List.of() : List.of(reviewer), (conn, known, userIds) -> {
      Tuple row = Tuple.tuple()
        .addLong(reviewId).addLong(GitHubPayload.requireNumber(pr, "id")).addLong(known.id())
        .addLong(reviewer == null ? null : reviewer.githubId()).addString(reviewer == null ? null : reviewer.login())
        .addLong(reviewer == null ? null : userIds.get(reviewer))
        .addString(state).addOffsetDateTime(submittedAt).addOffsetDateTime(GitHubPayload.time(pr, "created_at"))
        .addBoolean(ownPr).addBoolean(dismissed);
      return conn.preparedQuery(FactQueries.UPSERT_REVIEW).execute(row)
        .map(rows -> TrackedFacts.Stored.done("review " + reviewId + " of PR #" + pr.getValue("number") + " " + state, known.id()));
    });
  }
}

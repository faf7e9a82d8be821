package dev.hookyard.processors.github;

import dev.hookyard.common.queue.Job;
import dev.hookyard.common.queue.JobOutcome;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code issues}: upserts GitHub issues of tracked repositories, newer payloads only,
 * with the resolution time once closed. The author is mapped to an internal user as a
 * pull request's is; the resolver is the assignee when the issue is closed, else
 * whoever closed it.
 */
final class IssueProcessor {

  private final TrackedFacts facts;

  IssueProcessor(TrackedFacts facts) {
    this.facts = facts;
  }

  Future<JobOutcome> process(Job job, JsonObject payload) {
    String action = GitHubPayload.requireString(payload, "action");
    JsonObject issue = GitHubPayload.requireObject(payload, "issue");
    JsonObject repository = GitHubPayload.requireObject(payload, "repository");
    long id = GitHubPayload.requireNumber(issue, "id");
    int number = (int) GitHubPayload.requireNumber(issue, "number");
    boolean closed = "closed".equals(GitHubPayload.string(issue, "state"));
    OffsetDateTime closedAt = closed ? GitHubPayload.time(issue, "closed_at") : null;
    UserDirectory.Person author = GitHubPayload.person(GitHubPayload.object(issue, "user"));
    UserDirectory.Person resolver = null;
    if (closed) {
      resolver = GitHubPayload.person(GitHubPayload.object(issue, "assignee"));
      if (resolver == null && action.equals("closed")) {
        resolver = GitHubPayload.person(GitHubPayload.object(payload, "sender"));
      }
    }
    UserDirectory.Person closer = resolver;
    List<UserDirectory.Person> people = new ArrayList<>();
    if (author != null) {
      people.add(author);
    }
    if (closer != null) {
      people.add(closer);
    }
    OffsetDateTime deletedAt = action.equals("deleted") ? OffsetDateTime.now(ZoneOffset.UTC) : null;
    return facts.store(repository, people, (conn, known, userIds) -> {
      Tuple row = Tuple.tuple()
        .addLong(id).addLong(known.id()).addInteger(number).addString(GitHubPayload.string(issue, "title"))
        .addString(closed ? "CLOSED" : "OPEN").addString(GitHubPayload.string(issue, "state_reason"))
        .addLong(author == null ? null : author.githubId()).addString(author == null ? null : author.login())
        .addLong(closer == null ? null : closer.githubId()).addString(closer == null ? null : closer.login())
        .addLong(closer == null ? null : userIds.get(closer))
        .addOffsetDateTime(GitHubPayload.requireTime(issue, "created_at")).addOffsetDateTime(GitHubPayload.requireTime(issue, "updated_at"))
        .addOffsetDateTime(closedAt).addOffsetDateTime(deletedAt)
        .addLong(author == null ? null : userIds.get(author)).addBoolean(job.reprocess());
      return conn.preparedQuery(FactQueries.UPSERT_ISSUE).execute(row).map(rows -> rows.size() == 0
        ? TrackedFacts.Stored.ignored("issue #" + number + " " + action + " is older than the stored state")
        : TrackedFacts.Stored.done("issue #" + number + " is " + (closed ? "closed" : "open") + (deletedAt != null ? " (deleted)" : ""), known.id()));
    });
  }
}

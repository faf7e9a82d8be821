package dev.hookyard.processors.github;

import dev.hookyard.common.queue.Job;
import dev.hookyard.common.queue.JobOutcome;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code issues}: upserts GitHub issues of tracked repositories, newer payloads only,
 * with the resolution time once closed. The author is mapped to an internal user as a
 * pull request's is; the resolver is the assignee when the issue is closed, else
 * whoever closed it.
 */
final class IssueProcessor {

  private final TrackedFacts facts;
  private final TrackedFacts.BatchWrite<Change> upserts = this::storeAll;

  /** What one {@code issues} delivery says of its issue. */
  private record Change(Job job, String action, JsonObject issue, long id, int number, boolean closed,
                        UserDirectory.Person author, UserDirectory.Person closer, OffsetDateTime closedAt,
                        OffsetDateTime deletedAt) {
  }

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
    return facts.store(repository, people, upserts, new Change(job, action, issue, id, number, closed, author, closer, closedAt, deletedAt));
  }

  /** The issues of a batch: one upsert per round (see {@link FactRounds}). */
  private Future<List<TrackedFacts.Stored>> storeAll(SqlConnection conn, List<TrackedFacts.Fact<Change>> changes,
                                                     Map<UserDirectory.Person, Long> userIds) {
    return FactRounds.upsert(conn, FactQueries.UPSERT_ISSUES, FactQueries.ISSUE_COLUMNS, new Object[0], changes, Change::id,
      c -> c.job().reprocess(), c -> row(c, userIds)).map(applied -> {
      List<TrackedFacts.Stored> out = new ArrayList<>(changes.size());
      for (int i = 0; i < changes.size(); i++) {
        Change c = changes.get(i).fact();
        out.add(!applied[i]
          ? TrackedFacts.Stored.ignored("issue #" + c.number() + " " + c.action() + " is older than the stored state")
          : TrackedFacts.Stored.done("issue #" + c.number() + " is " + (c.closed() ? "closed" : "open")
            + (c.deletedAt() != null ? " (deleted)" : ""), changes.get(i).repository().id()));
      }
      return out;
    });
  }

  private static Tuple row(TrackedFacts.Fact<Change> fact, Map<UserDirectory.Person, Long> userIds) {
    Change c = fact.fact();
    JsonObject issue = c.issue();
    UserDirectory.Person author = c.author();
    UserDirectory.Person closer = c.closer();
    return Tuple.tuple()
      .addLong(c.id()).addLong(fact.repository().id()).addInteger(c.number()).addString(GitHubPayload.string(issue, "title"))
      .addString(c.closed() ? "CLOSED" : "OPEN").addString(GitHubPayload.string(issue, "state_reason"))
      .addLong(author == null ? null : author.githubId()).addString(author == null ? null : author.login())
      .addLong(closer == null ? null : closer.githubId()).addString(closer == null ? null : closer.login())
      .addLong(closer == null ? null : userIds.get(closer))
      .addOffsetDateTime(GitHubPayload.requireTime(issue, "created_at")).addOffsetDateTime(GitHubPayload.requireTime(issue, "updated_at"))
      .addOffsetDateTime(c.closedAt()).addOffsetDateTime(c.deletedAt())
      .addLong(author == null ? null : userIds.get(author));
  }
}

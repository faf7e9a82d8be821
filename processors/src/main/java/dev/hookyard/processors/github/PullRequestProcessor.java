package dev.hookyard.processors.github;

import dev.hookyard.common.queue.Enqueue;
import dev.hookyard.common.Queues;
import dev.hookyard.common.board.IssueReferences;
import dev.hookyard.common.board.PullRequestStates;
import dev.hookyard.common.queue.Job;
import dev.hookyard.common.queue.JobOutcome;
import dev.hookyard.common.queue.JobQueue;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code pull_request}: upserts the pull request of a tracked repository (state
 * OPEN, CLOSED or MERGED, draft, its phase as {@link PullRequestStates} orders them,
 * sizes, GitHub's timestamps, cycle time on merge). When the
 * payload is newer than what is stored, a board job is queued for every workspace
 * tracking the repository ({@code board-automation} when the PR names an issue, else
 * {@code board-matching}) — the seam board automation plugs into — and
 * the repository's developer metrics are recomputed soon after.
 */
final class PullRequestProcessor {

  static final String PULL_REQUEST_CHANGED = "pull-request-changed";

  private final TrackedFacts facts;
  private final WorkspaceFanout fanout;

  PullRequestProcessor(TrackedFacts facts, WorkspaceFanout fanout) {
    this.facts = facts;
    this.fanout = fanout;
  }

  Future<JobOutcome> process(Job job, JsonObject payload) {
    String action = GitHubPayload.requireString(payload, "action");
    JsonObject pr = GitHubPayload.requireObject(payload, "pull_request");
    JsonObject repository = GitHubPayload.requireObject(payload, "repository");
    long id = GitHubPayload.requireNumber(pr, "id");
    int number = (int) GitHubPayload.requireNumber(pr, "number");
    OffsetDateTime createdAt = GitHubPayload.requireTime(pr, "created_at");
    OffsetDateTime updatedAt = GitHubPayload.requireTime(pr, "updated_at");
    OffsetDateTime mergedAt = GitHubPayload.time(pr, "merged_at");
    String state = mergedAt != null || GitHubPayload.flag(pr, "merged") ? "MERGED"
      : "closed".equals(GitHubPayload.string(pr, "state")) ? "CLOSED" : "OPEN";
    if (state.equals("MERGED") && mergedAt == null) {
      mergedAt = GitHubPayload.time(pr, "closed_at");
    }
    OffsetDateTime merged = mergedAt;
    boolean draft = GitHubPayload.flag(pr, "draft");
    String phase = PullRequestStates.phase(state, draft, action);
    UserDirectory.Person author = GitHubPayload.person(GitHubPayload.object(pr, "user"));
    JsonObject head = GitHubPayload.object(pr, "head");
    JsonObject base = GitHubPayload.object(pr, "base");
    return facts.store(repository, author == null ? List.of() : List.of(author), (conn, known, userIds) -> {
      Tuple row = Tuple.tuple()
        .addLong(id).addLong(known.id()).addInteger(number).addString(GitHubPayload.string(pr, "title")).addString(state)
        .addBoolean(draft)
        .addLong(author == null ? null : author.githubId()).addString(author == null ? null : author.login())
        .addLong(author == null ? null : userIds.get(author))
        .addString(GitHubPayload.string(head, "ref")).addString(GitHubPayload.string(head, "sha")).addString(GitHubPayload.string(base, "ref"))
        .addInteger(GitHubPayload.integer(pr, "additions")).addInteger(GitHubPayload.integer(pr, "deletions"))
        .addInteger(GitHubPayload.integer(pr, "changed_files")).addInteger(GitHubPayload.integer(pr, "commits"))
        .addOffsetDateTime(createdAt).addOffsetDateTime(updatedAt).addOffsetDateTime(GitHubPayload.time(pr, "closed_at"))
        .addOffsetDateTime(merged).addString(phase).addArrayOfString(PullRequestStates.phaseArray()).addBoolean(job.reprocess());
      return conn.preparedQuery(FactQueries.UPSERT_PULL_REQUEST).execute(row).compose(rows -> {
        if (rows.size() == 0) {
          return Future.succeededFuture(TrackedFacts.Stored.ignored("PR #" + number + " " + action + " is older than the stored state"));
        }
        JsonObject message = new JsonObject().put("type", "pull_request.changed")
          .put("repository", known.fullName()).put("repository_id", known.id()).put("number", number)
          .put("action", action).put("state", state).put("phase", phase).put("draft", draft).put("url", GitHubPayload.string(pr, "html_url"))
          .put("merge_commit_sha", GitHubPayload.string(pr, "merge_commit_sha")).put("delivery_id", job.deliveryId())
          .put("title", GitHubPayload.string(pr, "title")).put("body", GitHubPayload.string(pr, "body"))
          .put("head_ref", GitHubPayload.string(head, "ref")).put("base_ref", GitHubPayload.string(base, "ref"))
          .put("merged", state.equals("MERGED")).put("at", updatedAt.toInstant().toString());
        return fanout.fanOut(conn, known.id(), PULL_REQUEST_CHANGED, message, job.id())
          .map(fanned -> new TrackedFacts.Stored(JobOutcome.done("PR #" + number + " is " + state), known.id(), fanned.afterCommit()));
      });
    });
  }

  /** Whether the PR's title, body or branch names an issue of the workspace, as the matcher's explicit layer reads them. */
  static boolean namesAnIssue(JsonObject message, String issuePrefix) {
    return issuePrefix != null && !IssueReferences.find(issuePrefix, message.getString("title"), message.getString("body"),
      message.getString("head_ref")).isEmpty();
  }

  /**
   * Queues the change for each workspace's board automation in the event's own
   * transaction, so a stored PR state is never lost on its way to the boards. The key
   * is the PR state itself: a redelivered event queues nothing twice.
   */
  static WorkspaceFanout.EffectKind pullRequestChanged(Vertx vertx) {
    return message -> (conn, workspaces) -> {
      // A PR that names an issue is a quick board change; one that may need the semantic
      // layers waits on an LLM. Apart, the quick ones never wait for a lane behind those.
      Map<String, List<JsonObject>> payloads = new LinkedHashMap<>();
      Map<String, List<String>> keys = new LinkedHashMap<>();
      for (Repositories.Workspace w : workspaces) {
        String queue = namesAnIssue(message, w.issuePrefix()) ? Queues.BOARD_AUTOMATION : Queues.BOARD_MATCHING;
        payloads.computeIfAbsent(queue, q -> new ArrayList<>()).add(message.copy().put("workspace", w.slug()).put("workspace_id", w.id()));
        keys.computeIfAbsent(queue, q -> new ArrayList<>()).add("board:" + w.id() + ":" + message.getLong("repository_id") + ":"
          + message.getInteger("number") + ":" + message.getString("at") + ":" + message.getString("state") + ":" + message.getString("action"));
      }
      Future<Void> queued = Future.succeededFuture();
      for (String queue : payloads.keySet()) {
        queued = queued.compose(v -> Enqueue.all(conn, queue, payloads.get(queue), keys.get(queue), 0).mapEmpty());
      }
      return queued.map(v -> () -> payloads.keySet().forEach(queue -> Enqueue.wake(vertx, queue)));
    };
  }
}

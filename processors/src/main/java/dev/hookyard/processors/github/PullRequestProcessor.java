package dev.hookyard.processors.github;

import dev.hookyard.common.queue.Enqueue;
import dev.hookyard.common.Queues;
import dev.hookyard.common.board.IssueReferences;
import dev.hookyard.common.board.PullRequestStates;
import dev.hookyard.common.queue.Job;
import dev.hookyard.common.queue.JobOutcome;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code pull_request}: upserts the pull request of a tracked repository (state
 * OPEN, CLOSED or MERGED, draft, its phase as {@link PullRequestStates} orders them,
 * sizes, GitHub's timestamps, cycle time on merge). When the
 * payload is newer than what is stored, a board job is queued for every workspace
 * tracking the repository ({@code board-automation} when the PR names an issue, else
 * {@code board-matching}) — the seam board automation plugs into — and
 * the repository's developer metrics are recomputed soon after. A batch's pull
 * requests are written together (see {@link #storeAll}).
 */
final class PullRequestProcessor {

  static final String PULL_REQUEST_CHANGED = "pull-request-changed";

  private final Vertx vertx;
  private final TrackedFacts facts;
  private final WorkspaceFanout fanout;
  private final TrackedFacts.BatchWrite<Change> upserts = this::storeAll;

  /** What one {@code pull_request} delivery says of its pull request. */
  private record Change(Job job, String action, JsonObject pr, long id, int number, String state, boolean draft, String phase,
                        UserDirectory.Person author, OffsetDateTime createdAt, OffsetDateTime updatedAt, OffsetDateTime mergedAt) {
  }

  PullRequestProcessor(Vertx vertx, TrackedFacts facts, WorkspaceFanout fanout) {
    this.vertx = vertx;
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
    boolean draft = GitHubPayload.flag(pr, "draft");
    String phase = PullRequestStates.phase(state, draft, action);
    UserDirectory.Person author = GitHubPayload.person(GitHubPayload.object(pr, "user"));
    Change change = new Change(job, action, pr, id, number, state, draft, phase, author, createdAt, updatedAt, mergedAt);
    return facts.store(repository, author == null ? List.of() : List.of(author), upserts, change);
  }

  /**
   * The pull requests of a batch: one upsert per round (see {@link FactRounds}), then the
   * board jobs of every change applied, in one lookup of the workspaces and one enqueue
   * per board queue (a repository tracked by more workspaces than a fan-out chunk goes
   * through {@link WorkspaceFanout} on its own).
   */
  private Future<List<TrackedFacts.Stored>> storeAll(SqlConnection conn, List<TrackedFacts.Fact<Change>> changes,
                                                     Map<UserDirectory.Person, Long> userIds) {
    return FactRounds.upsert(conn, FactQueries.UPSERT_PULL_REQUESTS, FactQueries.PULL_REQUEST_COLUMNS,
        new Object[] {PullRequestStates.phaseArray()}, changes, Change::id, c -> c.job().reprocess(), c -> row(c, userIds))
      .compose(applied -> boardJobs(conn, changes, applied));
  }

  private static Tuple row(TrackedFacts.Fact<Change> fact, Map<UserDirectory.Person, Long> userIds) {
    Change c = fact.fact();
    JsonObject pr = c.pr();
    JsonObject head = GitHubPayload.object(pr, "head");
    JsonObject base = GitHubPayload.object(pr, "base");
    UserDirectory.Person author = c.author();
    return Tuple.tuple()
      .addLong(c.id()).addLong(fact.repository().id()).addInteger(c.number()).addString(GitHubPayload.string(pr, "title"))
      .addString(c.state()).addBoolean(c.draft())
      .addLong(author == null ? null : author.githubId()).addString(author == null ? null : author.login())
      .addLong(author == null ? null : userIds.get(author))
      .addString(GitHubPayload.string(head, "ref")).addString(GitHubPayload.string(head, "sha")).addString(GitHubPayload.string(base, "ref"))
      .addInteger(GitHubPayload.integer(pr, "additions")).addInteger(GitHubPayload.integer(pr, "deletions"))
      .addInteger(GitHubPayload.integer(pr, "changed_files")).addInteger(GitHubPayload.integer(pr, "commits"))
      .addOffsetDateTime(c.createdAt()).addOffsetDateTime(c.updatedAt()).addOffsetDateTime(GitHubPayload.time(pr, "closed_at"))
      .addOffsetDateTime(c.mergedAt()).addString(c.phase());
  }

  /** The board message of an applied change, as {@link #pullRequestChanged} reads it. */
  private static JsonObject message(TrackedFacts.Fact<Change> fact) {
    Change c = fact.fact();
    JsonObject pr = c.pr();
    JsonObject head = GitHubPayload.object(pr, "head");
    JsonObject base = GitHubPayload.object(pr, "base");
    return new JsonObject().put("type", "pull_request.changed")
      .put("repository", fact.repository().fullName()).put("repository_id", fact.repository().id()).put("number", c.number())
      .put("action", c.action()).put("state", c.state()).put("phase", c.phase()).put("draft", c.draft())
      .put("url", GitHubPayload.string(pr, "html_url"))
      .put("merge_commit_sha", GitHubPayload.string(pr, "merge_commit_sha")).put("delivery_id", c.job().deliveryId())
      .put("title", GitHubPayload.string(pr, "title")).put("body", GitHubPayload.string(pr, "body"))
      .put("head_ref", GitHubPayload.string(head, "ref")).put("base_ref", GitHubPayload.string(base, "ref"))
      .put("merged", c.state().equals("MERGED")).put("at", c.updatedAt().toInstant().toString());
  }

  private Future<List<TrackedFacts.Stored>> boardJobs(SqlConnection conn, List<TrackedFacts.Fact<Change>> changes, boolean[] applied) {
    Set<Long> repositories = new LinkedHashSet<>();
    for (int i = 0; i < changes.size(); i++) {
      if (applied[i]) {
        repositories.add(changes.get(i).repository().id());
      }
    }
    if (repositories.isEmpty()) {
      return Future.succeededFuture(outcomes(changes, applied, List.of()));
    }
    return Repositories.workspaces(conn, repositories).compose(tracking -> {
      List<Runnable> afterCommit = new ArrayList<>();
      List<BoardChange> inline = new ArrayList<>();
      Future<Void> fanned = Future.succeededFuture();
      for (int i = 0; i < changes.size(); i++) {
        if (!applied[i]) {
          continue;
        }
        TrackedFacts.Fact<Change> change = changes.get(i);
        List<Repositories.Workspace> workspaces = tracking.getOrDefault(change.repository().id(), List.of());
        if (fanout.inline(workspaces.size())) {
          inline.add(new BoardChange(message(change), workspaces));
        } else {
          fanned = fanned.compose(v -> fanout.fanOut(conn, change.repository().id(), PULL_REQUEST_CHANGED, message(change),
            change.fact().job().id(), workspaces).map(f -> afterCommit.add(f.afterCommit())).mapEmpty());
        }
      }
      return fanned.compose(v -> enqueueBoardJobs(conn, inline)).map(queues -> {
        afterCommit.add(() -> queues.forEach(queue -> Enqueue.wake(vertx, queue)));
        return outcomes(changes, applied, afterCommit);
      });
    });
  }

  private static List<TrackedFacts.Stored> outcomes(List<TrackedFacts.Fact<Change>> changes, boolean[] applied,
                                                    List<Runnable> afterCommit) {
    List<TrackedFacts.Stored> out = new ArrayList<>(changes.size());
    boolean first = true;
    for (int i = 0; i < changes.size(); i++) {
      Change c = changes.get(i).fact();
      if (!applied[i]) {
        out.add(TrackedFacts.Stored.ignored("PR #" + c.number() + " " + c.action() + " is older than the stored state"));
        continue;
      }
      // The batch's wake-ups run once, after the commit, with its first applied change.
      Runnable after = first ? () -> afterCommit.forEach(Runnable::run) : () -> { };
      first = false;
      out.add(new TrackedFacts.Stored(JobOutcome.done("PR #" + c.number() + " is " + c.state()), changes.get(i).repository().id(), after));
    }
    return out;
  }

  /** Whether the PR's title, body or branch names an issue of the workspace, as the matcher's explicit layer reads them. */
  static boolean namesAnIssue(JsonObject message, String issuePrefix) {
    return issuePrefix != null && !IssueReferences.find(issuePrefix, message.getString("title"), message.getString("body"),
      message.getString("head_ref")).isEmpty();
  }

  /** A pull-request change and the workspaces whose boards it reaches. */
  private record BoardChange(JsonObject message, List<Repositories.Workspace> workspaces) {
  }

  /**
   * Queues the change for each workspace's board automation in the event's own
   * transaction, so a stored PR state is never lost on its way to the boards. The key
   * is the PR state itself: a redelivered event queues nothing twice.
   */
  static WorkspaceFanout.EffectKind pullRequestChanged(Vertx vertx) {
    return message -> (conn, workspaces) -> enqueueBoardJobs(conn, List.of(new BoardChange(message, workspaces)))
      .map(queues -> () -> queues.forEach(queue -> Enqueue.wake(vertx, queue)));
  }

  /** The board jobs of {@code changes}, one statement per board queue; answers the queues that got jobs. */
  private static Future<Set<String>> enqueueBoardJobs(SqlClient conn, List<BoardChange> changes) {
    // A PR that names an issue is a quick board change; one that may need the semantic
    // layers waits on an LLM. Apart, the quick ones never wait for a lane behind those.
    Map<String, List<JsonObject>> payloads = new LinkedHashMap<>();
    Map<String, List<String>> keys = new LinkedHashMap<>();
    for (BoardChange change : changes) {
      JsonObject message = change.message();
      for (Repositories.Workspace w : change.workspaces()) {
        String queue = namesAnIssue(message, w.issuePrefix()) ? Queues.BOARD_AUTOMATION : Queues.BOARD_MATCHING;
        payloads.computeIfAbsent(queue, q -> new ArrayList<>()).add(message.copy().put("workspace", w.slug()).put("workspace_id", w.id()));
        keys.computeIfAbsent(queue, q -> new ArrayList<>()).add("board:" + w.id() + ":" + message.getLong("repository_id") + ":"
          + message.getInteger("number") + ":" + message.getString("at") + ":" + message.getString("state") + ":" + message.getString("action"));
      }
    }
    Future<Void> queued = Future.succeededFuture();
    for (String queue : payloads.keySet()) {
      queued = queued.compose(v -> Enqueue.all(conn, queue, payloads.get(queue), keys.get(queue), 0).mapEmpty());
    }
    return queued.map(v -> payloads.keySet());
  }
}

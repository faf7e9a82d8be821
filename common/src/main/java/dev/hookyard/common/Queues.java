package dev.hookyard.common;

import java.util.List;
import java.util.Locale;

/**
 * Queue names. Every GitHub event with a processor has its own queue
 * {@code webhook.<event>}; every other event goes to {@link #UNHANDLED}, where it is
 * recorded as ignored with the reason.
 */
public final class Queues {

  /** GitHub events that have a processor of their own (DESIGN.md, "Event handling"). */
  public static final List<String> PROCESSED_EVENTS = List.of(
    "push",
    "pull_request",
    "pull_request_review",
    "issues",
    "workflow_run",
    "installation",
    "installation_repositories",
    "repository");

  public static final String WEBHOOK_PREFIX = "webhook.";
  public static final String UNHANDLED = WEBHOOK_PREFIX + "unhandled";

  /**
   * Alert deliveries are stored like GitHub's, under these event names; the dot keeps
   * them apart from every GitHub event name, so a GitHub delivery can never pose as one.
   */
  public static final String SENTRY_EVENT = "sentry.alert";
  public static final String LOKI_EVENT = "loki.alert";
  public static final String SENTRY_ALERTS = "alerts.sentry";
  public static final String LOKI_ALERTS = "alerts.loki";

  /** Follow-up work a push asks for: one job per (repository, commit SHA). Payload {@code {repository_id, commit_sha, ref}}. */
  public static final String INDEX_REPOSITORY = "index-repository";
  /**
   * A project whose plan or manifests changed: its plan is read at the commit and its
   * progress recorded. Payload {@code {project_update_id, project_id, commit_sha}}.
   */
  public static final String REFRESH_PROJECT = "refresh-project";
  /** Debounced recomputation of one repository's developer metrics. Payload {@code {repository_id}}. */
  public static final String DEVELOPER_METRICS = "developer-metrics";
  /**
   * Sizes (additions, deletions) of a push's commits, read from GitHub's API apart from
   * the push so it never waits on GitHub. Payload {@code {repository_id, shas}}.
   */
  public static final String COMMIT_SIZES = "commit-sizes";
  /** A chunk of per-workspace effects of one event on a widely tracked repository. */
  public static final String WORKSPACE_FANOUT = "workspace-fanout";

  /**
   * A pull request's change applied to one workspace's board, for a PR whose title, body
   * or branch names an issue: quick database work. Payload: the change as
   * {@code PullRequestProcessor} queues it ({@code pull_request.changed} with the
   * workspace's slug and id).
   */
  public static final String BOARD_AUTOMATION = "board-automation";
  /**
   * The same for a PR that names no issue: it may wait on the matcher (semantic search,
   * an LLM over HTTP), so it has a queue and lanes of its own and never delays a board
   * change that names its issue.
   */
  public static final String BOARD_MATCHING = "board-matching";
  /** An issue's embedding to (re)compute after it was created or retitled. Payload {@code {issue_id}}. */
  public static final String ISSUE_EMBEDDING = "issue-embedding";

  /**
   * Steps of operators' bulk operations (a replay or reprocess of stored deliveries, a
   * retry of dead letters): each step queues the operation's next bounded batch.
   * Payload {@code {operation_id}}.
   */
  public static final String OPERATIONS = "operations";

  /** Queues of jobs that processors create, as opposed to the ones deliveries land in. */
  public static final List<String> FOLLOW_UP = List.of(INDEX_REPOSITORY, REFRESH_PROJECT, COMMIT_SIZES, DEVELOPER_METRICS,
    WORKSPACE_FANOUT,
    BOARD_AUTOMATION, BOARD_MATCHING, ISSUE_EMBEDDING);

  /** Priority of jobs that should overtake the rest of their queue. */
  public static final int HIGH_PRIORITY = 10;

  /** The queue a delivery of {@code event} is stored into. */
  public static String forEvent(String event) {
    String e = event.toLowerCase(Locale.ROOT);
    if (e.equals(SENTRY_EVENT)) {
      return SENTRY_ALERTS;
    }
    if (e.equals(LOKI_EVENT)) {
      return LOKI_ALERTS;
    }
    return PROCESSED_EVENTS.contains(e) ? WEBHOOK_PREFIX + e : UNHANDLED;
  }

  /** Every queue the gateway writes to: one per processed event, the unhandled one, the alerts. */
  public static List<String> webhookQueues() {
    List<String> all = new java.util.ArrayList<>();
    PROCESSED_EVENTS.forEach(e -> all.add(WEBHOOK_PREFIX + e));
    all.add(UNHANDLED);
    all.add(SENTRY_ALERTS);
    all.add(LOKI_ALERTS);
    return all;
  }

  /** Every queue there is: the webhook queues, the follow-up queues and {@link #OPERATIONS}. */
  public static List<String> all() {
    List<String> all = webhookQueues();
    all.addAll(FOLLOW_UP);
    all.add(OPERATIONS);
    return all;
  }

  private Queues() {
  }
}

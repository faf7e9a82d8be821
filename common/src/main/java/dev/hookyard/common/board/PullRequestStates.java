package dev.hookyard.common.board;

import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A pull request's states as a board reads them, the way Linear does: a draft is work
 * in progress, a PR opened or put up for review is in review, a merge is done.
 *
 * <p>{@link #PHASES} is the one order of a PR's states. Two payloads of one PR carrying
 * the same {@code updated_at} (GitHub sends {@code opened} and {@code review_requested}
 * with one time) are told apart by it: the later phase wins. The SQL guards receive
 * it as a parameter, so the order is written here only.
 *
 * <p>Each workspace maps the events below to the board status they move a closing
 * PR's issues to ({@code workspaces.pr_statuses}, set with
 * {@code PATCH /api/v1/workspaces/{ws}}); a key set to null moves nothing, a key not
 * set takes its default. Automation never moves an issue backwards, whatever is set.
 */
public final class PullRequestStates {

  public static final String DRAFT = "DRAFT";
  public static final String OPEN = "OPEN";
  /** Open, not a draft, and up for review ({@code ready_for_review}, {@code review_requested}). */
  public static final String REVIEW = "REVIEW";
  public static final String CLOSED = "CLOSED";
  public static final String MERGED = "MERGED";

  /** Every phase, earliest first: of two payloads with one {@code updated_at}, the later phase wins. */
  public static final List<String> PHASES = List.of(DRAFT, OPEN, REVIEW, CLOSED, MERGED);

  /** Setting keys: the events that move a closing PR's issues. */
  public static final String ON_DRAFT = "draft";
  public static final String ON_OPENED = "opened";
  public static final String ON_READY_FOR_REVIEW = "ready_for_review";
  public static final String ON_REVIEW_REQUESTED = "review_requested";
  public static final String ON_MERGED = "merged";

  /** The defaults, in the order the API shows them. */
  public static final Map<String, String> DEFAULT_STATUSES;

  static {
    Map<String, String> d = new LinkedHashMap<>();
    d.put(ON_DRAFT, IssueStatus.IN_PROGRESS);
    d.put(ON_OPENED, IssueStatus.IN_REVIEW);
    d.put(ON_READY_FOR_REVIEW, IssueStatus.IN_REVIEW);
    d.put(ON_REVIEW_REQUESTED, IssueStatus.IN_REVIEW);
    d.put(ON_MERGED, IssueStatus.DONE);
    DEFAULT_STATUSES = java.util.Collections.unmodifiableMap(d);
  }

  /**
   * The phase of a PR: {@code state} is OPEN, CLOSED or MERGED as stored, {@code action}
   * the webhook's action.
   */
  public static String phase(String state, boolean draft, String action) {
    if (!OPEN.equals(state)) {
      return state;
    }
    if (draft) {
      return DRAFT;
    }
    return "ready_for_review".equals(action) || "review_requested".equals(action) ? REVIEW : OPEN;
  }

  /** Position of {@code phase} in {@link #PHASES}; an unknown one counts as the earliest. */
  public static int rank(String phase) {
    return Math.max(0, PHASES.indexOf(phase));
  }

  /** {@link #PHASES} as an array, the parameter of {@link #laterPhaseSql}. */
  public static String[] phaseArray() {
    return PHASES.toArray(new String[0]);
  }

  /**
   * The SQL condition "{@code newer} is a later phase than {@code older}", with the order
   * bound as {@code param} ({@link #phaseArray()}); an unknown {@code older} counts as
   * before every phase. The one SQL form of {@link #rank}'s order.
   */
  public static String laterPhaseSql(String param, String newer, String older) {
    return "array_position(" + param + "::text[], " + newer + ") > coalesce(array_position(" + param + "::text[], " + older + "), 0)";
  }

  /** A workspace's settings: its stored overrides over the defaults (a key stored as null moves nothing). */
  public static JsonObject effective(JsonObject stored) {
    JsonObject out = new JsonObject();
    DEFAULT_STATUSES.forEach((key, status) -> out.put(key, stored != null && stored.containsKey(key)
      ? stored.getString(key) : status));
    return out;
  }

  private PullRequestStates() {
  }
}

package dev.hookyard.common;

/** Event-bus addresses: dotted lowercase, the only way modules talk to each other at run time. */
public final class Addresses {

  /** Published after jobs are committed to {@code queue}: workers of that queue claim at once. */
  public static String wake(String queue) {
    return "jobs.wake." + queue;
  }

  /**
   * Published by a gateway, at most every 100 ms, while its acknowledgements are slow:
   * every node's processing holds back for a moment (see {@code IngestFirst}). No body.
   */
  public static final String INGEST_SLOW = "hookyard.ingest.slow";

  /** Answered by every node; {@code /ready} uses it to prove the event bus works. */
  public static final String PING = "hookyard.ping";

  /**
   * Published whenever internal users are created or changed; every node drops its
   * cached GitHub-to-user mappings. Message: {@code {"type":"users.changed","user_id"}}.
   */
  public static final String USERS_CHANGED = "users.changed";

  /** Prefix of every board address; the SockJS bridge lets out nothing else. */
  public static final String BOARD_PREFIX = "board.";

  /**
   * A project's progress, also published on its workspace's board address when a
   * refresh finds it changed (no history row, so no {@code id}):
   * {@code {"type":"project.progress_changed","workspace","project_id","repository",
   * "plan_path","commit_sha","total","done","phases":[{name,total,done}],
   * "previous":{total,done}|null,"at"}}.
   */
  public static final String PROJECT_PROGRESS_CHANGED = "project.progress_changed";

  /**
   * A workspace's live board: every change to its issues, as
   * {@code {"id","type","workspace","identifier","from","to","pr_number","at","cause"}}.
   */
  public static String board(String workspace) {
    return BOARD_PREFIX + workspace;
  }

  /**
   * PR-to-issue matching, answered by the matching verticle (request/reply, load-balanced
   * over every node that runs one). Request: {@code {"type":"matching.request",
   * "workspace_id","issue_prefix","title","body","head_ref","semantic"}}; reply:
   * {@code {"type":"matching.result","explicit":[{identifier,strength,where}],
   * "candidates":[{issue_id,identifier,title,similarity,confidence,reason,layer,linked}],
   * "verifier":"ok"|"none"|"open"|"failed"|"skipped","timings_ms":{explicit,embed,semantic,llm}}}.
   */
  public static final String MATCHING_REQUEST = "matching.request";

  private Addresses() {
  }
}

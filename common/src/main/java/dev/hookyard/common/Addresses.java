package dev.hookyard.common;

/** Event-bus addresses: dotted lowercase, the only way modules talk to each other at run time. */
public final class Addresses {

  /** Published after jobs are committed to {@code queue}: workers of that queue claim at once. */
  public static String wake(String queue) {
    return "jobs.wake." + queue;
  }

  /** Answered by every node; {@code /ready} uses it to prove the event bus works. */
  public static final String PING = "hookyard.ping";

  /**
   * Published whenever internal users are created or changed; every node drops its
   * cached GitHub-to-user mappings. Message: {@code {"type":"users.changed","user_id"}}.
   */
  public static final String USERS_CHANGED = "users.changed";

  /**
   * The seam to board automation: published once per workspace that tracks the
   * repository, after a pull request's newer state is stored. Message:
   * {@code {"type":"pull_request.changed","workspace","repository","number","action",
   * "state","title","body","head_ref","base_ref","merged","at"}}.
   */
  public static final String PULL_REQUEST_CHANGED = "automation.pull_request";

  private Addresses() {
  }
}

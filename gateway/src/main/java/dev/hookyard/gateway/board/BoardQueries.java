package dev.hookyard.gateway.board;

/** SQL of the live board: tokens, columns and the history it shows. */
final class BoardQueries {

  static final String CREATE_TOKEN = """
    INSERT INTO board_tokens (workspace_id, token_sha256)
    SELECT id, $2 FROM workspaces WHERE slug = $1
    RETURNING created_at
    """;

  /** The workspace a board token belongs to. */
  static final String TOKEN_WORKSPACE = """
    SELECT w.slug FROM board_tokens t JOIN workspaces w ON w.id = t.workspace_id WHERE t.token_sha256 = $1
    """;

  static final String WORKSPACE = "SELECT id, slug, name, issue_prefix FROM workspaces WHERE slug = $1";

  /**
   * Every issue of the workspace for the cards: most urgent first ({@code $2}, the
   * priorities in order), then the most recently changed; with its linked PRs and the
   * state of its latest fix attempt.
   */
  static final String COLUMNS = """
    SELECT i.identifier, i.number, i.title, i.status, i.priority, i.labels, i.error_source, i.updated_at,
           coalesce((SELECT json_agg(json_build_object('repository', r.full_name, 'number', l.pr_number, 'title', l.pr_title,
                                                       'url', l.pr_url, 'status', l.status, 'strength', l.strength)
                                     ORDER BY l.linked_at, l.pr_number)
                       FROM issue_pull_requests l JOIN repositories r ON r.id = l.repository_id
                      WHERE l.issue_id = i.id), '[]'::json) AS prs,
           a.status AS fix_status, a.pr_number AS fix_pr_number, a.deployed_at AS fix_deployed_at,
           a.verification_deadline AS fix_deadline, a.verified_at AS fix_verified_at, a.failed_at AS fix_failed_at,
           a.failure_reason AS fix_failure_reason
      FROM board_issues i
      LEFT JOIN LATERAL (SELECT * FROM fix_attempts f WHERE f.issue_id = i.id ORDER BY f.id DESC LIMIT 1) a ON true
     WHERE i.workspace_id = $1
     ORDER BY array_position($2::text[], i.priority), i.updated_at DESC, i.number DESC
    """;

  private BoardQueries() {
  }

  /** History of a workspace after a message id, oldest first (Server-Sent Events resume). */
  static final String HISTORY_SINCE = """
    SELECT h.id, h.type, h.from_value, h.to_value, h.pr_number, h.cause, h.at, i.identifier, w.slug AS workspace
      FROM issue_history h JOIN board_issues i ON i.id = h.issue_id JOIN workspaces w ON w.id = h.workspace_id
     WHERE h.workspace_id = $1 AND h.id > $2
     ORDER BY h.id
     LIMIT $3
    """;

  /** A workspace's latest history, newest first: what the board's live panel shows on load. */
  static final String HISTORY_RECENT = """
    SELECT h.id, h.type, h.from_value, h.to_value, h.pr_number, h.cause, h.at, i.identifier, w.slug AS workspace
      FROM issue_history h JOIN board_issues i ON i.id = h.issue_id JOIN workspaces w ON w.id = h.workspace_id
     WHERE w.slug = $1
     ORDER BY h.id DESC
     LIMIT $2
    """;
}

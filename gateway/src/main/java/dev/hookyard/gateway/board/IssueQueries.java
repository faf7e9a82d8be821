package dev.hookyard.gateway.board;

/** SQL of the issues API. */
final class IssueQueries {

  /**
   * Takes the workspace's next issue number. The row lock it holds until commit puts
   * concurrent creations in line, so numbers have no gaps and no duplicates.
   */
  static final String TAKE_NUMBER = """
    UPDATE workspaces SET next_issue_number = next_issue_number + 1
     WHERE slug = $1
    RETURNING id, slug, issue_prefix, next_issue_number - 1 AS number
    """;

  static final String INSERT = """
    INSERT INTO board_issues (workspace_id, number, identifier, title, description, status, priority, labels,
                              error_source, error_external_id)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
    RETURNING id
    """;

  private static final String COLUMNS = """
    i.id, i.workspace_id, w.slug AS workspace, i.number, i.identifier, i.title, i.description, i.status, i.priority,
    i.labels, i.error_source, i.error_external_id, i.created_at, i.updated_at
    """;

  static final String GET = "SELECT " + COLUMNS + """
      FROM board_issues i JOIN workspaces w ON w.id = i.workspace_id
     WHERE w.slug = $1 AND upper(i.identifier) = upper($2)
    """;

  static final String GET_FOR_UPDATE = GET + " FOR UPDATE OF i";

  /** Issues of a workspace, filtered by status, priority, label and text; by number. */
  static final String LIST = "SELECT " + COLUMNS + """
      FROM board_issues i JOIN workspaces w ON w.id = i.workspace_id
     WHERE w.slug = $1
       AND ($2::text IS NULL OR i.status = $2)
       AND ($3::text IS NULL OR i.priority = $3)
       AND ($4::text IS NULL OR $4 = ANY (i.labels))
       AND ($5::text IS NULL OR i.title ILIKE '%' || $5 || '%' OR i.description ILIKE '%' || $5 || '%'
            OR upper(i.identifier) = upper($5))
     ORDER BY i.number DESC
     LIMIT $6
    """;

  static final String UPDATE = """
    UPDATE board_issues SET title = $2, description = $3, status = $4, priority = $5, labels = $6, updated_at = now()
     WHERE id = $1
    """;

  static final String PRS = """
    SELECT l.pr_number, l.status, l.strength, l.match_layer, l.match_confidence, l.pr_title, l.pr_url, l.head_ref,
           l.merged_sha, l.merged_at, l.linked_at, r.full_name AS repository
      FROM issue_pull_requests l JOIN repositories r ON r.id = l.repository_id
     WHERE l.issue_id = $1
     ORDER BY l.linked_at, l.pr_number
    """;

  static final String SUGGESTIONS = """
    SELECT s.pr_number, s.pr_title, s.similarity, s.confidence, s.reason, s.created_at, r.full_name AS repository
      FROM issue_suggestions s JOIN repositories r ON r.id = s.repository_id
     WHERE s.issue_id = $1
     ORDER BY s.similarity DESC
    """;

  static final String HISTORY = """
    SELECT id, type, from_value, to_value, pr_number, cause, at FROM issue_history WHERE issue_id = $1 ORDER BY id
    """;

  static final String COMMENTS = """
    SELECT id, author, body, created_at FROM issue_comments WHERE issue_id = $1 ORDER BY id
    """;

  static final String FIX_ATTEMPTS = """
    SELECT a.id, a.pr_number, a.pr_title, a.pr_url, a.merged_sha, a.merged_at, a.status, a.deployed_sha, a.deployed_at,
           a.verification_deadline, a.verified_at, a.failed_at, a.failure_reason, a.failure_events, r.full_name AS repository
      FROM fix_attempts a JOIN repositories r ON r.id = a.repository_id
     WHERE a.issue_id = $1
     ORDER BY a.id
    """;

  /** The latest fix attempt of an issue: the one that governs whether it may be closed by hand. */
  static final String LATEST_ATTEMPT = """
    SELECT status, pr_number FROM fix_attempts WHERE issue_id = $1 ORDER BY id DESC LIMIT 1
    """;

  static final String ALERTS = """
    SELECT id, source, external_id, delivery_id, title, events, failed_attempt_id, received_at
      FROM issue_alerts WHERE issue_id = $1 ORDER BY id
    """;

  static final String ADD_COMMENT = """
    INSERT INTO issue_comments (issue_id, author, body) VALUES ($1, $2, $3) RETURNING id, created_at
    """;

  private IssueQueries() {
  }
}

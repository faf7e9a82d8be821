package dev.hookyard.processors.board;

import dev.hookyard.common.board.PullRequestStates;

/** SQL of board automation. */
final class AutomationQueries {

  /** The workspace's prefix and pull-request settings, what automation last applied for the PR, and how many issues it links. */
  static final String CONTEXT = """
    SELECT w.issue_prefix, w.pr_statuses, g.state, g.pr_updated_at,
           (SELECT count(*) FROM issue_pull_requests l JOIN board_issues i ON i.id = l.issue_id
             WHERE i.workspace_id = w.id AND l.repository_id = $2 AND l.pr_number = $3) AS links
      FROM workspaces w
      LEFT JOIN board_pull_requests g ON g.workspace_id = w.id AND g.repository_id = $2 AND g.pr_number = $3
     WHERE w.id = $1
    """;

  /**
   * Records the PR's phase as applied unless a newer one (or the same one) already was;
   * no row back means this event is stale. Of two with one {@code updated_at} the later
   * phase in {@code $6} ({@code PullRequestStates.PHASES}) wins. The row lock puts
   * automation of one PR in line.
   */
  static final String CLAIM = """
    INSERT INTO board_pull_requests AS g (workspace_id, repository_id, pr_number, state, pr_updated_at)
    VALUES ($1, $2, $3, $4, $5)
    ON CONFLICT (workspace_id, repository_id, pr_number) DO UPDATE
       SET state = EXCLUDED.state, pr_updated_at = EXCLUDED.pr_updated_at, applied_at = now()
     WHERE g.pr_updated_at < EXCLUDED.pr_updated_at
        OR (g.pr_updated_at = EXCLUDED.pr_updated_at
            AND %s)
    RETURNING 1
    """.formatted(PullRequestStates.laterPhaseSql("$6", "EXCLUDED.state", "g.state"));

  /**
   * Issues the PR names or was matched to, plus those it already links, locked in id
   * order. Each of the three is an index lookup: one OR across them would scan every
   * issue of the workspace for each pull request.
   */
  static final String ISSUES = """
    SELECT i.id, i.identifier, i.status, i.priority, i.error_source, i.error_external_id,
           l.status AS link_status, l.strength, l.match_layer, l.match_confidence, l.pr_title
      FROM board_issues i
      LEFT JOIN issue_pull_requests l ON l.issue_id = i.id AND l.repository_id = $2 AND l.pr_number = $3
     WHERE i.workspace_id = $1
       AND i.id IN (SELECT n.id FROM board_issues n WHERE n.workspace_id = $1 AND upper(n.identifier) = ANY ($4::text[])
                    UNION ALL
                    SELECT unnest($5::bigint[])
                    UNION ALL
                    SELECT k.issue_id FROM issue_pull_requests k WHERE k.repository_id = $2 AND k.pr_number = $3)
     ORDER BY i.id
       FOR UPDATE OF i
    """;

  static final String LINK = """
    INSERT INTO issue_pull_requests (issue_id, repository_id, pr_number, pr_title, pr_url, head_ref, merged_sha, merged_at,
                                     status, strength, match_layer, match_confidence)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
    """;

  static final String UPDATE_LINK = """
    UPDATE issue_pull_requests
       SET status = $4, strength = $5, pr_title = $6, pr_url = coalesce($7, pr_url),
           merged_sha = coalesce($8, merged_sha), merged_at = coalesce($9, merged_at), updated_at = now()
     WHERE issue_id = $1 AND repository_id = $2 AND pr_number = $3
    """;

  static final String MOVE = "UPDATE board_issues SET status = $2, updated_at = now() WHERE id = $1";

  /** A candidate kept for a person to judge; true when it is new. */
  static final String SUGGEST = """
    INSERT INTO issue_suggestions (issue_id, repository_id, pr_number, pr_title, similarity, confidence, reason)
    VALUES ($1, $2, $3, $4, $5, $6, $7)
    ON CONFLICT (issue_id, repository_id, pr_number) DO UPDATE
       SET pr_title = EXCLUDED.pr_title, similarity = EXCLUDED.similarity, confidence = EXCLUDED.confidence,
           reason = EXCLUDED.reason
    RETURNING (xmax = 0) AS inserted
    """;

  private AutomationQueries() {
  }
}

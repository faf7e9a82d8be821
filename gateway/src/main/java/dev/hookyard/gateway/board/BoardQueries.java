package dev.hookyard.gateway.board;

/** SQL of the live board: tokens, columns. */
final class BoardQueries {

  static final String CREATE_TOKEN = """
    INSERT INTO board_tokens (workspace_id, token_sha256)
    SELECT id, $2 FROM workspaces WHERE slug = $1
    RETURNING created_at
    """;

  static final String TOKEN_VALID = """
    SELECT 1 FROM board_tokens t JOIN workspaces w ON w.id = t.workspace_id WHERE w.slug = $1 AND t.token_sha256 = $2
    """;

  /** Every issue of the workspace, by number, for the columns. */
  static final String COLUMNS = """
    SELECT i.identifier, i.number, i.title, i.status, i.priority, i.labels, i.error_source
      FROM board_issues i JOIN workspaces w ON w.id = i.workspace_id
     WHERE w.slug = $1
     ORDER BY i.number
    """;

  private BoardQueries() {
  }
}

package dev.hookyard.processors.matching;

/** SQL of the matching verticle and the embedding job. */
final class MatchingQueries {

  /** What an issue's embedding is computed from, and what it was last computed from. */
  static final String ISSUE_TEXT = """
    SELECT title, description, embedded_text, embedding IS NOT NULL AS embedded
      FROM board_issues
     WHERE id = $1
    """;

  /**
   * Stores a vector only if the title and description are still the ones it was
   * computed from: an edit that lands meanwhile would otherwise be hidden behind a
   * stale vector whose {@code embedded_text} looks current.
   */
  static final String STORE_EMBEDDING = """
    UPDATE board_issues
       SET embedding = $2, embedded_text = $3, updated_at = now()
     WHERE id = $1 AND title = $4 AND description IS NOT DISTINCT FROM $5
    """;

  /**
   * A workspace's issues changed since {@code $2}, with the workspace's issue count
   * read in the same statement (one snapshot), so the cache can tell it has missed a
   * deletion or a late commit. Vectors come as a fingerprint only (most changes are
   * moves, whose vector the reader already has); Done issues without one: they are
   * never candidates, only removed from the candidates.
   */
  static final String CHANGED_ISSUES = """
    WITH total AS (SELECT count(*) AS issues FROM board_issues WHERE workspace_id = $1)
    SELECT total.issues, i.id, i.identifier, i.title, i.status, i.updated_at,
           CASE WHEN i.status <> 'Done' THEN md5(i.embedding) END AS vector_md5
      FROM total
      LEFT JOIN board_issues i ON i.workspace_id = $1 AND i.updated_at >= $2
    """;

  /** The vectors a read found new or changed. */
  static final String VECTORS = """
    SELECT id, embedding, md5(embedding) AS vector_md5
      FROM board_issues
     WHERE id = ANY($1) AND status <> 'Done'
    """;

  /** The candidates' current text, for the verifier's prompt. */
  static final String CANDIDATE_TEXTS = """
    SELECT id, identifier, title, description
      FROM board_issues
     WHERE id = ANY($1)
    """;

  private MatchingQueries() {
  }
}

package dev.hookyard.common.board;

/** SQL of issue history, the rows that are the board's messages. */
final class HistoryQueries {

  static final String INSERT = """
    INSERT INTO issue_history (workspace_id, issue_id, type, from_value, to_value, pr_number, cause)
    VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id, at
    """;

  private HistoryQueries() {
  }
}

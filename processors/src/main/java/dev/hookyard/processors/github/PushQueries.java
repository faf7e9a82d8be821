package dev.hookyard.processors.github;

/** SQL of the push processor and the project refreshes it asks for. */
final class PushQueries {

  /** Commits of one push in one statement; a commit seen before is left as it is. */
  static final String INSERT_COMMITS = """
    INSERT INTO commits (repository_id, sha, message, author_name, author_email, author_login, author_user_id, committed_at, ref)
    SELECT $1, u.sha, u.message, u.name, u.email, u.login, u.user_id, u.at, $9
      FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::timestamptz[])
           AS u(sha, message, name, email, login, user_id, at)
    ON CONFLICT (repository_id, sha) DO NOTHING
    """;

  /** Whether repository $1 has a project whose plan is among paths $2, or any project when $3 (a manifest changed). */
  static final String PROJECTS_TOUCHED = """
    SELECT EXISTS (SELECT 1 FROM projects WHERE repository_id = $1 AND ($3 OR plan_path = ANY($2::text[])))
    """;

  /**
   * One update per touched project of repository $1 in workspaces $2: plan among
   * paths $3, or any project when manifests $4 changed. Returns the new updates.
   */
  static final String INSERT_PROJECT_UPDATES = """
    INSERT INTO project_updates (project_id, commit_sha, ref, reason, files, delivery_id)
    SELECT p.id, $5, $6,
           CASE WHEN p.plan_path = ANY($3::text[]) THEN 'plan' ELSE 'manifest' END,
           CASE WHEN p.plan_path = ANY($3::text[]) THEN ARRAY[p.plan_path] ELSE '{}'::text[] END || $4::text[],
           $7
      FROM projects p
     WHERE p.repository_id = $1 AND p.workspace_id = ANY($2::bigint[])
       AND (p.plan_path = ANY($3::text[]) OR cardinality($4::text[]) > 0)
    ON CONFLICT (project_id, commit_sha) DO NOTHING
    RETURNING id, project_id
    """;

  static final String INDEXED_AT = "SELECT indexed_at, default_branch FROM repositories WHERE id = $1";

  /**
   * The index job's work: the newest push ($3, GitHub's push time) is the repository's
   * last push and indexed head ($2); a job for an older push changes neither. The
   * default branch ($4) is kept when the repository did not know it yet.
   */
  static final String MARK_INDEXED = """
    UPDATE repositories
       SET indexed_sha = CASE WHEN indexed_at IS NULL OR indexed_at <= $3 THEN $2 ELSE indexed_sha END,
           indexed_at = greatest(coalesce(indexed_at, $3), $3),
           last_push_at = greatest(coalesce(last_push_at, $3), $3),
           default_branch = coalesce(default_branch, $4), updated_at = now()
     WHERE id = $1 AND (indexed_at IS NULL OR indexed_at <= $3 OR default_branch IS NULL)
    """;

  /** Commits $2 of repository $1 whose size is not known yet, with the repository's name. */
  static final String UNSIZED_COMMITS = """
    SELECT r.full_name, c.sha
      FROM commits c JOIN repositories r ON r.id = c.repository_id
     WHERE c.repository_id = $1 AND c.sha = ANY($2::text[]) AND c.additions IS NULL
    """;

  /** Sizes of commits of repository $1: shas $2, additions $3, deletions $4. */
  static final String SET_COMMIT_SIZES = """
    UPDATE commits c SET additions = u.additions, deletions = u.deletions
      FROM unnest($2::text[], $3::int[], $4::int[]) AS u(sha, additions, deletions)
     WHERE c.repository_id = $1 AND c.sha = u.sha
    """;

  private PushQueries() {
  }
}

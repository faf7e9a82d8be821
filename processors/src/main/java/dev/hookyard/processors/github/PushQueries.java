package dev.hookyard.processors.github;

/** SQL of the push processor and the project refreshes it asks for. */
final class PushQueries {

  /** Commits of many pushes in one statement, each with its repository; a commit seen before is left as it is. */
  static final String INSERT_COMMITS = """
    INSERT INTO commits (repository_id, sha, message, author_name, author_email, author_login, author_user_id, committed_at, ref)
    SELECT u.repository_id, u.sha, u.message, u.name, u.email, u.login, u.user_id, u.at, u.ref
      FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::timestamptz[],
                  $9::text[]) AS u(repository_id, sha, message, name, email, login, user_id, at, ref)
    ON CONFLICT (repository_id, sha) DO NOTHING
    """;

  /** The plan files of the projects of repositories $1: a push touching one, or a manifest, refreshes projects. */
  static final String PROJECT_PLANS = "SELECT repository_id, plan_path FROM projects WHERE repository_id = ANY($1::bigint[])";

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

  static final String INDEXED_AT = "SELECT id, indexed_at, default_branch FROM repositories WHERE id = ANY($1::bigint[])";

  /**
   * The index jobs' work, one row per repository $1: the newest push ($3, GitHub's push
   * time; null: none newer than the indexed one) is its last push and indexed head ($2);
   * an older push changes neither. The default branch ($4) is kept when the repository
   * did not know it yet.
   */
  static final String MARK_INDEXED = """
    UPDATE repositories r
       SET indexed_sha = CASE WHEN u.at IS NOT NULL AND (r.indexed_at IS NULL OR r.indexed_at <= u.at) THEN u.sha ELSE r.indexed_sha END,
           indexed_at = greatest(r.indexed_at, u.at),
           last_push_at = greatest(r.last_push_at, u.at),
           default_branch = coalesce(r.default_branch, u.branch), updated_at = now()
      FROM unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::text[]) AS u(id, sha, at, branch)
     WHERE r.id = u.id AND (r.indexed_at IS NULL OR r.indexed_at <= u.at OR r.default_branch IS NULL)
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

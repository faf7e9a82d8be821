package dev.hookyard.gateway.admin;

/** SQL of the admin routes over workspaces, tracked repositories, projects and users. */
final class TrackingQueries {

  static final String CREATE_WORKSPACE = """
    INSERT INTO workspaces (slug, name, issue_prefix) VALUES ($1, $2, $3)
    RETURNING id, slug, name, issue_prefix, created_at, pr_statuses
    """;

  /** A new name (null: kept) and pull-request settings merged over those stored; a row back when the workspace exists. */
  static final String UPDATE_WORKSPACE = """
    UPDATE workspaces SET name = coalesce($2, name), pr_statuses = pr_statuses || $3::jsonb
     WHERE slug = $1
    RETURNING id
    """;

  static final String WORKSPACE = """
    SELECT w.id, w.slug, w.name, w.issue_prefix, w.created_at, w.pr_statuses,
           coalesce((SELECT array_agg(r.full_name ORDER BY lower(r.full_name))
                       FROM workspace_repositories wr JOIN repositories r ON r.id = wr.repository_id
                      WHERE wr.workspace_id = w.id), '{}') AS repositories
      FROM workspaces w WHERE w.slug = $1
    """;

  /** The live repository of that name, created if unknown; a given default branch is kept. */
  static final String UPSERT_REPOSITORY = """
    INSERT INTO repositories (full_name, default_branch) VALUES ($1, $2)
    ON CONFLICT ((lower(full_name))) WHERE deleted_at IS NULL DO UPDATE
       SET default_branch = coalesce(EXCLUDED.default_branch, repositories.default_branch), updated_at = now()
    RETURNING id
    """;

  static final String TRACK = """
    INSERT INTO workspace_repositories (repository_id, workspace_id, source) VALUES ($1, $2, 'manual')
    ON CONFLICT DO NOTHING RETURNING repository_id
    """;

  static final String UNTRACK = """
    DELETE FROM workspace_repositories wr
     USING workspaces w, repositories r
     WHERE wr.workspace_id = w.id AND wr.repository_id = r.id
       AND w.slug = $1 AND lower(r.full_name) = lower($2) AND r.deleted_at IS NULL
    RETURNING wr.repository_id
    """;

  /** A repository by name: the live one, else the most recently deleted one. */
  static final String REPOSITORY = """
    SELECT r.id, r.github_id, r.full_name, r.default_branch, t.tracked, r.installation_id, r.archived,
           r.deleted_at IS NOT NULL AS deleted, r.last_push_at, r.indexed_sha,
           coalesce((SELECT array_agg(w.slug ORDER BY w.slug)
                       FROM workspace_repositories wr JOIN workspaces w ON w.id = wr.workspace_id
                      WHERE wr.repository_id = r.id), '{}') AS workspaces
      FROM repositories r JOIN repository_tracking t ON t.id = r.id
     WHERE lower(r.full_name) = lower($1)
     ORDER BY (r.deleted_at IS NULL) DESC, r.deleted_at DESC
     LIMIT 1
    """;

  static final String INDEX_JOBS = """
    SELECT id, payload ->> 'commit_sha' AS commit_sha, payload ->> 'ref' AS ref, status, created_at, finished_at
      FROM jobs
     WHERE queue = 'index-repository' AND (payload ->> 'repository_id')::bigint = $1
     ORDER BY created_at DESC, id DESC
     LIMIT $2
    """;

  static final String LINK_INSTALLATION = """
    WITH known AS (INSERT INTO installations (id) VALUES ($1) ON CONFLICT DO NOTHING)
    INSERT INTO workspace_installations (workspace_id, installation_id) VALUES ($2, $1)
    ON CONFLICT DO NOTHING RETURNING workspace_id
    """;

  /** Repositories installation $1 already brought are tracked in workspace $2 at once. */
  static final String TRACK_INSTALLED = """
    INSERT INTO workspace_repositories (repository_id, workspace_id, source)
    SELECT id, $2, 'installation' FROM repositories WHERE installation_id = $1 AND deleted_at IS NULL
    ON CONFLICT DO NOTHING
    """;

  static final String INSTALLED_IN_WORKSPACE = """
    SELECT r.full_name FROM repositories r JOIN workspace_repositories wr ON wr.repository_id = r.id
     WHERE r.installation_id = $1 AND wr.workspace_id = $2 ORDER BY lower(r.full_name)
    """;

  /** A project of workspace $1 on repository $2, which that workspace must track. */
  static final String CREATE_PROJECT = """
    INSERT INTO projects (workspace_id, repository_id, plan_path)
    SELECT w.id, r.id, $3
      FROM workspaces w JOIN workspace_repositories wr ON wr.workspace_id = w.id
      JOIN repositories r ON r.id = wr.repository_id
     WHERE w.slug = $1 AND lower(r.full_name) = lower($2) AND r.deleted_at IS NULL
    RETURNING id, plan_path, created_at, (SELECT full_name FROM repositories WHERE id = repository_id) AS repository
    """;

  static final String PROJECT_UPDATES = """
    SELECT u.id, u.commit_sha, u.ref, u.reason, u.files, u.status, u.status_reason, u.created_at, u.refreshed_at
      FROM project_updates u JOIN projects p ON p.id = u.project_id JOIN workspaces w ON w.id = p.workspace_id
     WHERE w.slug = $1 AND p.id = $2
     ORDER BY u.created_at DESC, u.id DESC
     LIMIT $3
    """;

  /** Project $2 of workspace $1 with its latest progress snapshot (columns s_* null when it has none). */
  static final String PROJECT = """
    SELECT p.id, p.plan_path, p.created_at, p.last_refreshed_sha, p.last_refreshed_at, r.full_name AS repository,
           s.commit_sha AS s_commit_sha, s.total AS s_total, s.done AS s_done, s.phases AS s_phases,
           s.created_at AS s_created_at
      FROM projects p JOIN workspaces w ON w.id = p.workspace_id JOIN repositories r ON r.id = p.repository_id
      LEFT JOIN LATERAL (SELECT * FROM project_snapshots s WHERE s.project_id = p.id ORDER BY s.id DESC LIMIT 1) s ON true
     WHERE w.slug = $1 AND p.id = $2
    """;

  /** Progress snapshots of project $2 of workspace $1, newest first, at most $3. */
  static final String PROJECT_SNAPSHOTS = """
    SELECT s.id, s.commit_sha, s.total, s.done, s.phases, s.created_at
      FROM project_snapshots s JOIN projects p ON p.id = s.project_id JOIN workspaces w ON w.id = p.workspace_id
     WHERE w.slug = $1 AND p.id = $2
     ORDER BY s.id DESC
     LIMIT $3
    """;

  static final String PROJECT_EXISTS = """
    SELECT 1 FROM projects p JOIN workspaces w ON w.id = p.workspace_id WHERE w.slug = $1 AND p.id = $2
    """;

  static final String CREATE_USER = """
    INSERT INTO users (login, name, email, github_id) VALUES ($1, $2, $3, $4)
    RETURNING id, login, name, email, github_id, created_at
    """;

  static final String USERS = "SELECT id, login, name, email, github_id, created_at FROM users ORDER BY lower(login) LIMIT $1";

  static final String DEVELOPER_METRICS = """
    WITH a AS (
      SELECT * FROM developer_activity
       WHERE ($1::bigint IS NULL OR repository_id = $1) AND ($2::date IS NULL OR day >= $2::date)
    )
    SELECT u.id AS user_id, u.login, u.name,
           sum(a.prs_merged)::bigint AS prs_merged, sum(a.issues_closed)::bigint AS issues_closed,
           sum(a.issues_opened)::bigint AS issues_opened, sum(a.commits)::bigint AS commits,
           sum(a.commit_additions)::bigint AS commit_additions, sum(a.commit_deletions)::bigint AS commit_deletions,
           (SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY x))::bigint
              FROM a a2, unnest(a2.pr_cycle_times_s) x WHERE a2.user_id = u.id) AS median_pr_cycle_time_s,
           (SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY x))::bigint
              FROM a a2, unnest(a2.review_turnarounds_s) x WHERE a2.user_id = u.id) AS median_review_turnaround_s,
           (SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY x))::bigint
              FROM a a2, unnest(a2.issue_resolutions_s) x WHERE a2.user_id = u.id) AS median_issue_resolution_s
      FROM a JOIN users u ON u.id = a.user_id
     GROUP BY u.id, u.login, u.name
     ORDER BY prs_merged DESC, lower(u.login)
    """;

  static final String METRICS_COMPUTED_AT = """
    SELECT max(computed_at) AS computed_at FROM developer_metrics_runs WHERE $1::bigint IS NULL OR repository_id = $1
    """;

  static final String METRICS_REPOSITORY = """
    SELECT id, full_name FROM repositories WHERE lower(full_name) = lower($1)
     ORDER BY (deleted_at IS NULL) DESC, deleted_at DESC LIMIT 1
    """;

  private TrackingQueries() {
  }
}

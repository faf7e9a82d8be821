package dev.hookyard.processors.github;

/** SQL over repositories, who tracks them and the users facts name, as the processors use it. */
final class RepositoryQueries {

  /**
   * The repositories webhooks name: for each (GitHub id $1[n], name $2[n]), the row with
   * that GitHub id, else a live row of that name that has not learnt another id, with its
   * tracking state and default branch, answered with its position n (none: never heard of).
   */
  static final String FIND_ALL = """
    SELECT DISTINCT ON (u.n) u.n, r.id, r.github_id, r.full_name, r.default_branch, t.tracked
      FROM unnest($1::bigint[], $2::text[]) WITH ORDINALITY AS u(gid, name, n)
      JOIN repositories r
        ON r.github_id = u.gid OR (r.github_id IS NULL AND r.deleted_at IS NULL AND lower(r.full_name) = lower(u.name))
      JOIN repository_tracking t ON t.id = r.id
     ORDER BY u.n, (r.github_id IS NOT NULL) DESC
    """;

  /**
   * As {@link #FIND_ALL} for the facts of an event (pushes, pull requests, reviews,
   * issues): when the row holding the GitHub id is not tracked but a tracked row known
   * only by the payload's name exists, the tracked row is the one meant (the id was
   * recorded earlier under another name) and it claims the id.
   */
  static final String FIND_ALL_CLAIMING = """
    SELECT DISTINCT ON (u.n) u.n, r.id, r.github_id, r.full_name, r.default_branch, t.tracked
      FROM unnest($1::bigint[], $2::text[]) WITH ORDINALITY AS u(gid, name, n)
      JOIN repositories r
        ON r.github_id = u.gid OR (r.github_id IS NULL AND r.deleted_at IS NULL AND lower(r.full_name) = lower(u.name))
      JOIN repository_tracking t ON t.id = r.id
     ORDER BY u.n, CASE WHEN r.github_id IS NOT NULL AND t.tracked THEN 0
                        WHEN t.tracked THEN 1
                        WHEN r.github_id IS NOT NULL THEN 2
                        ELSE 3 END
    """;

  /** The GitHub id $2 leaves any row but $1: the row claiming it is that repository now. */
  static final String RELEASE_ID = "UPDATE repositories SET github_id = NULL, updated_at = now() WHERE github_id = $2 AND id <> $1";

  /** A row tracked by name learns its GitHub id. */
  static final String LEARN_ID = "UPDATE repositories SET github_id = $2, updated_at = now() WHERE id = $1 AND github_id IS NULL";

  /**
   * GitHub says ids $1 carry names $2: a live row holding one of these names under
   * another id was renamed or deleted unseen, and gives the name up.
   */
  static final String RELEASE_NAMES = """
    UPDATE repositories r SET deleted_at = now(), updated_at = now()
      FROM unnest($1::bigint[], $2::text[]) AS u(gid, name)
     WHERE lower(r.full_name) = lower(u.name) AND r.deleted_at IS NULL
       AND r.github_id IS NOT NULL AND r.github_id <> u.gid
    """;

  /** Rows known only by name learn their ids. */
  static final String LEARN_IDS = """
    UPDATE repositories r SET github_id = u.gid, updated_at = now()
      FROM unnest($1::bigint[], $2::text[]) AS u(gid, name)
     WHERE r.github_id IS NULL AND r.deleted_at IS NULL AND lower(r.full_name) = lower(u.name)
       AND NOT EXISTS (SELECT 1 FROM repositories x WHERE x.github_id = u.gid)
    """;

  /** Upserts repositories of installation $3 (null: leave the installation alone). */
  static final String UPSERT = """
    INSERT INTO repositories (github_id, full_name, installation_id)
    SELECT gid, name, $3 FROM unnest($1::bigint[], $2::text[]) AS u(gid, name)
    ON CONFLICT (github_id) WHERE github_id IS NOT NULL DO UPDATE
       SET full_name = EXCLUDED.full_name,
           installation_id = coalesce(EXCLUDED.installation_id, repositories.installation_id),
           deleted_at = NULL, updated_at = now()
    RETURNING id
    """;

  /** Tracks repositories $1 in every workspace linked to installation $2. */
  static final String TRACK_FOR_INSTALLATION = """
    INSERT INTO workspace_repositories (repository_id, workspace_id, source)
    SELECT r, wi.workspace_id, 'installation'
      FROM unnest($1::bigint[]) AS r, workspace_installations wi
     WHERE wi.installation_id = $2
    ON CONFLICT DO NOTHING
    """;

  /** Undoes installation $2's tracking of repositories $1 and forgets the installation on them. */
  static final String UNTRACK_FOR_INSTALLATION = """
    WITH gone AS (
      DELETE FROM workspace_repositories
       WHERE repository_id = ANY($1::bigint[]) AND source = 'installation'
    )
    UPDATE repositories SET installation_id = NULL, updated_at = now()
     WHERE id = ANY($1::bigint[]) AND installation_id = $2
    """;

  static final String IDS_BY_GITHUB_ID = "SELECT id FROM repositories WHERE github_id = ANY($1::bigint[])";

  static final String IDS_OF_INSTALLATION = "SELECT id FROM repositories WHERE installation_id = $1";

  /** Applies an installation event unless a newer one ($5, GitHub's updated_at) was applied; no row back: stale. */
  static final String UPSERT_INSTALLATION = """
    INSERT INTO installations (id, account_login, suspended_at, deleted_at, event_at)
    VALUES ($1, $2, $3, $4, $5)
    ON CONFLICT (id) DO UPDATE
       SET account_login = coalesce(EXCLUDED.account_login, installations.account_login),
           suspended_at = EXCLUDED.suspended_at, deleted_at = EXCLUDED.deleted_at,
           event_at = coalesce(EXCLUDED.event_at, installations.event_at), updated_at = now()
     WHERE installations.event_at IS NULL OR EXCLUDED.event_at IS NULL OR installations.event_at <= EXCLUDED.event_at
    RETURNING id
    """;

  /** Claims a repository event by its payload time; no row back means a newer one was applied. */
  static final String CLAIM_REPOSITORY_EVENT = """
    UPDATE repositories SET event_at = coalesce($2, event_at)
     WHERE id = $1 AND (event_at IS NULL OR $2::timestamptz IS NULL OR event_at <= $2)
    RETURNING id
    """;

  static final String RENAME = "UPDATE repositories SET full_name = $2, updated_at = now() WHERE id = $1";

  /**
   * Before repository $1 takes name $2: a live row known only by that name is the same
   * repository, tracked under its new name before the rename reached hookyard. Its
   * workspaces and projects move to $1 and it is retired. (A row holding the name
   * under another GitHub id is released by {@link #RELEASE_NAMES}.)
   */
  static final String ABSORB_NAME_HOLDER = """
    WITH holder AS (
      SELECT id FROM repositories
       WHERE lower(full_name) = lower($2) AND deleted_at IS NULL AND github_id IS NULL AND id <> $1
    ), links AS (
      INSERT INTO workspace_repositories (repository_id, workspace_id, source)
      SELECT $1, wr.workspace_id, wr.source FROM workspace_repositories wr WHERE wr.repository_id IN (SELECT id FROM holder)
      ON CONFLICT DO NOTHING
    ), unlinked AS (
      DELETE FROM workspace_repositories WHERE repository_id IN (SELECT id FROM holder)
    ), moved AS (
      UPDATE projects p SET repository_id = $1
       WHERE p.repository_id IN (SELECT id FROM holder)
         AND NOT EXISTS (SELECT 1 FROM projects q
                          WHERE q.repository_id = $1 AND q.workspace_id = p.workspace_id AND q.plan_path = p.plan_path)
    )
    UPDATE repositories SET deleted_at = now(), updated_at = now() WHERE id IN (SELECT id FROM holder)
    """;

  static final String SET_DEFAULT_BRANCH = "UPDATE repositories SET default_branch = $2, updated_at = now() WHERE id = $1";

  static final String SET_ARCHIVED = "UPDATE repositories SET archived = $2, updated_at = now() WHERE id = $1";

  static final String MARK_DELETED = """
    WITH links AS (DELETE FROM workspace_repositories WHERE repository_id = $1)
    UPDATE repositories SET deleted_at = now(), updated_at = now() WHERE id = $1
    """;

  /** Workspaces tracking repository $1, in id order. */
  static final String WORKSPACES = """
    SELECT w.id, w.slug, w.issue_prefix FROM workspace_repositories wr JOIN workspaces w ON w.id = wr.workspace_id
     WHERE wr.repository_id = $1 ORDER BY w.id
    """;

  /** Workspaces tracking each of repositories $1, by repository and then id. */
  static final String WORKSPACES_OF = """
    SELECT wr.repository_id, w.id, w.slug, w.issue_prefix FROM workspace_repositories wr JOIN workspaces w ON w.id = wr.workspace_id
     WHERE wr.repository_id = ANY($1::bigint[]) ORDER BY wr.repository_id, w.id
    """;

  static final String USERS = """
    SELECT 'id:' || github_id AS k, id FROM users WHERE github_id = ANY($1::bigint[])
    UNION ALL
    SELECT 'login:' || lower(login), id FROM users WHERE lower(login) = ANY($2::text[])
    UNION ALL
    SELECT 'email:' || lower(email), min(id) FROM users WHERE lower(email) = ANY($3::text[]) GROUP BY lower(email)
    """;

  private RepositoryQueries() {
  }
}

package dev.hookyard.processors.github;

import dev.hookyard.common.board.PullRequestStates;

import java.time.OffsetDateTime;

/**
 * Upserts of pull requests, reviews and issues. Each is keyed by GitHub's id and
 * guarded by the payload's own {@code updated_at}: an older payload never overwrites
 * a newer row, and of two payloads with the same time the later state wins (pull
 * requests: the phase order of {@code PullRequestStates.PHASES}, bound as a parameter;
 * issues: OPEN &lt; CLOSED). A row comes back only when the payload was applied.
 * Pull requests and issues come many to a statement, as column arrays (see
 * {@link FactRounds}). The last parameter says the jobs are a reprocess of stored history: then a payload of
 * the same time and state as the stored row is applied again, so facts made by an
 * earlier version of the processor are replaced by today's; an older payload still
 * changes nothing.
 */
final class FactQueries {

  /** Column types of {@link #UPSERT_PULL_REQUESTS}, one array each. */
  static final Class<?>[] PULL_REQUEST_COLUMNS = {Long.class, Long.class, Integer.class, String.class, String.class,
    Boolean.class, Long.class, String.class, Long.class, String.class, String.class, String.class, Integer.class,
    Integer.class, Integer.class, Integer.class, OffsetDateTime.class, OffsetDateTime.class, OffsetDateTime.class,
    OffsetDateTime.class, String.class};

  /** Pull requests $1…$21 as column arrays, at most one row per id; $22 the phase order, $23 reprocess. */
  static final String UPSERT_PULL_REQUESTS = """
    INSERT INTO pull_requests AS p (id, repository_id, number, title, state, draft, author_github_id, author_login,
                                    author_user_id, head_ref, head_sha, base_ref, additions, deletions, changed_files,
                                    commits, created_at, updated_at, closed_at, merged_at, cycle_time_s, phase)
    SELECT u.id, u.repository_id, u.number, u.title, u.state, u.draft, u.author_github_id, u.author_login,
           u.author_user_id, u.head_ref, u.head_sha, u.base_ref, u.additions, u.deletions, u.changed_files,
           u.commits, u.created_at, u.updated_at, u.closed_at, u.merged_at,
           CASE WHEN u.merged_at IS NULL THEN NULL ELSE extract(epoch FROM u.merged_at - u.created_at)::bigint END, u.phase
      FROM unnest($1::bigint[], $2::bigint[], $3::int[], $4::text[], $5::text[], $6::boolean[], $7::bigint[], $8::text[],
                  $9::bigint[], $10::text[], $11::text[], $12::text[], $13::int[], $14::int[], $15::int[], $16::int[],
                  $17::timestamptz[], $18::timestamptz[], $19::timestamptz[], $20::timestamptz[], $21::text[])
           AS u(id, repository_id, number, title, state, draft, author_github_id, author_login, author_user_id, head_ref,
                head_sha, base_ref, additions, deletions, changed_files, commits, created_at, updated_at, closed_at,
                merged_at, phase)
    ON CONFLICT (id) DO UPDATE
       SET repository_id = EXCLUDED.repository_id, number = EXCLUDED.number, title = EXCLUDED.title,
           state = EXCLUDED.state, draft = EXCLUDED.draft, author_github_id = EXCLUDED.author_github_id,
           author_login = EXCLUDED.author_login, author_user_id = coalesce(EXCLUDED.author_user_id, p.author_user_id),
           head_ref = EXCLUDED.head_ref, head_sha = EXCLUDED.head_sha, base_ref = EXCLUDED.base_ref,
           additions = coalesce(EXCLUDED.additions, p.additions), deletions = coalesce(EXCLUDED.deletions, p.deletions),
           changed_files = coalesce(EXCLUDED.changed_files, p.changed_files), commits = coalesce(EXCLUDED.commits, p.commits),
           created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at, closed_at = EXCLUDED.closed_at,
           merged_at = EXCLUDED.merged_at, cycle_time_s = EXCLUDED.cycle_time_s, phase = EXCLUDED.phase, stored_at = now()
     WHERE p.updated_at < EXCLUDED.updated_at
        OR (p.updated_at = EXCLUDED.updated_at
            AND %s)
        OR ($23::boolean AND p.updated_at = EXCLUDED.updated_at AND p.state = EXCLUDED.state)
    RETURNING p.id
    """.formatted(PullRequestStates.laterPhaseSql("$22", "EXCLUDED.phase", "coalesce(p.phase, p.state)"));

  /**
   * A review, keyed by its id. A dismissal is final: a late {@code submitted} for a
   * dismissed review keeps it dismissed. Turnaround counts only reviews of someone else's PR.
   */
  static final String UPSERT_REVIEW = """
    INSERT INTO pull_request_reviews AS r (id, pull_request_id, repository_id, reviewer_github_id, reviewer_login,
                                           reviewer_user_id, state, submitted_at, pr_created_at, turnaround_s, dismissed)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,
            CASE WHEN $8::timestamptz IS NULL OR $9::timestamptz IS NULL OR $10 THEN NULL
                 ELSE greatest(0, extract(epoch FROM $8::timestamptz - $9::timestamptz))::bigint END,
            $11)
    ON CONFLICT (id) DO UPDATE
       SET state = CASE WHEN r.dismissed THEN r.state ELSE EXCLUDED.state END,
           dismissed = r.dismissed OR EXCLUDED.dismissed,
           reviewer_user_id = coalesce(EXCLUDED.reviewer_user_id, r.reviewer_user_id),
           submitted_at = coalesce(r.submitted_at, EXCLUDED.submitted_at),
           pr_created_at = coalesce(r.pr_created_at, EXCLUDED.pr_created_at),
           turnaround_s = coalesce(r.turnaround_s, EXCLUDED.turnaround_s), stored_at = now()
    RETURNING r.id
    """;

  /** Column types of {@link #UPSERT_ISSUES}, one array each. */
  static final Class<?>[] ISSUE_COLUMNS = {Long.class, Long.class, Integer.class, String.class, String.class, String.class,
    Long.class, String.class, Long.class, String.class, Long.class, OffsetDateTime.class, OffsetDateTime.class,
    OffsetDateTime.class, OffsetDateTime.class, Long.class};

  /** Issues $1…$16 as column arrays, at most one row per id; $17 reprocess. */
  static final String UPSERT_ISSUES = """
    INSERT INTO repository_issues AS i (id, repository_id, number, title, state, state_reason, author_github_id,
                                        author_login, resolver_github_id, resolver_login, resolver_user_id,
                                        created_at, updated_at, closed_at, resolution_s, deleted_at, author_user_id)
    SELECT u.id, u.repository_id, u.number, u.title, u.state, u.state_reason, u.author_github_id, u.author_login,
           u.resolver_github_id, u.resolver_login, u.resolver_user_id, u.created_at, u.updated_at, u.closed_at,
           CASE WHEN u.closed_at IS NULL THEN NULL ELSE extract(epoch FROM u.closed_at - u.created_at)::bigint END,
           u.deleted_at, u.author_user_id
      FROM unnest($1::bigint[], $2::bigint[], $3::int[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[],
                  $9::bigint[], $10::text[], $11::bigint[], $12::timestamptz[], $13::timestamptz[], $14::timestamptz[],
                  $15::timestamptz[], $16::bigint[])
           AS u(id, repository_id, number, title, state, state_reason, author_github_id, author_login, resolver_github_id,
                resolver_login, resolver_user_id, created_at, updated_at, closed_at, deleted_at, author_user_id)
    ON CONFLICT (id) DO UPDATE
       SET title = EXCLUDED.title, author_user_id = coalesce(EXCLUDED.author_user_id, i.author_user_id), state = EXCLUDED.state, state_reason = EXCLUDED.state_reason,
           resolver_github_id = EXCLUDED.resolver_github_id, resolver_login = EXCLUDED.resolver_login,
           resolver_user_id = EXCLUDED.resolver_user_id, created_at = EXCLUDED.created_at,
           updated_at = EXCLUDED.updated_at, closed_at = EXCLUDED.closed_at, resolution_s = EXCLUDED.resolution_s,
           deleted_at = coalesce(EXCLUDED.deleted_at, i.deleted_at), stored_at = now()
     WHERE i.updated_at < EXCLUDED.updated_at
        OR (i.updated_at = EXCLUDED.updated_at AND (EXCLUDED.deleted_at IS NOT NULL
            OR array_position(ARRAY['OPEN', 'CLOSED'], EXCLUDED.state) > array_position(ARRAY['OPEN', 'CLOSED'], i.state)))
        OR ($17::boolean AND i.updated_at = EXCLUDED.updated_at AND i.state = EXCLUDED.state AND i.deleted_at IS NULL)
    RETURNING i.id
    """;

  private FactQueries() {
  }
}

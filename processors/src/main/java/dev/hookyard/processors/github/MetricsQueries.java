package dev.hookyard.processors.github;

/** SQL of the developer-metrics rollup: of every day of a repository, or of the days whose facts changed. */
final class MetricsQueries {

  /**
   * Rebuilds repository $1's rollup from its facts: of every day, or of days $2 alone
   * ({@code onDays}; run after the matching delete, in one transaction). A review counts
   * if it is its reviewer's first of the pull request (of two at one time, the lower id):
   * each review of the days is checked against that reviewer's others of the pull
   * request, so the days are picked first and read through their indexes (V18), and a
   * rollup of a few days reads those days' facts, not the repository's history. Commits
   * are counted by author and day before their authors are looked up and the facts
   * merged: a busy repository's days hold hundreds of thousands of commits of a few
   * authors, and merging them one by one sorted all of them on disk.
   */
  private static String rollUp(boolean onDays) {
    String commitDay = "(coalesce(c.committed_at, c.created_at) AT TIME ZONE 'UTC')::date";
    return """
      WITH facts AS (
        SELECT coalesce(p.author_user_id, """ + userOf("p.author_github_id", "p.author_login") + """
               ) AS user_id, (p.merged_at AT TIME ZONE 'UTC')::date AS day,
               1 AS merged, p.cycle_time_s AS cycle, NULL::bigint AS review, 0 AS closed, NULL::bigint AS resolution,
               0 AS opened, 0 AS commits, 0::bigint AS additions, 0::bigint AS deletions
          FROM pull_requests p
         WHERE p.repository_id = $1 AND p.state = 'MERGED'""" + onDay(onDays, "(p.merged_at AT TIME ZONE 'UTC')::date") + """

        UNION ALL
        SELECT coalesce(r.reviewer_user_id, """ + userOf("r.reviewer_github_id", "r.reviewer_login") + """
               ), (r.submitted_at AT TIME ZONE 'UTC')::date, 0, NULL, r.turnaround_s, 0, NULL, 0, 0, 0, 0
          FROM pull_request_reviews r
         WHERE r.repository_id = $1 AND r.turnaround_s IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM pull_request_reviews e
                            WHERE e.pull_request_id = r.pull_request_id
                              AND e.reviewer_github_id IS NOT DISTINCT FROM r.reviewer_github_id
                              AND e.turnaround_s IS NOT NULL
                              AND (e.submitted_at < r.submitted_at OR (e.submitted_at = r.submitted_at AND e.id < r.id)))"""
      + onDay(onDays, "(r.submitted_at AT TIME ZONE 'UTC')::date") + """

        UNION ALL
        SELECT coalesce(i.resolver_user_id, """ + userOf("i.resolver_github_id", "i.resolver_login") + """
               ), (i.closed_at AT TIME ZONE 'UTC')::date, 0, NULL, NULL, 1, i.resolution_s, 0, 0, 0, 0
          FROM repository_issues i
         WHERE i.repository_id = $1 AND i.state = 'CLOSED' AND i.deleted_at IS NULL AND i.closed_at IS NOT NULL"""
      + onDay(onDays, "(i.closed_at AT TIME ZONE 'UTC')::date") + """

        UNION ALL
        SELECT coalesce(i.author_user_id, """ + userOf("i.author_github_id", "i.author_login") + """
               ), (i.created_at AT TIME ZONE 'UTC')::date, 0, NULL, NULL, 0, NULL, 1, 0, 0, 0
          FROM repository_issues i
         WHERE i.repository_id = $1 AND i.deleted_at IS NULL""" + onDay(onDays, "(i.created_at AT TIME ZONE 'UTC')::date") + """

        UNION ALL
        SELECT coalesce(c.author_user_id,
                        (SELECT u.id FROM users u WHERE lower(u.login) = lower(c.author_login) LIMIT 1),
                        (SELECT u.id FROM users u WHERE lower(u.email) = lower(c.author_email) ORDER BY u.id LIMIT 1)),
               c.day, 0, NULL, NULL, 0, NULL, 0, c.commits, c.additions, c.deletions
          FROM (SELECT c.author_user_id, c.author_login, c.author_email, """ + commitDay + " AS day," + """

                       count(*)::int AS commits, sum(coalesce(c.additions, 0))::bigint AS additions,
                       sum(coalesce(c.deletions, 0))::bigint AS deletions
                  FROM commits c
                 WHERE c.repository_id = $1""" + onDay(onDays, commitDay) + """

                 GROUP BY 1, 2, 3, 4) c
      )
      INSERT INTO developer_activity (repository_id, user_id, day, prs_merged, pr_cycle_times_s, review_turnarounds_s,
                                      issues_closed, issue_resolutions_s, issues_opened, commits, commit_additions,
                                      commit_deletions)
      SELECT $1, user_id, day, sum(merged),
             coalesce(array_agg(cycle) FILTER (WHERE cycle IS NOT NULL), '{}'),
             coalesce(array_agg(review) FILTER (WHERE review IS NOT NULL), '{}'),
             sum(closed),
             coalesce(array_agg(resolution) FILTER (WHERE resolution IS NOT NULL), '{}'),
             sum(opened), sum(commits), sum(additions), sum(deletions)
        FROM facts WHERE user_id IS NOT NULL AND day IS NOT NULL
       GROUP BY user_id, day
      """;
  }

  private static String onDay(boolean onDays, String day) {
    return onDays ? " AND " + day + " = ANY($2::date[])" : "";
  }

  /** Every day of the repository's rollup. */
  static final String ROLL_UP = rollUp(false);

  /** Days $2 of the repository's rollup. */
  static final String ROLL_UP_DAYS = rollUp(true);

  static final String CLEAR = "DELETE FROM developer_activity WHERE repository_id = $1";

  static final String CLEAR_DAYS = "DELETE FROM developer_activity WHERE repository_id = $1 AND day = ANY($2::date[])";

  /**
   * Starts repository $1's run: its row locked for the transaction (a second run of the
   * repository waits), and whether this run rebuilds every day (its first run, or users
   * changed since the last).
   */
  static final String START_RUN = """
    INSERT INTO developer_metrics_runs AS r (repository_id, computed_at, full_rollup) VALUES ($1, now(), true)
    ON CONFLICT (repository_id) DO UPDATE SET computed_at = EXCLUDED.computed_at
    RETURNING r.full_rollup
    """;

  /** The days whose facts changed since repository $1's last run, taken out of the list. */
  static final String TAKE_DAYS = """
    WITH taken AS (DELETE FROM developer_activity_dirty WHERE repository_id = $1 RETURNING day)
    SELECT DISTINCT day FROM taken
    """;

  static final String END_RUN = "UPDATE developer_metrics_runs SET full_rollup = false WHERE repository_id = $1";

  /** The internal user of a fact stored without one: by GitHub id, else by login. */
  private static String userOf(String githubId, String login) {
    return "(SELECT u.id FROM users u WHERE u.github_id = " + githubId + " OR lower(u.login) = lower(" + login + ")"
      + " ORDER BY (u.github_id = " + githubId + ") DESC NULLS LAST LIMIT 1)";
  }

  private MetricsQueries() {
  }
}

package dev.hookyard.common.github;

/** SQL the GitHub client needs: which installation of the App a repository comes through. */
final class GitHubQueries {

  /** The installation of repository $1 (by full name, any case), if one is known and not suspended or deleted. */
  static final String INSTALLATION_OF = """
    SELECT r.installation_id
      FROM repositories r
      LEFT JOIN installations i ON i.id = r.installation_id
     WHERE lower(r.full_name) = lower($1) AND r.deleted_at IS NULL AND r.installation_id IS NOT NULL
       AND i.suspended_at IS NULL AND i.deleted_at IS NULL
     LIMIT 1
    """;

  private GitHubQueries() {
  }
}

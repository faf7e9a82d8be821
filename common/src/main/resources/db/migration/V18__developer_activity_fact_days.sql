-- The facts of a day, as the developer-metrics rollup reads them, so a rollup of the days
-- that changed reads only those days' pull requests, reviews and issues, as commits_day
-- does for commits: before these, each rollup read every pull request, review and issue
-- the repository ever had, and grew with its history.
CREATE INDEX pull_requests_merged_day ON pull_requests (repository_id, ((merged_at AT TIME ZONE 'UTC')::date))
  WHERE state = 'MERGED';
CREATE INDEX pull_request_reviews_day ON pull_request_reviews (repository_id, ((submitted_at AT TIME ZONE 'UTC')::date))
  WHERE turnaround_s IS NOT NULL;
CREATE INDEX repository_issues_closed_day ON repository_issues (repository_id, ((closed_at AT TIME ZONE 'UTC')::date))
  WHERE state = 'CLOSED' AND deleted_at IS NULL AND closed_at IS NOT NULL;
CREATE INDEX repository_issues_opened_day ON repository_issues (repository_id, ((created_at AT TIME ZONE 'UTC')::date))
  WHERE deleted_at IS NULL;

-- Developer activity is rolled up again only for the days whose facts changed, not for a
-- repository's whole history. The fact tables' statement triggers write the days that a
-- statement touched (a row's day before and after it changed) to developer_activity_dirty;
-- the developer-metrics job takes them out and rebuilds those days. The table has no key:
-- concurrent transactions that touch one day append a row each and never wait on each other.
CREATE TABLE developer_activity_dirty (
  repository_id bigint NOT NULL REFERENCES repositories ON DELETE CASCADE,
  day           date NOT NULL
);
CREATE INDEX developer_activity_dirty_repository ON developer_activity_dirty (repository_id);

-- A repository's next rollup rebuilds every day: its first one, and any after users
-- changed (facts stored without a user are attributed by GitHub id, login or email when
-- rolled up, so a new user may claim facts of any day).
ALTER TABLE developer_metrics_runs ADD COLUMN full_rollup boolean NOT NULL DEFAULT true;

-- A commit's day, as the rollup reads it, so the rollup of a few days reads only their commits.
CREATE INDEX commits_day ON commits (repository_id, ((coalesce(committed_at, created_at) AT TIME ZONE 'UTC')::date));

CREATE FUNCTION developer_days_of_commits() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO developer_activity_dirty (repository_id, day)
  SELECT DISTINCT repository_id, (coalesce(committed_at, created_at) AT TIME ZONE 'UTC')::date FROM new_rows;
  RETURN NULL;
END $$;
CREATE TRIGGER commits_developer_days_insert AFTER INSERT ON commits
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION developer_days_of_commits();
CREATE TRIGGER commits_developer_days_update AFTER UPDATE ON commits
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION developer_days_of_commits();

-- Pull requests count on the day they were merged.
CREATE FUNCTION developer_days_of_pull_requests() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    INSERT INTO developer_activity_dirty (repository_id, day)
    SELECT DISTINCT repository_id, (merged_at AT TIME ZONE 'UTC')::date FROM old_rows WHERE state = 'MERGED' AND merged_at IS NOT NULL;
  END IF;
  INSERT INTO developer_activity_dirty (repository_id, day)
  SELECT DISTINCT repository_id, (merged_at AT TIME ZONE 'UTC')::date FROM new_rows WHERE state = 'MERGED' AND merged_at IS NOT NULL;
  RETURN NULL;
END $$;
CREATE TRIGGER pull_requests_developer_days_insert AFTER INSERT ON pull_requests
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION developer_days_of_pull_requests();
CREATE TRIGGER pull_requests_developer_days_update AFTER UPDATE ON pull_requests
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION developer_days_of_pull_requests();

-- A review counts on its day if it is its reviewer's first of the pull request, so a
-- review changes the days of every review of that reviewer and pull request.
CREATE FUNCTION developer_days_of_reviews() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    INSERT INTO developer_activity_dirty (repository_id, day)
    SELECT DISTINCT repository_id, (submitted_at AT TIME ZONE 'UTC')::date FROM old_rows WHERE submitted_at IS NOT NULL;
  END IF;
  INSERT INTO developer_activity_dirty (repository_id, day)
  SELECT DISTINCT r.repository_id, (r.submitted_at AT TIME ZONE 'UTC')::date
    FROM (SELECT DISTINCT pull_request_id, reviewer_github_id FROM new_rows) n
    JOIN pull_request_reviews r ON r.pull_request_id = n.pull_request_id
                               AND r.reviewer_github_id IS NOT DISTINCT FROM n.reviewer_github_id
   WHERE r.submitted_at IS NOT NULL;
  RETURN NULL;
END $$;
CREATE TRIGGER pull_request_reviews_developer_days_insert AFTER INSERT ON pull_request_reviews
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION developer_days_of_reviews();
CREATE TRIGGER pull_request_reviews_developer_days_update AFTER UPDATE ON pull_request_reviews
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION developer_days_of_reviews();

-- Issues count on the day they were opened and, once closed, on the day they were closed.
CREATE FUNCTION developer_days_of_issues() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    INSERT INTO developer_activity_dirty (repository_id, day)
    SELECT repository_id, (created_at AT TIME ZONE 'UTC')::date FROM old_rows
    UNION
    SELECT repository_id, (closed_at AT TIME ZONE 'UTC')::date FROM old_rows WHERE closed_at IS NOT NULL;
  END IF;
  INSERT INTO developer_activity_dirty (repository_id, day)
  SELECT repository_id, (created_at AT TIME ZONE 'UTC')::date FROM new_rows
  UNION
  SELECT repository_id, (closed_at AT TIME ZONE 'UTC')::date FROM new_rows WHERE closed_at IS NOT NULL;
  RETURN NULL;
END $$;
CREATE TRIGGER repository_issues_developer_days_insert AFTER INSERT ON repository_issues
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION developer_days_of_issues();
CREATE TRIGGER repository_issues_developer_days_update AFTER UPDATE ON repository_issues
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION developer_days_of_issues();

-- A user added, changed or removed may claim or give up facts of any day.
CREATE FUNCTION developer_days_of_users() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE developer_metrics_runs SET full_rollup = true WHERE NOT full_rollup;
  RETURN NULL;
END $$;
CREATE TRIGGER users_developer_days AFTER INSERT OR UPDATE OR DELETE ON users
  FOR EACH STATEMENT EXECUTE FUNCTION developer_days_of_users();

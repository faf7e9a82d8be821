-- The facts written for every delivery no longer check their repository row on insert.
-- Each check is a `SELECT 1 ... FOR KEY SHARE` of that row: in a monorepo every commit,
-- pull request, review and issue of every lane locks the same row, and the row lock of
-- many concurrent transactions is a multixact rebuilt by each new locker (0.03-0.05 ms a
-- check against 0.004 ms for the same check spread over users' rows; 69,653 checks in
-- one 30,000-delivery monorepo run). Repository ids in facts come only from resolving
-- the repository's row, and a repository row is never deleted (a repository GitHub
-- deletes is marked: deleted_at), so the checks guarded nothing the code writes. That
-- rule is now the database's: deleting a repository row is refused, and no fact can lose
-- its repository. Tables written once per repository or per workspace keep their keys.
ALTER TABLE commits DROP CONSTRAINT commits_repository_id_fkey;
ALTER TABLE pull_requests DROP CONSTRAINT pull_requests_repository_id_fkey;
ALTER TABLE pull_request_reviews DROP CONSTRAINT pull_request_reviews_repository_id_fkey;
ALTER TABLE repository_issues DROP CONSTRAINT repository_issues_repository_id_fkey;
ALTER TABLE board_pull_requests DROP CONSTRAINT board_pull_requests_repository_id_fkey;
ALTER TABLE issue_pull_requests DROP CONSTRAINT issue_pull_requests_repository_id_fkey;
ALTER TABLE developer_activity_dirty DROP CONSTRAINT developer_activity_dirty_repository_id_fkey;

CREATE FUNCTION repositories_are_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'repositories are never deleted: facts refer to them; set deleted_at instead'
    USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER repositories_are_kept BEFORE DELETE OR TRUNCATE ON repositories
  FOR EACH STATEMENT EXECUTE FUNCTION repositories_are_kept();

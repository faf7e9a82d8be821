-- How a workspace's board reads pull-request states: for each event (draft, opened,
-- ready_for_review, review_requested, merged) the status a closing PR moves its issues
-- to. Only what a workspace changed is stored (a key set to null moves nothing); the
-- defaults live beside their keys in PullRequestStates.
ALTER TABLE workspaces ADD COLUMN pr_statuses jsonb NOT NULL DEFAULT '{}';

-- A PR's phase (DRAFT, OPEN, REVIEW, CLOSED, MERGED) tells two payloads with the same
-- updated_at apart: GitHub sends opened and review_requested with one time. NULL on
-- rows stored before: their state stands in for it.
ALTER TABLE pull_requests ADD COLUMN phase text;

-- A linked PR may be a draft.
ALTER TABLE issue_pull_requests DROP CONSTRAINT issue_pull_requests_status_check;
ALTER TABLE issue_pull_requests ADD CONSTRAINT issue_pull_requests_status_check
  CHECK (status IN ('open', 'draft', 'closed', 'merged'));

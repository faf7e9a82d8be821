-- A project's refresh says how it ended: refreshed (the plan was read), skipped (no
-- GitHub credentials for the repository) or not_found (no plan file at that commit),
-- with the reason for the last two.
ALTER TABLE project_updates DROP CONSTRAINT project_updates_status_check;
ALTER TABLE project_updates ADD CONSTRAINT project_updates_status_check
  CHECK (status IN ('pending', 'refreshed', 'skipped', 'not_found'));
ALTER TABLE project_updates ADD COLUMN status_reason text;

-- The progress a plan's Markdown task lists showed at a commit: one snapshot per
-- refresh that read the plan. phases: [{"name","total","done"}] in the plan's order.
CREATE TABLE project_snapshots (
  id                bigserial PRIMARY KEY,
  project_id        bigint NOT NULL REFERENCES projects ON DELETE CASCADE,
  project_update_id bigint NOT NULL UNIQUE REFERENCES project_updates ON DELETE CASCADE,
  commit_sha        text NOT NULL,
  total             integer NOT NULL,
  done              integer NOT NULL,
  phases            jsonb NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX project_snapshots_project ON project_snapshots (project_id, id DESC);

-- Issue authors mapped to internal users, as pull-request authors are.
ALTER TABLE repository_issues ADD COLUMN author_user_id bigint REFERENCES users ON DELETE SET NULL;

-- A commit's size, read from GitHub's API after the push (null until then).
ALTER TABLE commits ADD COLUMN additions integer, ADD COLUMN deletions integer;

ALTER TABLE developer_activity
  ADD COLUMN issues_opened    integer NOT NULL DEFAULT 0,
  ADD COLUMN commits          integer NOT NULL DEFAULT 0,
  ADD COLUMN commit_additions bigint NOT NULL DEFAULT 0,
  ADD COLUMN commit_deletions bigint NOT NULL DEFAULT 0;

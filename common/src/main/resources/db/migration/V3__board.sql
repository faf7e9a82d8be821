-- The board: a workspace's own issues, identified <issue_prefix>-<number>.
-- next_issue_number is taken under the workspace row's lock in the transaction that
-- inserts the issue, so numbers are sequential with no gaps and no duplicates.
ALTER TABLE workspaces ADD COLUMN next_issue_number integer NOT NULL DEFAULT 1;

CREATE TABLE board_issues (
  id                bigserial PRIMARY KEY,
  workspace_id      bigint NOT NULL REFERENCES workspaces ON DELETE CASCADE,
  number            integer NOT NULL,
  identifier        text NOT NULL,
  title             text NOT NULL,
  description       text,
  status            text NOT NULL DEFAULT 'Backlog'
                    CHECK (status IN ('Backlog', 'Investigating', 'Needs Review', 'In Progress', 'In Review', 'Done')),
  priority          text NOT NULL DEFAULT 'P2' CHECK (priority IN ('P0', 'P1', 'P2', 'P3', 'P4')),
  labels            text[] NOT NULL DEFAULT '{}',
  error_source      text CHECK (error_source IN ('sentry', 'loki')),
  error_external_id text,
  -- all-MiniLM-L6-v2 vector of title and description (384 float32, little-endian),
  -- and the text it was computed from: a retitle makes them disagree until recomputed.
  embedding         bytea,
  embedded_text     text,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, number),
  CHECK ((error_source IS NULL) = (error_external_id IS NULL))
);
CREATE UNIQUE INDEX board_issues_identifier ON board_issues (workspace_id, upper(identifier));
CREATE INDEX board_issues_status ON board_issues (workspace_id, status, number);
-- The matcher's cache catches up on what changed since it last looked.
CREATE INDEX board_issues_updated ON board_issues (workspace_id, updated_at);
CREATE INDEX board_issues_error_source ON board_issues (error_source, error_external_id) WHERE error_source IS NOT NULL;

-- A pull request linked to an issue. status follows the PR (open, closed unmerged,
-- merged); strength says whether merging it closes the issue ('closes') or not ('refs').
CREATE TABLE issue_pull_requests (
  issue_id         bigint NOT NULL REFERENCES board_issues ON DELETE CASCADE,
  repository_id    bigint NOT NULL REFERENCES repositories ON DELETE CASCADE,
  pr_number        integer NOT NULL,
  pr_title         text,
  pr_url           text,
  head_ref         text,
  merged_sha       text,
  merged_at        timestamptz,
  status           text NOT NULL CHECK (status IN ('open', 'closed', 'merged')),
  strength         text NOT NULL CHECK (strength IN ('closes', 'refs')),
  match_layer      text NOT NULL CHECK (match_layer IN ('explicit', 'semantic', 'llm', 'release')),
  match_confidence integer NOT NULL,
  linked_at        timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (issue_id, repository_id, pr_number)
);
CREATE INDEX issue_pull_requests_pr ON issue_pull_requests (repository_id, pr_number);

-- Semantic candidates that were not linked (no verifier, breaker open, or too little
-- confidence): shown on the issue for a person to judge.
CREATE TABLE issue_suggestions (
  issue_id      bigint NOT NULL REFERENCES board_issues ON DELETE CASCADE,
  repository_id bigint NOT NULL REFERENCES repositories ON DELETE CASCADE,
  pr_number     integer NOT NULL,
  pr_title      text,
  similarity    real NOT NULL,
  confidence    integer,
  reason        text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (issue_id, repository_id, pr_number)
);

-- What board automation last applied for a pull request in a workspace: an event
-- whose PR updated_at is older than this changes nothing (ordering guard), and the
-- row's lock serialises automation of one PR.
CREATE TABLE board_pull_requests (
  workspace_id  bigint NOT NULL REFERENCES workspaces ON DELETE CASCADE,
  repository_id bigint NOT NULL REFERENCES repositories ON DELETE CASCADE,
  pr_number     integer NOT NULL,
  state         text NOT NULL,
  pr_updated_at timestamptz NOT NULL,
  applied_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, repository_id, pr_number)
);

-- Every change to an issue, with its cause. Each row is also one board message on
-- board.<workspace>; its id is the Server-Sent Events id a client resumes from.
CREATE TABLE issue_history (
  id           bigserial PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces ON DELETE CASCADE,
  issue_id     bigint NOT NULL REFERENCES board_issues ON DELETE CASCADE,
  type         text NOT NULL,
  from_value   text,
  to_value     text,
  pr_number    integer,
  cause        jsonb NOT NULL DEFAULT '{}',
  at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX issue_history_issue ON issue_history (issue_id, id);
CREATE INDEX issue_history_workspace ON issue_history (workspace_id, id);

CREATE TABLE issue_comments (
  id         bigserial PRIMARY KEY,
  issue_id   bigint NOT NULL REFERENCES board_issues ON DELETE CASCADE,
  author     text NOT NULL,
  body       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX issue_comments_issue ON issue_comments (issue_id, id);

-- Read-only board tokens, one workspace each; only their SHA-256 is kept.
CREATE TABLE board_tokens (
  id           bigserial PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces ON DELETE CASCADE,
  token_sha256 bytea NOT NULL UNIQUE,
  created_at   timestamptz NOT NULL DEFAULT now()
);

-- Workspaces: a team's board and the repositories it follows.
CREATE TABLE workspaces (
  id           bigserial PRIMARY KEY,
  slug         text NOT NULL UNIQUE,
  name         text NOT NULL,
  issue_prefix text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);

-- GitHub App installations, as their webhooks describe them.
CREATE TABLE installations (
  id            bigint PRIMARY KEY,              -- GitHub's installation id
  account_login text,
  suspended_at  timestamptz,
  deleted_at    timestamptz,
  updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Every repository hookyard has heard of, tracked or not. github_id is learnt from
-- the first webhook that names the repository; until then it is known by full name.
CREATE TABLE repositories (
  id              bigserial PRIMARY KEY,
  github_id       bigint,
  full_name       text NOT NULL,
  default_branch  text,
  installation_id bigint,
  archived        boolean NOT NULL DEFAULT false,
  deleted_at      timestamptz,
  last_push_at    timestamptz,
  indexed_sha     text,
  indexed_at      timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
-- A partial unique index, not a constraint: learning a repository's id then takes a
-- row lock that does not conflict with the key-share locks of concurrent inserts
-- referencing the repository (commits, pull requests), so they cannot deadlock.
CREATE UNIQUE INDEX repositories_github_id ON repositories (github_id) WHERE github_id IS NOT NULL;
-- GitHub names are case-insensitive; a deleted repository gives its name up.
CREATE UNIQUE INDEX repositories_full_name ON repositories (lower(full_name)) WHERE deleted_at IS NULL;
CREATE INDEX repositories_installation ON repositories (installation_id) WHERE installation_id IS NOT NULL;

-- A workspace's link to an installation: repositories the installation adds are tracked there.
CREATE TABLE workspace_installations (
  workspace_id    bigint NOT NULL REFERENCES workspaces ON DELETE CASCADE,
  installation_id bigint NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, installation_id)
);
CREATE INDEX workspace_installations_installation ON workspace_installations (installation_id);

-- Which workspaces track which repositories; source says whether an admin or an
-- installation put it there (removing an installation only undoes its own links).
CREATE TABLE workspace_repositories (
  repository_id bigint NOT NULL REFERENCES repositories ON DELETE CASCADE,
  workspace_id  bigint NOT NULL REFERENCES workspaces ON DELETE CASCADE,
  source        text NOT NULL CHECK (source IN ('manual', 'installation')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (repository_id, workspace_id)
);
CREATE INDEX workspace_repositories_workspace ON workspace_repositories (workspace_id);

-- A repository is tracked while a workspace follows it, it is neither archived nor
-- deleted, and the installation it comes through is not suspended.
CREATE VIEW repository_tracking AS
SELECT r.id,
       EXISTS (SELECT 1 FROM workspace_repositories w WHERE w.repository_id = r.id)
       AND NOT r.archived AND r.deleted_at IS NULL
       AND NOT EXISTS (SELECT 1 FROM installations i
                        WHERE i.id = r.installation_id AND i.suspended_at IS NOT NULL) AS tracked
  FROM repositories r;

-- Internal users; GitHub activity is attributed to them by GitHub id, login or email.
CREATE TABLE users (
  id         bigserial PRIMARY KEY,
  login      text NOT NULL,
  name       text,
  email      text,
  github_id  bigint UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_login ON users (lower(login));
CREATE INDEX users_email ON users (lower(email)) WHERE email IS NOT NULL;

-- A project: a plan file in a tracked repository, refreshed when it or a manifest changes.
CREATE TABLE projects (
  id                bigserial PRIMARY KEY,
  workspace_id      bigint NOT NULL REFERENCES workspaces ON DELETE CASCADE,
  repository_id     bigint NOT NULL REFERENCES repositories ON DELETE CASCADE,
  plan_path         text NOT NULL,
  last_refreshed_sha text,
  last_refreshed_at timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, repository_id, plan_path)
);
CREATE INDEX projects_repository ON projects (repository_id);

CREATE TABLE project_updates (
  id           bigserial PRIMARY KEY,
  project_id   bigint NOT NULL REFERENCES projects ON DELETE CASCADE,
  commit_sha   text NOT NULL,
  ref          text NOT NULL,
  reason       text NOT NULL CHECK (reason IN ('plan', 'manifest')),
  files        text[] NOT NULL,
  delivery_id  text,
  status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'refreshed')),
  created_at   timestamptz NOT NULL DEFAULT now(),
  refreshed_at timestamptz,
  UNIQUE (project_id, commit_sha)
);

-- Commits seen in pushes to default branches of tracked repositories.
CREATE TABLE commits (
  repository_id  bigint NOT NULL REFERENCES repositories ON DELETE CASCADE,
  sha            text NOT NULL,
  message        text,
  author_name    text,
  author_email   text,
  author_login   text,
  author_user_id bigint REFERENCES users ON DELETE SET NULL,
  committed_at   timestamptz,
  ref            text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (repository_id, sha)
);

-- Pull requests keyed by GitHub's id. updated_at is GitHub's: a payload older than
-- the stored row never overwrites it.
CREATE TABLE pull_requests (
  id               bigint PRIMARY KEY,
  repository_id    bigint NOT NULL REFERENCES repositories ON DELETE CASCADE,
  number           integer NOT NULL,
  title            text,
  state            text NOT NULL CHECK (state IN ('OPEN', 'CLOSED', 'MERGED')),
  draft            boolean NOT NULL DEFAULT false,
  author_github_id bigint,
  author_login     text,
  author_user_id   bigint REFERENCES users ON DELETE SET NULL,
  head_ref         text,
  head_sha         text,
  base_ref         text,
  additions        integer,
  deletions        integer,
  changed_files    integer,
  commits          integer,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL,
  closed_at        timestamptz,
  merged_at        timestamptz,
  cycle_time_s     bigint,
  stored_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pull_requests_repository ON pull_requests (repository_id, number);

-- Reviews keyed by GitHub's id. pull_request_id is GitHub's PR id, with no foreign
-- key: a review may arrive before its pull request. turnaround_s: PR opened → review.
CREATE TABLE pull_request_reviews (
  id                bigint PRIMARY KEY,
  pull_request_id   bigint NOT NULL,
  repository_id     bigint NOT NULL REFERENCES repositories ON DELETE CASCADE,
  reviewer_github_id bigint,
  reviewer_login    text,
  reviewer_user_id  bigint REFERENCES users ON DELETE SET NULL,
  state             text NOT NULL,
  submitted_at      timestamptz,
  pr_created_at     timestamptz,
  turnaround_s      bigint,
  dismissed         boolean NOT NULL DEFAULT false,
  stored_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pull_request_reviews_pr ON pull_request_reviews (pull_request_id);
CREATE INDEX pull_request_reviews_repository ON pull_request_reviews (repository_id);

-- GitHub issues of tracked repositories (the board's own issues are another table).
-- resolver: the assignee when the issue was closed, else whoever closed it.
CREATE TABLE repository_issues (
  id                 bigint PRIMARY KEY,
  repository_id      bigint NOT NULL REFERENCES repositories ON DELETE CASCADE,
  number             integer NOT NULL,
  title              text,
  state              text NOT NULL CHECK (state IN ('OPEN', 'CLOSED')),
  state_reason       text,
  author_github_id   bigint,
  author_login       text,
  resolver_github_id bigint,
  resolver_login     text,
  resolver_user_id   bigint REFERENCES users ON DELETE SET NULL,
  created_at         timestamptz NOT NULL,
  updated_at         timestamptz NOT NULL,
  closed_at          timestamptz,
  resolution_s       bigint,
  deleted_at         timestamptz,
  stored_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX repository_issues_repository ON repository_issues (repository_id, number);

-- Developer metrics, rolled up per repository, user and day by the debounced
-- developer-metrics job; the API aggregates these rows, never the facts.
CREATE TABLE developer_activity (
  repository_id        bigint NOT NULL REFERENCES repositories ON DELETE CASCADE,
  user_id              bigint NOT NULL REFERENCES users ON DELETE CASCADE,
  day                  date NOT NULL,
  prs_merged           integer NOT NULL DEFAULT 0,
  pr_cycle_times_s     bigint[] NOT NULL DEFAULT '{}',
  review_turnarounds_s bigint[] NOT NULL DEFAULT '{}',
  issues_closed        integer NOT NULL DEFAULT 0,
  issue_resolutions_s  bigint[] NOT NULL DEFAULT '{}',
  PRIMARY KEY (repository_id, user_id, day)
);
CREATE INDEX developer_activity_day ON developer_activity (day);

CREATE TABLE developer_metrics_runs (
  repository_id bigint PRIMARY KEY REFERENCES repositories ON DELETE CASCADE,
  computed_at   timestamptz NOT NULL
);

-- Debounced jobs: at most one queued job per pending_key. Once it is claimed a new
-- one may queue, so work that lands while it runs is never missed.
ALTER TABLE jobs ADD COLUMN pending_key text;
CREATE UNIQUE INDEX jobs_pending_key ON jobs (pending_key) WHERE status = 'queued' AND pending_key IS NOT NULL;

-- Index jobs of one repository, newest first (GET …/index-jobs).
CREATE INDEX jobs_index_repository ON jobs (((payload ->> 'repository_id')::bigint), created_at DESC)
  WHERE queue = 'index-repository';

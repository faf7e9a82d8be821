-- Fix verification: a merged PR that closes an error-sourced issue is a fix attempt.
-- awaiting_deploy → (production deploy) monitoring → verified (quiet until the
-- deadline) | failed (the error came back). The latest attempt of an issue governs.
CREATE TABLE fix_attempts (
  id                    bigserial PRIMARY KEY,
  issue_id              bigint NOT NULL REFERENCES board_issues ON DELETE CASCADE,
  repository_id         bigint NOT NULL REFERENCES repositories ON DELETE CASCADE,
  pr_number             integer NOT NULL,
  pr_title              text,
  pr_url                text,
  merged_sha            text,
  merged_at             timestamptz NOT NULL,
  status                text NOT NULL DEFAULT 'awaiting_deploy'
                        CHECK (status IN ('awaiting_deploy', 'monitoring', 'verified', 'failed')),
  deploy_run_id         bigint,
  deployed_sha          text,
  deployed_at           timestamptz,
  verification_deadline timestamptz,
  verified_at           timestamptz,
  failed_at             timestamptz,
  failure_reason        text,
  failure_events        integer,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now(),
  UNIQUE (issue_id, repository_id, pr_number)
);
CREATE INDEX fix_attempts_issue ON fix_attempts (issue_id, id DESC);
CREATE INDEX fix_attempts_awaiting ON fix_attempts (repository_id) WHERE status = 'awaiting_deploy';
CREATE INDEX fix_attempts_deadline ON fix_attempts (verification_deadline) WHERE status = 'monitoring';

-- Successful production deploys seen, so a merge processed after its deploy (events
-- race) still finds the deploy that shipped it.
CREATE TABLE deploys (
  run_id        bigint PRIMARY KEY,
  repository_id bigint NOT NULL REFERENCES repositories ON DELETE CASCADE,
  workflow      text NOT NULL,
  branch        text NOT NULL,
  head_sha      text NOT NULL,
  started_at    timestamptz,
  completed_at  timestamptz NOT NULL,
  delivery_id   text,
  recorded_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deploys_repository ON deploys (repository_id, completed_at DESC);

-- Alerts matched to an issue, whether or not they failed a fix.
CREATE TABLE issue_alerts (
  id          bigserial PRIMARY KEY,
  issue_id    bigint NOT NULL REFERENCES board_issues ON DELETE CASCADE,
  source      text NOT NULL CHECK (source IN ('sentry', 'loki')),
  external_id text NOT NULL,
  delivery_id text NOT NULL,
  title       text,
  events      integer NOT NULL DEFAULT 1,
  failed_attempt_id bigint REFERENCES fix_attempts ON DELETE SET NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (issue_id, delivery_id, external_id)
);
CREATE INDEX issue_alerts_issue ON issue_alerts (issue_id, id);

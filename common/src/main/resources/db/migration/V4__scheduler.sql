-- One row per (task, period) that fired: the insert that creates it is the claim, so
-- a cluster-wide task fires once per period however many schedulers run.
CREATE TABLE scheduler_firings (
  task     text NOT NULL,
  period   bigint NOT NULL,
  fired_at timestamptz NOT NULL DEFAULT now(),
  node     text,
  summary  text,
  PRIMARY KEY (task, period)
);
CREATE INDEX scheduler_firings_fired ON scheduler_firings (fired_at);

-- Redeliveries asked of GitHub, at most one per delivery GUID an hour.
CREATE TABLE redelivery_requests (
  guid         text PRIMARY KEY,
  hook_id      bigint NOT NULL,
  requested_at timestamptz NOT NULL,
  attempts     integer NOT NULL DEFAULT 1
);

-- Retention deletes finished jobs oldest first, in bounded batches.
CREATE INDEX jobs_finished ON jobs (finished_at) WHERE status IN ('done', 'ignored');

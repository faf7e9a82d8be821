-- A paused queue keeps its jobs: every claim skips a queue named here (one primary-key
-- lookup in a table of a few rows), so every worker of every process honours a pause at
-- its next claim, and a restart keeps it.
CREATE TABLE queue_pauses (
  queue     text PRIMARY KEY,
  paused_at timestamptz NOT NULL DEFAULT now()
);

-- The repository a delivery is about (the payload's repository.full_name, picked by the
-- gateway's streaming check), so deliveries can be found, replayed and reprocessed by
-- repository without opening their bodies. Deliveries stored before this column have none.
ALTER TABLE deliveries ADD COLUMN repository text;
CREATE INDEX deliveries_repository ON deliveries (repository, received_at DESC, id DESC) WHERE repository IS NOT NULL;

-- Board changes by the delivery that caused them (a delivery's page lists them).
CREATE INDEX issue_history_delivery ON issue_history ((cause ->> 'delivery_id')) WHERE cause ? 'delivery_id';

-- Bulk operator operations: a replay or reprocess of stored deliveries, a retry of dead
-- letters, selected by a filter. A step job (queue "operations") feeds the selection
-- into the queues in bounded batches, in the order the deliveries arrived, and records
-- each job it queued, so progress is read from those jobs' statuses.
CREATE TABLE operations (
  id          bigserial PRIMARY KEY,
  kind        text NOT NULL CHECK (kind IN ('replay', 'reprocess', 'retry')),
  filter      jsonb NOT NULL,
  status      text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'cancelled')),
  total       integer NOT NULL,
  -- the keyset position of the last row fed: (received_at, delivery id) or a job id
  cursor_at   timestamptz,
  cursor_id   text,
  cursor_job  bigint,
  fed         integer NOT NULL DEFAULT 0,
  -- the jobs of the latest batch: the next is fed once most of them have finished
  last_batch  bigint[] NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);

CREATE TABLE operation_jobs (
  operation_id bigint NOT NULL REFERENCES operations ON DELETE CASCADE,
  job_id       bigint NOT NULL,
  PRIMARY KEY (operation_id, job_id)
);

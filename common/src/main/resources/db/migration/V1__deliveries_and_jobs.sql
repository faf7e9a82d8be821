-- Every verified delivery, byte-exact, keyed by GitHub's delivery GUID.
CREATE TABLE deliveries (
  id           text PRIMARY KEY,
  event        text NOT NULL,
  action       text,
  content_type text NOT NULL,
  signature    text,
  body         bytea NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now()
);
-- Bodies are a few KB of JSON, written once and rarely read. Rows up to a page stay
-- inline and uncompressed: one heap tuple per delivery instead of four TOAST chunks
-- and their index entries, and no compression CPU on the hot path. Larger bodies go
-- out of line, still uncompressed.
ALTER TABLE deliveries ALTER COLUMN body SET STORAGE EXTERNAL;
ALTER TABLE deliveries SET (toast_tuple_target = 8160);
CREATE INDEX deliveries_received_at ON deliveries (received_at DESC);
-- An append-only log: vacuuming it after every few thousand inserts would reread it
-- while the gateway writes; deletes (retention) still trigger ordinary vacuums.
ALTER TABLE deliveries SET (autovacuum_vacuum_insert_threshold = -1);

-- The durable job queue. status: queued, running, done, ignored, failed (waiting
-- for a retry), dead. A running job's run_at is the end of its lease: once it
-- passes, the job can be claimed again by another worker.
CREATE TABLE jobs (
  id           bigserial PRIMARY KEY,
  queue        text NOT NULL,
  delivery_id  text,
  payload      jsonb,
  dedupe_key   text,
  priority     integer NOT NULL DEFAULT 0,
  status       text NOT NULL DEFAULT 'queued'
               CHECK (status IN ('queued', 'running', 'done', 'ignored', 'failed', 'dead')),
  attempts     integer NOT NULL DEFAULT 0,
  run_at       timestamptz NOT NULL DEFAULT now(),
  locked_by    text,
  result       text,
  last_error   text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz
);
CREATE UNIQUE INDEX jobs_dedupe_key ON jobs (dedupe_key) WHERE dedupe_key IS NOT NULL;
CREATE INDEX jobs_claimable ON jobs (queue, priority DESC, run_at, id)
  WHERE status IN ('queued', 'failed', 'running');
CREATE INDEX jobs_delivery ON jobs (delivery_id);
CREATE INDEX jobs_dead ON jobs (updated_at DESC) WHERE status = 'dead';

-- The queue's hot table holds only the jobs still to finish: queued, running (under a
-- lease) and failed (waiting for a retry). A job that finishes (done, ignored, dead)
-- leaves it in the statement that settles it and lands in job_history, so the claim
-- never walks finished rows, a settlement writes no index of the hot table, and the hot
-- table stays the size of the backlog however long history is kept.
ALTER TABLE jobs RENAME TO job_queue;
ALTER SEQUENCE jobs_id_seq RENAME TO job_queue_id_seq;
ALTER INDEX jobs_pkey RENAME TO job_queue_pkey;

CREATE TABLE job_history (
  id          bigint PRIMARY KEY,
  queue       text NOT NULL,
  delivery_id text,
  payload     jsonb,
  dedupe_key  text,
  priority    integer NOT NULL,
  status      text NOT NULL CHECK (status IN ('done', 'ignored', 'dead')),
  attempts    integer NOT NULL,
  result      text,
  last_error  text,
  created_at  timestamptz NOT NULL,
  finished_at timestamptz NOT NULL
);
INSERT INTO job_history (id, queue, delivery_id, payload, dedupe_key, priority, status, attempts, result, last_error,
                         created_at, finished_at)
SELECT id, queue, delivery_id, payload, dedupe_key, priority, status, attempts, result, last_error, created_at,
       coalesce(finished_at, updated_at)
  FROM job_queue WHERE status IN ('done', 'ignored', 'dead');
DELETE FROM job_queue WHERE status IN ('done', 'ignored', 'dead');

-- A dedupe key is taken once, for as long as retention keeps its job: the key outlives
-- the job's move from the queue to its history, so a key can never be queued twice.
CREATE TABLE job_keys (
  key text PRIMARY KEY
);
INSERT INTO job_keys (key)
SELECT dedupe_key FROM job_queue WHERE dedupe_key IS NOT NULL
UNION SELECT dedupe_key FROM job_history WHERE dedupe_key IS NOT NULL;

DROP INDEX jobs_dedupe_key;
DROP INDEX jobs_claimable;
DROP INDEX jobs_delivery;
DROP INDEX jobs_dead;
DROP INDEX jobs_finished;
DROP INDEX jobs_index_repository;
ALTER INDEX jobs_pending_key RENAME TO job_queue_pending_key;
ALTER TABLE job_queue DROP CONSTRAINT jobs_status_check;
ALTER TABLE job_queue ADD CONSTRAINT job_queue_status_check CHECK (status IN ('queued', 'running', 'failed'));
ALTER TABLE job_queue DROP COLUMN result;
ALTER TABLE job_queue DROP COLUMN finished_at;

-- Waiting jobs in claim order. Running jobs are not in it: a claim moves a job out of
-- this index instead of leaving an entry every later claim has to step over.
CREATE INDEX job_queue_claimable ON job_queue (queue, priority DESC, run_at, id) WHERE status IN ('queued', 'failed');
-- Running jobs by the end of their lease, for the claim that rescues expired ones.
CREATE INDEX job_queue_leases ON job_queue (queue, run_at) WHERE status = 'running';
CREATE INDEX job_queue_delivery ON job_queue (delivery_id) WHERE delivery_id IS NOT NULL;
CREATE INDEX job_queue_index_repository ON job_queue (((payload ->> 'repository_id')::bigint), created_at DESC)
  WHERE queue = 'index-repository';

CREATE INDEX job_history_delivery ON job_history (delivery_id) WHERE delivery_id IS NOT NULL;
CREATE INDEX job_history_dead ON job_history (finished_at DESC, id DESC) WHERE status = 'dead';
CREATE INDEX job_history_index_repository ON job_history (((payload ->> 'repository_id')::bigint), created_at DESC)
  WHERE queue = 'index-repository';
-- Retention deletes the oldest history first; rows arrive in finishing order, so a
-- block-range index finds them for almost nothing per insert.
CREATE INDEX job_history_finished ON job_history USING brin (finished_at);
-- Append-mostly: vacuum it for deletes (retention), not after every few thousand inserts.
ALTER TABLE job_history SET (autovacuum_vacuum_insert_threshold = -1);
-- The hot table turns over its whole content all the time: vacuum it often and keep
-- room in its pages for the lease updates.
ALTER TABLE job_queue SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 1000, fillfactor = 80);

-- Every job, waiting or finished, under the one name the admin reads and reports use.
CREATE VIEW jobs AS
  SELECT id, queue, delivery_id, payload, dedupe_key, pending_key, priority, status, attempts, run_at, locked_by,
         NULL::text AS result, last_error, created_at, updated_at, NULL::timestamptz AS finished_at
    FROM job_queue
  UNION ALL
  SELECT id, queue, delivery_id, payload, dedupe_key, NULL, priority, status, attempts, finished_at, NULL,
         result, last_error, created_at, finished_at, finished_at
    FROM job_history;

-- A job is running exactly while a worker holds it: the guard of every settlement and
-- renewal (locked_by, attempts) needs no status test, and so never tempts the planner
-- into walking the running jobs' index.
UPDATE job_queue SET locked_by = NULL WHERE status <> 'running';
UPDATE job_queue SET locked_by = 'unknown' WHERE status = 'running' AND locked_by IS NULL;
ALTER TABLE job_queue ADD CONSTRAINT job_queue_locked_while_running CHECK ((status = 'running') = (locked_by IS NOT NULL));

-- Finished jobs counted by queue and status, kept by job_history's statement triggers, so
-- the queue's stats read a few hundred counter rows instead of counting the whole history
-- (a scan that grows with every job kept). Each backend adds to its own shard of a
-- (queue, status) pair: settles running at once in different connections never wait on
-- each other's counter row. A pair's count is the sum of its shards.
CREATE TABLE job_history_counts (
  queue  text NOT NULL,
  status text NOT NULL,
  shard  smallint NOT NULL,
  n      bigint NOT NULL,
  PRIMARY KEY (queue, status, shard)
);

INSERT INTO job_history_counts (queue, status, shard, n)
SELECT queue, status, 0, count(*) FROM job_history GROUP BY queue, status;

-- Rows are taken in (queue, status) order, so two backends that share a shard lock
-- their counter rows in one order and never deadlock.
CREATE FUNCTION job_history_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM job_history_counts;
  ELSIF TG_OP = 'INSERT' THEN
    INSERT INTO job_history_counts AS c (queue, status, shard, n)
    SELECT queue, status, (pg_backend_pid() % 64)::smallint, count(*) FROM new_rows
     GROUP BY queue, status ORDER BY queue, status
    ON CONFLICT (queue, status, shard) DO UPDATE SET n = c.n + excluded.n;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO job_history_counts AS c (queue, status, shard, n)
    SELECT queue, status, (pg_backend_pid() % 64)::smallint, -count(*) FROM old_rows
     GROUP BY queue, status ORDER BY queue, status
    ON CONFLICT (queue, status, shard) DO UPDATE SET n = c.n + excluded.n;
  ELSE
    INSERT INTO job_history_counts AS c (queue, status, shard, n)
    SELECT queue, status, (pg_backend_pid() % 64)::smallint, sum(d)
      FROM (SELECT queue, status, 1 AS d FROM new_rows UNION ALL SELECT queue, status, -1 FROM old_rows) changes
     GROUP BY queue, status HAVING sum(d) <> 0 ORDER BY queue, status
    ON CONFLICT (queue, status, shard) DO UPDATE SET n = c.n + excluded.n;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER job_history_counts_insert AFTER INSERT ON job_history
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION job_history_count();
CREATE TRIGGER job_history_counts_delete AFTER DELETE ON job_history
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION job_history_count();
CREATE TRIGGER job_history_counts_update AFTER UPDATE ON job_history
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION job_history_count();
CREATE TRIGGER job_history_counts_truncate AFTER TRUNCATE ON job_history
  FOR EACH STATEMENT EXECUTE FUNCTION job_history_count();

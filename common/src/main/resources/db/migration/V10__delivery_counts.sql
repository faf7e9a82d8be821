-- Deliveries stored per minute, maintained by the ingest statement itself, so the
-- webhook health figures read a few hundred small rows instead of counting an hour of
-- deliveries on every (unauthenticated) call. A ring: slot is the minute of the hour,
-- and a slot whose minute_start is an hour old is reset by the next write to it.
-- shard spreads concurrent gateway transactions over rows so they never wait on one
-- another's row lock.
CREATE TABLE delivery_counts (
  slot         smallint NOT NULL,
  shard        smallint NOT NULL,
  minute_start timestamptz NOT NULL,
  total        bigint NOT NULL,
  PRIMARY KEY (slot, shard)
);

-- Deliveries already stored in the last hour, so the figures are right from the start.
INSERT INTO delivery_counts (slot, shard, minute_start, total)
SELECT (floor(extract(epoch FROM date_trunc('minute', received_at)) / 60)::bigint % 60)::smallint, 0,
       date_trunc('minute', received_at), count(*)
  FROM deliveries
 WHERE received_at >= date_trunc('minute', now()) - interval '59 minutes'
 GROUP BY date_trunc('minute', received_at);

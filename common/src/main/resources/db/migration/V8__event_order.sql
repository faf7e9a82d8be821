-- The payload time (GitHub's updated_at) of the last repository / installation event
-- applied: an older event arriving late, or replayed, changes nothing.
ALTER TABLE repositories ADD COLUMN event_at timestamptz;
ALTER TABLE installations ADD COLUMN event_at timestamptz;

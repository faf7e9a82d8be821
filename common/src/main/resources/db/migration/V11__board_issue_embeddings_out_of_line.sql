-- An issue's embedding (1.5 KB) is kept out of the table's own pages, so the scans that
-- count or list a workspace's issues (the matcher's catch-up, the board) read a few
-- hundred bytes a row instead of two kilobytes. Rows move out as they are written.
ALTER TABLE board_issues ALTER COLUMN embedding SET STORAGE EXTERNAL;
ALTER TABLE board_issues SET (toast_tuple_target = 128);

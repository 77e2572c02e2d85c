-- Pull event ids handed out between two writes of the identity's progress. H2 writes that progress every CACHE values
-- (32 by default) as a commit of its own, outside the transaction that took the value; with every commit written to
-- the file as it happens (decision 0030) that was a file write every 16 warm tag GETs. A killed process skips the ids
-- it had not used, which only leaves a gap. PostgreSQL takes the same clause for an identity column (a per-session
-- sequence cache, harmless there).
ALTER TABLE pull_events ALTER COLUMN id SET CACHE 1024;

-- Why a failed pull failed, in words, so the portal can show the cause beside "failed".
ALTER TABLE pull_events ADD COLUMN error VARCHAR(500);

-- Pulls are counted as image pulls (kind IMAGE: one client's requests for one tag or digest, counted once), no longer
-- as manifest GETs. Events stored before keep their count: each manifest GET becomes an image pull of its own, as it
-- was counted then. Byte totals sum the requests alone, so they do not change.
INSERT INTO pull_events (at, repository, reference, digest, kind, outcome, bytes, upstream_bytes, duration_micros, client, error)
SELECT at, repository, reference, digest, 'IMAGE', outcome, 0, 0, duration_micros, client, error
FROM pull_events WHERE kind = 'MANIFEST';

-- Pull statistics that stay small (docs/decisions/0041-pull-statistics-by-the-hour.md). Every request was a row of
-- pull_events for 90 days: ~14 rows per image pull, a million rows (610 MB of H2 file) in two minutes of a benchmark's
-- manifest burst. Now the pull event writer also adds each batch to hourly sums per repository, and the raw events are
-- kept only as far back as a bound allows (pull_event_horizon); totals, per-repository figures and hourly charts read
-- the raw events when they reach back far enough, the hourly sums otherwise.

-- Sums per hour (hours since the epoch, UTC) and repository. writer: the recorder that adds to the row, a random
-- number per recorder; each row has one writer, so adding to it is an UPDATE, or an INSERT when it is not there yet,
-- without a race between the nodes of a cluster (readers sum over writers).
CREATE TABLE pull_hours (
    epoch_hour BIGINT NOT NULL,
    writer BIGINT NOT NULL,
    repository VARCHAR(255) NOT NULL,
    pulls BIGINT NOT NULL,
    hits BIGINT NOT NULL,
    misses BIGINT NOT NULL,
    stale BIGINT NOT NULL,
    failed BIGINT NOT NULL,
    bytes_served BIGINT NOT NULL,
    bytes_from_cache BIGINT NOT NULL,
    upstream_bytes BIGINT NOT NULL,
    last_pull TIMESTAMP WITH TIME ZONE,
    PRIMARY KEY (epoch_hour, writer, repository)
);

-- The last image pull of each repository (per writer, as above): what the Cache rules page shows, a lookup instead
-- of a MAX over every image pull ever stored.
CREATE TABLE last_pulls (
    repository VARCHAR(255) NOT NULL,
    writer BIGINT NOT NULL,
    at TIMESTAMP WITH TIME ZONE NOT NULL,
    reference VARCHAR(200) NOT NULL,
    digest VARCHAR(200),
    outcome VARCHAR(8) NOT NULL,
    bytes BIGINT NOT NULL,
    upstream_bytes BIGINT NOT NULL,
    duration_micros BIGINT NOT NULL,
    client VARCHAR(64),
    error VARCHAR(500),
    PRIMARY KEY (repository, writer)
);

-- pull_events holds every event at or after this instant; older ones are only in the hourly sums. It only moves
-- forward.
CREATE TABLE pull_event_horizon (
    id INT PRIMARY KEY,
    horizon TIMESTAMP WITH TIME ZONE NOT NULL
);
INSERT INTO pull_event_horizon (id, horizon) VALUES (1, TIMESTAMP WITH TIME ZONE '1970-01-01 00:00:00+00');

-- The events stored so far, summed as the writer would have (writer 0: none writes to these rows any more).
INSERT INTO pull_hours (epoch_hour, writer, repository, pulls, hits, misses, stale, failed, bytes_served,
                        bytes_from_cache, upstream_bytes, last_pull)
SELECT h, 0, repository,
       SUM(CASE WHEN kind = 'IMAGE' THEN 1 ELSE 0 END),
       SUM(CASE WHEN kind = 'IMAGE' AND outcome = 'HIT' THEN 1 ELSE 0 END),
       SUM(CASE WHEN kind = 'IMAGE' AND outcome = 'MISS' THEN 1 ELSE 0 END),
       SUM(CASE WHEN kind = 'IMAGE' AND outcome = 'STALE' THEN 1 ELSE 0 END),
       SUM(CASE WHEN kind = 'IMAGE' AND outcome = 'FAILED' THEN 1 ELSE 0 END),
       SUM(CASE WHEN kind <> 'IMAGE' THEN bytes ELSE 0 END),
       SUM(CASE WHEN kind <> 'IMAGE' AND outcome IN ('HIT', 'STALE', 'LOCAL') THEN bytes ELSE 0 END),
       SUM(CASE WHEN kind <> 'IMAGE' THEN upstream_bytes ELSE 0 END),
       MAX(CASE WHEN kind = 'IMAGE' THEN at END)
FROM (SELECT CAST(FLOOR(EXTRACT(EPOCH FROM at) / 3600) AS BIGINT) AS h, repository, kind, outcome, bytes,
             upstream_bytes, at FROM pull_events) e
GROUP BY h, repository;

-- A folder with more events than the bound answers from the sums at once rather than scanning them until the first
-- move of the horizon (50,000 events later, or the daily housekeeping): the horizon starts at the bound's cut, as the writer sets it.
UPDATE pull_event_horizon SET horizon = COALESCE(
    (SELECT at FROM pull_events ORDER BY at DESC OFFSET 100000 ROWS FETCH FIRST 1 ROW ONLY), horizon);

INSERT INTO last_pulls (repository, writer, at, reference, digest, outcome, bytes, upstream_bytes, duration_micros,
                        client, error)
SELECT e.repository, 0, e.at, e.reference, e.digest, e.outcome, e.bytes, e.upstream_bytes, e.duration_micros,
       e.client, e.error
FROM pull_events e JOIN (SELECT MAX(id) AS id FROM pull_events WHERE kind = 'IMAGE' GROUP BY repository) l
  ON l.id = e.id;

-- With at most ~100,000 raw events and the sums answering the rest, two of their indexes no longer pay for themselves:
-- every event stored and every event the bound deletes updated them. The index on (at) serves every raw question.
DROP INDEX ix_pull_events_repository;
DROP INDEX ix_pull_events_kind_at;

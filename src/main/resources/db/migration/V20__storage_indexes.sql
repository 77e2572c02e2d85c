-- Lookups by digest alone: garbage collection (is a blob still referenced anywhere?) and cached-size totals.
CREATE INDEX ix_manifests_digest ON manifests (digest);
-- Manifests of a repository newest first.
CREATE INDEX ix_manifests_created ON manifests (repository, created_at);
-- Pull statistics by kind over a time window.
CREATE INDEX ix_pull_events_kind_at ON pull_events (kind, at);

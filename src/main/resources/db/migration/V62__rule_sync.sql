-- Active sync (issue 19): a rule's sync policy lives with the rule, one column per setting so that each reads back as
-- written; passive (today's pull-through alone) for every rule that exists. Lists are comma-separated text.
ALTER TABLE cache_rules ADD COLUMN sync_mode VARCHAR(16) DEFAULT 'passive' NOT NULL;
ALTER TABLE cache_rules ADD COLUMN sync_tags VARCHAR(1024);
ALTER TABLE cache_rules ADD COLUMN sync_platforms VARCHAR(1024);
ALTER TABLE cache_rules ADD COLUMN sync_interval_seconds BIGINT;
ALTER TABLE cache_rules ADD COLUMN sync_repositories VARCHAR(8000);
ALTER TABLE cache_rules ADD COLUMN sync_referrers BOOLEAN DEFAULT FALSE NOT NULL;
ALTER TABLE cache_rules ADD COLUMN sync_include_types VARCHAR(2048);
ALTER TABLE cache_rules ADD COLUMN sync_exclude_types VARCHAR(2048);

-- The last sync run of each rule, whoever ran it (the scheduler of any node, the CLI, the portal): what every node shows.
CREATE TABLE rule_sync_runs (
    rule_name VARCHAR(50) PRIMARY KEY,
    started_at TIMESTAMP WITH TIME ZONE NOT NULL,
    finished_at TIMESTAMP WITH TIME ZONE,
    outcome VARCHAR(16) NOT NULL,
    summary VARCHAR(4000)
);

-- Who runs a rule's sync while it is RUNNING (a process: "pid 1234 started 2026-12-05T03:00:00Z"): a run whose
-- process is gone (kill -9, power loss) is then told apart from one going on, and recorded as INTERRUPTED.
ALTER TABLE rule_sync_runs ADD COLUMN run_by VARCHAR(200);

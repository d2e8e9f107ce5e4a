-- Configuration and history: the recorded source table and every install and update.

CREATE TABLE @extschema@.attempt_lock_config (
    singleton pg_catalog.bool PRIMARY KEY DEFAULT true CHECK (singleton),
    source_table pg_catalog.regclass NOT NULL
);
COMMENT ON TABLE @extschema@.attempt_lock_config IS
'The source table the attempt view reads, chosen at CREATE EXTENSION (attempt_lock.source_table, default exam_results in the extension schema)';

CREATE TABLE @extschema@.attempt_lock_history (
    version pg_catalog.text NOT NULL,
    action pg_catalog.text NOT NULL CHECK (action IN ('install', 'update')),
    at pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    by_role pg_catalog.name NOT NULL DEFAULT CURRENT_USER
);
COMMENT ON TABLE @extschema@.attempt_lock_history IS
'Every install and update of attempt_lock in this database: the database''s own migration history';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.attempt_lock_history', '');
-- Monitoring roles read both through attempt_health(); neither holds anything secret.
GRANT SELECT ON @extschema@.attempt_lock_config, @extschema@.attempt_lock_history TO PUBLIC;

-- Check the source before creating anything that depends on it: a bad source is a clear
-- error and, since the script runs in one transaction, nothing is installed.
INSERT INTO @extschema@.attempt_lock_config (source_table)
SELECT @extschema@.attempt_lock_check_source(
    COALESCE(
        NULLIF(pg_catalog.current_setting('attempt_lock.source_table', true), ''),
        '@extschema@.exam_results'))::pg_catalog.regclass;

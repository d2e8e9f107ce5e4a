-- Configuration and history: the recorded source table and every install and update.

-- No row while the install waits for its source table (source.sql); pg_dump keeps the row,
-- so a restore reads the same source.
CREATE TABLE @extschema@.attempt_lock_config (
    singleton pg_catalog.bool PRIMARY KEY DEFAULT true CHECK (singleton),
    source_table pg_catalog.regclass NOT NULL,
    source_name pg_catalog.text NOT NULL,
    attached pg_catalog.bool NOT NULL DEFAULT true,
    reenable_store pg_catalog.bool NOT NULL DEFAULT false
);
COMMENT ON TABLE @extschema@.attempt_lock_config IS
'The source table the views read (source_table) and its qualified name when it was recorded (source_name, which tells a renamed source from a swapped one); chosen at CREATE EXTENSION (attempt_lock.source_table, default exam_results in the extension schema) or by attempt_source_attach(). attached is false between attempt_source_detach() and attempt_source_attach(), reenable_store says to rebuild the incremental store at the attach. No row while an install waits for its source table (a restore).';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.attempt_lock_config', '');

CREATE TABLE @extschema@.attempt_lock_history (
    version pg_catalog.text NOT NULL,
    action pg_catalog.text NOT NULL
        CONSTRAINT attempt_lock_history_action_check
        CHECK (action IN ('install', 'update', 'adopt', 'attach', 'detach')),
    at pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    by_role pg_catalog.name NOT NULL DEFAULT CURRENT_USER,
    detail pg_catalog.jsonb
);
COMMENT ON TABLE @extschema@.attempt_lock_history IS
'Every install, update, adoption of an existing view and change of source of attempt_lock in this database: the database''s own migration history; detail holds what an adoption replaced (the old view in full) and what a change of source did';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.attempt_lock_history', '');
-- Monitoring roles read both through attempt_health(); neither holds anything secret.
GRANT SELECT ON @extschema@.attempt_lock_config, @extschema@.attempt_lock_history TO PUBLIC;

-- 1.2 -> 1.3 (CHANGELOG.md).

-- The tables: the source's recorded name and attach state, kept by pg_dump; history of
-- adoptions and changes of source; baselines that survive pg_upgrade.
ALTER TABLE @extschema@.attempt_lock_config
    ADD COLUMN source_name pg_catalog.text,
    ADD COLUMN attached pg_catalog.bool NOT NULL DEFAULT true,
    ADD COLUMN reenable_store pg_catalog.bool NOT NULL DEFAULT false;
UPDATE @extschema@.attempt_lock_config AS cfg SET source_name = pg_catalog.format('%I.%I', n.nspname, c.relname)
  FROM pg_catalog.pg_class AS c JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
 WHERE c.oid = cfg.source_table;
ALTER TABLE @extschema@.attempt_lock_config ALTER COLUMN source_name SET NOT NULL;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.attempt_lock_config', '');
-- (A downgrade to 1.2 keeps the history's 1.3 rows, and so this column and check.)
ALTER TABLE @extschema@.attempt_lock_history
    ADD COLUMN IF NOT EXISTS detail pg_catalog.jsonb,
    DROP CONSTRAINT attempt_lock_history_action_check,
    ADD CONSTRAINT attempt_lock_history_action_check
        CHECK (action IN ('install', 'update', 'adopt', 'attach', 'detach'));
ALTER TABLE @extschema@.attempt_lock_state
    ADD COLUMN structure text,
    ADD COLUMN server_major int4;
COMMENT ON TABLE @extschema@.attempt_lock_config IS
'The source table the views read (source_table) and its qualified name when it was recorded (source_name, which tells a renamed source from a swapped one); chosen at CREATE EXTENSION (attempt_lock.source_table, default exam_results in the extension schema) or by attempt_source_attach(). attached is false between attempt_source_detach() and attempt_source_attach(), reenable_store says to rebuild the incremental store at the attach. No row while an install waits for its source table (a restore).';
COMMENT ON TABLE @extschema@.attempt_lock_history IS
'Every install, update, adoption of an existing view and change of source of attempt_lock in this database: the database''s own migration history; detail holds what an adoption replaced (the old view in full) and what a change of source did';
COMMENT ON TABLE @extschema@.attempt_lock_state IS
'attempt_lock: what the last install/update script left behind (members with owners, view definitions, function definitions, event triggers, and the outside objects the members depend on). One snapshot per install/update, newest recorded_at is the baseline; older snapshots are history. definition is the text PostgreSQL prints for an object, structure what it is made of (columns, options, what it depends on, its source text), server_major the major that recorded them. attempt_lock_drift() compares the database with the newest snapshot: the structure always, the definition on the same major (a newer major may print the same object differently: pg_upgrade).';

-- The source: waited for in a restore, re-pointed, watched.
--@include source.sql
--@include adopt.sql
CREATE EVENT TRIGGER attempt_lock_watch_source ON ddl_command_end
    WHEN TAG IN ('CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO', 'ALTER TABLE')
    EXECUTE FUNCTION @extschema@.attempt_lock_watch_source();

-- One native parser for both views; attempt_no_counts parallel safe.
--@include parser/native.sql
--@include view/query.sql
--@include view/views.sql
DROP FUNCTION @extschema@.attempt_questions(jsonb, text, timestamptz, boolean);
DROP FUNCTION @extschema@.attempt_view_query(pg_catalog.bool);

-- The lock: baselines by structure, members without row types.
DROP FUNCTION @extschema@.attempt_lock_snapshot();
--@include lock/baseline.sql
--@include lock/guard_objects.sql

--@include store/rows.sql
--@include store/switch.sql
--@include store/status.sql

--@include health/checks_install.sql
--@include health/checks_lock.sql
--@include health/checks_data.sql
--@include health/checks_access.sql
--@include health/checks_store.sql
--@include health/health.sql

--@include finish/update.sql

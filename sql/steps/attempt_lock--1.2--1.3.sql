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

-- One native parser for both views (the result-level rules native too); attempt_no_counts
-- parallel safe, its state in its memory context.
--@include parser/native.sql
--@include view/query.sql
--@include view/views.sql

-- The store: one row per result, native triggers that refuse to run as anyone else's.
-- An installed store is rebuilt in that shape (writers of the source wait meanwhile).
DROP FUNCTION @extschema@.attempt_store_status();
DROP FUNCTION @extschema@.attempt_store_sync_problems(pg_catalog.bool, pg_catalog.int4);
--@include store/native.sql
--@include store/switch.sql
--@include store/status.sql
--@include store/api.sql
DO $store$
DECLARE
    store_on pg_catalog.bool := pg_catalog.to_regnamespace('attempt_lock_store') IS NOT NULL;
    batch pg_catalog.int4;
BEGIN
    IF store_on THEN
        SELECT s.batch_size INTO batch FROM attempt_lock_store.attempt_store_state AS s;
    END IF;
    PERFORM @extschema@.attempt_views_apply(false);
    IF store_on THEN
        PERFORM @extschema@.attempt_store_teardown();
        PERFORM @extschema@.attempt_store_build(COALESCE(batch, 10000));
        PERFORM @extschema@.attempt_store_triggers_install();
        PERFORM @extschema@.attempt_views_apply(true);
    END IF;
END
$store$;
DROP FUNCTION @extschema@.attempt_store_rows(pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.timestamptz, pg_catalog.jsonb);
DROP FUNCTION @extschema@.attempt_questions(jsonb, text, timestamptz, boolean);
DROP FUNCTION @extschema@.attempt_view_query(pg_catalog.bool);

-- The lock: baselines by structure, members without row types, the source's event trigger.
DROP FUNCTION @extschema@.attempt_lock_snapshot();
--@include lock/baseline.sql
--@include lock/guard_objects.sql
--@include lock/event_trigger_source.sql

--@include health/checks_install.sql
--@include health/checks_lock.sql
--@include health/checks_data.sql
--@include health/checks_access.sql
--@include health/checks_store.sql
--@include health/health.sql

-- Triggers that others attached to the store's functions before this release keep firing
-- (EXECUTE is checked only when a trigger is created), but the functions now refuse to
-- run as them: name each, in a WARNING (PostgreSQL silences NOTICEs in extension scripts).
DO $foreign$
DECLARE
    f record;
BEGIN
    FOR f IN SELECT * FROM @extschema@.attempt_store_foreign_triggers() LOOP
        RAISE WARNING 'attempt_lock: trigger % on % calls %, which refuses to run as it from now on: DROP TRIGGER % ON %;',
            f.trigger_name, f.table_name, f.function_name, pg_catalog.quote_ident(f.trigger_name), f.table_name;
    END LOOP;
END
$foreign$;

--@include finish/update.sql

-- The source table: chosen at install, waited for during a restore, re-pointed by a DBA.
--
-- The views read the table recorded in attempt_lock_config. Without a usable record they
-- have a placeholder shape (the eleven typed columns, no rows), so views built on attempt
-- and grants on it can exist meanwhile:
--   pending   no row: the install ran before its source table existed, which happens only
--             in a restore (pg_dump writes CREATE EXTENSION before the tables, and sets
--             check_function_bodies = off, which is how a restore is recognized:
--             attempt_lock_restoring(), src/guc.rs). The
--             install completes itself when the table is created (attempt_lock_follow_source)
--             or when pg_dump's row of attempt_lock_config arrives (a chosen source).
--   detached  attached = false: attempt_source_detach() released the source for a change
--             the views would block (ALTER COLUMN ... TYPE); attempt_source_attach() ends it.

CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_restoring()
RETURNS pg_catalog.bool
LANGUAGE c STABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'attempt_lock_restoring_wrapper';
COMMENT ON FUNCTION @extschema@.attempt_lock_restoring() IS
'attempt_lock internal: true when the session running CREATE EXTENSION has check_function_bodies off, as pg_dump''s restore sets it (inside the install script PostgreSQL turns it off for every session, so this reads the value the script saved).';

-- The install's choice, made by the install script with the name resolved there (the
-- setting is honoured only when SET in the session by a superuser: src/guc.rs).
CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_install_source(chosen pg_catalog.text, resolved pg_catalog.regclass)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT @extschema@.attempt_lock_in_script() THEN
        RAISE EXCEPTION 'attempt_lock: attempt_lock_install_source() runs only in the install script'
              USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF resolved IS NULL AND @extschema@.attempt_lock_restoring() THEN
        RAISE NOTICE 'attempt_lock: % does not exist yet: the extension waits for it (a restore) and completes itself when it is created', chosen
              USING HINT = 'If the source is another table, name it in the restore''s session (PGOPTIONS=''-c attempt_lock.source_table=schema.table''): views on attempt_rejects may need its id type before the data names it.';
        RETURN;
    END IF;
    -- A bad source is a clear error and, the script being one transaction, installs nothing.
    INSERT INTO @extschema@.attempt_lock_config (source_table, source_name)
    SELECT s, pg_catalog.format('%I.%I', n.nspname, c.relname)
      FROM @extschema@.attempt_lock_check_source(chosen) AS s
      JOIN pg_catalog.pg_class AS c ON c.oid = s
      JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace;
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_lock_install_source(pg_catalog.text, pg_catalog.regclass) IS
'attempt_lock internal: records the source table at CREATE EXTENSION (after the source check), or leaves the install pending when the table does not exist yet during a restore. Runs only in the install script.';
REVOKE ALL ON FUNCTION @extschema@.attempt_lock_install_source(pg_catalog.text, pg_catalog.regclass) FROM PUBLIC;

-- The body of attempt_source_attach(): the views read `source` (the recorded source when
-- NULL, or the default when nothing is recorded); the store, if it was on, is rebuilt
-- from it.
CREATE OR REPLACE FUNCTION @extschema@.attempt_source_attach_body(source pg_catalog.regclass)
RETURNS pg_catalog.regclass
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    cfg @extschema@.attempt_lock_config;
    target pg_catalog.regclass;
    store_on pg_catalog.bool := pg_catalog.to_regnamespace('attempt_lock_store') IS NOT NULL;
BEGIN
    SELECT * INTO cfg FROM @extschema@.attempt_lock_config;
    target := COALESCE(source, cfg.source_table, pg_catalog.to_regclass('@extschema@.exam_results'));
    IF target IS NULL THEN
        RAISE EXCEPTION 'attempt_lock: source table @extschema@.exam_results does not exist'
              USING ERRCODE = 'undefined_table',
                    HINT = 'Create it, or name the source: SELECT attempt_source_attach(''schema.table'');';
    END IF;
    PERFORM @extschema@.attempt_lock_check_source(target::pg_catalog.text);
    -- The store follows its source: rebuilt when the source changes.
    IF store_on AND target IS DISTINCT FROM cfg.source_table THEN
        PERFORM @extschema@.attempt_store_switch_off();
        store_on := false;
        cfg.reenable_store := true;
    END IF;
    DELETE FROM @extschema@.attempt_lock_config;
    INSERT INTO @extschema@.attempt_lock_config (source_table, source_name)
    SELECT target, pg_catalog.format('%I.%I', n.nspname, c.relname)
      FROM pg_catalog.pg_class AS c JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
     WHERE c.oid = target;
    PERFORM @extschema@.attempt_views_apply(store_on);
    INSERT INTO @extschema@.attempt_lock_history (version, action, detail)
    SELECT e.extversion, 'attach', pg_catalog.jsonb_build_object('source', target::pg_catalog.text,
               'previous', cfg.source_table::pg_catalog.text, 'was', CASE WHEN cfg IS NULL THEN 'pending'
                                                               WHEN NOT cfg.attached THEN 'detached' ELSE 'attached' END)
      FROM pg_catalog.pg_extension AS e WHERE e.extname = 'attempt_lock';
    PERFORM @extschema@.attempt_lock_record_state();
    -- After the baseline: the switch refuses to start from a state the lock calls drift.
    -- The store's four triggers on the source without the store: a restore brought them
    -- back before the row of attempt_lock_config that names their table (pg_restore
    -- --schema-only, then --data-only); the store is rebuilt from the source's rows.
    IF cfg.reenable_store OR (NOT store_on AND @extschema@.attempt_store_triggers_shaped()) THEN
        PERFORM @extschema@.attempt_store_switch_on(10000);
    END IF;
    RETURN target;
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_source_attach_body(pg_catalog.regclass) IS
'attempt_lock internal: the body of attempt_source_attach(), which runs it with the lock''s maintenance flag raised. Not a public API.';
REVOKE ALL ON FUNCTION @extschema@.attempt_source_attach_body(pg_catalog.regclass) FROM PUBLIC;

CREATE OR REPLACE FUNCTION @extschema@.attempt_source_detach_body()
RETURNS pg_catalog.bool
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    store_on pg_catalog.bool := pg_catalog.to_regnamespace('attempt_lock_store') IS NOT NULL;
BEGIN
    IF NOT EXISTS (SELECT FROM @extschema@.attempt_lock_config AS c WHERE c.attached) THEN
        RAISE EXCEPTION 'attempt_lock: the views are not attached to a source table'
              USING ERRCODE = 'object_not_in_prerequisite_state',
                    HINT = 'SELECT attempt_source_attach(); attaches them.';
    END IF;
    IF store_on THEN
        PERFORM @extschema@.attempt_store_switch_off();
    END IF;
    UPDATE @extschema@.attempt_lock_config SET attached = false, reenable_store = store_on;
    PERFORM @extschema@.attempt_views_apply(false);
    INSERT INTO @extschema@.attempt_lock_history (version, action, detail)
    SELECT e.extversion, 'detach', pg_catalog.jsonb_build_object('source', c.source_table::pg_catalog.text, 'store', store_on)
      FROM pg_catalog.pg_extension AS e, @extschema@.attempt_lock_config AS c WHERE e.extname = 'attempt_lock';
    PERFORM @extschema@.attempt_lock_record_state();
    RETURN true;
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_source_detach_body() IS
'attempt_lock internal: the body of attempt_source_detach(), which runs it with the lock''s maintenance flag raised. Not a public API.';
REVOKE ALL ON FUNCTION @extschema@.attempt_source_detach_body() FROM PUBLIC;

-- The public functions: native, so that only they can raise the flag the lock reads
-- (src/lock/maintenance.rs).
CREATE OR REPLACE FUNCTION @extschema@.attempt_source_attach(source_table pg_catalog.text DEFAULT NULL)
RETURNS pg_catalog.regclass
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'attempt_source_attach_wrapper';
COMMENT ON FUNCTION @extschema@.attempt_source_attach(pg_catalog.text) IS
'attempt_lock: (superuser) makes the views read source_table (by default the recorded source, or exam_results in the extension''s schema when none is recorded), after the source check; ends attempt_source_detach() and a pending install, and re-points the views after a table swap. Keeps the views'' grants and the views built on them; rebuilds the incremental store if it was on. Returns the source.';
CREATE OR REPLACE FUNCTION @extschema@.attempt_source_detach()
RETURNS void
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'attempt_source_detach_wrapper';
COMMENT ON FUNCTION @extschema@.attempt_source_detach() IS
'attempt_lock: (superuser) points the views at no table (the eleven columns, no rows), so that a change they would block can be made to the source (ALTER COLUMN user_id TYPE varchar(64)); attempt_source_attach() points them back, in the same transaction. The incremental store, if on, is switched off and rebuilt by the attach.';
REVOKE ALL ON FUNCTION @extschema@.attempt_source_attach(pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.attempt_source_detach() FROM PUBLIC;

-- A restore completes the install by itself. The row of attempt_lock_config that pg_dump
-- kept replaces whatever is there (the install, or a completion by the default source,
-- made one) and is attached; the owner alone may write the table.
CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_config_replace()
RETURNS trigger
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    DELETE FROM @extschema@.attempt_lock_config;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_lock_config_replace() IS
'attempt_lock internal: BEFORE INSERT trigger function of attempt_lock_config, a singleton: a new row (pg_dump''s, in a restore) replaces the old one.';
REVOKE ALL ON FUNCTION @extschema@.attempt_lock_config_replace() FROM PUBLIC;
CREATE OR REPLACE TRIGGER attempt_lock_config_replace BEFORE INSERT ON @extschema@.attempt_lock_config
    FOR EACH ROW EXECUTE FUNCTION @extschema@.attempt_lock_config_replace();

CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_config_restored()
RETURNS trigger
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- Rows written by the extension's own functions need nothing more.
    IF @extschema@.attempt_lock_in_script() THEN
        RETURN NULL;
    END IF;
    IF NEW.attached THEN
        PERFORM @extschema@.attempt_source_attach(NEW.source_table::pg_catalog.text);
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_lock_config_restored() IS
'attempt_lock internal: AFTER INSERT trigger function of attempt_lock_config: a row written from outside (pg_dump''s, in a restore) attaches the views to its source.';
REVOKE ALL ON FUNCTION @extschema@.attempt_lock_config_restored() FROM PUBLIC;
CREATE OR REPLACE TRIGGER attempt_lock_config_restored AFTER INSERT ON @extschema@.attempt_lock_config
    FOR EACH ROW EXECUTE FUNCTION @extschema@.attempt_lock_config_restored();

-- ddl_command_end, on DDL of tables and triggers:
-- - a pending install completes when its source is created (the restore's CREATE TABLE
--   exam_results, or of the table attempt_lock.source_table names in the restore's
--   session), if whoever creates it may complete it;
-- - an ALTER TABLE that breaks the recorded source's contract (RENAME COLUMN user_id: the
--   views would go on reading the column, the contract would not) is refused. Renaming
--   the table or moving it to another schema is followed: the views read it by OID, and
--   health tells such a rename from a swap (source_name);
-- - the incremental store is marked stale the moment its triggers are disabled, dropped or
--   changed (pg_restore --disable-triggers, ALTER TABLE ... DISABLE TRIGGER ALL, by the
--   table's owner too), or a logical replication subscription starts writing the source
--   (CREATE / ALTER SUBSCRIPTION ... REFRESH: its apply worker fires no statement
--   triggers), or the source gets a partition or an inheritance child (CREATE TABLE ...
--   PARTITION OF / INHERITS, ATTACH PARTITION, ALTER TABLE ... INHERIT: a write to it
--   fires none of the source's triggers): attempt computes its rows until
--   attempt_store_rebuild();
-- - the store's four triggers, restored from a dump after the source's data, rebuild the
--   store from that data.
CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_watch_source()
RETURNS event_trigger
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    source pg_catalog.regclass;
    chosen pg_catalog.text;
    broken pg_catalog.text;
    superuser pg_catalog.bool := COALESCE((SELECT r.rolsuper FROM pg_catalog.pg_roles AS r WHERE r.rolname = CURRENT_USER), false);
BEGIN
    IF @extschema@.attempt_lock_in_script() THEN
        RETURN;
    END IF;
    SELECT c.source_table INTO source FROM @extschema@.attempt_lock_config AS c WHERE c.attached;
    IF source IS NULL THEN
        -- The source the restore names in its session (attempt_lock.source_table, as at
        -- CREATE EXTENSION), else the default.
        chosen := COALESCE(NULLIF(pg_catalog.current_setting('attempt_lock.source_table', true), ''),
                           '@extschema@.exam_results');
        IF NOT EXISTS (SELECT FROM @extschema@.attempt_lock_config)
           AND tg_tag IN ('CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO', 'ALTER TABLE')
           AND EXISTS (SELECT FROM pg_catalog.pg_event_trigger_ddl_commands() AS c
                        WHERE c.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                          AND c.objid = pg_catalog.to_regclass(chosen)) THEN
            IF superuser THEN
                PERFORM @extschema@.attempt_source_attach(chosen);
            ELSE
                RAISE NOTICE 'attempt_lock: % exists now; a superuser completes the install with SELECT attempt_source_attach(%);',
                             chosen, pg_catalog.quote_literal(chosen);
            END IF;
        END IF;
        RETURN;
    END IF;
    IF tg_tag IN ('CREATE TRIGGER', 'DROP TRIGGER', 'ALTER TRIGGER', 'ALTER TABLE', 'CREATE TABLE',
                  'CREATE SUBSCRIPTION', 'ALTER SUBSCRIPTION')
       AND pg_catalog.to_regnamespace('attempt_lock_store') IS NOT NULL THEN
        PERFORM @extschema@.attempt_store_mark_stale(tg_tag);
    END IF;
    IF tg_tag = 'CREATE TRIGGER' AND pg_catalog.to_regnamespace('attempt_lock_store') IS NULL
       AND @extschema@.attempt_store_triggers_shaped() THEN
        IF superuser THEN
            PERFORM @extschema@.attempt_store_enable();
        ELSE
            RAISE NOTICE 'attempt_lock: the incremental store''s triggers are back on %; a superuser rebuilds the store with SELECT attempt_store_enable();', source;
        END IF;
    END IF;
    IF tg_tag = 'ALTER TABLE'
       AND EXISTS (SELECT FROM pg_catalog.pg_event_trigger_ddl_commands() AS c
                    WHERE c.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND c.objid = source) THEN
        SELECT pg_catalog.string_agg(p.problem, '; ') INTO broken
          FROM @extschema@.attempt_source_problems(source::pg_catalog.text) AS p;
        IF broken IS NOT NULL AND @extschema@.attempt_lock_override_active() THEN
            PERFORM @extschema@.attempt_lock_refuse(tg_tag, 'table ' || source::pg_catalog.text, broken);
        ELSIF broken IS NOT NULL THEN
            RAISE EXCEPTION 'attempt_lock: % refused: it would break the contract of %, the source of extension attempt_lock', tg_tag, source
                  USING ERRCODE = 'object_not_in_prerequisite_state',
                        DETAIL = broken || '.',
                        HINT = 'attempt reads the source by the names and types of docs/SPEC.md section 2. To change a column''s type within them: SELECT attempt_source_detach(); ALTER TABLE ...; SELECT attempt_source_attach(); in one transaction (docs/OPERATIONS.md, "Changing the source table").';
        END IF;
    END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_lock_watch_source() IS
'attempt_lock internal: ddl_command_end event trigger function on table and trigger DDL: completes a pending install when its source table is created, refuses an ALTER TABLE that would break the recorded source''s contract, marks the incremental store stale when its triggers are changed, a subscription starts writing the source or the source gets a partition or child, and rebuilds the store when a restore brings its triggers back.';
REVOKE ALL ON FUNCTION @extschema@.attempt_lock_watch_source() FROM PUBLIC;

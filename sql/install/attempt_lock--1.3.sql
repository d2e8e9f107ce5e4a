-- attempt_lock 1.3: install script.
-- Built by scripts/build_sql.sh from sql/src/ and sql/steps/: edit those and rebuild,
-- never this file. Frozen once released (sql/manifest.sha256).

\echo Use "CREATE EXTENSION attempt_lock" to load this file. \quit

-- The two native V1 hashes (src/hash.rs): attempt_id, both overloads, and attempt_student_uuid.

CREATE OR REPLACE FUNCTION @extschema@.attempt_id(a pg_catalog.text, b pg_catalog.text)
RETURNS pg_catalog.int8
IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c
AS 'MODULE_PATHNAME', 'attempt_id_text_wrapper';

CREATE OR REPLACE FUNCTION @extschema@.attempt_id(a pg_catalog.uuid, b pg_catalog.int8)
RETURNS pg_catalog.int8
IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c
AS 'MODULE_PATHNAME', 'attempt_id_uuid_bigint_wrapper';

CREATE OR REPLACE FUNCTION @extschema@.attempt_student_uuid(u pg_catalog.text)
RETURNS pg_catalog.uuid
IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c
AS 'MODULE_PATHNAME', 'attempt_student_uuid_wrapper';

COMMENT ON FUNCTION @extschema@.attempt_id(pg_catalog.text, pg_catalog.text) IS
'V1 attempt id: the first 8 bytes of md5(a || ''-'' || b) as a signed big-endian bigint; bit-identical to (''x'' || substr(md5(a || ''-'' || b), 1, 16))::bit(64)::bigint, computed in-process';
COMMENT ON FUNCTION @extschema@.attempt_id(pg_catalog.uuid, pg_catalog.int8) IS
'V1 attempt id of (exam result uuid, item id): equals attempt_id(a::text, b::text)';
COMMENT ON FUNCTION @extschema@.attempt_student_uuid(pg_catalog.text) IS
'V1 student uuid: u itself when it is a 36-character UUID string PostgreSQL accepts, else the 128 bits of md5(u); never raises';

-- The V1 contract as data and the source check (src/contract.rs).

CREATE OR REPLACE FUNCTION @extschema@.attempt_contract(
    OUT "position" pg_catalog.int4, OUT column_name pg_catalog.text,
    OUT data_type pg_catalog.text, OUT never_null pg_catalog.bool)
RETURNS SETOF record
IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c
AS 'MODULE_PATHNAME', 'attempt_contract_wrapper';

CREATE OR REPLACE FUNCTION @extschema@.attempt_source_problems(
    source_table pg_catalog.text,
    OUT column_name pg_catalog.text, OUT problem pg_catalog.text)
RETURNS SETOF record
STABLE STRICT PARALLEL SAFE LANGUAGE c
AS 'MODULE_PATHNAME', 'attempt_source_problems_wrapper';

CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_check_source(source_table pg_catalog.text)
RETURNS pg_catalog.oid
STABLE STRICT PARALLEL SAFE LANGUAGE c
AS 'MODULE_PATHNAME', 'attempt_lock_check_source_wrapper';

COMMENT ON FUNCTION @extschema@.attempt_contract() IS
'The eleven V1 columns of attempt, in order, with their types and whether they may be NULL';
COMMENT ON FUNCTION @extschema@.attempt_source_problems(pg_catalog.text) IS
'Every way the named source table breaks the exam_results contract; no rows when it is sound';
COMMENT ON FUNCTION @extschema@.attempt_lock_check_source(pg_catalog.text) IS
'Raises the first source-contract problem of the named table (SQLSTATE 42P01, 42703 or 42804, with a HINT); returns its oid when sound';

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

-- The lock's tables: the recorded baseline and the override log.

CREATE TABLE @extschema@.attempt_lock_state (
    recorded_at  timestamptz NOT NULL,
    ext_version  text        NOT NULL,
    kind         text        NOT NULL
        CHECK (kind IN ('member', 'view', 'function', 'event_trigger', 'external')),
    object_type  text        NOT NULL,
    identity     text        NOT NULL,
    name         text,
    definition   text,
    structure    text,
    server_major int4,
    PRIMARY KEY (recorded_at, kind, object_type, identity)
);
COMMENT ON TABLE @extschema@.attempt_lock_state IS
'attempt_lock: what the last install/update script left behind (members with owners, view definitions, function definitions, event triggers, and the outside objects the members depend on). One snapshot per install/update, newest recorded_at is the baseline; older snapshots are history. definition is the text PostgreSQL prints for an object, structure what it is made of (columns, options, what it depends on, its source text), server_major the major that recorded them. attempt_lock_drift() compares the database with the newest snapshot: the structure always, the definition on the same major (a newer major may print the same object differently: pg_upgrade).';

CREATE TABLE @extschema@.attempt_lock_override_log (
    logged_at       timestamptz NOT NULL DEFAULT pg_catalog.statement_timestamp(),
    role_name       text        NOT NULL DEFAULT CURRENT_USER,  -- SQL keyword, cannot be schema-qualified
    session_role    text        NOT NULL DEFAULT SESSION_USER,  -- SQL keyword
    command_tag     text        NOT NULL,
    object_identity text        NOT NULL,
    query           text
);
COMMENT ON TABLE @extschema@.attempt_lock_override_log IS
'attempt_lock: one row per DDL statement that the lock would have refused but let through because a superuser had set attempt_lock.override = on.';

-- pg_dump keeps the rows of both tables (they are history, not install output).
SELECT pg_catalog.pg_extension_config_dump('@extschema@.attempt_lock_state', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.attempt_lock_override_log', '');

-- The event trigger functions run as whoever issues the DDL, so every role
-- must be able to read the baseline (it holds nothing pg_get_viewdef() and
-- pg_get_functiondef() would not show anyway). The override log holds query
-- texts: superusers only.
REVOKE ALL ON @extschema@.attempt_lock_state FROM PUBLIC;
GRANT SELECT ON @extschema@.attempt_lock_state TO PUBLIC;
REVOKE ALL ON @extschema@.attempt_lock_override_log FROM PUBLIC;

-- The lock's helpers: whether a script runs, whether the override is on, the refusal.

CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_in_script()
RETURNS pg_catalog.bool
VOLATILE PARALLEL RESTRICTED LANGUAGE c
AS 'MODULE_PATHNAME', 'attempt_lock_in_script_wrapper';
COMMENT ON FUNCTION @extschema@.attempt_lock_in_script() IS
'attempt_lock: true while an install or update script of attempt_lock is running (the server''s creating_extension state), or the incremental store''s switch (attempt_store_enable/disable)';

CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_override_active()
RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    -- attempt_lock.override is a PGC_SUSET GUC in the real extension; the
    -- superuser test below also makes a placeholder set by an ordinary role
    -- (before the library is loaded) ineffective.
    SELECT pg_catalog.lower(pg_catalog.btrim(COALESCE(
               pg_catalog.current_setting('attempt_lock.override', true), '')))
               IN ('on', 'true', 'yes', '1', 't', 'y')
       AND COALESCE((SELECT r.rolsuper FROM pg_catalog.pg_roles AS r
                     WHERE r.rolname = CURRENT_USER), false)
$$;
COMMENT ON FUNCTION @extschema@.attempt_lock_override_active() IS
'attempt_lock: true when attempt_lock.override is on AND the current role is a superuser.';

CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_refuse(p_tag text, p_object text, p_detail text)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF @extschema@.attempt_lock_override_active() THEN
        INSERT INTO @extschema@.attempt_lock_override_log (command_tag, object_identity, query)
        VALUES (p_tag, p_object, pg_catalog.current_query());
        RAISE WARNING 'attempt_lock: override used: % on % allowed for role %',
                      p_tag, p_object, CURRENT_USER
              USING DETAIL = 'The statement was recorded in attempt_lock_override_log; attempt_health() reports the resulting drift until the definition is restored.';
        RETURN;
    END IF;
    RAISE EXCEPTION 'attempt_lock: % refused: % is locked by extension attempt_lock', p_tag, p_object
          USING ERRCODE = 'object_not_in_prerequisite_state',
                DETAIL  = COALESCE(p_detail || ' ', '')
                          || 'Only GRANT, REVOKE and COMMENT may touch the locked objects outside the extension''s scripts.',
                HINT    = 'Change the locked objects by installing a new version and running ALTER EXTENSION attempt_lock UPDATE.';
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_lock_refuse(text, text, text) IS
'attempt_lock: raises the lock''s refusal (SQLSTATE 55000, HINT ALTER EXTENSION attempt_lock UPDATE), or, under a superuser override, logs the statement and raises a WARNING instead.';

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

-- The install script's choice of source table (source.sql), before anything reads it.
SELECT @extschema@.attempt_lock_install_source(s.chosen, pg_catalog.to_regclass(s.chosen))
  FROM (SELECT COALESCE(NULLIF(pg_catalog.current_setting('attempt_lock.source_table', true), ''),
                        '@extschema@.exam_results') AS chosen) AS s;

-- Replacing a view that others are built on, keeping what hangs on them: adopting a
-- deployed `attempt` at CREATE EXTENSION (docs/ADOPTING.md), the way back for a migration's
-- downgrade, and re-typing attempt_rejects when a pending install meets its source.
--
-- A view and the views built on it are captured as data (jsonb: definition, owner,
-- options, comments, grants, column defaults, INSTEAD OF triggers, rules, output columns),
-- dropped, and created again from that data. Definitions are read with search_path =
-- pg_catalog, so every name in them is schema-qualified.

-- One view as data. The definition is pg_get_viewdef's: the text PostgreSQL would dump.
CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_view_capture(target pg_catalog.regclass)
RETURNS pg_catalog.jsonb
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.jsonb_build_object(
        'name', pg_catalog.format('%I.%I', n.nspname, c.relname),
        'kind', c.relkind::pg_catalog.text,
        'owner', pg_catalog.pg_get_userbyid(c.relowner),
        'options', COALESCE(pg_catalog.array_to_json(c.reloptions)::pg_catalog.jsonb, '[]'),
        'definition', CASE WHEN c.relkind IN ('v', 'm') THEN pg_catalog.pg_get_viewdef(c.oid, false) END,
        'comment', pg_catalog.obj_description(c.oid, 'pg_class'),
        'columns', (SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                               'name', a.attname, 'type', pg_catalog.format_type(a.atttypid, a.atttypmod),
                               'comment', pg_catalog.col_description(c.oid, a.attnum),
                               'default', pg_catalog.pg_get_expr(ad.adbin, ad.adrelid),
                               'grants', COALESCE((SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                                                     'privilege', x.privilege_type,
                                                     'grantee', CASE WHEN x.grantee = 0 THEN 'PUBLIC'
                                                                     ELSE x.grantee::pg_catalog.regrole::pg_catalog.text END,
                                                     'grantable', x.is_grantable))
                                            FROM pg_catalog.aclexplode(a.attacl) AS x), '[]'))
                           ORDER BY a.attnum)
                      FROM pg_catalog.pg_attribute AS a
                      LEFT JOIN pg_catalog.pg_attrdef AS ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
                     WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped),
        'grants', COALESCE((SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                                       'privilege', x.privilege_type,
                                       'grantee', CASE WHEN x.grantee = 0 THEN 'PUBLIC'
                                                       ELSE x.grantee::pg_catalog.regrole::pg_catalog.text END,
                                       'grantable', x.is_grantable))
                              FROM pg_catalog.aclexplode(c.relacl) AS x
                             WHERE x.grantee <> c.relowner), '[]'),
        'triggers', COALESCE((SELECT pg_catalog.jsonb_agg(pg_catalog.pg_get_triggerdef(t.oid) ORDER BY t.tgname)
                                FROM pg_catalog.pg_trigger AS t
                               WHERE t.tgrelid = c.oid AND NOT t.tgisinternal), '[]'),
        'rules', COALESCE((SELECT pg_catalog.jsonb_agg(pg_catalog.pg_get_ruledef(r.oid) ORDER BY r.rulename)
                             FROM pg_catalog.pg_rewrite AS r
                            WHERE r.ev_class = c.oid AND r.rulename <> '_RETURN'), '[]'))
      FROM pg_catalog.pg_class AS c JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
     WHERE c.oid = target
$$;
COMMENT ON FUNCTION @extschema@.attempt_lock_view_capture(pg_catalog.regclass) IS
'attempt_lock internal: a view as data (definition, owner, options, comment, columns with their comments, defaults and grants, grants, INSTEAD OF triggers, rules), from which attempt_lock_view_statements() creates it again.';

-- The statements that create a captured view again, in order. The columns' comments,
-- defaults and grants are applied only to columns the new view has (with_columns).
CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_view_statements(captured pg_catalog.jsonb, with_definition pg_catalog.bool DEFAULT true)
RETURNS SETOF pg_catalog.text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT s.statement FROM (
        SELECT 1 AS step, 0 AS i,
               pg_catalog.format('CREATE VIEW %s%s AS %s', captured->>'name',
                   CASE WHEN pg_catalog.jsonb_array_length(captured->'options') > 0
                        THEN ' WITH (' || (SELECT pg_catalog.string_agg(o, ', ') FROM pg_catalog.jsonb_array_elements_text(captured->'options') AS o) || ')'
                        ELSE '' END,
                   pg_catalog.rtrim(captured->>'definition', '; ' || pg_catalog.chr(10))) AS statement
         WHERE with_definition
        UNION ALL
        SELECT 2, 0, pg_catalog.format('ALTER VIEW %s OWNER TO %I', captured->>'name', captured->>'owner')
         WHERE with_definition
        UNION ALL
        SELECT 3, 0, pg_catalog.format('COMMENT ON VIEW %s IS %L', captured->>'name', captured->>'comment')
         WHERE with_definition AND captured->>'comment' IS NOT NULL
        UNION ALL
        SELECT 4, c.i::pg_catalog.int4, pg_catalog.format('COMMENT ON COLUMN %s.%I IS %L', captured->>'name', c.col->>'name', c.col->>'comment')
          FROM pg_catalog.jsonb_array_elements(captured->'columns') WITH ORDINALITY AS c(col, i)
         WHERE with_definition AND c.col->>'comment' IS NOT NULL
        UNION ALL
        SELECT 5, c.i::pg_catalog.int4, pg_catalog.format('ALTER VIEW %s ALTER COLUMN %I SET DEFAULT %s', captured->>'name', c.col->>'name', c.col->>'default')
          FROM pg_catalog.jsonb_array_elements(captured->'columns') WITH ORDINALITY AS c(col, i)
         WHERE with_definition AND c.col->>'default' IS NOT NULL
        UNION ALL
        SELECT 6, g.i::pg_catalog.int4, pg_catalog.format('GRANT %s ON %s TO %s%s', g.g->>'privilege', captured->>'name', g.g->>'grantee',
                                       CASE WHEN (g.g->>'grantable')::pg_catalog.bool THEN ' WITH GRANT OPTION' ELSE '' END)
          FROM pg_catalog.jsonb_array_elements(captured->'grants') WITH ORDINALITY AS g(g, i)
        UNION ALL
        SELECT 7, (c.i * 1000 + g.i)::pg_catalog.int4,
               pg_catalog.format('GRANT %s (%I) ON %s TO %s%s', g.g->>'privilege', c.col->>'name', captured->>'name', g.g->>'grantee',
                                 CASE WHEN (g.g->>'grantable')::pg_catalog.bool THEN ' WITH GRANT OPTION' ELSE '' END)
          FROM pg_catalog.jsonb_array_elements(captured->'columns') WITH ORDINALITY AS c(col, i),
               pg_catalog.jsonb_array_elements(c.col->'grants') WITH ORDINALITY AS g(g, i)
        UNION ALL
        SELECT 8, t.i::pg_catalog.int4, t.t FROM pg_catalog.jsonb_array_elements_text(captured->'triggers') WITH ORDINALITY AS t(t, i)
         WHERE with_definition
        UNION ALL
        SELECT 9, r.i::pg_catalog.int4, pg_catalog.rtrim(r.r, ';') FROM pg_catalog.jsonb_array_elements_text(captured->'rules') WITH ORDINALITY AS r(r, i)
         WHERE with_definition
    ) AS s
    ORDER BY s.step, s.i
$$;
COMMENT ON FUNCTION @extschema@.attempt_lock_view_statements(pg_catalog.jsonb, pg_catalog.bool) IS
'attempt_lock internal: the statements that create a view captured by attempt_lock_view_capture() again (with_definition => false: only its grants, to apply them to another view of the same name).';

-- The views built on target, each with its depth (a view is created after every view it
-- reads), captured; and what cannot be carried over: materialized views, functions whose
-- body (BEGIN ATOMIC) or signature depends on one of them, and anything else that depends
-- on them, each described.
CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_dependents(target pg_catalog.regclass,
    OUT views pg_catalog.jsonb, OUT refused pg_catalog.text[])
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    WITH RECURSIVE built_on(oid, depth) AS (
        SELECT target::pg_catalog.oid, 0
        UNION
        SELECT r.ev_class, b.depth + 1
          FROM built_on AS b
          JOIN pg_catalog.pg_depend AS d
            ON d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid = b.oid
           AND d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass
          JOIN pg_catalog.pg_rewrite AS r ON r.oid = d.objid
         WHERE r.ev_class <> b.oid
    ), relations AS (
        SELECT b.oid, pg_catalog.max(b.depth) AS depth FROM built_on AS b GROUP BY b.oid
    ), types AS (
        -- each relation's row type and the array of it
        SELECT r.oid AS rel, t.oid AS typ
          FROM relations AS r JOIN pg_catalog.pg_type AS t
            ON t.typrelid = r.oid OR t.typelem = (SELECT c.reltype FROM pg_catalog.pg_class AS c WHERE c.oid = r.oid)
    ), dependencies AS (
        SELECT d.classid, d.objid, d.objsubid, d.refobjid AS rel
          FROM pg_catalog.pg_depend AS d JOIN relations AS r
            ON d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid = r.oid
        UNION
        SELECT d.classid, d.objid, d.objsubid, t.rel
          FROM pg_catalog.pg_depend AS d JOIN types AS t
            ON d.refclassid = 'pg_catalog.pg_type'::pg_catalog.regclass AND d.refobjid = t.typ
    ), uncarried AS (
        SELECT DISTINCT pg_catalog.format('%s (on %s)', pg_catalog.pg_describe_object(d.classid, d.objid, 0),
                                          d.rel::pg_catalog.regclass) AS what
          FROM dependencies AS d
         WHERE NOT (
               -- a view's own row type, its array type, and its column defaults
               (d.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND d.objid IN (SELECT t.typ FROM types AS t))
            OR d.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass
               -- the rules of relations in the set (a view's query or a captured rule; a
               -- relation that is not a view is reported below)
            OR (d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass
                AND (SELECT r.ev_class FROM pg_catalog.pg_rewrite AS r WHERE r.oid = d.objid) IN (SELECT x.oid FROM relations AS x))
               -- INSTEAD OF triggers of the views built on target (captured)
            OR (d.classid = 'pg_catalog.pg_trigger'::pg_catalog.regclass AND d.rel <> target)
        )
        UNION ALL
        SELECT pg_catalog.format(CASE WHEN r.oid = target THEN '%s %s is not a view' ELSE '%s %s' END,
                                 CASE c.relkind WHEN 'm' THEN 'materialized view' WHEN 'r' THEN 'table'
                                                WHEN 'p' THEN 'partitioned table' WHEN 'f' THEN 'foreign table'
                                                ELSE 'relation' END, c.oid::pg_catalog.regclass)
          FROM relations AS r JOIN pg_catalog.pg_class AS c ON c.oid = r.oid
         WHERE c.relkind <> 'v'
    )
    SELECT (SELECT COALESCE(pg_catalog.jsonb_agg(@extschema@.attempt_lock_view_capture(r.oid) ORDER BY r.depth, r.oid::pg_catalog.regclass::pg_catalog.text), '[]')
              FROM relations AS r WHERE r.depth > 0),
           (SELECT pg_catalog.array_agg(u.what ORDER BY u.what) FROM uncarried AS u)
$$;
COMMENT ON FUNCTION @extschema@.attempt_lock_dependents(pg_catalog.regclass) IS
'attempt_lock internal: the views built on a view, recursively, captured in creation order; and what cannot be carried over when it is replaced (materialized views, functions with BEGIN ATOMIC bodies or using a row type, a target that is not a view, any other dependent object).';

-- Creates captured views again, in order; each re-created view's output columns are
-- compared with its old ones when same_columns (a dependent that still parses but would
-- mean something else fails). Created inside the extension's own script, a view would
-- become a member: it is detached, so it stays its owner's (not locked, dumped by pg_dump,
-- untouched by DROP EXTENSION).
CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_views_recreate(captured pg_catalog.jsonb, replaced pg_catalog.text, same_columns pg_catalog.bool)
RETURNS pg_catalog.int4
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v pg_catalog.jsonb;
    statement pg_catalog.text;
    was pg_catalog.text;
    now_is pg_catalog.text;
    n pg_catalog.int4 := 0;
BEGIN
    FOR v IN SELECT x FROM pg_catalog.jsonb_array_elements(captured) AS x LOOP
        BEGIN
            FOR statement IN SELECT s FROM @extschema@.attempt_lock_view_statements(v) AS s LOOP
                EXECUTE statement;
            END LOOP;
        EXCEPTION WHEN OTHERS THEN
            RAISE EXCEPTION 'attempt_lock: view % (built on %) cannot be created again on the new %: %',
                  v->>'name', replaced, replaced, SQLERRM
                  USING ERRCODE = SQLSTATE,
                        HINT = 'Nothing was changed. Make the view read only columns attempt V1 has (docs/SPEC.md section 3), or drop it, then try again (docs/ADOPTING.md).';
        END;
        IF EXISTS (SELECT FROM pg_catalog.pg_depend AS d
                    WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                      AND d.objid = (v->>'name')::pg_catalog.regclass
                      AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.deptype = 'e') THEN
            EXECUTE pg_catalog.format('ALTER EXTENSION attempt_lock DROP VIEW %s', v->>'name');
        END IF;
        IF same_columns THEN
            SELECT pg_catalog.string_agg(pg_catalog.format('%I %s', c->>'name', c->>'type'), ', ') INTO was
              FROM pg_catalog.jsonb_array_elements(v->'columns') AS c;
            SELECT pg_catalog.string_agg(pg_catalog.format('%I %s', a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod)), ', ' ORDER BY a.attnum)
              INTO now_is
              FROM pg_catalog.pg_attribute AS a
             WHERE a.attrelid = (v->>'name')::pg_catalog.regclass AND a.attnum > 0 AND NOT a.attisdropped;
            IF was IS DISTINCT FROM now_is THEN
                RAISE EXCEPTION 'attempt_lock: view % (built on %) would change its columns on the new %', v->>'name', replaced, replaced
                      USING ERRCODE = 'datatype_mismatch',
                            DETAIL = pg_catalog.format('Its columns were (%s); on the new view they would be (%s).', was, now_is),
                            HINT = 'Nothing was changed. Save its definition, drop it, adopt, and create it again on the V1 view, in one transaction (docs/ADOPTING.md, "Views whose columns would change").';
            END IF;
        END IF;
        n := n + 1;
    END LOOP;
    RETURN n;
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_lock_views_recreate(pg_catalog.jsonb, pg_catalog.text, pg_catalog.bool) IS
'attempt_lock internal: creates views captured by attempt_lock_dependents() again, in order, with their owners, options, comments, defaults, grants, INSTEAD OF triggers and rules; detaches them from the extension; optionally fails when one''s output columns changed. Not a public API.';
REVOKE ALL ON FUNCTION @extschema@.attempt_lock_views_recreate(pg_catalog.jsonb, pg_catalog.text, pg_catalog.bool) FROM PUBLIC;

-- Drops captured views, last created first; no CASCADE: anything the capture did not see
-- stops it.
CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_views_drop(captured pg_catalog.jsonb)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    name pg_catalog.text;
BEGIN
    FOR name IN SELECT x->>'name' FROM pg_catalog.jsonb_array_elements(captured) WITH ORDINALITY AS v(x, i) ORDER BY v.i DESC LOOP
        EXECUTE pg_catalog.format('DROP VIEW %s', name);
    END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_lock_views_drop(pg_catalog.jsonb) IS
'attempt_lock internal: drops views captured by attempt_lock_dependents(), dependents first. Not a public API.';
REVOKE ALL ON FUNCTION @extschema@.attempt_lock_views_drop(pg_catalog.jsonb) FROM PUBLIC;

-- The install script, before it creates the views: a relation already named attempt or
-- attempt_rejects is refused, or adopted when a superuser SET
-- attempt_lock.adopt_existing_view in the session (src/guc.rs): the old view and the views
-- built on it are recorded in attempt_lock_history (action adopt) and dropped; the install
-- then creates the V1 views and attempt_lock_adopt_finish() the dependents on them.
CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_adopt_begin()
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    view_name pg_catalog.text;
    existing pg_catalog.regclass;
    dependents record;
BEGIN
    IF NOT @extschema@.attempt_lock_in_script() THEN
        RAISE EXCEPTION 'attempt_lock: attempt_lock_adopt_begin() runs only in the install script'
              USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    FOREACH view_name IN ARRAY ARRAY['attempt', 'attempt_rejects'] LOOP
        existing := pg_catalog.to_regclass('@extschema@.' || view_name);
        CONTINUE WHEN existing IS NULL;
        IF NOT pg_catalog.current_setting('attempt_lock.adopt_existing_view')::pg_catalog.bool THEN
            RAISE EXCEPTION 'attempt_lock: relation % already exists', existing
                  USING ERRCODE = 'duplicate_table',
                        HINT = 'To replace it with the V1 view, keeping the views built on it and the grants: SET attempt_lock.adopt_existing_view = on; in this session (superuser), then CREATE EXTENSION attempt_lock again. See docs/ADOPTING.md.';
        END IF;
        dependents := @extschema@.attempt_lock_dependents(existing);
        IF dependents.refused IS NOT NULL THEN
            RAISE EXCEPTION 'attempt_lock: cannot adopt %: % cannot be carried over', existing,
                  CASE WHEN pg_catalog.cardinality(dependents.refused) = 1 THEN 'one object'
                       ELSE pg_catalog.cardinality(dependents.refused) || ' objects' END
                  USING ERRCODE = 'dependent_objects_still_exist',
                        DETAIL = pg_catalog.array_to_string(dependents.refused, '; ') || '.',
                        HINT = 'Nothing was changed. Materialized views, functions with BEGIN ATOMIC bodies or using the view''s row type, and a relation that is not a view are handled by hand first: docs/ADOPTING.md, "What adoption refuses".';
        END IF;
        INSERT INTO @extschema@.attempt_lock_history (version, action, detail)
        SELECT e.extversion, 'adopt',
               pg_catalog.jsonb_build_object('replaced', @extschema@.attempt_lock_view_capture(existing),
                                             'dependents', dependents.views)
          FROM pg_catalog.pg_extension AS e WHERE e.extname = 'attempt_lock';
        PERFORM @extschema@.attempt_lock_views_drop(dependents.views);
        EXECUTE pg_catalog.format('DROP VIEW %s', existing);
    END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_lock_adopt_begin() IS
'attempt_lock internal: in the install script, refuses an existing relation named attempt or attempt_rejects (42P07), or adopts it when attempt_lock.adopt_existing_view is on: records it and the views built on it in attempt_lock_history and drops them. Runs only in the install script.';
REVOKE ALL ON FUNCTION @extschema@.attempt_lock_adopt_begin() FROM PUBLIC;

-- The install script, after it created the views: the adopted views' grants on the new
-- ones, and the views that were built on them, created again and detached.
CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_adopt_finish()
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    adoption pg_catalog.jsonb;
    statement pg_catalog.text;
    blind pg_catalog.text;
BEGIN
    IF NOT @extschema@.attempt_lock_in_script() THEN
        RAISE EXCEPTION 'attempt_lock: attempt_lock_adopt_finish() runs only in the install script'
              USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    -- The history table was created by this install: its adopt rows are this adoption's.
    FOR adoption IN SELECT h.detail FROM @extschema@.attempt_lock_history AS h WHERE h.action = 'adopt' ORDER BY h.at LOOP
        FOR statement IN
            SELECT s FROM @extschema@.attempt_lock_view_statements(
                -- the grants of columns V1 has
                pg_catalog.jsonb_set(adoption->'replaced', '{columns}', COALESCE((
                    SELECT pg_catalog.jsonb_agg(c) FROM pg_catalog.jsonb_array_elements(adoption->'replaced'->'columns') AS c
                     WHERE EXISTS (SELECT FROM pg_catalog.pg_attribute AS a
                                    WHERE a.attrelid = (adoption->'replaced'->>'name')::pg_catalog.regclass
                                      AND a.attname = c->>'name' AND NOT a.attisdropped)), '[]')),
                false) AS s
        LOOP
            EXECUTE statement;
        END LOOP;
        PERFORM @extschema@.attempt_lock_views_recreate(adoption->'dependents', adoption->'replaced'->>'name', true);
        -- Its old owner (the role that ran the migration, say) read it without a grant and
        -- may own views built on it: it keeps reading it.
        IF adoption->'replaced'->>'owner' IS DISTINCT FROM CURRENT_USER::pg_catalog.text THEN
            EXECUTE pg_catalog.format('GRANT SELECT ON %s TO %I', adoption->'replaced'->>'name', adoption->'replaced'->>'owner');
        END IF;
        -- The V1 views read the source with their reader's privileges (security_invoker);
        -- the old view read it with its owner's. Who could read through it and cannot read
        -- the source is told, not granted: that is a decision about the source's data.
        SELECT pg_catalog.string_agg(DISTINCT r.rolname, ', ' ORDER BY r.rolname) INTO blind
          FROM (SELECT adoption->'replaced'->>'owner' AS role
                UNION SELECT g->>'grantee' FROM pg_catalog.jsonb_array_elements(adoption->'replaced'->'grants') AS g
                UNION SELECT g->>'grantee' FROM pg_catalog.jsonb_array_elements(adoption->'replaced'->'columns') AS c,
                                                pg_catalog.jsonb_array_elements(c->'grants') AS g
                UNION SELECT v->>'owner' FROM pg_catalog.jsonb_array_elements(adoption->'dependents') AS v) AS w
          JOIN pg_catalog.pg_roles AS r ON pg_catalog.quote_ident(r.rolname) = w.role OR r.rolname = w.role
         WHERE NOT r.rolsuper
           AND NOT EXISTS (SELECT FROM @extschema@.attempt_lock_config AS cfg
                            WHERE pg_catalog.has_column_privilege(r.oid, cfg.source_table, 'id', 'SELECT')
                              AND pg_catalog.has_column_privilege(r.oid, cfg.source_table, 'user_id', 'SELECT')
                              AND pg_catalog.has_column_privilege(r.oid, cfg.source_table, 'session_id', 'SELECT')
                              AND pg_catalog.has_column_privilege(r.oid, cfg.source_table, 'created_at', 'SELECT')
                              AND pg_catalog.has_column_privilege(r.oid, cfg.source_table, 'updated_at', 'SELECT')
                              AND pg_catalog.has_column_privilege(r.oid, cfg.source_table, 'result_json', 'SELECT'));
        IF blind IS NOT NULL THEN
            RAISE WARNING 'attempt_lock: % read through the old % but cannot read its source %: the V1 view reads it with its reader''s privileges',
                  blind, adoption->'replaced'->>'name', (SELECT cfg.source_table FROM @extschema@.attempt_lock_config AS cfg)
                  USING HINT = 'GRANT SELECT ON the source table to them (or to a role they are members of), or they get "permission denied" from attempt and the views built on it (docs/ADOPTING.md, "Who may read").';
        END IF;
    END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_lock_adopt_finish() IS
'attempt_lock internal: in the install script, after the V1 views exist: applies the adopted views'' grants to them and creates the views built on them again. Runs only in the install script.';
REVOKE ALL ON FUNCTION @extschema@.attempt_lock_adopt_finish() FROM PUBLIC;

-- The way back from an adoption, for a migration's downgrade: the statements that create
-- the adopted views as they were, then the views built on the extension's views as they
-- are now (they read the old view again). Run them after DROP EXTENSION attempt_lock
-- CASCADE, which drops those views (and what else depends on the extension: the index on
-- attempt_student_uuid(user_id) among them), in the same transaction.
CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_unadopt_statements()
RETURNS TABLE (step pg_catalog.int4, statement pg_catalog.text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    adopted pg_catalog.jsonb[];
    replaced pg_catalog.jsonb;
    current_views pg_catalog.jsonb := '[]';
    name pg_catalog.text;
BEGIN
    SELECT pg_catalog.array_agg(h.detail->'replaced' ORDER BY h.at) INTO adopted
      FROM @extschema@.attempt_lock_history AS h WHERE h.action = 'adopt';
    IF adopted IS NULL THEN
        RAISE EXCEPTION 'attempt_lock: no adoption is recorded in attempt_lock_history'
              USING ERRCODE = 'no_data_found',
                    HINT = 'The extension was installed without adopting a view: DROP EXTENSION attempt_lock is the way back.';
    END IF;
    FOREACH name IN ARRAY ARRAY['@extschema@.attempt', '@extschema@.attempt_rejects'] LOOP
        current_views := current_views || (@extschema@.attempt_lock_dependents(name::pg_catalog.regclass)).views;
    END LOOP;
    step := 0;
    FOREACH replaced IN ARRAY adopted LOOP
        FOR statement IN SELECT s FROM @extschema@.attempt_lock_view_statements(replaced) AS s LOOP
            step := step + 1;
            RETURN NEXT;
        END LOOP;
    END LOOP;
    FOR statement IN
        SELECT s FROM pg_catalog.jsonb_array_elements(current_views) WITH ORDINALITY AS v(x, i),
                      LATERAL @extschema@.attempt_lock_view_statements(v.x) AS s
    LOOP
        step := step + 1;
        RETURN NEXT;
    END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_lock_unadopt_statements() IS
'attempt_lock: the way back from an adoption (a migration''s downgrade): the statements that create the adopted view as it was and then the views now built on attempt, in order. Read them, DROP EXTENSION attempt_lock CASCADE, run them, in one transaction (docs/ADOPTING.md).';

-- CREATE OR REPLACE VIEW cannot change a column's type: the view is dropped and created
-- again under the same name, with the views built on it. Used when a pending install
-- completes with a source whose id is not the uuid it guessed (attempt_rejects.exam_result_id
-- has the source id's type): the views built on it may change type with it.
CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_view_retype(target pg_catalog.regclass, query pg_catalog.text)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    name pg_catalog.text := target::pg_catalog.text;
    old pg_catalog.jsonb := @extschema@.attempt_lock_view_capture(target);
    dependents record := @extschema@.attempt_lock_dependents(target);
    member pg_catalog.bool;
    statement pg_catalog.text;
BEGIN
    IF dependents.refused IS NOT NULL THEN
        RAISE EXCEPTION 'attempt_lock: the columns of % change type, and objects depend on it', name
              USING ERRCODE = 'dependent_objects_still_exist',
                    DETAIL = pg_catalog.array_to_string(dependents.refused, '; ') || '.',
                    HINT = 'Drop them, SELECT attempt_source_attach(); then create them again.';
    END IF;
    member := EXISTS (SELECT FROM pg_catalog.pg_depend AS d
                       WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = target
                         AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.deptype = 'e');
    PERFORM @extschema@.attempt_lock_views_drop(dependents.views);
    -- Outside a script (the maintenance functions) a member is detached before it is
    -- dropped, and joins again once created (in a script, creating it made it one).
    IF member THEN
        EXECUTE pg_catalog.format('ALTER EXTENSION attempt_lock DROP VIEW %s', name);
    END IF;
    EXECUTE pg_catalog.format('DROP VIEW %s', name);
    EXECUTE pg_catalog.format('CREATE VIEW %s WITH (%s) AS %s', name,
                              (SELECT pg_catalog.string_agg(o, ', ') FROM pg_catalog.jsonb_array_elements_text(old->'options') AS o), query);
    IF member AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend AS d
                               WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = name::pg_catalog.regclass
                                 AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.deptype = 'e') THEN
        EXECUTE pg_catalog.format('ALTER EXTENSION attempt_lock ADD VIEW %s', name);
    END IF;
    EXECUTE pg_catalog.format('ALTER VIEW %s OWNER TO %I', name, old->>'owner');
    EXECUTE pg_catalog.format('COMMENT ON VIEW %s IS %L', name, old->>'comment');
    FOR statement IN SELECT s FROM @extschema@.attempt_lock_view_statements(old, false) AS s LOOP
        EXECUTE statement;
    END LOOP;
    PERFORM @extschema@.attempt_lock_views_recreate(dependents.views, name, false);
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_lock_view_retype(pg_catalog.regclass, pg_catalog.text) IS
'attempt_lock internal: re-creates a view with a query whose column types differ, keeping its owner, comment, options, grants, extension membership and the views built on it. Not a public API.';
REVOKE ALL ON FUNCTION @extschema@.attempt_lock_view_retype(pg_catalog.regclass, pg_catalog.text) FROM PUBLIC;

-- The native parser behind both views (src/elements.rs, src/view_functions.rs) and the
-- attempt_no aggregate (src/attempt_no.rs). One parser reads the questions for attempt and
-- says for attempt_rejects what it dropped or defaulted and why, so the two views agree by
-- construction; view_contract checks both against an independent SQL reference.

-- The result-level rules of SPEC.md §5 (a NULL id, a NULL or blank user_id, no usable
-- completed_at): both views and the store keep a result only if this is true.
CREATE OR REPLACE FUNCTION @extschema@.attempt_result_kept(
    id_is_null   pg_catalog.bool,
    user_id      pg_catalog.text,
    completed_at pg_catalog.timestamptz)
RETURNS pg_catalog.bool
LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'attempt_result_kept';
COMMENT ON FUNCTION @extschema@.attempt_result_kept(pg_catalog.bool, pg_catalog.text, pg_catalog.timestamptz) IS
'attempt_lock internal: true when an exam result (is its id NULL, its user_id, COALESCE(updated_at, created_at)) passes the result-level rules of docs/SPEC.md section 5. Not a public API.';

CREATE OR REPLACE FUNCTION @extschema@.attempt_element_rejects(
    result_json  pg_catalog.jsonb,
    id_is_null   pg_catalog.bool,
    user_id      pg_catalog.text,
    completed_at pg_catalog.timestamptz)
RETURNS TABLE (
    "position"  pg_catalog.int4,
    question_id pg_catalog.text,
    field       pg_catalog.text,
    reason      pg_catalog.text,
    action      pg_catalog.text)
LANGUAGE c IMMUTABLE PARALLEL SAFE ROWS 1
AS 'MODULE_PATHNAME', 'attempt_element_rejects';
COMMENT ON FUNCTION @extschema@.attempt_element_rejects(pg_catalog.jsonb, pg_catalog.bool, pg_catalog.text, pg_catalog.timestamptz) IS
'attempt_lock internal: the rows of attempt_rejects for one exam result (result_json, is its id NULL, user_id, completed_at): each element dropped with its first reason, each field of a kept element defaulted, one questions row when there is no questions array. Not a public API.';

CREATE OR REPLACE FUNCTION @extschema@.attempt_elements(
    result_json jsonb,
    attempt_nos integer[],
    peer        bigint)
RETURNS TABLE (
    "position"       integer,
    item_id          bigint,
    correct          boolean,
    response_time_ms integer,
    hint_used        boolean,
    topic_id         text,
    attempt_no       integer)
LANGUAGE c IMMUTABLE PARALLEL SAFE ROWS 20
AS 'MODULE_PATHNAME', 'attempt_elements';

COMMENT ON FUNCTION @extschema@.attempt_elements(jsonb, integer[], bigint) IS
'attempt_lock internal: the kept questions[] elements of one exam result with their attempt values (docs/SPEC.md sections 3 and 5); attempt_no comes from attempt_no_counts() over the student''s results (NULL without it). Not a public API.';

CREATE OR REPLACE FUNCTION @extschema@.attempt_no_counts_transition(internal, jsonb)
RETURNS internal
LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'attempt_no_counts_transition';

COMMENT ON FUNCTION @extschema@.attempt_no_counts_transition(internal, jsonb) IS
'attempt_lock internal: transition function of attempt_no_counts(jsonb).';

CREATE OR REPLACE FUNCTION @extschema@.attempt_no_counts_final(internal)
RETURNS integer[]
LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'attempt_no_counts_final';

COMMENT ON FUNCTION @extschema@.attempt_no_counts_final(internal) IS
'attempt_lock internal: final function of attempt_no_counts(jsonb).';

-- Run as a window over one student's results ordered by (completed_at, id): the final
-- function only reads the state (a repeat call returns the same numbers). Its state lives
-- in the aggregate's memory context (src/context_vec.rs). PARALLEL SAFE: nothing in it
-- depends on the backend it runs in, so a query on attempt may scan in parallel workers
-- (the window itself runs above the Gather).
CREATE OR REPLACE AGGREGATE @extschema@.attempt_no_counts(jsonb) (
    SFUNC = @extschema@.attempt_no_counts_transition,
    STYPE = internal,
    FINALFUNC = @extschema@.attempt_no_counts_final,
    FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE);

COMMENT ON AGGREGATE @extschema@.attempt_no_counts(jsonb) IS
'attempt_lock internal: as a window over a student''s results in (completed_at, id) order, the attempt_no of every kept element of the current results (a student''s attempts at an item counted over earlier results). Not a public API.';

-- attempt_view_query(): the SELECT of the view attempt in each of its shapes.

-- The views are created from these texts only (attempt_views_apply(), in views.sql), and
-- attempt_store_sync_problems() compares the store with the computed shape:
--   computed  the rows computed from the source on every query (the released shape)
--   store     the rows read from the incremental store (attempt_store_enable()) while it
--             is usable, the computed ones otherwise
--   stored    the store's rows alone
CREATE OR REPLACE FUNCTION @extschema@.attempt_view_query(shape pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    source_name pg_catalog.text;
    id_type pg_catalog.text;
    stored pg_catalog.text;
BEGIN
    SELECT pg_catalog.format('%I.%I', n.nspname, c.relname),
           pg_catalog.format_type(a.atttypid, NULL)
      INTO STRICT source_name, id_type
      FROM @extschema@.attempt_lock_config AS cfg
      JOIN pg_catalog.pg_class AS c ON c.oid = cfg.source_table
      JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
      JOIN pg_catalog.pg_attribute AS a ON a.attrelid = c.oid AND a.attname = 'id';
    IF shape = 'computed' THEN
        RETURN pg_catalog.format($view$
SELECT %2$s AS id,
       r.student_id,
       q.item_id,
       q.correct,
       q.response_time_ms,
       q.hint_used,
       r.completed_at,
       -- Exact: at most 2.1e12 microseconds, well inside a double's integer range.
       r.completed_at - q.response_time_ms::double precision * '00:00:00.001'::interval
         AS started_at,
       q.attempt_no,
       r.session_id,
       q.topic_id
FROM (
    SELECT er.id,
           @extschema@.attempt_student_uuid(er.user_id) AS student_id,
           COALESCE(er.updated_at, er.created_at) AS completed_at,
           er.session_id::text AS session_id,
           er.result_json,
           @extschema@.attempt_no_counts(er.result_json) OVER w AS attempt_nos,
           pg_catalog.row_number() OVER w - pg_catalog.rank() OVER w AS peer
    FROM %1$s AS er
    -- The result-level rules of SPEC.md section 5, native (src/contract.rs) like the
    -- element-level ones.
    WHERE @extschema@.attempt_result_kept(er.id IS NULL, er.user_id::pg_catalog.text,
                                          COALESCE(er.updated_at, er.created_at))
    WINDOW w AS (PARTITION BY @extschema@.attempt_student_uuid(er.user_id)
                 ORDER BY COALESCE(er.updated_at, er.created_at), %3$s)
    ) AS r
CROSS JOIN LATERAL @extschema@.attempt_elements(r.result_json, r.attempt_nos, r.peer) AS q
$view$,
            source_name,
        CASE id_type WHEN 'uuid' THEN '@extschema@.attempt_id(r.id, q.item_id)'
             ELSE '@extschema@.attempt_id(r.id::pg_catalog.text, q.item_id::pg_catalog.text)' END,
        CASE WHEN id_type IN ('text', 'character varying') THEN 'er.id COLLATE "C"' ELSE 'er.id' END);
    END IF;
    -- The store's rows: each result's arrays unnested in lockstep (ProjectSet: no
    -- function scan per result), an answer's fields unpacked from its int8 (bit 0
    -- correct, bit 1 hint_used, bits 2-32 attempt_no, bits 33-63 response_time_ms: one
    -- array instead of four costs less per row). A qual on student_id or completed_at
    -- still reaches the store's indexes (neither comes from a set-returning function).
    stored := $view$
SELECT s.id,
       s.student_id,
       s.item_id,
       (s.answer & 1::pg_catalog.int8) = 1::pg_catalog.int8 AS correct,
       ((s.answer >> 33) & 2147483647::pg_catalog.int8)::pg_catalog.int4 AS response_time_ms,
       (s.answer & 2::pg_catalog.int8) = 2::pg_catalog.int8 AS hint_used,
       s.completed_at,
       s.completed_at - ((s.answer >> 33) & 2147483647::pg_catalog.int8)::double precision * '00:00:00.001'::interval
         AS started_at,
       ((s.answer >> 2) & 2147483647::pg_catalog.int8)::pg_catalog.int4 AS attempt_no,
       s.session_id,
       s.topic_id
FROM (SELECT pg_catalog.unnest(r.attempt_ids) AS id,
             r.student_id,
             pg_catalog.unnest(r.item_ids) AS item_id,
             pg_catalog.unnest(r.answers) AS answer,
             r.completed_at,
             r.session_id,
             pg_catalog.unnest(r.topic_ids) AS topic_id
        FROM attempt_lock_store.attempt_store AS r%s) AS s
$view$;
    IF shape = 'stored' THEN
        RETURN pg_catalog.format(stored, '');
    ELSIF shape <> 'store' THEN
        RAISE EXCEPTION 'attempt_lock: no view shape %', shape USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- The view's store shape: the store's rows while it is usable (exact), the computed
    -- ones otherwise (a stale store: its triggers were disabled or dropped); the test is a
    -- one-time filter of each branch. Rights on the source: the store branch names every
    -- source column, so the executor checks the caller's table and column privileges on
    -- the source for every query, as for the computed shape; it never runs (the InitPlan
    -- is true). Row-level security on the source: the store's own policy
    -- (attempt_store_build()) keeps a row iff the caller can see its source row.
    RETURN pg_catalog.format(stored, E'\n       WHERE @extschema@.attempt_store_usable()')
        || pg_catalog.format($view$WHERE (SELECT true)
   OR EXISTS (SELECT er.id, er.user_id, er.session_id, er.created_at, er.updated_at, er.result_json
                FROM %1$s AS er)
UNION ALL
SELECT c.* FROM (%2$s) AS c
WHERE NOT @extschema@.attempt_store_usable()
$view$, source_name, @extschema@.attempt_view_query('computed'));
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_view_query(pg_catalog.text) IS
'attempt_lock internal: the SELECT of the view attempt in a shape: computed (from the source on every query), store (from the incremental store while it is usable, computed otherwise) or stored (the store''s rows alone, for the sync check). Not a public API.';

-- The SELECT of attempt_rejects: always computed (the store keeps no rejects).
CREATE OR REPLACE FUNCTION @extschema@.attempt_rejects_query()
RETURNS pg_catalog.text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
RETURN pg_catalog.format($view$
SELECT er.id AS exam_result_id,
       r."position",
       r.question_id,
       r.field,
       r.reason,
       r.action
FROM %1$s AS er
CROSS JOIN LATERAL @extschema@.attempt_element_rejects(
    er.result_json, er.id IS NULL, er.user_id::pg_catalog.text, COALESCE(er.updated_at, er.created_at)) AS r
$view$, (SELECT pg_catalog.format('%I.%I', n.nspname, c.relname)
           FROM @extschema@.attempt_lock_config AS cfg
           JOIN pg_catalog.pg_class AS c ON c.oid = cfg.source_table
           JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace));
COMMENT ON FUNCTION @extschema@.attempt_rejects_query() IS
'attempt_lock internal: the SELECT of the view attempt_rejects. Not a public API.';

-- The views attempt (docs/SPEC.md §3) and attempt_rejects (§5), and the one function that
-- (re)creates them.

-- attempt: the window runs over results, not attempts. attempt_no_counts() numbers each
-- kept element from the student's earlier results, so the only sort is of exam_results
-- rows; the LATERAL call parses one result natively and emits its rows. The window's
-- PARTITION BY repeats the student_id expression verbatim, so a qual on student_id is
-- pushed below it into the scan of the source table, where the expression index on
-- attempt_student_uuid(user_id) serves it.
--
-- The views read the recorded source table. Its id type decides how id and the
-- attempt_no tie-break are spelled (attempt_view_query()): the (uuid, bigint) overload for
-- a uuid id, the text form otherwise, and COLLATE "C" for a text id so the order does not
-- depend on the database's collation.
--
-- CREATE OR REPLACE VIEW keeps a view's identity: its grants, comment, membership and the
-- views built on it survive every change of shape (the columns never change).
--
-- Without a source to read (pending or detached: source.sql) the views have a placeholder
-- shape: the same columns, no rows. attempt_rejects.exam_result_id has the source id's
-- type; a pending install guesses uuid, and if the source it completes with has another,
-- attempt_rejects is re-created (attempt_lock_view_retype(), adopt.sql).
CREATE OR REPLACE FUNCTION @extschema@.attempt_views_apply(store_on pg_catalog.bool)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    cfg @extschema@.attempt_lock_config;
    id_type pg_catalog.text;
    attempt_query pg_catalog.text;
    rejects_query pg_catalog.text;
BEGIN
    SELECT * INTO cfg FROM @extschema@.attempt_lock_config;
    SELECT pg_catalog.format_type(a.atttypid, a.atttypmod) INTO id_type
      FROM pg_catalog.pg_attribute AS a WHERE a.attrelid = cfg.source_table AND a.attname = 'id';
    IF cfg.attached THEN
        attempt_query := @extschema@.attempt_view_query(CASE WHEN store_on THEN 'store' ELSE 'computed' END);
        rejects_query := @extschema@.attempt_rejects_query();
    ELSE
        SELECT 'SELECT ' || pg_catalog.string_agg(pg_catalog.format('NULL::%s AS %I', w.data_type, w.column_name), ', '
                                                  ORDER BY w."position") || ' WHERE false'
          INTO attempt_query FROM @extschema@.attempt_contract() AS w;
        rejects_query := pg_catalog.format(
            'SELECT NULL::%s AS exam_result_id, NULL::pg_catalog.int4 AS "position", NULL::pg_catalog.text AS question_id,'
            ' NULL::pg_catalog.text AS field, NULL::pg_catalog.text AS reason, NULL::pg_catalog.text AS action WHERE false',
            COALESCE(id_type, 'pg_catalog.uuid'));
    END IF;
    EXECUTE 'CREATE OR REPLACE VIEW @extschema@.attempt WITH (security_invoker = true) AS ' || attempt_query;
    IF (SELECT pg_catalog.format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_attribute AS a
         WHERE a.attrelid = pg_catalog.to_regclass('@extschema@.attempt_rejects') AND a.attname = 'exam_result_id')
       <> COALESCE(id_type, 'uuid') THEN
        PERFORM @extschema@.attempt_lock_view_retype('@extschema@.attempt_rejects'::pg_catalog.regclass, rejects_query);
    ELSE
        EXECUTE 'CREATE OR REPLACE VIEW @extschema@.attempt_rejects WITH (security_invoker = true) AS ' || rejects_query;
    END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_views_apply(pg_catalog.bool) IS
'attempt_lock internal: creates or replaces the views attempt and attempt_rejects: computed on every query, attempt read from the incremental store, or (no source to read) the columns without rows. Runs only where the lock lets it: the install and update scripts and the maintenance functions.';
REVOKE ALL ON FUNCTION @extschema@.attempt_views_apply(pg_catalog.bool) FROM PUBLIC;

-- The install script's views, from the shapes of view/views.sql; a relation already named
-- attempt or attempt_rejects is refused, or adopted (adopt.sql).
SELECT @extschema@.attempt_lock_adopt_begin();
SELECT @extschema@.attempt_views_apply(false);

COMMENT ON VIEW @extschema@.attempt IS
'attempt V1 (attempt_lock): one row per answered question of exam_results. Columns, types and values are locked for every 1.x release; see docs/SPEC.md. id is a 64-bit hash: unique as far as such a hash allows (about n^2/2^65 collision probability), attempt_health() reports duplicates.';

COMMENT ON VIEW @extschema@.attempt_rejects IS
'attempt_lock: every questions[] element dropped from attempt (action dropped, with the first reason) and every optional field defaulted as missing (action defaulted, one row per field). position is 0-based, NULL for a result whose questions is missing or not an array.';

SELECT @extschema@.attempt_lock_adopt_finish();

-- The lock's baseline: the snapshot of what a script installed, and the drift from it.

-- Members exclude the row types of member relations and their array types: PostgreSQL 17
-- records them as members too, and a baseline recorded under 15 must hold after pg_upgrade.
CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_snapshot()
RETURNS TABLE (kind text, object_type text, identity text, name text, definition text, structure text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
-- Constants in view and function text are printed in the session's styles: fixed here, so
-- a session's SET intervalstyle or datestyle is no drift.
SET datestyle = 'ISO, YMD'
SET intervalstyle = 'postgres'
SET extra_float_digits = 1
AS $$
    WITH RECURSIVE ext AS (
        SELECT e.oid, e.extnamespace FROM pg_catalog.pg_extension AS e
        WHERE e.extname = 'attempt_lock'
    ), members AS (
        SELECT d.classid, d.objid
        FROM pg_catalog.pg_depend AS d, ext
        WHERE d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
          AND d.refobjid = ext.oid AND d.deptype = 'e'
          AND NOT EXISTS (SELECT FROM pg_catalog.pg_type AS t
                           JOIN pg_catalog.pg_class AS r ON r.relkind <> 'c'
                            AND r.oid IN (t.typrelid, (SELECT e.typrelid FROM pg_catalog.pg_type AS e WHERE e.oid = t.typelem))
                          WHERE d.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND t.oid = d.objid)
    ), parts AS (
        -- the members, the extension, and the pieces of members (a view's
        -- _RETURN rule, indexes, constraints, defaults, ...)
        SELECT m.classid, m.objid FROM members AS m
        UNION ALL
        SELECT 'pg_catalog.pg_extension'::pg_catalog.regclass, ext.oid FROM ext
        UNION ALL
        SELECT d.classid, d.objid
        FROM pg_catalog.pg_depend AS d
        WHERE (d.refclassid, d.refobjid) IN (SELECT m.classid, m.objid FROM members AS m)
          AND d.deptype IN ('i', 'a')
    ), ext_deps AS (
        -- outside objects the members (and the extension itself) depend on,
        -- transitively: dropping any of them with CASCADE would drop the extension
        SELECT d.refclassid AS classid, d.refobjid AS objid
        FROM pg_catalog.pg_depend AS d
        WHERE (d.classid, d.objid) IN (SELECT p.classid, p.objid FROM parts AS p)
          AND d.deptype IN ('n', 'a')
        UNION
        SELECT d.refclassid, d.refobjid
        FROM pg_catalog.pg_depend AS d, ext_deps AS x
        WHERE d.classid = x.classid AND d.objid = x.objid AND d.objsubid = 0
          AND d.deptype IN ('n', 'a', 'i', 'e')
    )
    SELECT 'member', o.type, o.identity, NULL::text,
           'owner ' || COALESCE(pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(
               CASE m.classid
                   WHEN 'pg_catalog.pg_class'::pg_catalog.regclass
                       THEN (SELECT c.relowner FROM pg_catalog.pg_class AS c WHERE c.oid = m.objid)
                   WHEN 'pg_catalog.pg_proc'::pg_catalog.regclass
                       THEN (SELECT p.proowner FROM pg_catalog.pg_proc AS p WHERE p.oid = m.objid)
                   WHEN 'pg_catalog.pg_type'::pg_catalog.regclass
                       THEN (SELECT t.typowner FROM pg_catalog.pg_type AS t WHERE t.oid = m.objid)
                   WHEN 'pg_catalog.pg_event_trigger'::pg_catalog.regclass
                       THEN (SELECT t.evtowner FROM pg_catalog.pg_event_trigger AS t WHERE t.oid = m.objid)
               END)), '?'), NULL
    FROM members AS m, pg_catalog.pg_identify_object(m.classid, m.objid, 0) AS o
    UNION ALL
    -- A view: its text, and what it is made of (columns, options, what its rule reads). The
    -- source table is named {source} in both, so renaming it (followed: source.sql) is no
    -- drift.
    SELECT 'view', 'view', c.oid::pg_catalog.regclass::text, NULL,
           pg_catalog.replace(pg_catalog.pg_get_viewdef(c.oid, true), src.name, '{source}')
           || pg_catalog.chr(10) || '-- reloptions: '
           || COALESCE(pg_catalog.array_to_string(c.reloptions, ','), ''),
           'columns ' || (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname) || ' '
                                                       || pg_catalog.format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)
                            FROM pg_catalog.pg_attribute AS a
                           WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped)
           || '; reloptions ' || COALESCE(pg_catalog.array_to_string(c.reloptions, ','), '')
           || '; reads ' || COALESCE((
               SELECT pg_catalog.string_agg(DISTINCT CASE WHEN d.refobjid = src.oid
                                                          THEN 'source column ' || pg_catalog.quote_ident(sa.attname)
                                                          ELSE o.type || ' ' || o.identity END, ', ')
                 FROM pg_catalog.pg_rewrite AS r
                 JOIN pg_catalog.pg_depend AS d
                   ON d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND d.objid = r.oid
                 CROSS JOIN LATERAL pg_catalog.pg_identify_object(d.refclassid, d.refobjid, d.refobjsubid) AS o
                 LEFT JOIN pg_catalog.pg_attribute AS sa ON sa.attrelid = d.refobjid AND sa.attnum = d.refobjsubid
                WHERE r.ev_class = c.oid
                  AND NOT (d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid = c.oid)), '')
    FROM members AS m JOIN pg_catalog.pg_class AS c ON c.oid = m.objid
    CROSS JOIN (SELECT cfg.source_table AS oid,
                       CASE WHEN k.oid IS NULL THEN '{none}'
                            ELSE pg_catalog.format('%I.%I', n.nspname, k.relname) END AS name
                  FROM (SELECT 1) AS one
                  LEFT JOIN @extschema@.attempt_lock_config AS cfg ON true
                  LEFT JOIN pg_catalog.pg_class AS k ON k.oid = cfg.source_table
                  LEFT JOIN pg_catalog.pg_namespace AS n ON n.oid = k.relnamespace) AS src
    WHERE m.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND c.relkind IN ('v', 'm')
    UNION ALL
    -- A function: its text, and what it is made of: its signature and properties as the
    -- catalog holds them, its source text as written (a SQL-standard body: what it reads).
    SELECT 'function', 'function', p.oid::pg_catalog.regprocedure::text, NULL,
           pg_catalog.pg_get_functiondef(p.oid),
           pg_catalog.concat_ws(' ', 'kind', p.prokind, 'language', l.lanname,
               'arguments', pg_catalog.pg_get_function_identity_arguments(p.oid), 'defaults', p.pronargdefaults,
               'returns', pg_catalog.pg_get_function_result(p.oid), 'volatility', p.provolatile,
               'strict', p.proisstrict, 'parallel', p.proparallel, 'security_definer', p.prosecdef,
               'leakproof', p.proleakproof, 'cost', p.procost, 'rows', p.prorows,
               'config', pg_catalog.array_to_string(p.proconfig, ','), 'bin', p.probin)
           || pg_catalog.chr(10) || CASE WHEN p.prosqlbody IS NULL THEN p.prosrc
               ELSE 'reads ' || COALESCE((
                   SELECT pg_catalog.string_agg(DISTINCT o.type || ' ' || o.identity, ', ')
                     FROM pg_catalog.pg_depend AS d
                     CROSS JOIN LATERAL pg_catalog.pg_identify_object(d.refclassid, d.refobjid, d.refobjsubid) AS o
                    WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.objid = p.oid
                      AND d.deptype = 'n'), '') END
    FROM members AS m JOIN pg_catalog.pg_proc AS p ON p.oid = m.objid
    JOIN pg_catalog.pg_language AS l ON l.oid = p.prolang
    WHERE m.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND p.prokind IN ('f', 'p')
    UNION ALL
    -- pg_get_functiondef() refuses aggregates: their definition is their support functions.
    SELECT 'function', 'aggregate', p.oid::pg_catalog.regprocedure::text, NULL,
           'AGGREGATE sfunc=' || a.aggtransfn::pg_catalog.regprocedure::text
           || ' stype=' || a.aggtranstype::pg_catalog.regtype::text
           || ' finalfunc=' || a.aggfinalfn::pg_catalog.regprocedure::text
           || ' finalfunc_modify=' || a.aggfinalmodify::text
           || ' initcond=' || COALESCE(a.agginitval, '<null>')
           || ' parallel=' || p.proparallel::text, NULL
    FROM members AS m JOIN pg_catalog.pg_proc AS p ON p.oid = m.objid
    JOIN pg_catalog.pg_aggregate AS a ON a.aggfnoid = p.oid
    WHERE m.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND p.prokind = 'a'
    UNION ALL
    SELECT 'event_trigger', 'event trigger', pg_catalog.quote_ident(t.evtname), NULL,
           'ON ' || t.evtevent || ' enabled=' || t.evtenabled::text
           || ' tags=' || COALESCE(pg_catalog.array_to_string(t.evttags, ','), '')
           || ' function=' || t.evtfoid::pg_catalog.regprocedure::text, NULL
    FROM members AS m JOIN pg_catalog.pg_event_trigger AS t ON t.oid = m.objid
    WHERE m.classid = 'pg_catalog.pg_event_trigger'::pg_catalog.regclass
    UNION ALL
    SELECT 'external', o.type, o.identity,
           a.object_names[pg_catalog.array_upper(a.object_names, 1)], NULL, NULL
    FROM (SELECT DISTINCT x.classid, x.objid FROM ext_deps AS x) AS x,
         pg_catalog.pg_identify_object(x.classid, x.objid, 0) AS o,
         pg_catalog.pg_identify_object_as_address(x.classid, x.objid, 0) AS a
    -- pinned objects (OID < FirstUnpinnedObjectId = 12000) cannot be dropped;
    -- the schema public (OID 2200) is not pinned since PostgreSQL 15
    WHERE (x.objid >= 12000
           OR (x.classid = 'pg_catalog.pg_namespace'::pg_catalog.regclass AND x.objid = 2200))
      AND (x.classid, x.objid) NOT IN (SELECT m.classid, m.objid FROM members AS m)
      AND NOT (x.classid = 'pg_catalog.pg_extension'::pg_catalog.regclass
               AND x.objid = (SELECT ext.oid FROM ext))
    UNION ALL
    -- owners of outside relations (DROP OWNED BY ... CASCADE)
    SELECT DISTINCT 'external', 'role', pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(c.relowner)),
           pg_catalog.pg_get_userbyid(c.relowner)::text, NULL, NULL
    FROM ext_deps AS x JOIN pg_catalog.pg_class AS c ON c.oid = x.objid
    WHERE x.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
      AND x.objid NOT IN (SELECT m.objid FROM members AS m
                          WHERE m.classid = 'pg_catalog.pg_class'::pg_catalog.regclass)
$$;
COMMENT ON FUNCTION @extschema@.attempt_lock_snapshot() IS
'attempt_lock: the lock-relevant state of the extension as it is now (the same rows attempt_lock_record_state() stores).';

CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_record_state()
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_version text;
BEGIN
    IF NOT @extschema@.attempt_lock_in_script() THEN
        RAISE EXCEPTION 'attempt_lock: attempt_lock_record_state() may only run from the extension''s install or update script'
              USING ERRCODE = 'object_not_in_prerequisite_state',
                    HINT = 'Run ALTER EXTENSION attempt_lock UPDATE, or drop and create the extension.';
    END IF;
    SELECT e.extversion INTO v_version FROM pg_catalog.pg_extension AS e
    WHERE e.extname = 'attempt_lock';
    -- a multi-step update (1.0 -> 1.1 -> 1.2) runs in one transaction:
    -- each step replaces the snapshot of this transaction.
    DELETE FROM @extschema@.attempt_lock_state WHERE recorded_at = pg_catalog.now();
    INSERT INTO @extschema@.attempt_lock_state
           (recorded_at, ext_version, kind, object_type, identity, name, definition, structure, server_major)
    SELECT pg_catalog.now(), v_version, s.kind, s.object_type, s.identity, s.name, s.definition,
           COALESCE(s.structure, s.definition),
           pg_catalog.current_setting('server_version_num')::pg_catalog.int4 / 10000
    FROM @extschema@.attempt_lock_snapshot() AS s;
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_lock_record_state() IS
'attempt_lock: stores the baseline snapshot; the last statement of every install and update script. Refuses to run outside them.';

-- SECURITY DEFINER, deliberately: the log holds query texts and is readable by superusers
-- only, while every role that runs attempt_health() or the lock's triggers needs to know
-- whether (and how often) the override was used. This returns the counts, nothing else.
CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_override_uses(OUT total pg_catalog.int8, OUT recent pg_catalog.int8)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.count(*),
           pg_catalog.count(*) FILTER (WHERE l.logged_at >= (SELECT max(s.recorded_at) FROM @extschema@.attempt_lock_state AS s))
      FROM @extschema@.attempt_lock_override_log AS l
$$;
COMMENT ON FUNCTION @extschema@.attempt_lock_override_uses() IS
'attempt_lock: how many statements passed the lock under attempt_lock.override, in all and since the last install/update (counts only; the log itself is superuser-only)';

-- An object drifted when what it is made of changed, or, on the major that recorded the
-- baseline, its text: after pg_upgrade the new major may print an unchanged object
-- differently. (A baseline recorded before 1.3 has only the text.)
CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_drift()
RETURNS TABLE (kind text, object_type text, identity text, status text, detail text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    WITH base AS (
        SELECT s.*, COALESCE(s.server_major = pg_catalog.current_setting('server_version_num')::pg_catalog.int4 / 10000,
                             true) AS same_major
        FROM @extschema@.attempt_lock_state AS s
        WHERE s.recorded_at = (SELECT max(s2.recorded_at) FROM @extschema@.attempt_lock_state AS s2)
          AND s.kind <> 'external'
    ), cur AS (
        SELECT s.kind, s.object_type, s.identity, s.definition, COALESCE(s.structure, s.definition) AS structure
        FROM @extschema@.attempt_lock_snapshot() AS s WHERE s.kind <> 'external'
    )
    SELECT COALESCE(b.kind, c.kind), COALESCE(b.object_type, c.object_type),
           COALESCE(b.identity, c.identity),
           CASE WHEN c.identity IS NULL THEN 'missing'
                WHEN b.identity IS NULL THEN 'unexpected'
                ELSE 'changed' END,
           CASE WHEN c.identity IS NULL THEN 'recorded by the install/update script, gone now'
                WHEN b.identity IS NULL THEN 'present now, not recorded by the install/update script'
                WHEN b.same_major
                THEN 'recorded: ' || b.definition || pg_catalog.chr(10) || 'now: ' || c.definition
                ELSE 'recorded: ' || COALESCE(b.structure, b.definition) || pg_catalog.chr(10) || 'now: ' || c.structure END
    FROM base AS b
    FULL JOIN cur AS c
      ON c.kind = b.kind AND c.object_type = b.object_type AND c.identity = b.identity
    WHERE b.identity IS NULL OR c.identity IS NULL
       OR (b.structure IS NOT NULL AND b.structure IS DISTINCT FROM c.structure)
       OR (b.same_major AND b.definition IS DISTINCT FROM c.definition)
    UNION ALL
    SELECT 'baseline', 'table', '@extschema@.attempt_lock_state', 'missing',
           'no snapshot recorded: the install/update script did not call attempt_lock_record_state()'
    WHERE NOT EXISTS (SELECT 1 FROM @extschema@.attempt_lock_state)
    UNION ALL
    SELECT 'override', 'table', '@extschema@.attempt_lock_override_log', 'override used',
           u.recent::text || ' statement(s) passed the lock under attempt_lock.override since the last install/update'
    FROM @extschema@.attempt_lock_override_uses() AS u
    WHERE u.recent > 0
    ORDER BY 1, 2, 3
$$;
COMMENT ON FUNCTION @extschema@.attempt_lock_drift() IS
'attempt_lock: differences between the database and the snapshot of the last install/update (missing, unexpected or changed members, view and function definitions, owners, disabled event triggers), plus override use since then. Empty when nothing drifted. Feeds attempt_health().';

-- attempt_lock_guard_objects(): the ddl_command_end guard of every member.

-- ddl_command_end: every member of the extension is locked, plus the
-- objects that hang off a member relation (rules, triggers, policies,
-- indexes, constraints, defaults, statistics, inheritance children).
CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_guard_objects()
RETURNS event_trigger
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_ext oid;
    r record;
    v_added text;
    v_removed text;
BEGIN
    -- operations, not schema: allowed without looking further
    IF tg_tag IN ('GRANT', 'REVOKE', 'COMMENT', 'CREATE EXTENSION', 'DROP EXTENSION') THEN
        RETURN;
    END IF;
    SELECT e.oid INTO v_ext FROM pg_catalog.pg_extension AS e WHERE e.extname = 'attempt_lock';
    IF v_ext IS NULL THEN
        RETURN;
    END IF;
    -- The maintenance functions (the store's switch, attaching the source) change members
    -- from a function, where in_extension is false: attempt_lock_in_script() knows it
    -- (src/lock/maintenance.rs).
    IF @extschema@.attempt_lock_in_script() THEN
        RETURN;
    END IF;

    FOR r IN
        -- DISTINCT ON: CREATE OR REPLACE VIEW ... WITH (...) reports two commands
        SELECT DISTINCT ON (c.command_tag, t.tclass, t.tobj)
               c.command_tag, c.classid, c.objid, c.objsubid, t.tclass, t.tobj
        FROM pg_catalog.pg_event_trigger_ddl_commands() AS c
        CROSS JOIN LATERAL (
            SELECT c.classid AS tclass, c.objid AS tobj
            UNION ALL
            SELECT 'pg_catalog.pg_class'::pg_catalog.regclass,
                   CASE c.classid
                       WHEN 'pg_catalog.pg_rewrite'::pg_catalog.regclass THEN
                           (SELECT x.ev_class FROM pg_catalog.pg_rewrite AS x WHERE x.oid = c.objid)
                       WHEN 'pg_catalog.pg_trigger'::pg_catalog.regclass THEN
                           (SELECT x.tgrelid FROM pg_catalog.pg_trigger AS x WHERE x.oid = c.objid)
                       WHEN 'pg_catalog.pg_policy'::pg_catalog.regclass THEN
                           (SELECT x.polrelid FROM pg_catalog.pg_policy AS x WHERE x.oid = c.objid)
                       WHEN 'pg_catalog.pg_constraint'::pg_catalog.regclass THEN
                           (SELECT x.conrelid FROM pg_catalog.pg_constraint AS x WHERE x.oid = c.objid)
                       WHEN 'pg_catalog.pg_attrdef'::pg_catalog.regclass THEN
                           (SELECT x.adrelid FROM pg_catalog.pg_attrdef AS x WHERE x.oid = c.objid)
                       WHEN 'pg_catalog.pg_statistic_ext'::pg_catalog.regclass THEN
                           (SELECT x.stxrelid FROM pg_catalog.pg_statistic_ext AS x WHERE x.oid = c.objid)
                       WHEN 'pg_catalog.pg_class'::pg_catalog.regclass THEN
                           (SELECT x.indrelid FROM pg_catalog.pg_index AS x WHERE x.indexrelid = c.objid)
                   END
            WHERE c.classid IN ('pg_catalog.pg_rewrite'::pg_catalog.regclass,
                                'pg_catalog.pg_trigger'::pg_catalog.regclass,
                                'pg_catalog.pg_policy'::pg_catalog.regclass,
                                'pg_catalog.pg_constraint'::pg_catalog.regclass,
                                'pg_catalog.pg_attrdef'::pg_catalog.regclass,
                                'pg_catalog.pg_statistic_ext'::pg_catalog.regclass,
                                'pg_catalog.pg_class'::pg_catalog.regclass)
            UNION ALL
            SELECT 'pg_catalog.pg_class'::pg_catalog.regclass, i.inhparent
            FROM pg_catalog.pg_inherits AS i
            WHERE c.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND i.inhrelid = c.objid
        ) AS t
        WHERE NOT c.in_extension
          AND c.command_tag NOT IN ('GRANT', 'REVOKE', 'COMMENT')
          AND ((t.tclass = 'pg_catalog.pg_extension'::pg_catalog.regclass AND t.tobj = v_ext)
               OR EXISTS (SELECT 1 FROM pg_catalog.pg_depend AS d
                          WHERE d.classid = t.tclass AND d.objid = t.tobj AND d.objsubid = 0
                            AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
                            AND d.refobjid = v_ext AND d.deptype = 'e'))
    LOOP
        IF r.tclass = 'pg_catalog.pg_extension'::pg_catalog.regclass THEN
            -- ALTER EXTENSION attempt_lock ...: UPDATE ends with
            -- attempt_lock_record_state(), so its membership matches the
            -- baseline; ADD / DROP change the membership.
            IF NOT EXISTS (SELECT 1 FROM @extschema@.attempt_lock_state) THEN
                CONTINUE;   -- no baseline yet (e.g. pg_upgrade restoring the schema)
            END IF;
            WITH base AS (
                SELECT s.object_type || ' ' || s.identity AS obj
                FROM @extschema@.attempt_lock_state AS s
                WHERE s.kind = 'member'
                  AND s.recorded_at = (SELECT max(s2.recorded_at) FROM @extschema@.attempt_lock_state AS s2)
            ), cur AS (
                -- as the baseline counts members: without relations' row and array types
                SELECT o.type || ' ' || o.identity AS obj
                FROM pg_catalog.pg_depend AS d,
                     pg_catalog.pg_identify_object(d.classid, d.objid, 0) AS o
                WHERE d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
                  AND d.refobjid = v_ext AND d.deptype = 'e'
                  AND NOT EXISTS (SELECT FROM pg_catalog.pg_type AS t
                                   JOIN pg_catalog.pg_class AS rel ON rel.relkind <> 'c'
                                    AND rel.oid IN (t.typrelid, (SELECT e.typrelid FROM pg_catalog.pg_type AS e WHERE e.oid = t.typelem))
                                  WHERE d.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND t.oid = d.objid)
            )
            SELECT (SELECT pg_catalog.string_agg(cur.obj, ', ' ORDER BY cur.obj)
                    FROM cur WHERE cur.obj NOT IN (SELECT base.obj FROM base)),
                   (SELECT pg_catalog.string_agg(base.obj, ', ' ORDER BY base.obj)
                    FROM base WHERE base.obj NOT IN (SELECT cur.obj FROM cur))
            INTO v_added, v_removed;
            IF v_added IS NOT NULL THEN
                PERFORM @extschema@.attempt_lock_refuse(r.command_tag || ' ADD', v_added,
                    'Objects cannot be added to extension attempt_lock by hand.');
            END IF;
            IF v_removed IS NOT NULL THEN
                PERFORM @extschema@.attempt_lock_refuse(r.command_tag || ' DROP', v_removed,
                    'Members cannot be detached from extension attempt_lock by hand.');
            END IF;
        ELSE
            PERFORM @extschema@.attempt_lock_refuse(
                r.command_tag,
                (SELECT o.type || ' ' || o.identity
                 FROM pg_catalog.pg_identify_object(r.tclass, r.tobj, 0) AS o),
                CASE WHEN (r.tclass, r.tobj) <> (r.classid, r.objid) THEN
                    (SELECT 'The statement attaches or changes ' || o.type || ' ' || o.identity || '.'
                     FROM pg_catalog.pg_identify_object(r.classid, r.objid, 0) AS o)
                END);
        END IF;
    END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_lock_guard_objects() IS
'attempt_lock: ddl_command_end event trigger function; refuses, outside the extension''s scripts, every DDL on a member of attempt_lock (or on a rule, trigger, policy, index, constraint, default, statistics object or child table attached to a member), and ALTER EXTENSION attempt_lock ADD/DROP. GRANT, REVOKE and COMMENT pass.';

-- attempt_lock_guard_functions(): the self-contained ddl_command_end guard of the member functions.

-- ddl_command_end, second guard: CREATE OR REPLACE / ALTER of the
-- extension's FUNCTIONS, self-contained (calls no helper). Needed because an
-- event trigger runs the function as it is after the statement: replacing
-- attempt_lock_refuse() or attempt_lock_override_active() by a no-op would
-- otherwise disarm attempt_lock_guard_objects() in the very statement that does
-- it. Each guard protects the other's function; one statement
-- replaces one function, so any replacement is refused.
CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_guard_functions()
RETURNS event_trigger
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r record;
BEGIN
    FOR r IN
        SELECT c.command_tag, o.type || ' ' || o.identity AS obj
        FROM pg_catalog.pg_event_trigger_ddl_commands() AS c
        CROSS JOIN LATERAL pg_catalog.pg_identify_object(c.classid, c.objid, 0) AS o
        WHERE NOT c.in_extension
          AND c.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass
          AND c.command_tag NOT IN ('GRANT', 'REVOKE', 'COMMENT')
          AND EXISTS (SELECT 1 FROM pg_catalog.pg_depend AS d
                      JOIN pg_catalog.pg_extension AS e ON e.oid = d.refobjid
                      WHERE d.classid = c.classid AND d.objid = c.objid AND d.objsubid = 0
                        AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
                        AND d.deptype = 'e' AND e.extname = 'attempt_lock')
    LOOP
        IF pg_catalog.lower(pg_catalog.btrim(COALESCE(
               pg_catalog.current_setting('attempt_lock.override', true), '')))
               IN ('on', 'true', 'yes', '1', 't', 'y')
           AND COALESCE((SELECT rr.rolsuper FROM pg_catalog.pg_roles AS rr
                         WHERE rr.rolname = CURRENT_USER), false) THEN
            -- attempt_lock_guard_objects() logs and warns for the same statement
            CONTINUE;
        END IF;
        RAISE EXCEPTION 'attempt_lock: % refused: % is locked by extension attempt_lock', r.command_tag, r.obj
              USING ERRCODE = 'object_not_in_prerequisite_state',
                    DETAIL  = 'Only GRANT, REVOKE and COMMENT may touch the locked objects outside the extension''s scripts.',
                    HINT    = 'Change the locked objects by installing a new version and running ALTER EXTENSION attempt_lock UPDATE.';
    END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_lock_guard_functions() IS
'attempt_lock: second ddl_command_end event trigger function, self-contained; refuses CREATE OR REPLACE / ALTER of the extension''s functions (including the lock''s own) outside its scripts, so that replacing a lock function cannot disarm the lock in the same statement.';

-- The DROP guards: the native ddl_command_start guard and the sql_drop guard.

-- ddl_command_start: decided natively from the parse tree (src/lock/guard_start.rs): a DROP of a
-- member, a DROP ... CASCADE / DROP COLUMN ... CASCADE / DROP OWNED ... CASCADE whose cascade
-- would reach a member through pg_depend (PostgreSQL would drop the whole extension), and
-- ALTER EXTENSION attempt_lock ADD/DROP.
-- No SET search_path clause: the objects a DROP names must be resolved with the caller's
-- search_path, as the DROP itself resolves them; the function runs its own catalog
-- queries under search_path = pg_catalog, pg_temp internally.
CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_guard_start()
RETURNS event_trigger
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'attempt_lock_guard_start_native';
COMMENT ON FUNCTION @extschema@.attempt_lock_guard_start() IS
'attempt_lock: ddl_command_start event trigger function (native); decides from the parse tree and pg_depend. Refuses DROP of a member of attempt_lock, DROP ... CASCADE / ALTER TABLE ... DROP COLUMN ... CASCADE / DROP OWNED ... CASCADE whose cascade would reach a member (PostgreSQL would drop the whole extension), and ALTER EXTENSION attempt_lock ADD/DROP. DROP EXTENSION attempt_lock passes.';

-- sql_drop: objects attached to a member relation that are not members
-- themselves (triggers, rules, policies, ...) are not protected by
-- PostgreSQL's own member check.
CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_guard_drop()
RETURNS event_trigger
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_ext oid;
    r record;
BEGIN
    IF tg_tag = 'DROP EXTENSION' THEN
        RETURN;
    END IF;
    SELECT e.oid INTO v_ext FROM pg_catalog.pg_extension AS e WHERE e.extname = 'attempt_lock';
    IF v_ext IS NULL THEN
        RETURN;
    END IF;
    FOR r IN
        SELECT o.object_type, o.object_identity, rel.oid AS relid
        FROM pg_catalog.pg_event_trigger_dropped_objects() AS o
        CROSS JOIN LATERAL pg_catalog.to_regclass(
            pg_catalog.quote_ident(o.address_names[1]) || '.'
            || pg_catalog.quote_ident(o.address_names[2])) AS rel(oid)
        WHERE o.object_type IN ('rule', 'trigger', 'policy', 'index', 'table constraint',
                                'default value', 'statistics object')
          AND pg_catalog.array_length(o.address_names, 1) >= 2
          AND EXISTS (SELECT 1 FROM pg_catalog.pg_depend AS d
                      WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                        AND d.objid = rel.oid AND d.objsubid = 0
                        AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
                        AND d.refobjid = v_ext AND d.deptype = 'e')
    LOOP
        IF @extschema@.attempt_lock_in_script() THEN
            RETURN;
        END IF;
        PERFORM @extschema@.attempt_lock_refuse(tg_tag,
            r.object_type || ' ' || r.object_identity,
            'It belongs to ' || r.relid::pg_catalog.regclass::text || ', a member of extension attempt_lock.');
    END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_lock_guard_drop() IS
'attempt_lock: sql_drop event trigger function; refuses dropping a rule, trigger, policy, index, constraint, default or statistics object of a member relation outside the extension''s scripts.';

-- The lock's four event triggers.

-- ---------------------------------------------------------------------
-- Event triggers (event triggers do not fire for CREATE/ALTER/DROP EVENT
-- TRIGGER, so ALTER EVENT TRIGGER ... DISABLE cannot be refused; the
-- snapshot records evtenabled and attempt_lock_drift() reports it)
-- ---------------------------------------------------------------------

CREATE EVENT TRIGGER attempt_lock_guard_objects ON ddl_command_end
    EXECUTE FUNCTION @extschema@.attempt_lock_guard_objects();
COMMENT ON EVENT TRIGGER attempt_lock_guard_objects IS
'attempt_lock: refuses DDL that changes a member of extension attempt_lock outside its scripts.';

-- Event triggers on one event fire in name order: attempt_lock_guard_functions runs before
-- attempt_lock_guard_objects, so a statement replacing one of the lock's functions is
-- refused before the other guard would call the replaced body.
CREATE EVENT TRIGGER attempt_lock_guard_functions ON ddl_command_end
    WHEN TAG IN ('CREATE FUNCTION', 'ALTER FUNCTION', 'CREATE PROCEDURE', 'ALTER PROCEDURE',
                 'ALTER ROUTINE', 'CREATE AGGREGATE', 'ALTER AGGREGATE')
    EXECUTE FUNCTION @extschema@.attempt_lock_guard_functions();
COMMENT ON EVENT TRIGGER attempt_lock_guard_functions IS
'attempt_lock: refuses replacing or altering the functions of extension attempt_lock outside its scripts (independent of attempt_lock_guard_objects).';

CREATE EVENT TRIGGER attempt_lock_guard_start ON ddl_command_start
    WHEN TAG IN ('DROP TABLE', 'ALTER TABLE', 'DROP VIEW', 'DROP MATERIALIZED VIEW',
                 'DROP FOREIGN TABLE', 'DROP SEQUENCE', 'DROP SCHEMA', 'DROP TYPE',
                 'DROP DOMAIN', 'DROP FUNCTION', 'DROP PROCEDURE', 'DROP ROUTINE',
                 'DROP AGGREGATE', 'DROP EXTENSION', 'DROP LANGUAGE', 'DROP OWNED',
                 'DROP OPERATOR', 'DROP CAST', 'DROP COLLATION', 'DROP SERVER',
                 'DROP FOREIGN DATA WRAPPER', 'DROP TEXT SEARCH CONFIGURATION',
                 'ALTER EXTENSION', 'ALTER FOREIGN TABLE',
                 'DROP INDEX', 'DROP RULE', 'DROP TRIGGER', 'DROP POLICY', 'DROP STATISTICS',
                 'DROP OPERATOR CLASS', 'DROP OPERATOR FAMILY', 'DROP CONVERSION',
                 'DROP TEXT SEARCH DICTIONARY', 'DROP TEXT SEARCH PARSER',
                 'DROP TEXT SEARCH TEMPLATE', 'DROP TRANSFORM', 'DROP ACCESS METHOD')
    EXECUTE FUNCTION @extschema@.attempt_lock_guard_start();
COMMENT ON EVENT TRIGGER attempt_lock_guard_start IS
'attempt_lock: refuses, at ddl_command_start, dropping a member of extension attempt_lock, DROP ... CASCADE that would reach a member through pg_depend, and ALTER EXTENSION attempt_lock ADD/DROP.';

CREATE EVENT TRIGGER attempt_lock_guard_drop ON sql_drop
    EXECUTE FUNCTION @extschema@.attempt_lock_guard_drop();
COMMENT ON EVENT TRIGGER attempt_lock_guard_drop IS
'attempt_lock: refuses dropping rules, triggers, policies and the like of member relations of extension attempt_lock outside its scripts.';

REVOKE ALL ON FUNCTION @extschema@.attempt_lock_record_state() FROM PUBLIC;

-- The lock's fifth event trigger: the source's own (source.sql).

-- A restore completes, a contract-breaking ALTER TABLE is refused, the store follows its
-- triggers.
CREATE EVENT TRIGGER attempt_lock_watch_source ON ddl_command_end
    WHEN TAG IN ('CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO', 'ALTER TABLE',
                 'CREATE TRIGGER', 'DROP TRIGGER', 'ALTER TRIGGER',
                 'CREATE SUBSCRIPTION', 'ALTER SUBSCRIPTION')
    EXECUTE FUNCTION @extschema@.attempt_lock_watch_source();
COMMENT ON EVENT TRIGGER attempt_lock_watch_source IS
'attempt_lock: completes an install that waits for its source table (a restore), refuses ALTER TABLE that would break the recorded source''s contract, marks the incremental store stale when its triggers change, a subscription starts writing the source or the source gets a partition or child, and rebuilds it when a restore brings them back.';

-- The incremental store, part 1: what it is, and its native functions (src/store/).

-- The opt-in incremental store (docs/OPERATIONS.md, "The incremental store").
--
-- What it is: one row per kept exam result (its student, completed_at, session and the
-- arrays of its kept elements with their attempt numbers) and one row per student (a
-- tally of attempts per item), kept exact by statement-level triggers on the source
-- table, and a switch that makes `attempt` read it (attempt_view_query('store')).
--
--   attempt_store_enable(batch_size)  creates the store (schema attempt_lock_store),
--                                     backfills it, creates the triggers, and replaces
--                                     the view attempt by its store shape
--   attempt_store_disable()           restores the computed shape, drops the triggers
--                                     and the store
--   attempt_store_rebuild()           disable, then enable (a stale store)
--   attempt_store_status()            on/off, rows, when and how it was filled, last
--                                     write, staleness
--
-- The switch runs its DDL inside one call of its SQL body (attempt_store_switch_on/off),
-- with the lock's maintenance flag raised by the native public functions
-- (src/lock/maintenance.rs). Called directly, the bodies meet the lock like any DDL.
--
-- Security (docs/SECURITY.md): the store lives in the schema attempt_lock_store, on which
-- nobody but its owner has USAGE, so no role can name it; the view, security_invoker,
-- reads it (SELECT is granted to PUBLIC on the table itself, useless without USAGE) and
-- names the six source columns, so the caller's privileges on the source are checked on
-- every query; a policy filters the store's rows by the source's row-level security. The
-- trigger functions run as the owner and refuse to run unless fired as the switch's own
-- triggers (src/store/mod.rs); nobody may EXECUTE them directly.

CREATE OR REPLACE FUNCTION @extschema@.attempt_store_sync()
RETURNS trigger
LANGUAGE c VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'attempt_store_sync';
COMMENT ON FUNCTION @extschema@.attempt_store_sync() IS
'attempt_lock internal: statement-level trigger function of the incremental store on the source table (INSERT, UPDATE, DELETE): writes one row per kept result, numbers appends from the student''s tally and renumbers a student whose history changed. Runs as the extension''s owner, and only as the triggers attempt_store_enable() makes (src/store/mod.rs).';

CREATE OR REPLACE FUNCTION @extschema@.attempt_store_truncate()
RETURNS trigger
LANGUAGE c VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'attempt_store_truncate';
COMMENT ON FUNCTION @extschema@.attempt_store_truncate() IS
'attempt_lock internal: TRUNCATE trigger function of the incremental store on the source table; empties the store. Runs as the extension''s owner, and only as the trigger attempt_store_enable() makes.';

-- Trigger functions are checked for EXECUTE only when a trigger is created: revoking it
-- stops new ones; the run-time refusal stops the ones made before.
REVOKE ALL ON FUNCTION @extschema@.attempt_store_sync() FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.attempt_store_truncate() FROM PUBLIC;

CREATE OR REPLACE FUNCTION @extschema@.attempt_store_fill(source pg_catalog.regclass, batch_size pg_catalog.int4)
RETURNS pg_catalog.int8
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'attempt_store_fill';
COMMENT ON FUNCTION @extschema@.attempt_store_fill(pg_catalog.regclass, pg_catalog.int4) IS
'attempt_lock internal: the switch''s backfill: every result of the source, read in student order batch_size rows at a time, numbered and written into the empty store; the attempts stored. Not a public API.';
REVOKE ALL ON FUNCTION @extschema@.attempt_store_fill(pg_catalog.regclass, pg_catalog.int4) FROM PUBLIC;

-- The incremental store, part 2: its triggers, its build and teardown, and the switch.

-- The names of the four triggers on the source table, in one place.
CREATE OR REPLACE FUNCTION @extschema@.attempt_store_trigger_names()
RETURNS pg_catalog.name[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN ARRAY['attempt_store_insert', 'attempt_store_update', 'attempt_store_delete',
             'attempt_store_truncate']::pg_catalog.name[];
COMMENT ON FUNCTION @extschema@.attempt_store_trigger_names() IS
'attempt_lock internal: the names of the incremental store''s triggers on the source table.';

-- Every trigger that calls a function of the extension and is not one of the store's own
-- on the source: someone attached the store's functions to a table of their own. Health
-- fails while one exists, and the switch refuses to start.
CREATE OR REPLACE FUNCTION @extschema@.attempt_store_foreign_triggers()
RETURNS TABLE (table_name pg_catalog.text, trigger_name pg_catalog.name, function_name pg_catalog.text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT t.tgrelid::pg_catalog.regclass::pg_catalog.text, t.tgname, t.tgfoid::pg_catalog.regprocedure::pg_catalog.text
      FROM pg_catalog.pg_trigger AS t
      JOIN pg_catalog.pg_depend AS m
        ON m.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND m.objid = t.tgfoid AND m.deptype = 'e'
       AND m.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
       AND m.refobjid = (SELECT e.oid FROM pg_catalog.pg_extension AS e WHERE e.extname = 'attempt_lock')
     WHERE NOT (t.tgrelid = (SELECT c.source_table FROM @extschema@.attempt_lock_config AS c)
                AND t.tgname = ANY (@extschema@.attempt_store_trigger_names()))
       -- the extension's own tables' triggers (attempt_lock_config's) are its own too
       AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend AS r
                        WHERE r.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND r.objid = t.tgrelid
                          AND r.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
                          AND r.refobjid = m.refobjid AND r.deptype = 'e')
     ORDER BY 1, 2
$$;
COMMENT ON FUNCTION @extschema@.attempt_store_foreign_triggers() IS
'attempt_lock: every trigger that calls a function of the extension but is not one of the incremental store''s own on the source table (table, trigger, function). The store''s functions refuse to run as such a trigger; attempt_health() fails and attempt_store_enable() refuses while one exists.';

-- Why the store's statement triggers cannot see every write to the source, if they cannot:
-- a logical replication subscription writes it (its apply worker fires row-level triggers
-- only), or it is partitioned or has inheritance children (a write to one, or ATTACH
-- PARTITION / INHERIT of a loaded table, fires none of the source's statement triggers).
CREATE OR REPLACE FUNCTION @extschema@.attempt_store_blind_spot(source pg_catalog.regclass)
RETURNS pg_catalog.text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE
        WHEN EXISTS (SELECT FROM pg_catalog.pg_subscription_rel AS r WHERE r.srrelid = source)
        THEN 'a logical replication subscription writes the source, and its apply worker fires none of the store''s triggers'
        WHEN EXISTS (SELECT FROM pg_catalog.pg_inherits AS i WHERE i.inhparent = source)
        THEN 'the source has partitions or inheritance children, and a write to one fires none of the store''s triggers'
        WHEN EXISTS (SELECT FROM pg_catalog.pg_class AS c WHERE c.oid = source AND c.relkind = 'p')
        THEN 'the source is partitioned, and a write to a partition fires none of the store''s triggers' END
$$;
COMMENT ON FUNCTION @extschema@.attempt_store_blind_spot(pg_catalog.regclass) IS
'attempt_lock internal: why the incremental store''s statement triggers cannot see every write to the source (a logical replication subscription writes it, or it is partitioned or has inheritance children); NULL when they can.';

-- The store's triggers are as the switch makes them: each on the source, for its event,
-- AFTER and FOR EACH STATEMENT, with its transition tables, calling its function, enabled
-- ALWAYS (a session with session_replication_role = replica keeps the store exact too),
-- and depending on the extension; they see every write (no blind spot, above); and they
-- are the very catalog
-- rows the switch left (attempt_store_state.trigger_rows: each trigger's OID and the xmin
-- of its pg_trigger row). Any ALTER TABLE ... DISABLE / ENABLE TRIGGER, DROP and CREATE
-- TRIGGER or ALTER TRIGGER writes a new row version, so a trigger disabled and enabled
-- ALWAYS again while the event triggers were off (writes were missed meanwhile) is not as
-- the switch made it either. (VACUUM FULL and FREEZE keep a row's xmin; a no-op ENABLE
-- ALWAYS writes nothing.) pg_upgrade re-creates the triggers in a new cluster (another
-- system identifier, recorded beside the rows) while no write can run: there the rows are
-- not compared, only the shape, until the next enable or rebuild records them again.
-- Called only while the store is on: it reads the store's state.
CREATE OR REPLACE FUNCTION @extschema@.attempt_store_triggers_ok()
RETURNS pg_catalog.bool
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.count(*) = 4
           AND (pg_catalog.string_agg(pg_catalog.format('%s %s %s', t.tgname, t.oid, t.xmin), ', ' ORDER BY t.tgname)
                    IS NOT DISTINCT FROM (SELECT s.trigger_rows FROM attempt_lock_store.attempt_store_state AS s)
                OR (SELECT s.trigger_cluster FROM attempt_lock_store.attempt_store_state AS s)
                    IS DISTINCT FROM (SELECT c.system_identifier FROM pg_catalog.pg_control_system() AS c))
           AND @extschema@.attempt_store_blind_spot(
                   (SELECT c.source_table FROM @extschema@.attempt_lock_config AS c WHERE c.attached)) IS NULL
      FROM pg_catalog.pg_trigger AS t
      JOIN (VALUES ('attempt_store_insert', 4::pg_catalog.int2, '@extschema@.attempt_store_sync()'::pg_catalog.regprocedure, NULL, 'new_rows'),
                   ('attempt_store_update', 16, '@extschema@.attempt_store_sync()', 'old_rows', 'new_rows'),
                   ('attempt_store_delete', 8, '@extschema@.attempt_store_sync()', 'old_rows', NULL),
                   ('attempt_store_truncate', 32, '@extschema@.attempt_store_truncate()', NULL, NULL))
           AS w(name, tgtype, fn, oldtable, newtable)
        ON w.name = t.tgname AND w.tgtype = t.tgtype AND w.fn = t.tgfoid
       AND w.oldtable IS NOT DISTINCT FROM t.tgoldtable::pg_catalog.text
       AND w.newtable IS NOT DISTINCT FROM t.tgnewtable::pg_catalog.text
     WHERE t.tgrelid = (SELECT c.source_table FROM @extschema@.attempt_lock_config AS c WHERE c.attached)
       AND t.tgenabled = 'A'
       AND EXISTS (SELECT FROM pg_catalog.pg_depend AS d
                    WHERE d.classid = 'pg_catalog.pg_trigger'::pg_catalog.regclass AND d.objid = t.oid
                      AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.deptype = 'x'
                      AND d.refobjid = (SELECT e.oid FROM pg_catalog.pg_extension AS e WHERE e.extname = 'attempt_lock'))
$$;
COMMENT ON FUNCTION @extschema@.attempt_store_triggers_ok() IS
'attempt_lock internal: true when the incremental store''s four triggers on the source are as the switch makes them (event, AFTER, FOR EACH STATEMENT, transition tables, function, enabled always, dependency on the extension), see every write (the source is no logical replication subscription''s table and has no partitions or inheritance children) and are still the catalog rows it made (OID and xmin, recorded in attempt_lock_store.attempt_store_state.trigger_rows): a trigger disabled and enabled again, even while event triggers were off, is not. In a cluster pg_upgrade made (another system identifier than recorded) only the shape is compared, until the next enable or rebuild. Called only while the store is on.';

-- The store's tables, filled from the source, indexed, with their privileges and row
-- security, as members of the extension (without triggers: the switch adds them).
CREATE OR REPLACE FUNCTION @extschema@.attempt_store_build(batch_size pg_catalog.int4)
RETURNS pg_catalog.int8
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
    source pg_catalog.regclass;
    source_name pg_catalog.text;
    id_typmod_type pg_catalog.text;
    id_text pg_catalog.bool;
    results pg_catalog.int8;
    stored pg_catalog.int8;
    started pg_catalog.timestamptz := pg_catalog.clock_timestamp();
BEGIN
    SELECT cfg.source_table, cfg.source_table::pg_catalog.text, pg_catalog.format_type(a.atttypid, a.atttypmod),
           a.atttypid IN ('pg_catalog.text'::pg_catalog.regtype, 'pg_catalog.varchar'::pg_catalog.regtype)
      INTO STRICT source, source_name, id_typmod_type, id_text
      FROM @extschema@.attempt_lock_config AS cfg
      JOIN pg_catalog.pg_attribute AS a ON a.attrelid = cfg.source_table AND a.attname = 'id'
     WHERE cfg.attached;
    EXECUTE pg_catalog.format('SELECT pg_catalog.count(*) FROM %s', source_name) INTO results;

    CREATE SCHEMA attempt_lock_store;
    COMMENT ON SCHEMA attempt_lock_store IS
    'attempt_lock: the incremental store (attempt_store_enable()); no role but its owner has USAGE, so its rows are read only through the view attempt, which checks the caller''s rights on the source table';
    -- A text id keeps the "C" order of the view's tie-break (the triggers compare in it).
    -- Room on each page, so that renumbering a result (a regrade moves the results after
    -- it) is a heap-only update, with no new index entries.
    EXECUTE pg_catalog.format($ddl$
CREATE TABLE attempt_lock_store.attempt_store (
    exam_result_id   %s%s NOT NULL,
    student_id       pg_catalog.uuid        NOT NULL,
    completed_at     pg_catalog.timestamptz NOT NULL,
    session_id       pg_catalog.text,
    attempt_ids      pg_catalog.int8[]      NOT NULL,
    item_ids         pg_catalog.int8[]      NOT NULL,
    answers          pg_catalog.int8[]      NOT NULL,
    topic_ids        pg_catalog.text[]      NOT NULL)
WITH (fillfactor = 90)
$ddl$, id_typmod_type, CASE WHEN id_text THEN ' COLLATE "C"' ELSE '' END);
    COMMENT ON TABLE attempt_lock_store.attempt_store IS
    'attempt_lock: the incremental store, one row per kept exam result: its source key, student, completed_at and session, and the arrays of its kept elements that the view attempt unnests: attempt ids, items, answers (bit 0 correct, bit 1 hint_used, bits 2-32 attempt_no, bits 33-63 response_time_ms) and topics; kept exact by triggers on the source';
    CREATE TABLE attempt_lock_store.attempt_store_students (
        student_id        pg_catalog.uuid PRIMARY KEY,
        version           pg_catalog.int8 NOT NULL DEFAULT 1,
        synced_at         pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.statement_timestamp(),
        last_completed_at pg_catalog.timestamptz,
        tally             pg_catalog.bytea NOT NULL DEFAULT '');
    COMMENT ON TABLE attempt_lock_store.attempt_store_students IS
    'attempt_lock: one row per student in the store: a tally of attempts per item (items ascending, each with its count, as varints: the first item zigzag-encoded, then each one''s distance from the one before) and the latest completed_at, from which an appended result is numbered; the store''s triggers lock it first, which serialises the writers of a student and makes a REPEATABLE READ writer that missed a concurrent one fail with 40001';
    CREATE TABLE attempt_lock_store.attempt_store_state (
        singleton        pg_catalog.bool PRIMARY KEY DEFAULT true CHECK (singleton),
        enabled_at       pg_catalog.timestamptz NOT NULL,
        enabled_by       pg_catalog.name NOT NULL,
        source_table     pg_catalog.regclass NOT NULL,
        batch_size       pg_catalog.int4 NOT NULL,
        backfill_results pg_catalog.int8 NOT NULL,
        backfill_rows    pg_catalog.int8 NOT NULL,
        backfill_seconds pg_catalog.numeric NOT NULL,
        stale_since      pg_catalog.timestamptz,
        stale_reason     pg_catalog.text,
        trigger_rows     pg_catalog.text,
        trigger_cluster  pg_catalog.int8);
    COMMENT ON TABLE attempt_lock_store.attempt_store_state IS
    'attempt_lock: when and how the incremental store was switched on and filled, since when it is stale (its triggers were disabled, dropped or changed: attempt reads the computed rows until attempt_store_rebuild()), and the catalog rows of its triggers as the switch left them (trigger_rows: name, OID and xmin of each, made in the cluster trigger_cluster names by its system identifier; attempt_store_triggers_ok() compares)';

    stored := @extschema@.attempt_store_fill(source, batch_size);
    -- The access paths of the runbook: a student's results in time order, a time window.
    CREATE INDEX attempt_store_student_completed ON attempt_lock_store.attempt_store (student_id, completed_at);
    CREATE INDEX attempt_store_completed ON attempt_lock_store.attempt_store (completed_at);
    ANALYZE attempt_lock_store.attempt_store;
    ANALYZE attempt_lock_store.attempt_store_students;

    -- Readers of the view need SELECT on the table; without USAGE on the schema nobody
    -- can name it. Row-level security on the source, for every reader (through the view,
    -- or as a member of pg_read_all_data, which has USAGE everywhere): a store row is
    -- visible iff its source row is, under the caller's policies on the source. Whether
    -- they apply is decided once per query (row_security_active); where they do not, the
    -- policy costs nothing. OFFSET 0 keeps the probe per row, through the source's id.
    GRANT SELECT ON attempt_lock_store.attempt_store TO PUBLIC;
    ALTER TABLE attempt_lock_store.attempt_store ENABLE ROW LEVEL SECURITY;
    EXECUTE pg_catalog.format($policy$
CREATE POLICY attempt_store_source_rows ON attempt_lock_store.attempt_store FOR SELECT TO PUBLIC
USING ((SELECT NOT pg_catalog.row_security_active(%1$L::pg_catalog.regclass))
       OR EXISTS (SELECT FROM %2$s AS er WHERE er.id%3$s = exam_result_id OFFSET 0))
$policy$, source_name, source_name, CASE WHEN id_text THEN ' COLLATE "C"' ELSE '' END);
    COMMENT ON POLICY attempt_store_source_rows ON attempt_lock_store.attempt_store IS
    'attempt_lock: a store row is visible iff its source row is visible to the caller (row-level security on the source)';

    INSERT INTO attempt_lock_store.attempt_store_state
           (enabled_at, enabled_by, source_table, batch_size, backfill_results, backfill_rows, backfill_seconds)
    VALUES (started, CURRENT_USER, source, batch_size, results, stored,
            pg_catalog.round(EXTRACT(epoch FROM pg_catalog.clock_timestamp() - started)::pg_catalog.numeric, 3));

    -- Members of the extension: the lock guards them, DROP EXTENSION drops them. (In an
    -- update script they are members already, as everything the script creates.)
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_depend AS d
                    WHERE d.classid = 'pg_catalog.pg_namespace'::pg_catalog.regclass
                      AND d.objid = 'attempt_lock_store'::pg_catalog.regnamespace AND d.deptype = 'e') THEN
        ALTER EXTENSION attempt_lock ADD SCHEMA attempt_lock_store;
        ALTER EXTENSION attempt_lock ADD TABLE attempt_lock_store.attempt_store;
        ALTER EXTENSION attempt_lock ADD TABLE attempt_lock_store.attempt_store_students;
        ALTER EXTENSION attempt_lock ADD TABLE attempt_lock_store.attempt_store_state;
    END IF;
    RETURN stored;
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_store_build(pg_catalog.int4) IS
'attempt_lock internal: creates the incremental store''s schema and tables, fills them from the source, indexes them, grants and secures them, and adds them to the extension; the attempts stored. Runs inside the switch or an update script.';
REVOKE ALL ON FUNCTION @extschema@.attempt_store_build(pg_catalog.int4) FROM PUBLIC;

-- The store's triggers on the source, made (or, restored from a dump, adopted) as the
-- switch makes them. Writes to the source wait meanwhile (the switch holds a SHARE lock).
CREATE OR REPLACE FUNCTION @extschema@.attempt_store_triggers_install()
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    source_name pg_catalog.text;
    trigger_name pg_catalog.name;
BEGIN
    SELECT cfg.source_table::pg_catalog.text INTO STRICT source_name
      FROM @extschema@.attempt_lock_config AS cfg WHERE cfg.attached;
    IF NOT @extschema@.attempt_store_triggers_shaped() THEN
        FOR trigger_name IN
            SELECT t.tgname FROM pg_catalog.pg_trigger AS t
             WHERE t.tgrelid = source_name::pg_catalog.regclass
               AND t.tgname = ANY (@extschema@.attempt_store_trigger_names())
        LOOP
            EXECUTE pg_catalog.format('DROP TRIGGER %I ON %s', trigger_name, source_name);
        END LOOP;
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER attempt_store_insert AFTER INSERT ON %1$s REFERENCING NEW TABLE AS new_rows'
            ' FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.attempt_store_sync()', source_name);
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER attempt_store_update AFTER UPDATE ON %1$s REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows'
            ' FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.attempt_store_sync()', source_name);
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER attempt_store_delete AFTER DELETE ON %1$s REFERENCING OLD TABLE AS old_rows'
            ' FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.attempt_store_sync()', source_name);
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER attempt_store_truncate AFTER TRUNCATE ON %1$s'
            ' FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.attempt_store_truncate()', source_name);
    END IF;
    FOREACH trigger_name IN ARRAY @extschema@.attempt_store_trigger_names() LOOP
        EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE ALWAYS TRIGGER %I', source_name, trigger_name);
        -- DROP EXTENSION drops them with the extension (a trigger cannot be a member).
        EXECUTE pg_catalog.format('ALTER TRIGGER %I ON %s DEPENDS ON EXTENSION attempt_lock', trigger_name, source_name);
        EXECUTE pg_catalog.format('COMMENT ON TRIGGER %I ON %s IS %L', trigger_name, source_name,
            'attempt_lock: keeps the incremental store exact (attempt_store_disable() removes it)');
    END LOOP;
    -- The watermark attempt_store_triggers_ok() compares: the rows just made (or adopted).
    UPDATE attempt_lock_store.attempt_store_state
       SET trigger_rows = (SELECT pg_catalog.string_agg(pg_catalog.format('%s %s %s', t.tgname, t.oid, t.xmin), ', ' ORDER BY t.tgname)
                             FROM pg_catalog.pg_trigger AS t
                            WHERE t.tgrelid = source_name::pg_catalog.regclass
                              AND t.tgname = ANY (@extschema@.attempt_store_trigger_names())),
           trigger_cluster = (SELECT c.system_identifier FROM pg_catalog.pg_control_system() AS c);
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_store_triggers_install() IS
'attempt_lock internal: makes the incremental store''s four triggers on the source (or keeps the four a restore brought back, if they have the right shape), enabled always and depending on the extension, and records their catalog rows in the store''s state (the store must exist).';
REVOKE ALL ON FUNCTION @extschema@.attempt_store_triggers_install() FROM PUBLIC;

-- The four triggers exist with the switch's shape (whatever their state and dependency):
-- a restore brings them back so, before the store they serve.
CREATE OR REPLACE FUNCTION @extschema@.attempt_store_triggers_shaped()
RETURNS pg_catalog.bool
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.count(*) = 4
      FROM pg_catalog.pg_trigger AS t
      JOIN (VALUES ('attempt_store_insert', 4::pg_catalog.int2, '@extschema@.attempt_store_sync()'::pg_catalog.regprocedure),
                   ('attempt_store_update', 16, '@extschema@.attempt_store_sync()'),
                   ('attempt_store_delete', 8, '@extschema@.attempt_store_sync()'),
                   ('attempt_store_truncate', 32, '@extschema@.attempt_store_truncate()')) AS w(name, tgtype, fn)
        ON w.name = t.tgname AND w.tgtype = t.tgtype AND w.fn = t.tgfoid
     WHERE t.tgrelid = (SELECT c.source_table FROM @extschema@.attempt_lock_config AS c WHERE c.attached)
$$;
COMMENT ON FUNCTION @extschema@.attempt_store_triggers_shaped() IS
'attempt_lock internal: true when the four triggers of the incremental store exist on the source with the switch''s events, timing, level and functions (a restore brings them back before their store).';

-- The store and its triggers gone; the view is the caller's (it must stop reading the
-- store first: the lock refuses a DROP that cascades to it).
CREATE OR REPLACE FUNCTION @extschema@.attempt_store_teardown()
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET client_min_messages = warning  -- not DROP SCHEMA's list of the store's tables
AS $$
DECLARE
    t record;
BEGIN
    -- Triggers first: no write may reach a store that is going away.
    FOR t IN
        SELECT tr.tgname, tr.tgrelid::pg_catalog.regclass AS rel FROM pg_catalog.pg_trigger AS tr
         WHERE tr.tgrelid = (SELECT cfg.source_table FROM @extschema@.attempt_lock_config AS cfg)
           AND tr.tgname = ANY (@extschema@.attempt_store_trigger_names())
    LOOP
        EXECUTE pg_catalog.format('DROP TRIGGER %I ON %s', t.tgname, t.rel);
    END LOOP;
    IF pg_catalog.to_regnamespace('attempt_lock_store') IS NULL THEN
        RETURN;
    END IF;
    FOR t IN
        SELECT c.oid::pg_catalog.regclass AS rel FROM pg_catalog.pg_class AS c
          JOIN pg_catalog.pg_depend AS d ON d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid
                                        AND d.deptype = 'e'
         WHERE c.relnamespace = 'attempt_lock_store'::pg_catalog.regnamespace AND c.relkind = 'r'
    LOOP
        EXECUTE pg_catalog.format('ALTER EXTENSION attempt_lock DROP TABLE %s', t.rel);
    END LOOP;
    ALTER EXTENSION attempt_lock DROP SCHEMA attempt_lock_store;
    DROP SCHEMA attempt_lock_store CASCADE;
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_store_teardown() IS
'attempt_lock internal: drops the incremental store''s triggers, tables and schema. The view must not read the store any more.';
REVOKE ALL ON FUNCTION @extschema@.attempt_store_teardown() FROM PUBLIC;

CREATE OR REPLACE FUNCTION @extschema@.attempt_store_switch_on(batch_size pg_catalog.int4)
RETURNS pg_catalog.int8
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    source pg_catalog.regclass;
    source_name pg_catalog.text;
    foreign_triggers pg_catalog.text;
    blind_spot pg_catalog.text;
    stored pg_catalog.int8;
BEGIN
    IF NOT COALESCE((SELECT r.rolsuper FROM pg_catalog.pg_roles AS r WHERE r.rolname = CURRENT_USER), false) THEN
        RAISE EXCEPTION 'attempt_lock: only a superuser may switch the incremental store on'
              USING ERRCODE = 'insufficient_privilege',
                    HINT = 'Run SELECT attempt_store_enable() as a superuser.';
    END IF;
    PERFORM @extschema@.attempt_store_check_lock();
    IF batch_size IS NULL OR batch_size < 1 THEN
        RAISE EXCEPTION 'attempt_lock: batch_size must be at least 1, not %', batch_size
              USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF pg_catalog.to_regnamespace('attempt_lock_store') IS NOT NULL THEN
        RAISE EXCEPTION 'attempt_lock: the incremental store is already on'
              USING ERRCODE = 'object_not_in_prerequisite_state',
                    DETAIL = 'The schema attempt_lock_store exists.',
                    HINT = 'SELECT * FROM attempt_store_status() describes it; SELECT attempt_store_rebuild(); rebuilds it.';
    END IF;
    SELECT cfg.source_table, cfg.source_table::pg_catalog.text INTO source, source_name
      FROM @extschema@.attempt_lock_config AS cfg WHERE cfg.attached;
    IF source IS NULL THEN
        RAISE EXCEPTION 'attempt_lock: the views read no source table'
              USING ERRCODE = 'object_not_in_prerequisite_state',
                    HINT = 'SELECT attempt_source_attach(); first.';
    END IF;
    IF pg_catalog.to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL THEN
        RAISE EXCEPTION 'attempt_lock: the incremental store is not supported on Citus'
              USING ERRCODE = 'feature_not_supported',
                    HINT = 'Its triggers would need citus.enable_unsafe_triggers; read attempt as it is computed (docs/SCALING.md).';
    END IF;
    SELECT pg_catalog.string_agg(pg_catalog.format('%s on %s (calls %s)', f.trigger_name, f.table_name, f.function_name), '; ')
      INTO foreign_triggers FROM @extschema@.attempt_store_foreign_triggers() AS f;
    IF foreign_triggers IS NOT NULL THEN
        RAISE EXCEPTION 'attempt_lock: triggers other than the store''s own call the extension''s functions'
              USING ERRCODE = 'object_not_in_prerequisite_state',
                    DETAIL = foreign_triggers,
                    HINT = 'Drop them (the functions refuse to run as those triggers anyway), then SELECT attempt_store_enable(); again.';
    END IF;
    -- The store keys a result by its id: two source rows with one id would be one.
    IF NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_index AS i
          JOIN pg_catalog.pg_attribute AS a ON a.attrelid = i.indrelid AND a.attname = 'id'
         WHERE i.indrelid = source AND i.indisunique AND i.indimmediate AND i.indisvalid
           AND i.indnkeyatts = 1 AND i.indkey[0] = a.attnum
           AND i.indpred IS NULL AND i.indexprs IS NULL) THEN
        RAISE EXCEPTION 'attempt_lock: the incremental store needs %.id to be unique', source_name
              USING ERRCODE = 'object_not_in_prerequisite_state',
                    DETAIL = 'No valid, immediate, non-partial unique index on (id) alone was found.',
                    HINT = pg_catalog.format('ALTER TABLE %s ADD PRIMARY KEY (id); (after removing duplicated ids), then SELECT attempt_store_enable(); again.', source_name);
    END IF;
    blind_spot := @extschema@.attempt_store_blind_spot(source);
    IF blind_spot IS NOT NULL THEN
        RAISE EXCEPTION 'attempt_lock: the incremental store cannot follow %: %', source_name, blind_spot
              USING ERRCODE = 'feature_not_supported', DETAIL = 'The store would miss those writes.',
                    HINT = 'Read attempt as it is computed (docs/OPERATIONS.md, "Bulk loads and the store").';
    END IF;

    -- Writers wait until the store is complete; readers go on (computed) meanwhile.
    EXECUTE pg_catalog.format('LOCK TABLE %s IN SHARE MODE', source_name);
    stored := @extschema@.attempt_store_build(batch_size);
    PERFORM @extschema@.attempt_store_triggers_install();
    PERFORM @extschema@.attempt_views_apply(true);
    PERFORM @extschema@.attempt_store_rebaseline('on');
    RAISE NOTICE 'attempt_store_enable: the store is on: % attempts', stored;
    RETURN stored;
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_store_switch_on(pg_catalog.int4) IS
'attempt_lock internal: the body of attempt_store_enable(), which runs it with the lock''s maintenance flag raised: checks, builds the store, makes its triggers and the view''s store shape, records the lock''s baseline. Returns the attempts stored.';
REVOKE ALL ON FUNCTION @extschema@.attempt_store_switch_on(pg_catalog.int4) FROM PUBLIC;

CREATE OR REPLACE FUNCTION @extschema@.attempt_store_switch_off()
RETURNS pg_catalog.bool
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    was_on pg_catalog.bool := pg_catalog.to_regnamespace('attempt_lock_store') IS NOT NULL;
BEGIN
    IF NOT COALESCE((SELECT r.rolsuper FROM pg_catalog.pg_roles AS r WHERE r.rolname = CURRENT_USER), false) THEN
        RAISE EXCEPTION 'attempt_lock: only a superuser may switch the incremental store off'
              USING ERRCODE = 'insufficient_privilege',
                    HINT = 'Run SELECT attempt_store_disable() as a superuser.';
    END IF;
    PERFORM @extschema@.attempt_store_check_lock();
    IF was_on THEN
        PERFORM @extschema@.attempt_views_apply(false);
    END IF;
    PERFORM @extschema@.attempt_store_teardown();
    IF NOT was_on THEN
        RAISE NOTICE 'attempt_lock: the incremental store is already off';
        RETURN false;
    END IF;
    PERFORM @extschema@.attempt_store_rebaseline('off');
    RETURN true;
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_store_switch_off() IS
'attempt_lock internal: the body of attempt_store_disable(), which runs it with the lock''s maintenance flag raised: the view computes its rows again, the triggers and the store are dropped, the lock''s baseline is recorded. Returns false (with a NOTICE) if it was already off.';
REVOKE ALL ON FUNCTION @extschema@.attempt_store_switch_off() FROM PUBLIC;

CREATE OR REPLACE FUNCTION @extschema@.attempt_store_rebuild_body()
RETURNS pg_catalog.int8
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    batch pg_catalog.int4 := 10000;
BEGIN
    IF pg_catalog.to_regclass('attempt_lock_store.attempt_store_state') IS NOT NULL THEN
        SELECT s.batch_size INTO batch FROM attempt_lock_store.attempt_store_state AS s;
    END IF;
    PERFORM @extschema@.attempt_store_switch_off();
    RETURN @extschema@.attempt_store_switch_on(COALESCE(batch, 10000));
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_store_rebuild_body() IS
'attempt_lock internal: the body of attempt_store_rebuild(): the store switched off and on again (a stale store is exact again). Returns the attempts stored.';
REVOKE ALL ON FUNCTION @extschema@.attempt_store_rebuild_body() FROM PUBLIC;

-- The switch records the lock's baseline when it ends, so it must not start from a
-- drifted state: that drift would become the baseline.
CREATE OR REPLACE FUNCTION @extschema@.attempt_store_check_lock()
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    drifted pg_catalog.text;
BEGIN
    SELECT pg_catalog.string_agg(d.status || ': ' || d.object_type || ' ' || d.identity, '; ' ORDER BY d.identity)
      INTO drifted
      FROM @extschema@.attempt_lock_drift() AS d
     WHERE d.kind <> 'override';
    IF drifted IS NOT NULL THEN
        RAISE EXCEPTION 'attempt_lock: the lock reports drift; the store switch would record it as the new baseline'
              USING ERRCODE = 'object_not_in_prerequisite_state',
                    DETAIL = drifted,
                    HINT = 'SELECT * FROM attempt_lock_drift(); restore the released definitions first (docs/OPERATIONS.md, "Lock bypassed").';
    END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_store_check_lock() IS
'attempt_lock internal: refuses the store switch while the lock reports drift, since the switch records a new baseline.';

-- The switch ends like an update script: the lock's baseline becomes the state it leaves
-- (the store's members, the view's new shape), so attempt_health() reports no drift.
CREATE OR REPLACE FUNCTION @extschema@.attempt_store_rebaseline(what pg_catalog.text)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF @extschema@.attempt_lock_in_script() THEN
        PERFORM @extschema@.attempt_lock_record_state();
    ELSE
        RAISE NOTICE 'attempt_lock: store %: the lock''s baseline was not re-recorded (not inside the extension)', what;
    END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_store_rebaseline(pg_catalog.text) IS
'attempt_lock internal: records the lock''s baseline at the end of the store switch when the switch runs as part of the extension.';
REVOKE ALL ON FUNCTION @extschema@.attempt_store_rebaseline(pg_catalog.text) FROM PUBLIC;

-- The incremental store, part 3: whether it may be read, its status, and the sync check
-- behind attempt_health().

-- Read by the view for every query (a one-time filter): the store serves attempt only
-- while it is exact, that is while it is on, not marked stale, and its triggers are as
-- the switch made them (a trigger disabled or dropped, even with event triggers off, one
-- made ENABLE instead of ENABLE ALWAYS, or one disabled and enabled again, which the
-- watermark of attempt_store_triggers_ok() sees, sends the view to the computed rows).
-- SECURITY DEFINER: readers have no USAGE on attempt_lock_store; it returns one boolean.
CREATE OR REPLACE FUNCTION @extschema@.attempt_store_usable()
RETURNS pg_catalog.bool
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.to_regclass('attempt_lock_store.attempt_store_state') IS NOT NULL
       AND NOT EXISTS (SELECT FROM attempt_lock_store.attempt_store_state AS s WHERE s.stale_since IS NOT NULL)
       AND @extschema@.attempt_store_triggers_ok()
$$;
COMMENT ON FUNCTION @extschema@.attempt_store_usable() IS
'attempt_lock internal: true while the incremental store is on, not stale and its triggers are as the switch made them; the view attempt reads the store then, and computes its rows otherwise. Returns one boolean.';

-- Marks the store stale when its triggers are no longer as the switch made them (the
-- source's DDL event trigger calls it as whoever ran the DDL: the table's owner may
-- disable or drop them). It does nothing else, and nothing when the triggers are intact,
-- so anyone may call it: the worst it can do is make attempt compute its rows.
CREATE OR REPLACE FUNCTION @extschema@.attempt_store_mark_stale(command pg_catalog.text)
RETURNS pg_catalog.bool
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF pg_catalog.to_regclass('attempt_lock_store.attempt_store_state') IS NULL
       OR @extschema@.attempt_store_triggers_ok() THEN
        RETURN false;
    END IF;
    UPDATE attempt_lock_store.attempt_store_state AS s
       SET stale_since = pg_catalog.statement_timestamp(),
           stale_reason = pg_catalog.format('%s by %s%s', pg_catalog.left(command, 64), SESSION_USER,
               COALESCE(': ' || @extschema@.attempt_store_blind_spot(s.source_table),
                        ' changed the store''s triggers on the source'))
     WHERE s.stale_since IS NULL;
    RETURN true;
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_store_mark_stale(pg_catalog.text) IS
'attempt_lock internal: marks the incremental store stale (attempt then computes its rows until attempt_store_rebuild()) when its triggers are not as the switch made them; does nothing otherwise. Called by the source''s DDL event trigger.';

CREATE OR REPLACE FUNCTION @extschema@.attempt_store_status(
    OUT enabled pg_catalog.bool,
    OUT rows_estimate pg_catalog.int8,
    OUT students pg_catalog.int8,
    OUT enabled_at pg_catalog.timestamptz,
    OUT enabled_by pg_catalog.name,
    OUT backfill_results pg_catalog.int8,
    OUT backfill_rows pg_catalog.int8,
    OUT backfill_seconds pg_catalog.numeric,
    OUT last_write pg_catalog.timestamptz,
    OUT triggers pg_catalog.text,
    OUT stale_since pg_catalog.timestamptz,
    OUT stale_reason pg_catalog.text)
LANGUAGE plpgsql STABLE SECURITY DEFINER  -- monitors have no USAGE on attempt_lock_store
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    SELECT pg_catalog.string_agg(pg_catalog.format('%s %s', t.tgname,
               CASE t.tgenabled WHEN 'A' THEN 'enabled always' WHEN 'O' THEN 'enabled'
                                WHEN 'D' THEN 'DISABLED' ELSE 'enabled on ' || t.tgenabled::pg_catalog.text END), ', ' ORDER BY t.tgname)
      INTO triggers
      FROM pg_catalog.pg_trigger AS t
     WHERE t.tgrelid = (SELECT cfg.source_table FROM @extschema@.attempt_lock_config AS cfg)
       AND t.tgname = ANY (@extschema@.attempt_store_trigger_names());
    enabled := pg_catalog.to_regclass('attempt_lock_store.attempt_store_state') IS NOT NULL;
    IF NOT enabled THEN
        RETURN;
    END IF;
    SELECT s.enabled_at, s.enabled_by, s.backfill_results, s.backfill_rows, s.backfill_seconds, s.stale_since, s.stale_reason
      INTO enabled_at, enabled_by, backfill_results, backfill_rows, backfill_seconds, stale_since, stale_reason
      FROM attempt_lock_store.attempt_store_state AS s;
    -- Estimated: the store's rows (results) times their average attempts, as the last
    -- ANALYZE saw them (the last entry of an array column's elem_count_histogram is the
    -- average number of distinct elements; a result's items are distinct).
    SELECT pg_catalog.round(GREATEST(c.reltuples, 0) * COALESCE(
               (SELECT st.elem_count_histogram[pg_catalog.array_upper(st.elem_count_histogram, 1)]
                  FROM pg_catalog.pg_stats AS st
                 WHERE st.schemaname = 'attempt_lock_store' AND st.tablename = 'attempt_store'
                   AND st.attname = 'item_ids'), 0))::pg_catalog.int8
      INTO rows_estimate
      FROM pg_catalog.pg_class AS c WHERE c.oid = 'attempt_lock_store.attempt_store'::pg_catalog.regclass;
    SELECT pg_catalog.count(*), pg_catalog.max(h.synced_at) INTO students, last_write
      FROM attempt_lock_store.attempt_store_students AS h;
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_store_status() IS
'attempt_lock: the incremental store: on or off, its estimated results, its students and their last write, when and by whom it was switched on and how the backfill went, its triggers on the source, and since when and why it is stale (attempt computes its rows meanwhile).';

-- Counts, never rows: it reads the store and the source as its owner, so that a
-- monitoring role can run attempt_health(). severity: fail (the store or its protection
-- is broken), or warn (stale: attempt computes its rows meanwhile, they are exact).
CREATE OR REPLACE FUNCTION @extschema@.attempt_store_sync_problems(
    exact pg_catalog.bool DEFAULT false,
    sample_students pg_catalog.int4 DEFAULT 200)
RETURNS TABLE (problem pg_catalog.text, row_count pg_catalog.int8, detail pg_catalog.text, severity pg_catalog.text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
-- jit: the computed side is estimated far above what a sample reads; compiling it cost
-- seconds (measured) for a query that runs in milliseconds.
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
    source pg_catalog.regclass;
    source_name pg_catalog.text;
    store_on pg_catalog.bool := pg_catalog.to_regclass('attempt_lock_store.attempt_store') IS NOT NULL;
    students pg_catalog.uuid[];
    sample_percent pg_catalog.float8;
    missing pg_catalog.int8;
    extra pg_catalog.int8;
    scope pg_catalog.text;
    stale pg_catalog.text;
BEGIN
    SELECT cfg.source_table, cfg.source_table::pg_catalog.text INTO source, source_name
      FROM @extschema@.attempt_lock_config AS cfg WHERE cfg.attached;

    RETURN QUERY
    SELECT 'foreign trigger', 1::pg_catalog.int8,
           pg_catalog.format('trigger %s on %s calls %s: only the store''s own triggers may (DROP TRIGGER %I ON %s)',
                             f.trigger_name, f.table_name, f.function_name, f.trigger_name, f.table_name),
           'fail'
      FROM @extschema@.attempt_store_foreign_triggers() AS f;

    IF NOT store_on THEN
        RETURN QUERY
        SELECT 'trigger without the store', 1::pg_catalog.int8,
               t.tgname || ' exists but the store is off (restored from a dump by a role that could not rebuild it?): SELECT attempt_store_enable(); or attempt_store_disable();',
               'fail'
          FROM pg_catalog.pg_trigger AS t
         WHERE t.tgrelid = source AND t.tgname = ANY (@extschema@.attempt_store_trigger_names());
        RETURN;
    END IF;

    SELECT COALESCE(s.stale_reason, 'stale') || ' at ' || s.stale_since INTO stale
      FROM attempt_lock_store.attempt_store_state AS s WHERE s.stale_since IS NOT NULL;
    IF stale IS NULL AND NOT @extschema@.attempt_store_triggers_ok() THEN
        stale := COALESCE(@extschema@.attempt_store_blind_spot(source),
            'its triggers on the source are not as the switch made them (disabled, dropped, or changed and changed back, while event triggers were off?)');
    END IF;
    IF stale IS NOT NULL THEN
        RETURN QUERY SELECT 'stale', 1::pg_catalog.int8,
            stale || '; attempt computes its rows (exact, slower) until SELECT attempt_store_rebuild();', 'warn';
    END IF;

    -- The store's rows must reach nobody but through the view.
    RETURN QUERY
    SELECT 'store privileges', 1::pg_catalog.int8, x.what, 'fail'
      -- Granted on the schema, to PUBLIC or a role. (pg_read_all_data and pg_write_all_data
      -- have USAGE everywhere without a grant; the store's policy still applies the
      -- source's row-level security to their members.)
      FROM (SELECT pg_catalog.format('%s on schema attempt_lock_store granted to %s', a.privilege_type,
                                     CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(a.grantee)) END) AS what
              FROM pg_catalog.pg_namespace AS n
             CROSS JOIN LATERAL pg_catalog.aclexplode(n.nspacl) AS a
             WHERE n.nspname = 'attempt_lock_store' AND a.grantee <> n.nspowner
            UNION ALL
            SELECT pg_catalog.format('%s on attempt_lock_store.%I granted to %s', a.privilege_type, c.relname,
                                     CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(a.grantee)) END)
              FROM pg_catalog.pg_class AS c
             CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) AS a
             WHERE c.relnamespace = 'attempt_lock_store'::pg_catalog.regnamespace AND c.relkind = 'r'
               AND a.grantee <> c.relowner
               AND NOT (c.relname = 'attempt_store' AND a.grantee = 0 AND a.privilege_type = 'SELECT')) AS x;

    RETURN QUERY
    SELECT 'store row security', 1::pg_catalog.int8,
           'row-level security is off on attempt_lock_store.attempt_store, or its policy attempt_store_source_rows is gone', 'fail'
     WHERE NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_class AS c
          JOIN pg_catalog.pg_policy AS p ON p.polrelid = c.oid AND p.polname = 'attempt_store_source_rows'
         WHERE c.oid = 'attempt_lock_store.attempt_store'::pg_catalog.regclass AND c.relrowsecurity);

    RETURN QUERY
    SELECT 'view not reading the store', 1::pg_catalog.int8,
           'the view attempt does not read attempt_lock_store.attempt_store while the store is on', 'fail'
     WHERE NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_rewrite AS r
          JOIN pg_catalog.pg_depend AS d ON d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND d.objid = r.oid
         WHERE r.ev_class = '@extschema@.attempt'::pg_catalog.regclass
           AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
           AND d.refobjid = 'attempt_lock_store.attempt_store'::pg_catalog.regclass);

    -- A stale store is not read, so its rows are not compared.
    IF stale IS NOT NULL OR source IS NULL THEN
        RETURN;
    END IF;
    IF exact THEN
        scope := 'all rows';
    ELSE
        -- Whole students, half drawn from the source and half from the store, so that rows
        -- missing from the store and rows it should no longer hold both have a chance.
        SELECT LEAST(100, GREATEST(0.01, 100.0 * 1000 / GREATEST(1, c.reltuples)))
          INTO sample_percent FROM pg_catalog.pg_class AS c WHERE c.oid = source;
        EXECUTE pg_catalog.format(
            'SELECT pg_catalog.array_agg(DISTINCT s) FROM ('
            ' (SELECT DISTINCT @extschema@.attempt_student_uuid(er.user_id::pg_catalog.text) AS s'
            '    FROM %s AS er TABLESAMPLE SYSTEM ($2) WHERE er.user_id IS NOT NULL LIMIT ($1 + 1) / 2)'
            ' UNION ALL'
            ' (SELECT DISTINCT st.student_id FROM attempt_lock_store.attempt_store AS st TABLESAMPLE SYSTEM ($3)'
            '   LIMIT $1 / 2)) AS sample', source_name)
          INTO students
          USING sample_students, sample_percent,
                (SELECT LEAST(100, GREATEST(0.01, 100.0 * 1000 / GREATEST(1, c.reltuples)))
                   FROM pg_catalog.pg_class AS c WHERE c.oid = 'attempt_lock_store.attempt_store'::pg_catalog.regclass);
        scope := pg_catalog.format('a sample of %s students', COALESCE(pg_catalog.cardinality(students), 0));
    END IF;

    -- One aggregation over both sides: +1 per stored row, -1 per computed row; a group
    -- whose sum is not 0 differs.
    EXECUTE pg_catalog.format($q$
SELECT COALESCE(pg_catalog.sum(-d.n) FILTER (WHERE d.n < 0), 0)::pg_catalog.int8,
       COALESCE(pg_catalog.sum(d.n) FILTER (WHERE d.n > 0), 0)::pg_catalog.int8
  FROM (SELECT pg_catalog.sum(b.n) AS n
          FROM (SELECT s.*, 1 AS n FROM (%s) AS s WHERE $1 OR s.student_id = ANY ($2)
                UNION ALL
                SELECT v.*, -1 FROM (%s) AS v WHERE $1 OR v.student_id = ANY ($2)) AS b
         GROUP BY b.id, b.student_id, b.item_id, b.correct, b.response_time_ms, b.hint_used,
                  b.completed_at, b.started_at, b.attempt_no, b.session_id, b.topic_id
        HAVING pg_catalog.sum(b.n) <> 0) AS d
$q$, @extschema@.attempt_view_query('stored'), @extschema@.attempt_view_query('computed'))
      INTO missing, extra
      USING exact, students;

    IF missing > 0 THEN
        RETURN QUERY SELECT 'rows missing from the store', missing,
            'computed rows the store does not hold (or holds with other values); checked: ' || scope, 'fail';
    END IF;
    IF extra > 0 THEN
        RETURN QUERY SELECT 'rows extra in the store', extra,
            'store rows the computed definition does not produce (or produces with other values); checked: ' || scope, 'fail';
    END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_store_sync_problems(pg_catalog.bool, pg_catalog.int4) IS
'attempt_lock internal (attempt_health()): what keeps the incremental store from being exact or safe: triggers of others calling the store''s functions, triggers without a store, staleness (warn: attempt computes its rows meanwhile), privileges that would expose it, row security off, a view that does not read it, and the number of rows that differ from the computed definition (every row with exact => true, else every row of a sample of students). No rows: in sync, or off and clean. Counts only.';

-- The incremental store, part 4: the public switch, native so that only it can raise the
-- flag the lock reads (src/lock/maintenance.rs). Superusers only.

CREATE OR REPLACE FUNCTION @extschema@.attempt_store_enable(batch_size pg_catalog.int4 DEFAULT 10000)
RETURNS pg_catalog.int8
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'attempt_store_enable_wrapper';
COMMENT ON FUNCTION @extschema@.attempt_store_enable(pg_catalog.int4) IS
'attempt_lock: switches the incremental store on (superuser): creates schema attempt_lock_store with its tables and indexes, backfills it from the source batch_size rows at a time (NOTICE progress), adds the triggers on the source and makes the view attempt read the store; records the lock''s new baseline. Returns the attempts stored. Writers of the source wait during the backfill; readers do not.';

CREATE OR REPLACE FUNCTION @extschema@.attempt_store_disable()
RETURNS pg_catalog.bool
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'attempt_store_disable_wrapper';
COMMENT ON FUNCTION @extschema@.attempt_store_disable() IS
'attempt_lock: switches the incremental store off (superuser): the view attempt computes its rows again, the triggers and the store are dropped, the lock''s baseline is recorded. Returns false (with a NOTICE) if it was already off.';

CREATE OR REPLACE FUNCTION @extschema@.attempt_store_rebuild()
RETURNS pg_catalog.int8
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'attempt_store_rebuild_wrapper';
COMMENT ON FUNCTION @extschema@.attempt_store_rebuild() IS
'attempt_lock: (superuser) switches the incremental store off and on again, with the batch size it was filled with: a stale store (its triggers were disabled or dropped) is exact and read again. Returns the attempts stored.';

REVOKE ALL ON FUNCTION @extschema@.attempt_store_enable(pg_catalog.int4) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.attempt_store_disable() FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.attempt_store_rebuild() FROM PUBLIC;

-- attempt_health()'s checks of the install itself: extension version, members, the view, its columns, the recorded definitions, the source table, the native hashes.
-- Each check is a query run by attempt_health() (health.sql says with which parameters).
CREATE OR REPLACE FUNCTION @extschema@.attempt_health_checks_install(OUT "check" pg_catalog.text, OUT query pg_catalog.text)
RETURNS SETOF record
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
SELECT c."check", c.query FROM (VALUES
    ('extension', $q$
        SELECT CASE WHEN e.extversion = a.default_version THEN 'ok' ELSE 'warn' END,
               e.extversion, a.default_version,
               CASE WHEN e.extversion = a.default_version THEN 'installed in schema ' || e.extnamespace::pg_catalog.regnamespace
                    ELSE 'the server''s default version differs: ALTER EXTENSION attempt_lock UPDATE (see docs/UPGRADING.md)' END
          FROM pg_catalog.pg_extension AS e
          JOIN pg_catalog.pg_available_extensions AS a ON a.name = e.extname
         WHERE e.extname = 'attempt_lock' $q$),
    ('members', $q$
        SELECT CASE WHEN pg_catalog.count(d.*) = 0 THEN 'ok' ELSE 'fail' END,
               (SELECT pg_catalog.count(*) FROM pg_catalog.pg_depend AS m
                 WHERE m.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND m.deptype = 'e'
                   AND m.refobjid = (SELECT e.oid FROM pg_catalog.pg_extension AS e WHERE e.extname = 'attempt_lock'))::text
                 || ' members',
               'the members recorded at install/update',
               pg_catalog.string_agg(d.status || ': ' || d.object_type || ' ' || d.identity, '; ' ORDER BY d.identity)
          FROM @extschema@.attempt_lock_drift() AS d
         WHERE d.kind IN ('member', 'baseline') $q$),
    ('view', $q$
        SELECT CASE WHEN c.oid IS NULL OR c.relkind <> 'v' OR m.objid IS NULL THEN 'fail' ELSE 'ok' END,
               CASE WHEN c.oid IS NULL THEN 'missing'
                    ELSE pg_catalog.format('%s (relkind %s, %s)', c.oid::pg_catalog.regclass, c.relkind,
                         CASE WHEN m.objid IS NULL THEN 'not a member' ELSE 'member' END) END,
               'view @extschema@.attempt, member of attempt_lock',
               CASE WHEN c.oid IS NULL THEN 'relation "attempt" is missing: reinstall with DROP EXTENSION / CREATE EXTENSION attempt_lock'
                    WHEN m.objid IS NULL THEN 'attempt was detached from the extension (ALTER EXTENSION ... DROP under the override?)' END
          FROM (SELECT 1) AS one
          LEFT JOIN pg_catalog.pg_class AS c
            ON c.relname = 'attempt' AND c.relnamespace = '@extschema@'::pg_catalog.regnamespace
          LEFT JOIN pg_catalog.pg_depend AS m
            ON m.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND m.objid = c.oid AND m.deptype = 'e' $q$),
    ('column_contract', $q$
        WITH want AS (SELECT * FROM @extschema@.attempt_contract()),
        have AS (
            SELECT a.attnum::int AS "position", a.attname::text AS column_name,
                   pg_catalog.format_type(a.atttypid, NULL) AS data_type
              FROM pg_catalog.pg_attribute AS a
             WHERE a.attrelid = '@extschema@.attempt'::pg_catalog.regclass AND a.attnum > 0 AND NOT a.attisdropped),
        problems AS (
            SELECT CASE WHEN h.column_name IS NULL THEN pg_catalog.format('missing column %s %s', w.column_name, w.data_type)
                        WHEN w.column_name IS NULL THEN pg_catalog.format('extra column %s %s at position %s', h.column_name, h.data_type, h."position")
                        WHEN h.data_type <> w.data_type THEN pg_catalog.format('column %s has type %s, expected %s', w.column_name, h.data_type, w.data_type)
                        WHEN h."position" <> w."position" THEN pg_catalog.format('column %s is at position %s, expected %s', w.column_name, h."position", w."position")
                   END AS problem
              FROM want AS w FULL JOIN have AS h ON h.column_name = w.column_name)
        SELECT CASE WHEN pg_catalog.count(p.problem) = 0 THEN 'ok' ELSE 'fail' END,
               (SELECT pg_catalog.count(*) FROM have)::text || ' columns',
               '11 columns as in attempt_contract()',
               pg_catalog.string_agg(p.problem, '; ' ORDER BY p.problem)
          FROM problems AS p $q$),
    ('definition', $q$
        SELECT CASE WHEN pg_catalog.count(*) = 0 THEN 'ok' ELSE 'fail' END,
               CASE WHEN pg_catalog.count(*) = 0 THEN 'unchanged' ELSE pg_catalog.count(*) || ' objects differ' END,
               'the definitions recorded at install/update',
               pg_catalog.string_agg(d.status || ': ' || d.object_type || ' ' || d.identity, '; ' ORDER BY d.identity)
          FROM @extschema@.attempt_lock_drift() AS d
         WHERE d.kind IN ('view', 'function') $q$),
    ('source_contract', $q$
        WITH named AS (
            SELECT c.source_name, pg_catalog.to_regclass(c.source_name) AS now_named
              FROM @extschema@.attempt_lock_config AS c),
        problems AS (SELECT p.problem FROM @extschema@.attempt_source_problems($2::text) AS p)
        SELECT CASE WHEN (SELECT pg_catalog.count(*) FROM problems) = 0
                         AND (n.now_named IS NULL OR n.now_named = $2) THEN 'ok' ELSE 'fail' END,
               pg_catalog.format('%s (owner %s)', $2, (SELECT pg_catalog.pg_get_userbyid(c.relowner)
                                                         FROM pg_catalog.pg_class AS c WHERE c.oid = $2)),
               'a table keeping the exam_results contract (docs/SPEC.md §2), named as recorded',
               NULLIF(pg_catalog.concat_ws('; ',
                   (SELECT pg_catalog.string_agg(p.problem, '; ') FROM problems AS p),
                   CASE WHEN n.now_named IS NULL
                        THEN pg_catalog.format('renamed from %s: attempt reads it under its new name (SELECT attempt_source_attach(%L); records the new name)', n.source_name, $2::text)
                        WHEN n.now_named <> $2
                        THEN pg_catalog.format('attempt reads %s, which is no longer the table named %s (recorded as the source): %s is another table now. If it should be the source: SELECT attempt_source_attach(%L);',
                                               $2, n.source_name, n.now_named, n.source_name) END), '')
          FROM named AS n $q$),
    ('native_functions', $q$
        WITH f AS (
            SELECT p.oid::pg_catalog.regprocedure::text AS fn,
                   p.provolatile = 'i' AND p.proisstrict AND p.proparallel = 's' AS declared_ok
              FROM pg_catalog.pg_proc AS p
             WHERE p.pronamespace = '@extschema@'::pg_catalog.regnamespace
               AND p.proname IN ('attempt_id', 'attempt_student_uuid')),
        self_test AS (
            SELECT @extschema@.attempt_id('42', '7') = 4034413907488402035
               AND @extschema@.attempt_id('5f0c7c1e-4b7a-4a39-9d1e-0c1f3c2b7a10'::uuid, 1001) = 2812140230157524088
               AND @extschema@.attempt_student_uuid('student-42') = 'bbbbc2d5-8bba-cb8b-2836-8760498fd557'
               AND @extschema@.attempt_student_uuid('ABCDEF01-2345-6789-ABCD-EF0123456789') = 'abcdef01-2345-6789-abcd-ef0123456789'
               AND @extschema@.attempt_student_uuid(pg_catalog.repeat('-', 36)) = '95cfe54e-4b88-9737-ca32-cdfe4f31a0d7'
               AS passed)
        SELECT CASE WHEN (SELECT pg_catalog.count(*) FROM f WHERE f.declared_ok) = 3 AND s.passed THEN 'ok' ELSE 'fail' END,
               (SELECT pg_catalog.count(*) FROM f WHERE f.declared_ok) || ' of 3 declared IMMUTABLE STRICT PARALLEL SAFE; known answers '
                   || CASE WHEN s.passed THEN 'pass' ELSE 'FAIL' END,
               '3 functions, known answers pass',
               (SELECT pg_catalog.string_agg(f.fn, ', ' ORDER BY f.fn) FROM f WHERE NOT f.declared_ok)
          FROM self_test AS s $q$)
) AS c("check", query);
END;
COMMENT ON FUNCTION @extschema@.attempt_health_checks_install() IS
'attempt_lock internal: the checks of attempt_health() on what CREATE EXTENSION / ALTER EXTENSION UPDATE left in place, in report order, each as (name, query). Not a public API.';

-- attempt_health()'s checks of the lock: its event triggers and the emergency override.
-- Each check is a query run by attempt_health() (health.sql says with which parameters).
CREATE OR REPLACE FUNCTION @extschema@.attempt_health_checks_lock(OUT "check" pg_catalog.text, OUT query pg_catalog.text)
RETURNS SETOF record
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
SELECT c."check", c.query FROM (VALUES
    ('lock_triggers', $q$
        WITH want(name) AS (VALUES ('attempt_lock_guard_objects'), ('attempt_lock_guard_functions'),
                                   ('attempt_lock_guard_start'), ('attempt_lock_guard_drop'),
                                   ('attempt_lock_watch_source')),
        state AS (
            SELECT w.name, t.evtenabled
              FROM want AS w LEFT JOIN pg_catalog.pg_event_trigger AS t ON t.evtname = w.name)
        SELECT CASE WHEN pg_catalog.count(*) FILTER (WHERE s.evtenabled IS DISTINCT FROM 'O' AND s.evtenabled IS DISTINCT FROM 'A') = 0
                         AND pg_catalog.current_setting('session_replication_role') <> 'replica'
                    THEN 'ok' ELSE 'fail' END,
               pg_catalog.count(*) FILTER (WHERE s.evtenabled IN ('O', 'A')) || ' of ' || pg_catalog.count(*) || ' enabled; session_replication_role = '
                   || pg_catalog.current_setting('session_replication_role'),
               'every one enabled; session_replication_role <> replica',
               pg_catalog.string_agg(s.name || CASE WHEN s.evtenabled IS NULL THEN ' is missing' ELSE ' is disabled (' || s.evtenabled::pg_catalog.text || ')' END,
                                     '; ' ORDER BY s.name) FILTER (WHERE s.evtenabled IS DISTINCT FROM 'O' AND s.evtenabled IS DISTINCT FROM 'A')
          FROM state AS s $q$),
    ('override', $q$
        WITH uses AS (SELECT * FROM @extschema@.attempt_lock_override_uses())
        SELECT CASE WHEN pg_catalog.current_setting('attempt_lock.override', true) = 'on' THEN 'fail'
                    WHEN u.recent > 0 THEN 'warn' ELSE 'ok' END,
               pg_catalog.format('override %s in this session; %s uses since the last install/update, %s in all',
                                 COALESCE(pg_catalog.current_setting('attempt_lock.override', true), 'off'),
                                 u.recent, u.total),
               'off, no uses since the last install/update',
               CASE WHEN u.recent > 0 THEN 'see attempt_lock_override_log; the definition check shows what changed' END
          FROM uses AS u $q$)
) AS c("check", query);
END;
COMMENT ON FUNCTION @extschema@.attempt_health_checks_lock() IS
'attempt_lock internal: the checks of attempt_health() on whether the lock is armed, in report order, each as (name, query). Not a public API.';

-- attempt_health()'s checks of the data: row count, freshness, NULLs in never-NULL columns, duplicate ids, attempt_no density, rejects.
-- Each check is a query run by attempt_health() (health.sql says with which parameters).
CREATE OR REPLACE FUNCTION @extschema@.attempt_health_checks_data(OUT "check" pg_catalog.text, OUT query pg_catalog.text)
RETURNS SETOF record
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
SELECT c."check", c.query FROM (VALUES
    ('row_count', $q$
        SELECT CASE WHEN n > 0 THEN 'ok' ELSE 'warn' END,
               CASE WHEN $1 THEN n::text ELSE 'about ' || n::text END,
               'more than 0 rows',
               CASE WHEN n = 0 THEN 'attempt is empty' WHEN NOT $1 THEN 'estimate: source rows (catalog) x questions per result (sample)' END
          FROM (SELECT CASE WHEN $1 THEN (SELECT pg_catalog.count(*) FROM @extschema@.attempt)
                            ELSE (SELECT pg_catalog.round(CASE WHEN c.reltuples >= 0 THEN c.reltuples  -- -1: never analyzed
                                                                    ELSE (SELECT pg_catalog.count(*) FROM {source}) END
                                         * COALESCE((SELECT pg_catalog.avg(pg_catalog.jsonb_array_length(er.result_json -> 'questions'))
                                                                  FROM {source} AS er TABLESAMPLE SYSTEM ($8)
                                                                 WHERE pg_catalog.jsonb_typeof(er.result_json -> 'questions') = 'array'), 0))::bigint
                                    FROM pg_catalog.pg_class AS c WHERE c.oid = $2) END AS n) AS count $q$),
    ('freshness', $q$
        SELECT CASE WHEN m.future > 0 THEN 'warn'
                    WHEN m.latest IS NULL THEN 'warn'
                    WHEN $4 IS NOT NULL AND pg_catalog.now() - m.latest > $4 THEN 'fail'
                    WHEN $3 IS NOT NULL AND pg_catalog.now() - m.latest > $3 THEN 'warn' ELSE 'ok' END,
               COALESCE('latest completed_at ' || m.latest::text || ', age '
                        || (pg_catalog.date_trunc('second', pg_catalog.now() - m.latest))::text, 'no rows'),
               pg_catalog.format('age under %s (warn) / %s (fail)', COALESCE($3::text, 'no limit'), COALESCE($4::text, 'no limit')),
               CASE WHEN m.future > 0 THEN m.future || ' results are dated in the future (up to '
                         || m.furthest::text || '); they do not count as fresh' END
          FROM (SELECT pg_catalog.max(c.at) FILTER (WHERE c.at <= pg_catalog.now()) AS latest,
                       pg_catalog.count(*) FILTER (WHERE c.at > pg_catalog.now()) AS future,
                       pg_catalog.max(c.at) AS furthest
                  FROM (SELECT COALESCE(er.updated_at, er.created_at) AS at FROM {source} AS er) AS c) AS m $q$),
    ('never_null', $q$
        SELECT CASE WHEN n = 0 THEN 'ok' ELSE 'fail' END, n || ' rows with a NULL in a never-NULL column',
               '0', 'checked: ' || $5
          FROM (SELECT pg_catalog.count(*) AS n FROM @extschema@.attempt AS a
                 WHERE ($1 OR a.student_id = ANY ($6))
                   AND (a.id IS NULL OR a.student_id IS NULL OR a.item_id IS NULL OR a.correct IS NULL
                        OR a.response_time_ms IS NULL OR a.hint_used IS NULL OR a.completed_at IS NULL
                        OR a.started_at IS NULL OR a.attempt_no IS NULL)) AS x $q$),
    ('duplicate_ids', $q$
        SELECT CASE WHEN n = 0 THEN 'ok' ELSE 'fail' END, n || ' duplicate ids', '0',
               CASE WHEN n > 0 THEN 'a 64-bit id collision or a duplicated exam_results id; SELECT id, count(*) FROM attempt GROUP BY 1 HAVING count(*) > 1. '
                    ELSE '' END || 'checked: ' || $5
          FROM (SELECT pg_catalog.count(*) - pg_catalog.count(DISTINCT a.id) AS n FROM @extschema@.attempt AS a
                 WHERE $1 OR a.student_id = ANY ($6)) AS x $q$),
    ('attempt_no_dense', $q$
        SELECT CASE WHEN n = 0 THEN 'ok' ELSE 'fail' END, n || ' (student_id, item_id) groups not numbered 1..n', '0',
               'checked: ' || $5
          FROM (SELECT pg_catalog.count(*) AS n FROM (
                    SELECT 1 FROM @extschema@.attempt AS a
                     WHERE $1 OR a.student_id = ANY ($6)
                     GROUP BY a.student_id, a.item_id
                    HAVING pg_catalog.min(a.attempt_no) <> 1 OR pg_catalog.max(a.attempt_no) <> pg_catalog.count(*)
                        OR pg_catalog.count(DISTINCT a.attempt_no) <> pg_catalog.count(*)) AS g) AS x $q$),
    ('rejects', $q$
        SELECT CASE WHEN pg_catalog.count(*) = 0 THEN 'ok' ELSE 'warn' END,
               pg_catalog.format('%s dropped, %s defaulted%s', pg_catalog.count(*) FILTER (WHERE r.action = 'dropped'),
                                 pg_catalog.count(*) FILTER (WHERE r.action = 'defaulted'),
                                 CASE WHEN $1 THEN '' ELSE ' (in a sample of results)' END),
               '0 (bad input is dropped or defaulted, never silently)',
               CASE WHEN pg_catalog.count(*) > 0 THEN 'SELECT * FROM attempt_rejects; top reasons: '
                    || (SELECT pg_catalog.string_agg(t.reason || ' x' || t.n, ', ' ORDER BY t.n DESC, t.reason)
                          FROM (SELECT r2.reason, pg_catalog.count(*) AS n FROM pg_catalog.unnest(pg_catalog.array_agg(r.reason)) AS r2(reason)
                                 GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 3) AS t) END
          FROM @extschema@.attempt_rejects AS r
         WHERE $1 OR r.exam_result_id IN (SELECT er.id FROM {source} AS er TABLESAMPLE SYSTEM ($8)) $q$)
) AS c("check", query);
END;
COMMENT ON FUNCTION @extschema@.attempt_health_checks_data() IS
'attempt_lock internal: the checks of attempt_health() on the rows of attempt and attempt_rejects, in report order, each as (name, query). Not a public API.';

-- attempt_health()'s checks of access and upkeep: a readers privileges, the recommended index, table statistics.
-- Each check is a query run by attempt_health() (health.sql says with which parameters).
CREATE OR REPLACE FUNCTION @extschema@.attempt_health_checks_access(OUT "check" pg_catalog.text, OUT query pg_catalog.text)
RETURNS SETOF record
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
SELECT c."check", c.query FROM (VALUES
    ('privileges', $q$
        WITH need(what, granted) AS (
            SELECT 'USAGE on schema @extschema@', pg_catalog.has_schema_privilege($7, '@extschema@', 'USAGE')
            UNION ALL SELECT 'SELECT on @extschema@.attempt', pg_catalog.has_table_privilege($7, pg_catalog.to_regclass('@extschema@.attempt'), 'SELECT')
            UNION ALL SELECT 'USAGE on the schema of ' || $2::text,
                             pg_catalog.has_schema_privilege($7, (SELECT c.relnamespace FROM pg_catalog.pg_class AS c WHERE c.oid = $2), 'USAGE')
            UNION ALL SELECT 'SELECT on ' || $2::text || ' (the view is security_invoker)', pg_catalog.has_table_privilege($7, $2, 'SELECT')
            UNION ALL
            SELECT DISTINCT 'EXECUTE on ' || d.refobjid::pg_catalog.regprocedure::text,
                   pg_catalog.has_function_privilege($7, d.refobjid, 'EXECUTE')
              FROM pg_catalog.pg_rewrite AS r
              JOIN pg_catalog.pg_depend AS d ON d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND d.objid = r.oid
              JOIN pg_catalog.pg_proc AS p ON p.oid = d.refobjid AND d.refclassid = 'pg_catalog.pg_proc'::pg_catalog.regclass
             WHERE r.ev_class = pg_catalog.to_regclass('@extschema@.attempt')
               AND p.pronamespace = '@extschema@'::pg_catalog.regnamespace)
        SELECT CASE WHEN $7 IS NULL THEN 'ok' WHEN pg_catalog.bool_and(n.granted) THEN 'ok' ELSE 'fail' END,
               CASE WHEN $7 IS NULL THEN 'no role given (check_role => ''name'')'
                    ELSE pg_catalog.count(*) FILTER (WHERE n.granted) || ' of ' || pg_catalog.count(*) || ' privileges for role ' || $7 END,
               'every privilege a reader of attempt needs',
               CASE WHEN $7 IS NOT NULL THEN pg_catalog.string_agg('missing ' || n.what, '; ') FILTER (WHERE NOT n.granted) END
          FROM need AS n
         WHERE $7 IS NOT NULL OR n.what LIKE 'USAGE on schema @extschema@' $q$),
    ('recommended_index', $q$
        SELECT CASE WHEN pg_catalog.count(*) > 0 THEN 'ok' ELSE 'warn' END,
               COALESCE(pg_catalog.string_agg(i.indexrelid::pg_catalog.regclass::text, ', '), 'none'),
               'an index on ' || $2::text || ' (attempt_student_uuid(user_id))',
               CASE WHEN pg_catalog.count(*) = 0 THEN 'per-student queries scan everything: CREATE INDEX CONCURRENTLY ON '
                    || $2::text || ' (attempt_student_uuid(user_id))' END
          FROM pg_catalog.pg_index AS i
         WHERE i.indrelid = $2 AND i.indexprs IS NOT NULL AND i.indpred IS NULL
           AND pg_catalog.pg_get_indexdef(i.indexrelid, 1, false) ~ '^(@extschema@\.)?attempt_student_uuid\(user_id\)$' $q$),
    ('statistics', $q$
        WITH parts AS (
            SELECT c.oid AS relid FROM pg_catalog.pg_class AS c WHERE c.oid = $2 AND c.relkind <> 'p'
            UNION
            SELECT t.relid FROM pg_catalog.pg_partition_tree($2) AS t WHERE t.isleaf
        ), s AS (
            SELECT pg_catalog.count(*) AS leaves,
                   pg_catalog.count(*) FILTER (WHERE GREATEST(st.last_analyze, st.last_autoanalyze) IS NULL) AS never,
                   pg_catalog.min(GREATEST(st.last_analyze, st.last_autoanalyze)) AS oldest,
                   COALESCE(pg_catalog.sum(st.n_dead_tup), 0) AS dead,
                   COALESCE(pg_catalog.sum(st.n_live_tup), 0) AS live
              FROM parts AS p LEFT JOIN pg_catalog.pg_stat_all_tables AS st ON st.relid = p.relid)
        SELECT CASE WHEN pg_catalog.pg_is_in_recovery() THEN 'ok'
                    WHEN s.leaves = 0 OR s.never > 0 OR s.oldest < pg_catalog.now() - interval '7 days'
                      -- autovacuum's own default trigger: 50 + 20% of the live tuples
                      OR s.dead > 50 + 0.2 * s.live THEN 'warn'
                    ELSE 'ok' END,
               CASE WHEN pg_catalog.pg_is_in_recovery()
                    THEN 'hot standby: table statistics are kept (and judged) on the primary'
                    ELSE pg_catalog.format('last analyze %s; %s dead of %s live tuples%s',
                             CASE WHEN s.never > 0 THEN 'never' ELSE s.oldest::text END, s.dead, s.live,
                             CASE WHEN s.leaves > 1 THEN pg_catalog.format(' (%s partitions, the oldest analyze)', s.leaves)
                                  ELSE '' END) END,
               'analyzed within 7 days; at most 50 + 20% dead tuples',
               'ANALYZE ' || $2::text || ' / VACUUM ' || $2::text || ' if the plan or the counts look stale'
          FROM s $q$)
) AS c("check", query);
END;
COMMENT ON FUNCTION @extschema@.attempt_health_checks_access() IS
'attempt_lock internal: the checks of attempt_health() on privileges, the student index and the statistics of the source, in report order, each as (name, query). Not a public API.';

-- attempt_health()'s checks of the incremental store: off, or on and exact (warn: stale, and
-- attempt computes its rows meanwhile).
-- Each check is a query run by attempt_health() (health.sql says with which parameters).
CREATE OR REPLACE FUNCTION @extschema@.attempt_health_checks_store(OUT "check" pg_catalog.text, OUT query pg_catalog.text)
RETURNS SETOF record
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
SELECT c."check", c.query FROM (VALUES
    ('store', $q$
        SELECT CASE WHEN pg_catalog.count(*) FILTER (WHERE p.severity = 'fail') > 0 THEN 'fail'
                    WHEN pg_catalog.count(p.problem) > 0 THEN 'warn' ELSE 'ok' END,
               CASE WHEN pg_catalog.to_regclass('attempt_lock_store.attempt_store') IS NULL THEN 'off'
                    WHEN pg_catalog.count(*) FILTER (WHERE p.problem = 'stale') > 0 THEN 'on, stale'
                    ELSE 'on' END
                 || CASE WHEN pg_catalog.count(p.problem) FILTER (WHERE p.problem <> 'stale') > 0
                         THEN ', ' || pg_catalog.count(p.problem) FILTER (WHERE p.problem <> 'stale') || ' problems' ELSE '' END,
               'off, or on and identical to the computed definition',
               pg_catalog.string_agg(p.problem || ': ' || p.row_count || ' (' || p.detail || ')', '; ')
          FROM @extschema@.attempt_store_sync_problems($1, GREATEST(pg_catalog.cardinality($6), 200)) AS p $q$)
) AS c("check", query);
END;
COMMENT ON FUNCTION @extschema@.attempt_health_checks_store() IS
'attempt_lock internal: the checks of attempt_health() on the incremental store, in report order, each as (name, query). Not a public API.';

-- attempt_health(), the runbook in one call (docs/OPERATIONS.md): runs the checks of the
-- checks_*.sql files beside this one, in report order.
--
-- One row per check. Each check is one query, run in its own subtransaction: a check that
-- cannot run reports `fail` with the reason instead of raising, and nothing here writes,
-- so the function works in a read-only transaction and on a hot standby.
--
-- Estimated mode (the default) reads catalog estimates and a sample of students whose
-- rows are fetched through the student index; exact mode scans everything.
--
-- Each check is a query returning one row (status, observed, expected, detail), run with
-- these parameters: $1 exact (bool), $2 the source table (regclass), $3 freshness_warn,
-- $4 freshness_fail, $5 the scope of the data checks (text), $6 the sampled students
-- (uuid[]), $7 check_role (name), $8 the sample percentage of the source for TABLESAMPLE;
-- {source} in its text is replaced by the source table. A check that reads $2 or {source}
-- fails when there is no source, one that reads $6 when no sample could be drawn.
CREATE OR REPLACE FUNCTION @extschema@.attempt_health(
    exact pg_catalog.bool DEFAULT false,
    freshness_warn pg_catalog.interval DEFAULT '1 day',
    freshness_fail pg_catalog.interval DEFAULT '7 days',
    check_role pg_catalog.name DEFAULT NULL,
    sample_students pg_catalog.int4 DEFAULT 200)
RETURNS TABLE ("check" pg_catalog.text, status pg_catalog.text, observed pg_catalog.text,
               expected pg_catalog.text, detail pg_catalog.text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $health$
DECLARE
    source pg_catalog.regclass;
    students pg_catalog.uuid[];
    sample_percent pg_catalog.float8;
    source_error pg_catalog.text;
    sample_error pg_catalog.text;
    scope pg_catalog.text;
    check_name pg_catalog.text;
    check_query pg_catalog.text;
BEGIN
    BEGIN
        SELECT c.source_table INTO STRICT source FROM @extschema@.attempt_lock_config AS c WHERE c.attached;
    EXCEPTION WHEN no_data_found THEN
        source_error := CASE WHEN EXISTS (SELECT FROM @extschema@.attempt_lock_config)
            THEN 'detached: attempt reads no table since attempt_source_detach(); SELECT attempt_source_attach(); ends it'
            ELSE 'pending: installed before its source table (a restore); it completes itself when @extschema@.exam_results is created, or SELECT attempt_source_attach(''schema.table'');' END;
    WHEN OTHERS THEN
        source_error := 'no source table: cannot read attempt_lock_config: ' || SQLERRM;
    END;

    -- Enough pages for about 1,000 results, at least 0.01% of the table.
    SELECT LEAST(100, GREATEST(0.01, 100.0 * 1000 / GREATEST(1, c.reltuples)))
      INTO sample_percent FROM pg_catalog.pg_class AS c WHERE c.oid = source;

    -- The rows the data checks look at: everything, or every row of a sample of students
    -- (whole students, so attempt_no density and duplicates are exact within them).
    IF exact THEN
        scope := 'all rows';
    ELSIF source IS NULL THEN
        sample_error := source_error;
    ELSE
        BEGIN
            EXECUTE pg_catalog.format(
                'SELECT pg_catalog.array_agg(s) FROM (SELECT DISTINCT @extschema@.attempt_student_uuid(er.user_id) AS s'
                ' FROM %s AS er TABLESAMPLE SYSTEM ($2) WHERE er.user_id IS NOT NULL LIMIT $1) AS sample', source)
              INTO students USING sample_students, sample_percent;
        EXCEPTION WHEN OTHERS THEN
            sample_error := 'the sample of students could not be drawn: ' || SQLERRM;
        END;
        scope := pg_catalog.format('a sample of %s students (estimated mode; exact => true checks all rows)',
                                   COALESCE(pg_catalog.cardinality(students), 0));
    END IF;

    FOR check_name, check_query IN
        SELECT c."check", c.query
          FROM (SELECT 1 AS g, x.* FROM @extschema@.attempt_health_checks_install() WITH ORDINALITY AS x
                UNION ALL SELECT 2, x.* FROM @extschema@.attempt_health_checks_lock() WITH ORDINALITY AS x
                UNION ALL SELECT 3, x.* FROM @extschema@.attempt_health_checks_data() WITH ORDINALITY AS x
                UNION ALL SELECT 4, x.* FROM @extschema@.attempt_health_checks_access() WITH ORDINALITY AS x
                UNION ALL SELECT 5, x.* FROM @extschema@.attempt_health_checks_store() WITH ORDINALITY AS x) AS c
         ORDER BY c.g, c.ordinality
    LOOP
        IF source IS NULL AND check_query ~ '\$2|\{source\}' THEN
            RETURN QUERY SELECT check_name, 'fail'::text, NULL::text, NULL::text, source_error;
            CONTINUE;
        ELSIF sample_error IS NOT NULL AND check_query ~ '\$6' THEN
            RETURN QUERY SELECT check_name, 'fail'::text, NULL::text, NULL::text, sample_error;
            CONTINUE;
        END IF;
        BEGIN
            RETURN QUERY EXECUTE
                'SELECT ' || pg_catalog.quote_literal(check_name) || '::text, r.* FROM ('
                || pg_catalog.replace(check_query, '{source}', COALESCE(source::pg_catalog.text, '{source}'))
                || ') AS r(status, observed, expected, detail)'
                USING exact, source, freshness_warn, freshness_fail, scope, students, check_role, sample_percent;
        EXCEPTION WHEN OTHERS THEN
            RETURN QUERY SELECT check_name, 'fail'::text, NULL::text, NULL::text,
                                'the check could not run: ' || SQLERRM;
        END;
    END LOOP;
END
$health$;
COMMENT ON FUNCTION @extschema@.attempt_health(pg_catalog.bool, pg_catalog.interval, pg_catalog.interval, pg_catalog.name, pg_catalog.int4) IS
'attempt_lock: the runbook in one call; one row per check (ok/warn/fail) on the lock, the contract and the data. Never raises; read-only. exact => true scans everything, the default samples students';

-- attempt_health_assert(): the deployment gate.

CREATE OR REPLACE FUNCTION @extschema@.attempt_health_assert(
    exact pg_catalog.bool DEFAULT false,
    freshness_warn pg_catalog.interval DEFAULT '1 day',
    freshness_fail pg_catalog.interval DEFAULT '7 days',
    check_role pg_catalog.name DEFAULT NULL)
RETURNS pg_catalog.int4
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    failed pg_catalog.text;
    warned pg_catalog.int4;
BEGIN
    SELECT pg_catalog.string_agg(h."check" || ' (' || COALESCE(h.detail, h.observed, '') || ')', '; ' ORDER BY h."check")
               FILTER (WHERE h.status = 'fail'),
           pg_catalog.count(*) FILTER (WHERE h.status = 'warn')
      INTO failed, warned
      FROM @extschema@.attempt_health(exact, freshness_warn, freshness_fail, check_role) AS h;
    IF failed IS NOT NULL THEN
        RAISE EXCEPTION 'attempt_lock: health check failed: %', failed
              USING ERRCODE = 'object_not_in_prerequisite_state',
                    HINT = 'SELECT * FROM attempt_health() shows every check; docs/OPERATIONS.md has the fix for each.';
    END IF;
    RETURN warned;
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_health_assert(pg_catalog.bool, pg_catalog.interval, pg_catalog.interval, pg_catalog.name) IS
'attempt_lock: deployment gate; raises SQLSTATE 55000 naming every failing attempt_health() check, else returns the number of warnings';

-- attempt_evidence_report(): the staging-evidence template, filled in by the database.

-- The staging-evidence template, filled from the database itself.
CREATE OR REPLACE FUNCTION @extschema@.attempt_evidence_report(exact pg_catalog.bool DEFAULT true)
RETURNS pg_catalog.text
LANGUAGE plpgsql VOLATILE  -- EXPLAIN is refused in non-volatile functions; nothing is written
SET search_path = pg_catalog, pg_temp
AS $report$
DECLARE
    report pg_catalog.text;
    section pg_catalog.text;
    heading pg_catalog.text;
    line pg_catalog.text;
    sample_student pg_catalog.uuid;
    fails pg_catalog.text;
    warns pg_catalog.text;
BEGIN
    report := pg_catalog.format(E'# attempt_lock staging evidence\n\nDatabase `%s` on %s, generated %s by `%s`.\n\n',
        pg_catalog.current_database(), pg_catalog.version(), pg_catalog.now()::pg_catalog.text, CURRENT_USER);

    -- Each section renders on its own: one that cannot (the view is gone, say) says why,
    -- counts as a failure, and the report still reaches its decision.
    FOREACH heading IN ARRAY ARRAY['1. Version and install/update history', '2. Column contract',
                                   '3. Sample rows (latest 5)', '4. Row count', '5. Determinism',
                                   '6. Health (attempt_health())', '7. Per-student query plan'] LOOP
        BEGIN
            CASE pg_catalog.left(heading, 1)
            WHEN '1' THEN
                section := E'| version | action | at | by |\n|---|---|---|---|\n'
                    || COALESCE((SELECT pg_catalog.string_agg(pg_catalog.format(E'| %s | %s | %s | %s |\n', h.version, h.action, h.at, h.by_role), '' ORDER BY h.at)
                                   FROM @extschema@.attempt_lock_history AS h), '')
                    || pg_catalog.format(E'\nInstalled version: %s.\n',
                                         (SELECT e.extversion FROM pg_catalog.pg_extension AS e WHERE e.extname = 'attempt_lock'));
            WHEN '2' THEN
                section := E'| # | column | type | never NULL | in the view |\n|---|---|---|---|---|\n'
                    || (SELECT pg_catalog.string_agg(pg_catalog.format(E'| %s | %s | %s | %s | %s |\n', w."position", w.column_name, w.data_type,
                                   CASE WHEN w.never_null THEN 'yes' ELSE 'no' END,
                                   CASE WHEN a.attnum = w."position" AND pg_catalog.format_type(a.atttypid, NULL) = w.data_type
                                        THEN 'ok' ELSE 'MISMATCH' END), '' ORDER BY w."position")
                          FROM @extschema@.attempt_contract() AS w
                          LEFT JOIN pg_catalog.pg_attribute AS a
                            ON a.attrelid = '@extschema@.attempt'::pg_catalog.regclass AND a.attname = w.column_name AND NOT a.attisdropped);
            WHEN '3' THEN
                section := E'| id | student_id | item_id | correct | response_time_ms | hint_used | completed_at | attempt_no | topic_id |\n|---|---|---|---|---|---|---|---|---|\n'
                    || COALESCE((SELECT pg_catalog.string_agg(pg_catalog.format(E'| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n',
                                           s.id, s.student_id, s.item_id, s.correct, s.response_time_ms, s.hint_used, s.completed_at,
                                           s.attempt_no, COALESCE(s.topic_id, '')), '' ORDER BY s.completed_at DESC, s.id)
                                   FROM (SELECT * FROM @extschema@.attempt ORDER BY completed_at DESC, id LIMIT 5) AS s), E'(no rows)\n');
            WHEN '4' THEN
                section := pg_catalog.format(E'%s rows in attempt; %s rejects listed in attempt_rejects.\n',
                    (SELECT pg_catalog.count(*) FROM @extschema@.attempt), (SELECT pg_catalog.count(*) FROM @extschema@.attempt_rejects));
            WHEN '5' THEN
                section := pg_catalog.format(E'The latest 1000 rows, read twice, differ in %s rows and hold %s duplicate ids; '
                    'the native hashes pass their known-answer self-test (native_functions below).\n',
                    (SELECT pg_catalog.count(*) FROM ((SELECT * FROM @extschema@.attempt ORDER BY completed_at DESC, id LIMIT 1000)
                                                      EXCEPT ALL (SELECT * FROM @extschema@.attempt ORDER BY completed_at DESC, id LIMIT 1000)) AS d),
                    (SELECT pg_catalog.count(*) - pg_catalog.count(DISTINCT s.id)
                       FROM (SELECT id FROM @extschema@.attempt ORDER BY completed_at DESC, id LIMIT 1000) AS s));
            WHEN '6' THEN
                SELECT E'| check | status | observed | expected | detail |\n|---|---|---|---|---|\n'
                       || pg_catalog.string_agg(pg_catalog.format(E'| %s | %s | %s | %s | %s |\n', h."check", h.status,
                              pg_catalog.replace(COALESCE(h.observed, ''), '|', '\|'),
                              pg_catalog.replace(COALESCE(h.expected, ''), '|', '\|'),
                              pg_catalog.replace(COALESCE(h.detail, ''), '|', '\|')), ''),
                       pg_catalog.string_agg(h."check", ', ') FILTER (WHERE h.status = 'fail'),
                       pg_catalog.string_agg(h."check", ', ') FILTER (WHERE h.status = 'warn')
                  INTO section, fails, warns
                  FROM @extschema@.attempt_health(exact, NULL, NULL) AS h;
            ELSE
                SELECT a.student_id INTO sample_student FROM @extschema@.attempt AS a ORDER BY a.completed_at DESC, a.id LIMIT 1;
                section := E'```\n';
                FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) SELECT * FROM @extschema@.attempt WHERE student_id = $1'
                                    ' AND completed_at >= pg_catalog.now() - interval ''30 days''' USING sample_student LOOP
                    -- The parser's inlined expressions make long lines; the plan shape is what matters.
                    section := section || pg_catalog.left(pg_catalog.regexp_replace(line, '[[:cntrl:]]+', ' ', 'g'), 120) || E'\n';
                END LOOP;
                section := section || E'```\n';
            END CASE;
        EXCEPTION WHEN OTHERS THEN
            section := E'(could not be rendered: ' || SQLERRM || E')\n';
            fails := COALESCE(fails || ', ', '') || 'report section ' || pg_catalog.left(heading, 1);
        END;
        report := report || '## ' || heading || E'\n\n' || section || E'\n';
    END LOOP;

    report := report || E'## 8. Decision\n\n' || CASE
        WHEN fails IS NOT NULL THEN '**NO-GO**: failing: ' || fails || '.'
        WHEN warns IS NOT NULL THEN '**GO WITH NOTES**: warnings: ' || warns || '.'
        ELSE '**GO**: every check is ok.' END || E'\n';
    RETURN report;
END
$report$;
COMMENT ON FUNCTION @extschema@.attempt_evidence_report(pg_catalog.bool) IS
'attempt_lock: the staging-evidence report as Markdown (version and history, column contract, sample rows, row count, determinism, health, per-student plan, go/no-go); freshness is not judged (staging data may be old)';

-- The end of the install script: its history row, then the lock's baseline (last).
INSERT INTO @extschema@.attempt_lock_history (version, action)
SELECT e.extversion, 'install' FROM pg_catalog.pg_extension AS e WHERE e.extname = 'attempt_lock';

SELECT @extschema@.attempt_lock_record_state();

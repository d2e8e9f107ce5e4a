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

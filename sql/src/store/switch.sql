-- The incremental store, part 3: the switch that turns it on and off.

-- The names of the four triggers on the source table, in one place.
CREATE OR REPLACE FUNCTION @extschema@.attempt_store_trigger_names()
RETURNS pg_catalog.name[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN ARRAY['attempt_store_insert', 'attempt_store_update', 'attempt_store_delete',
             'attempt_store_truncate']::pg_catalog.name[];
COMMENT ON FUNCTION @extschema@.attempt_store_trigger_names() IS
'attempt_lock internal: the names of the incremental store''s triggers on the source table.';

CREATE OR REPLACE FUNCTION @extschema@.attempt_store_switch_on(batch_size pg_catalog.int4)
RETURNS pg_catalog.int8
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
    source pg_catalog.regclass;
    source_name pg_catalog.text;
    id_type pg_catalog.text;
    id_typmod_type pg_catalog.text;
    id_collate pg_catalog.text;
    total_results pg_catalog.int8;
    done_results pg_catalog.int8 := 0;
    done_rows pg_catalog.int8 := 0;
    batch_results pg_catalog.int8;
    batch_rows pg_catalog.int8;
    last_id pg_catalog.text;
    stored pg_catalog.int8;
    started pg_catalog.timestamptz := pg_catalog.clock_timestamp();
    trigger_name pg_catalog.name;
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
                    HINT = 'SELECT * FROM attempt_store_status() describes it; to rebuild it, SELECT attempt_store_disable(); then SELECT attempt_store_enable();';
    END IF;

    SELECT cfg.source_table, pg_catalog.format('%I.%I', n.nspname, c.relname),
           pg_catalog.format_type(a.atttypid, NULL), pg_catalog.format_type(a.atttypid, a.atttypmod)
      INTO STRICT source, source_name, id_type, id_typmod_type
      FROM @extschema@.attempt_lock_config AS cfg
      JOIN pg_catalog.pg_class AS c ON c.oid = cfg.source_table
      JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
      JOIN pg_catalog.pg_attribute AS a ON a.attrelid = c.oid AND a.attname = 'id';
    id_collate := CASE WHEN id_type IN ('text', 'character varying') THEN ' COLLATE "C"' ELSE '' END;

    -- The store keys a result's rows by its id: two source rows with one id would share
    -- them, and the triggers could not tell whose rows a change replaces.
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

    -- Writers wait until the store is complete; readers go on (on the fly) meanwhile.
    EXECUTE pg_catalog.format('LOCK TABLE %s IN SHARE MODE', source_name);
    EXECUTE pg_catalog.format('SELECT pg_catalog.count(*) FROM %s', source_name) INTO total_results;

    -- Triggers without a store (restored from a dump): replaced below.
    FOR trigger_name IN
        SELECT t.tgname FROM pg_catalog.pg_trigger AS t
         WHERE t.tgrelid = source AND t.tgname = ANY (@extschema@.attempt_store_trigger_names())
    LOOP
        EXECUTE pg_catalog.format('DROP TRIGGER %I ON %s', trigger_name, source_name);
    END LOOP;

    CREATE SCHEMA attempt_lock_store;
    COMMENT ON SCHEMA attempt_lock_store IS
    'attempt_lock: the incremental store (attempt_store_enable()); no role but its owner has USAGE, so its rows are read only through the view attempt, which checks the caller''s rights on the source table';
    EXECUTE pg_catalog.format($ddl$
CREATE TABLE attempt_lock_store.attempt_store (
    id               pg_catalog.int8        NOT NULL,
    student_id       pg_catalog.uuid        NOT NULL,
    item_id          pg_catalog.int8        NOT NULL,
    correct          pg_catalog.bool        NOT NULL,
    response_time_ms pg_catalog.int4        NOT NULL,
    hint_used        pg_catalog.bool        NOT NULL,
    completed_at     pg_catalog.timestamptz NOT NULL,
    started_at       pg_catalog.timestamptz NOT NULL,
    attempt_no       pg_catalog.int4        NOT NULL,
    session_id       pg_catalog.text,
    topic_id         pg_catalog.text,
    exam_result_id   %s%s NOT NULL,
    "position"       pg_catalog.int4        NOT NULL)
$ddl$, id_typmod_type, id_collate);
    COMMENT ON TABLE attempt_lock_store.attempt_store IS
    'attempt_lock: the incremental store, one row per attempt row (the eleven columns of attempt) with its source key (exam_result_id, position); kept exact by triggers on the source; read through the view attempt';
    CREATE TABLE attempt_lock_store.attempt_store_students (
        student_id pg_catalog.uuid PRIMARY KEY,
        version    pg_catalog.int8 NOT NULL DEFAULT 1,
        synced_at  pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.statement_timestamp());
    COMMENT ON TABLE attempt_lock_store.attempt_store_students IS
    'attempt_lock: one row per student written since the store was switched on; the store''s triggers lock and bump it, which serialises the writers of a student and makes a REPEATABLE READ writer that missed a concurrent one fail with 40001';
    CREATE TABLE attempt_lock_store.attempt_store_state (
        singleton        pg_catalog.bool PRIMARY KEY DEFAULT true CHECK (singleton),
        enabled_at       pg_catalog.timestamptz NOT NULL,
        enabled_by       pg_catalog.name NOT NULL,
        source_table     pg_catalog.regclass NOT NULL,
        batch_size       pg_catalog.int4 NOT NULL,
        backfill_results pg_catalog.int8 NOT NULL,
        backfill_rows    pg_catalog.int8 NOT NULL,
        backfill_seconds pg_catalog.numeric NOT NULL);
    COMMENT ON TABLE attempt_lock_store.attempt_store_state IS
    'attempt_lock: when and how the incremental store was switched on and filled';

    -- Backfill: parse in batches of results (keyset on the unique id) into a staging
    -- table, then number every partition in one sort and write the store once, in
    -- completed_at order (the order later writes append in), and index it afterwards.
    CREATE TEMPORARY TABLE attempt_store_backfill
        (LIKE attempt_lock_store.attempt_store) ON COMMIT DROP;
    LOOP
        EXECUTE pg_catalog.format($batch$
WITH batch AS (
    SELECT er.id, er.user_id, er.session_id, er.created_at, er.updated_at, er.result_json
      FROM %1$s AS er
     WHERE $1 IS NULL OR er.id > $1::%2$s
     ORDER BY er.id
     LIMIT $2
), parsed AS (
    INSERT INTO pg_temp.attempt_store_backfill
    SELECT r.id, r.student_id, r.item_id, r.correct, r.response_time_ms, r.hint_used,
           r.completed_at, r.started_at, 0, r.session_id, r.topic_id, b.id, r."position"
      FROM batch AS b
     CROSS JOIN LATERAL @extschema@.attempt_store_rows(
         b.id::pg_catalog.text, b.user_id::pg_catalog.text, b.session_id::pg_catalog.text,
         COALESCE(b.updated_at, b.created_at), b.result_json) AS r
    RETURNING 1
)
SELECT (SELECT pg_catalog.count(*) FROM batch),
       (SELECT pg_catalog.count(*) FROM parsed),
       (SELECT b.id::pg_catalog.text FROM batch AS b ORDER BY b.id DESC LIMIT 1)
$batch$, source_name, id_typmod_type)
        INTO batch_results, batch_rows, last_id
        USING last_id, batch_size;
        EXIT WHEN batch_results = 0;
        done_results := done_results + batch_results;
        done_rows := done_rows + batch_rows;
        RAISE NOTICE 'attempt_store_enable: parsed % of % results (% attempts), % s',
            done_results, total_results, done_rows,
            pg_catalog.round(EXTRACT(epoch FROM pg_catalog.clock_timestamp() - started)::pg_catalog.numeric, 1);
    END LOOP;

    INSERT INTO attempt_lock_store.attempt_store
    SELECT b.id, b.student_id, b.item_id, b.correct, b.response_time_ms, b.hint_used,
           b.completed_at, b.started_at,
           pg_catalog.row_number() OVER (PARTITION BY b.student_id, b.item_id
                                         ORDER BY b.completed_at, b.exam_result_id, b."position")::pg_catalog.int4,
           b.session_id, b.topic_id, b.exam_result_id, b."position"
      FROM pg_temp.attempt_store_backfill AS b
     ORDER BY b.completed_at;
    GET DIAGNOSTICS stored = ROW_COUNT;
    DROP TABLE pg_temp.attempt_store_backfill;
    RAISE NOTICE 'attempt_store_enable: numbered and stored % attempts, % s', stored,
        pg_catalog.round(EXTRACT(epoch FROM pg_catalog.clock_timestamp() - started)::pg_catalog.numeric, 1);

    -- The access paths of the runbook. id is not unique: a 64-bit collision is possible
    -- (SPEC.md §3) and must be reported by attempt_health(), not fail the source's INSERT.
    CREATE INDEX attempt_store_id ON attempt_lock_store.attempt_store (id);
    CREATE INDEX attempt_store_student_completed ON attempt_lock_store.attempt_store (student_id, completed_at);
    CREATE INDEX attempt_store_completed ON attempt_lock_store.attempt_store (completed_at);
    CREATE INDEX attempt_store_partition ON attempt_lock_store.attempt_store (student_id, item_id, attempt_no);
    ANALYZE attempt_lock_store.attempt_store;
    RAISE NOTICE 'attempt_store_enable: indexed, % s',
        pg_catalog.round(EXTRACT(epoch FROM pg_catalog.clock_timestamp() - started)::pg_catalog.numeric, 1);

    -- Readers of the view need SELECT on the table; without USAGE on the schema nobody
    -- can name it. Nothing else is granted: the triggers are SECURITY DEFINER.
    GRANT SELECT ON attempt_lock_store.attempt_store TO PUBLIC;
    -- Row-level security on the source, for every reader (through the view, or directly
    -- as a member of pg_read_all_data, which has USAGE everywhere): a store row is visible
    -- iff its source row is, under the caller's policies on the source. Whether they apply
    -- is decided once per query by the planner's own rule (row_security_active); where
    -- they do not, the policy costs nothing. Roles with BYPASSRLS bypass both alike.
    -- OFFSET 0 keeps the probe per row (through the source's unique id index): otherwise
    -- the planner may hash every visible source id first, which made a per-student
    -- lookup read the whole source (measured: 20 ms instead of 0.3 ms at 20k results).
    ALTER TABLE attempt_lock_store.attempt_store ENABLE ROW LEVEL SECURITY;
    EXECUTE pg_catalog.format($policy$
CREATE POLICY attempt_store_source_rows ON attempt_lock_store.attempt_store FOR SELECT TO PUBLIC
USING ((SELECT NOT pg_catalog.row_security_active(%1$L::pg_catalog.regclass))
       OR EXISTS (SELECT FROM %2$s AS er WHERE er.id%3$s = exam_result_id OFFSET 0))
$policy$, source_name, source_name, id_collate);
    COMMENT ON POLICY attempt_store_source_rows ON attempt_lock_store.attempt_store IS
    'attempt_lock: a store row is visible iff its source row is visible to the caller (row-level security on the source)';

    INSERT INTO attempt_lock_store.attempt_store_state
    VALUES (true, started, CURRENT_USER, source, batch_size, done_results, stored,
            pg_catalog.round(EXTRACT(epoch FROM pg_catalog.clock_timestamp() - started)::pg_catalog.numeric, 3));

    -- ALWAYS: a logical replication apply worker (session_replication_role = replica)
    -- writing the source keeps the store exact too.
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
    FOREACH trigger_name IN ARRAY @extschema@.attempt_store_trigger_names() LOOP
        EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE ALWAYS TRIGGER %I', source_name, trigger_name);
        -- DROP EXTENSION drops them with the extension (they are not members: a trigger
        -- cannot be one).
        EXECUTE pg_catalog.format('ALTER TRIGGER %I ON %s DEPENDS ON EXTENSION attempt_lock', trigger_name, source_name);
        EXECUTE pg_catalog.format('COMMENT ON TRIGGER %I ON %s IS %L', trigger_name, source_name,
            'attempt_lock: keeps the incremental store exact (attempt_store_disable() removes it)');
    END LOOP;

    -- Members of the extension: the lock guards them, DROP EXTENSION drops them.
    ALTER EXTENSION attempt_lock ADD SCHEMA attempt_lock_store;
    ALTER EXTENSION attempt_lock ADD TABLE attempt_lock_store.attempt_store;
    ALTER EXTENSION attempt_lock ADD TABLE attempt_lock_store.attempt_store_students;
    ALTER EXTENSION attempt_lock ADD TABLE attempt_lock_store.attempt_store_state;

    PERFORM @extschema@.attempt_views_apply(true);

    PERFORM @extschema@.attempt_store_rebaseline('on');
    RAISE NOTICE 'attempt_store_enable: the store is on: % attempts, % s', stored,
        pg_catalog.round(EXTRACT(epoch FROM pg_catalog.clock_timestamp() - started)::pg_catalog.numeric, 1);
    RETURN stored;
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_store_switch_on(pg_catalog.int4) IS
'attempt_lock internal: the body of attempt_store_enable(), which runs it with the lock''s switch flag raised. attempt_lock: switches the incremental store on (superuser): creates it, backfills it in batches of batch_size results (NOTICE progress; writers of the source wait meanwhile), indexes it, creates the triggers that keep it exact and makes the view attempt read it. Returns the number of attempts stored. SQLSTATE 55000 if it is already on.';

CREATE OR REPLACE FUNCTION @extschema@.attempt_store_switch_off()
RETURNS pg_catalog.bool
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    source_name pg_catalog.text;
    was_on pg_catalog.bool := pg_catalog.to_regnamespace('attempt_lock_store') IS NOT NULL;
    trigger_name pg_catalog.name;
BEGIN
    IF NOT COALESCE((SELECT r.rolsuper FROM pg_catalog.pg_roles AS r WHERE r.rolname = CURRENT_USER), false) THEN
        RAISE EXCEPTION 'attempt_lock: only a superuser may switch the incremental store off'
              USING ERRCODE = 'insufficient_privilege',
                    HINT = 'Run SELECT attempt_store_disable() as a superuser.';
    END IF;
    PERFORM @extschema@.attempt_store_check_lock();
    SELECT pg_catalog.format('%I.%I', n.nspname, c.relname) INTO STRICT source_name
      FROM @extschema@.attempt_lock_config AS cfg
      JOIN pg_catalog.pg_class AS c ON c.oid = cfg.source_table
      JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace;

    -- Triggers first: no write may reach a store that is going away.
    FOR trigger_name IN
        SELECT t.tgname FROM pg_catalog.pg_trigger AS t
         WHERE t.tgrelid = (SELECT cfg.source_table FROM @extschema@.attempt_lock_config AS cfg)
           AND t.tgname = ANY (@extschema@.attempt_store_trigger_names())
    LOOP
        EXECUTE pg_catalog.format('DROP TRIGGER %I ON %s', trigger_name, source_name);
    END LOOP;
    IF NOT was_on THEN
        RAISE NOTICE 'attempt_lock: the incremental store is already off';
        RETURN false;
    END IF;

    -- The view stops reading the store before the store is dropped (the lock would refuse
    -- a DROP that cascades to the view).
    PERFORM @extschema@.attempt_views_apply(false);

    ALTER EXTENSION attempt_lock DROP TABLE attempt_lock_store.attempt_store_state;
    ALTER EXTENSION attempt_lock DROP TABLE attempt_lock_store.attempt_store_students;
    ALTER EXTENSION attempt_lock DROP TABLE attempt_lock_store.attempt_store;
    ALTER EXTENSION attempt_lock DROP SCHEMA attempt_lock_store;
    DROP SCHEMA attempt_lock_store CASCADE;

    PERFORM @extschema@.attempt_store_rebaseline('off');
    RETURN true;
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_store_switch_off() IS
'attempt_lock internal: the body of attempt_store_disable(), which runs it with the lock''s switch flag raised. attempt_lock: switches the incremental store off (superuser): the view attempt computes its rows on the fly again, the triggers and the store are dropped. Returns false (with a NOTICE) if it was already off.';

-- The switch records the lock's baseline when it ends (below), so it must not start from a
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


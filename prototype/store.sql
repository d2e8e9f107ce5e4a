-- attempt_lock: the opt-in incremental store (issue #7), written as it will sit in the
-- extension script of release 1.2 (@extschema@ is the extension's schema). Until 1.2
-- exists, prototype/load.sh applies it to a database that has attempt_lock 1.1.
--
-- What it is: a table that holds the rows of `attempt`, kept exact by statement-level
-- triggers on the source table, and a switch that makes `attempt` read it.
--
--   attempt_store_enable(batch_size)  creates the store (schema attempt_lock_store),
--                                     backfills it, creates the triggers, and replaces
--                                     the view attempt by its store shape
--   attempt_store_disable()           restores the view's on-the-fly shape, drops the
--                                     triggers and the store
--   attempt_store_status()            on/off, rows, when and how it was filled, last write
--   attempt_store_sync_problems(...)  what attempt_health() calls: rows that differ
--                                     between the store and the on-the-fly definition
--
-- Every DDL statement of the switch runs inside one call of attempt_store_enable() or
-- attempt_store_disable(): those two functions are the only ones the lock must treat as
-- "inside the extension" (NOTES-for-1.2.md).
--
-- Security (docs in NOTES-for-1.2.md): the store lives in the schema attempt_lock_store,
-- on which nobody but its owner has USAGE, so no role can name it; the view, which is
-- security_invoker, reads it (SELECT is granted to PUBLIC on the table itself, useless
-- without USAGE) and semi-joins every row to its source row in exam_results, reading the
-- six source columns: the caller's table and column privileges on exam_results are checked
-- on every query, and its row-level security policies filter the store's rows exactly as
-- they filter the on-the-fly view.

--------------------------------------------------------------------------------------------
-- The rows of one exam result: the one place where the store calls the element parser
--------------------------------------------------------------------------------------------

-- Inlined into its caller (LANGUAGE sql, not STRICT, no SET, BEGIN ATOMIC), as
-- attempt_questions is: the backfill and the triggers call it once per source row.
-- 1.2: replace the attempt_questions call by the native parser; nothing else changes.
CREATE FUNCTION @extschema@.attempt_store_rows(
    result_id    pg_catalog.text,
    user_id      pg_catalog.text,
    session_id   pg_catalog.text,
    completed_at pg_catalog.timestamptz,
    result_json  pg_catalog.jsonb)
RETURNS TABLE (
    id               pg_catalog.int8,
    student_id       pg_catalog.uuid,
    item_id          pg_catalog.int8,
    correct          pg_catalog.bool,
    response_time_ms pg_catalog.int4,
    hint_used        pg_catalog.bool,
    completed_at     pg_catalog.timestamptz,
    started_at       pg_catalog.timestamptz,
    session_id       pg_catalog.text,
    topic_id         pg_catalog.text,
    "position"       pg_catalog.int4)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
SELECT
    -- attempt_id(uuid, bigint) is attempt_id(a::text, b::text) (SPEC.md §4), so the text
    -- form serves every id type.
    @extschema@.attempt_id(attempt_store_rows.result_id, q.item_id::pg_catalog.text),
    @extschema@.attempt_student_uuid(attempt_store_rows.user_id),
    q.item_id,
    q.correct,
    q.response_time_ms,
    q.hint_used,
    attempt_store_rows.completed_at,
    attempt_store_rows.completed_at
      - q.response_time_ms::double precision * '00:00:00.001'::interval,
    attempt_store_rows.session_id,
    q.topic_id,
    q."position"
FROM @extschema@.attempt_questions(
         attempt_store_rows.result_json, attempt_store_rows.user_id,
         attempt_store_rows.completed_at, attempt_store_rows.result_id IS NULL) AS q
WHERE q.item_id IS NOT NULL AND NOT q.duplicate;
END;
COMMENT ON FUNCTION @extschema@.attempt_store_rows(pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.timestamptz, pg_catalog.jsonb) IS
'attempt_lock internal: the attempt rows of one exam result (result id as text, user_id, session_id, completed_at, result_json), with the element position and without attempt_no; the single parser call of the incremental store (backfill and triggers). Not a public API.';

--------------------------------------------------------------------------------------------
-- The view's two shapes
--------------------------------------------------------------------------------------------

-- The SELECT of the view attempt: on the fly (the released shape) or from the store. The
-- switch creates the view from it, and attempt_store_sync_problems() compares the store
-- with the on-the-fly query. 1.2: the install script should create the view from
-- attempt_view_query(false) too, so that there is one text of each shape.
CREATE FUNCTION @extschema@.attempt_view_query(from_store pg_catalog.bool)
RETURNS pg_catalog.text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    source_name pg_catalog.text;
    id_type pg_catalog.text;
BEGIN
    SELECT pg_catalog.format('%I.%I', n.nspname, c.relname),
           pg_catalog.format_type(a.atttypid, NULL)
      INTO STRICT source_name, id_type
      FROM @extschema@.attempt_lock_config AS cfg
      JOIN pg_catalog.pg_class AS c ON c.oid = cfg.source_table
      JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
      JOIN pg_catalog.pg_attribute AS a ON a.attrelid = c.oid AND a.attname = 'id';
    IF NOT from_store THEN
        -- Byte for byte the view of the 1.1 install script, so that the lock's recorded
        -- definition matches after a round trip through the store.
        RETURN pg_catalog.format($view$
SELECT %2$s AS id,
       @extschema@.attempt_student_uuid(er.user_id) AS student_id,
       q.item_id,
       q.correct,
       q.response_time_ms,
       q.hint_used,
       COALESCE(er.updated_at, er.created_at) AS completed_at,
       -- Exact: at most 2.1e12 microseconds, well inside a double's integer range.
       COALESCE(er.updated_at, er.created_at)
         - q.response_time_ms::double precision * '00:00:00.001'::interval AS started_at,
       (pg_catalog.row_number() OVER (
            PARTITION BY @extschema@.attempt_student_uuid(er.user_id), q.item_id
            ORDER BY COALESCE(er.updated_at, er.created_at), %3$s, q."position"))::integer
         AS attempt_no,
       er.session_id::text AS session_id,
       q.topic_id
FROM %1$s AS er
CROSS JOIN LATERAL @extschema@.attempt_questions(
    er.result_json, er.user_id::text, COALESCE(er.updated_at, er.created_at), er.id IS NULL) AS q
WHERE q.item_id IS NOT NULL AND NOT q.duplicate
$view$,
            source_name,
            CASE id_type WHEN 'uuid' THEN '@extschema@.attempt_id(er.id, q.item_id)'
                 ELSE '@extschema@.attempt_id(er.id::pg_catalog.text, q.item_id::pg_catalog.text)' END,
            CASE WHEN id_type IN ('text', 'character varying') THEN 'er.id COLLATE "C"' ELSE 'er.id' END);
    END IF;
    -- The store shape. Rights on the source: the subquery names every source column the
    -- on-the-fly shape reads, so the executor checks the caller's table and column
    -- privileges on the source for every query, as for the on-the-fly shape; it never
    -- runs (the InitPlan is true). Row-level security on the source: the store's own
    -- policy (attempt_store_enable()) keeps a row iff the caller can see its source row.
    RETURN pg_catalog.format($view$
SELECT s.id,
       s.student_id,
       s.item_id,
       s.correct,
       s.response_time_ms,
       s.hint_used,
       s.completed_at,
       s.started_at,
       s.attempt_no,
       s.session_id,
       s.topic_id
FROM attempt_lock_store.attempt_store AS s
WHERE (SELECT true)
   OR EXISTS (SELECT er.id, er.user_id, er.session_id, er.created_at, er.updated_at, er.result_json
                FROM %1$s AS er)
$view$,
        source_name);
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_view_query(pg_catalog.bool) IS
'attempt_lock internal: the SELECT of the view attempt, computed on the fly (false: the released shape) or read from the incremental store (true); the switch creates the view from it and the sync check compares the two.';

--------------------------------------------------------------------------------------------
-- The triggers that keep the store exact
--------------------------------------------------------------------------------------------

-- One statement-level function for INSERT, UPDATE and DELETE on the source (transition
-- tables new_rows / old_rows), so that a COPY or a multi-row INSERT costs one call.
--
-- Locking: every call first upserts one row per affected student into
-- attempt_store_students, in student order. The row lock serialises every writer of a
-- student until commit (sorted: no deadlock between two statements), and under READ
-- COMMITTED each later statement of this function takes a snapshot that sees the rows of
-- the writer it waited for. Under REPEATABLE READ or SERIALIZABLE the snapshot cannot
-- move: there, the upsert of a row that another transaction changed after the snapshot
-- fails with SQLSTATE 40001 (could not serialize access due to concurrent update), so a
-- writer that cannot see a concurrent retake retries instead of numbering past it.
--
-- attempt_no: only the (student_id, item_id) partitions the statement touches are read.
-- New rows are numbered after the partition's last row (an append, the usual case: one
-- index probe each); a partition that is not a pure append (a new row not later than the
-- last one, ties among the new rows, or a row deleted) is renumbered, and only the rows
-- whose number changes are written.
--
-- The source id's collation: the store keeps a text id COLLATE "C" (the view's tie-break);
-- @id_collate@ is replaced when the function is created (see below) so that the join with
-- the transition tables compares in that collation.
DO $create_triggers$
DECLARE
    id_type pg_catalog.text;
BEGIN
    SELECT pg_catalog.format_type(a.atttypid, NULL) INTO STRICT id_type
      FROM @extschema@.attempt_lock_config AS cfg
      JOIN pg_catalog.pg_attribute AS a ON a.attrelid = cfg.source_table AND a.attname = 'id';
    EXECUTE pg_catalog.replace($fn$
CREATE FUNCTION @extschema@.attempt_store_sync()
RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $body$
DECLARE
    renumber_students pg_catalog.uuid[];
    renumber_items pg_catalog.int8[];
BEGIN
    -- The triggers outlive the store in a dump (pg_dump keeps triggers of the source but
    -- not extension members): without the store, there is nothing to keep.
    IF pg_catalog.to_regclass('attempt_lock_store.attempt_store') IS NULL THEN
        RETURN NULL;
    END IF;

    IF TG_OP = 'INSERT' THEN
        INSERT INTO attempt_lock_store.attempt_store_students AS h (student_id)
        SELECT DISTINCT @extschema@.attempt_student_uuid(n.user_id::pg_catalog.text)
          FROM new_rows AS n WHERE n.user_id IS NOT NULL ORDER BY 1
        ON CONFLICT (student_id) DO UPDATE
           SET version = h.version + 1, synced_at = pg_catalog.statement_timestamp();
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO attempt_lock_store.attempt_store_students AS h (student_id)
        SELECT DISTINCT u.student_id
          FROM (SELECT @extschema@.attempt_student_uuid(o.user_id::pg_catalog.text) FROM old_rows AS o
                UNION ALL
                SELECT @extschema@.attempt_student_uuid(n.user_id::pg_catalog.text) FROM new_rows AS n) AS u(student_id)
         WHERE u.student_id IS NOT NULL ORDER BY 1
        ON CONFLICT (student_id) DO UPDATE
           SET version = h.version + 1, synced_at = pg_catalog.statement_timestamp();
    ELSE
        INSERT INTO attempt_lock_store.attempt_store_students AS h (student_id)
        SELECT DISTINCT @extschema@.attempt_student_uuid(o.user_id::pg_catalog.text)
          FROM old_rows AS o WHERE o.user_id IS NOT NULL ORDER BY 1
        ON CONFLICT (student_id) DO UPDATE
           SET version = h.version + 1, synced_at = pg_catalog.statement_timestamp();
    END IF;

    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        -- A result's rows are what the parser makes of its old values (the store is exact
        -- and the parser deterministic), found through the id index; the result id
        -- rechecks each (a 64-bit collision) and is unique in the source
        -- (attempt_store_enable() checks it). No index on the source key: every insert
        -- would pay for it, and only updates and deletes would use it.
        WITH gone AS (
            DELETE FROM attempt_lock_store.attempt_store AS s
             USING old_rows AS o
             CROSS JOIN LATERAL @extschema@.attempt_store_rows(
                 o.id::pg_catalog.text, o.user_id::pg_catalog.text, o.session_id::pg_catalog.text,
                 COALESCE(o.updated_at, o.created_at), o.result_json) AS r
             WHERE s.id = r.id AND s.exam_result_id = o.id@id_collate@ AND s."position" = r."position"
            RETURNING s.student_id, s.item_id)
        SELECT pg_catalog.array_agg(g.student_id), pg_catalog.array_agg(g.item_id)
          INTO renumber_students, renumber_items
          FROM (SELECT DISTINCT gone.student_id, gone.item_id FROM gone) AS g;
    END IF;

    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        -- MATERIALIZED: the probes below read plain columns, not the parser's expressions.
        WITH parsed AS MATERIALIZED (
            SELECT r.*, n.id AS exam_result_id
              FROM new_rows AS n
             CROSS JOIN LATERAL @extschema@.attempt_store_rows(
                 n.id::pg_catalog.text, n.user_id::pg_catalog.text, n.session_id::pg_catalog.text,
                 COALESCE(n.updated_at, n.created_at), n.result_json) AS r
        ), numbered AS MATERIALIZED (
            -- The partition's last row: its attempt_no is the partition's size, the store
            -- being exact. New rows follow it in (completed_at, position) order.
            SELECT p.*, l.attempt_no AS last_no, l.completed_at AS last_at,
                   pg_catalog.row_number() OVER (PARTITION BY p.student_id, p.item_id
                                                 ORDER BY p.completed_at, p."position") AS rank_new,
                   pg_catalog.count(*) OVER (PARTITION BY p.student_id, p.item_id, p.completed_at) AS same_time
              FROM parsed AS p
              LEFT JOIN LATERAL (
                  SELECT s.attempt_no, s.completed_at
                    FROM attempt_lock_store.attempt_store AS s
                   WHERE s.student_id = p.student_id AND s.item_id = p.item_id
                   ORDER BY s.attempt_no DESC LIMIT 1) AS l ON true
        ), ins AS (
            INSERT INTO attempt_lock_store.attempt_store
                   (id, student_id, item_id, correct, response_time_ms, hint_used, completed_at,
                    started_at, attempt_no, session_id, topic_id, exam_result_id, "position")
            SELECT m.id, m.student_id, m.item_id, m.correct, m.response_time_ms, m.hint_used,
                   m.completed_at, m.started_at, (COALESCE(m.last_no, 0) + m.rank_new)::pg_catalog.int4,
                   m.session_id, m.topic_id, m.exam_result_id, m."position"
              FROM numbered AS m
        )
        -- Not a pure append (a new row not after the partition's last row, or two new rows
        -- at one time, which the result id orders in the store's collation): renumber.
        SELECT COALESCE(renumber_students, '{}') || pg_catalog.array_agg(m.student_id),
               COALESCE(renumber_items, '{}') || pg_catalog.array_agg(m.item_id)
          INTO renumber_students, renumber_items
          FROM numbered AS m
         WHERE m.last_at >= m.completed_at OR m.same_time > 1;
    END IF;

    IF pg_catalog.cardinality(renumber_students) > 0 THEN
        UPDATE attempt_lock_store.attempt_store AS s
           SET attempt_no = r.rn
          FROM (SELECT x.ctid AS row_tid, x.attempt_no,
                       pg_catalog.row_number() OVER (
                           PARTITION BY x.student_id, x.item_id
                           ORDER BY x.completed_at, x.exam_result_id, x."position")::pg_catalog.int4 AS rn
                  FROM attempt_lock_store.attempt_store AS x
                  JOIN (SELECT DISTINCT p.student_id, p.item_id
                          FROM ROWS FROM (pg_catalog.unnest(renumber_students), pg_catalog.unnest(renumber_items)) AS p(student_id, item_id)) AS p
                    ON x.student_id = p.student_id AND x.item_id = p.item_id) AS r
         WHERE s.ctid = r.row_tid AND r.attempt_no <> r.rn;
    END IF;
    RETURN NULL;
END
$body$
$fn$, '@id_collate@', CASE WHEN id_type IN ('text', 'character varying') THEN ' COLLATE "C"' ELSE '' END);
END
$create_triggers$;
COMMENT ON FUNCTION @extschema@.attempt_store_sync() IS
'attempt_lock internal: statement-level trigger function on the source table (INSERT, UPDATE, DELETE) that keeps the incremental store exact; locks the affected students in order and renumbers only the affected (student_id, item_id) partitions. Created by the install script for the source''s id type.';

CREATE FUNCTION @extschema@.attempt_store_truncate()
RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF pg_catalog.to_regclass('attempt_lock_store.attempt_store') IS NOT NULL THEN
        TRUNCATE attempt_lock_store.attempt_store, attempt_lock_store.attempt_store_students;
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_store_truncate() IS
'attempt_lock internal: TRUNCATE trigger function on the source table; empties the incremental store.';

--------------------------------------------------------------------------------------------
-- The switch
--------------------------------------------------------------------------------------------

-- The names of the four triggers on the source table, in one place.
CREATE FUNCTION @extschema@.attempt_store_trigger_names()
RETURNS pg_catalog.name[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN ARRAY['attempt_store_insert', 'attempt_store_update', 'attempt_store_delete',
             'attempt_store_truncate']::pg_catalog.name[];
COMMENT ON FUNCTION @extschema@.attempt_store_trigger_names() IS
'attempt_lock internal: the names of the incremental store''s triggers on the source table.';

CREATE FUNCTION @extschema@.attempt_store_enable(batch_size pg_catalog.int4 DEFAULT 10000)
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

    EXECUTE 'CREATE OR REPLACE VIEW @extschema@.attempt WITH (security_invoker = true) AS '
            || @extschema@.attempt_view_query(true);

    PERFORM @extschema@.attempt_store_rebaseline('on');
    RAISE NOTICE 'attempt_store_enable: the store is on: % attempts, % s', stored,
        pg_catalog.round(EXTRACT(epoch FROM pg_catalog.clock_timestamp() - started)::pg_catalog.numeric, 1);
    RETURN stored;
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_store_enable(pg_catalog.int4) IS
'attempt_lock: switches the incremental store on (superuser): creates it, backfills it in batches of batch_size results (NOTICE progress; writers of the source wait meanwhile), indexes it, creates the triggers that keep it exact and makes the view attempt read it. Returns the number of attempts stored. SQLSTATE 55000 if it is already on.';

CREATE FUNCTION @extschema@.attempt_store_disable()
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
    EXECUTE 'CREATE OR REPLACE VIEW @extschema@.attempt WITH (security_invoker = true) AS '
            || @extschema@.attempt_view_query(false);

    ALTER EXTENSION attempt_lock DROP TABLE attempt_lock_store.attempt_store_state;
    ALTER EXTENSION attempt_lock DROP TABLE attempt_lock_store.attempt_store_students;
    ALTER EXTENSION attempt_lock DROP TABLE attempt_lock_store.attempt_store;
    ALTER EXTENSION attempt_lock DROP SCHEMA attempt_lock_store;
    DROP SCHEMA attempt_lock_store CASCADE;

    PERFORM @extschema@.attempt_store_rebaseline('off');
    RETURN true;
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_store_disable() IS
'attempt_lock: switches the incremental store off (superuser): the view attempt computes its rows on the fly again, the triggers and the store are dropped. Returns false (with a NOTICE) if it was already off.';

-- 1.2: the switch records the lock's baseline when it ends (below), so it must not start
-- from a drifted state: that drift would become the baseline.
CREATE FUNCTION @extschema@.attempt_store_check_lock()
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    drifted pg_catalog.text;
BEGIN
    IF NOT @extschema@.attempt_lock_in_script() THEN
        RETURN;  -- the prototype under 1.1: the switch cannot record a baseline anyway
    END IF;
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

-- 1.2: the switch ends like an update script: the lock's baseline becomes the state it
-- leaves (the store's members, the view's new shape), so attempt_health() reports no drift.
-- The prototype runs outside any script, where attempt_lock_record_state() refuses to run.
CREATE FUNCTION @extschema@.attempt_store_rebaseline(what pg_catalog.text)
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

--------------------------------------------------------------------------------------------
-- Status and the sync check
--------------------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.attempt_store_status(
    OUT enabled pg_catalog.bool,
    OUT rows_estimate pg_catalog.int8,
    OUT students pg_catalog.int8,
    OUT enabled_at pg_catalog.timestamptz,
    OUT enabled_by pg_catalog.name,
    OUT backfill_results pg_catalog.int8,
    OUT backfill_rows pg_catalog.int8,
    OUT backfill_seconds pg_catalog.numeric,
    OUT last_write pg_catalog.timestamptz,
    OUT triggers pg_catalog.text)
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
    SELECT s.enabled_at, s.enabled_by, s.backfill_results, s.backfill_rows, s.backfill_seconds
      INTO enabled_at, enabled_by, backfill_results, backfill_rows, backfill_seconds
      FROM attempt_lock_store.attempt_store_state AS s;
    SELECT GREATEST(c.reltuples, 0)::pg_catalog.int8 INTO rows_estimate
      FROM pg_catalog.pg_class AS c WHERE c.oid = 'attempt_lock_store.attempt_store'::pg_catalog.regclass;
    SELECT pg_catalog.count(*), pg_catalog.max(h.synced_at) INTO students, last_write
      FROM attempt_lock_store.attempt_store_students AS h;
    -- students: those written since the switch (the table is filled by the triggers).
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_store_status() IS
'attempt_lock: the incremental store: on or off, its estimated rows, when and by whom it was switched on and how the backfill went, the students written since and the last write, and its triggers on the source.';

-- Counts, never rows: it reads the store and the source as its owner, so that a
-- monitoring role can run attempt_health().
CREATE FUNCTION @extschema@.attempt_store_sync_problems(
    exact pg_catalog.bool DEFAULT false,
    sample_students pg_catalog.int4 DEFAULT 200)
RETURNS TABLE (problem pg_catalog.text, row_count pg_catalog.int8, detail pg_catalog.text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
-- jit: the on-the-fly side is estimated far above what a sample reads; compiling it cost
-- seconds (measured) for a query that runs in milliseconds.
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
    source pg_catalog.regclass;
    source_name pg_catalog.text;
    students pg_catalog.uuid[];
    sample_percent pg_catalog.float8;
    missing pg_catalog.int8;
    extra pg_catalog.int8;
    scope pg_catalog.text;
BEGIN
    SELECT cfg.source_table, cfg.source_table::pg_catalog.text INTO STRICT source, source_name
      FROM @extschema@.attempt_lock_config AS cfg;

    RETURN QUERY
    SELECT CASE WHEN pg_catalog.to_regclass('attempt_lock_store.attempt_store') IS NULL
                THEN 'trigger without the store' ELSE 'trigger missing or disabled' END,
           1::pg_catalog.int8,
           w.name || CASE WHEN t.oid IS NULL THEN ' is missing'
                          WHEN pg_catalog.to_regclass('attempt_lock_store.attempt_store') IS NULL
                          THEN ' exists but the store is off (restored from a dump?): SELECT attempt_store_disable() or attempt_store_enable()'
                          ELSE ' is not enabled always (tgenabled ' || t.tgenabled::pg_catalog.text || ')' END
      FROM pg_catalog.unnest(@extschema@.attempt_store_trigger_names()) AS w(name)
      LEFT JOIN pg_catalog.pg_trigger AS t ON t.tgrelid = source AND t.tgname = w.name
     WHERE CASE WHEN pg_catalog.to_regclass('attempt_lock_store.attempt_store') IS NULL THEN t.oid IS NOT NULL
                ELSE t.oid IS NULL OR t.tgenabled <> 'A' END;

    IF pg_catalog.to_regclass('attempt_lock_store.attempt_store') IS NULL THEN
        RETURN;
    END IF;

    -- The store's rows must reach nobody but through the view.
    RETURN QUERY
    SELECT 'store privileges', 1::pg_catalog.int8, x.what
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
           'row-level security is off on attempt_lock_store.attempt_store, or its policy attempt_store_source_rows is gone'
     WHERE NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_class AS c
          JOIN pg_catalog.pg_policy AS p ON p.polrelid = c.oid AND p.polname = 'attempt_store_source_rows'
         WHERE c.oid = 'attempt_lock_store.attempt_store'::pg_catalog.regclass AND c.relrowsecurity);

    RETURN QUERY
    SELECT 'view not reading the store', 1::pg_catalog.int8,
           'the view attempt does not read attempt_lock_store.attempt_store while the store is on'
     WHERE NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_rewrite AS r
          JOIN pg_catalog.pg_depend AS d ON d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND d.objid = r.oid
         WHERE r.ev_class = '@extschema@.attempt'::pg_catalog.regclass
           AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
           AND d.refobjid = 'attempt_lock_store.attempt_store'::pg_catalog.regclass);

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
                (SELECT LEAST(100, GREATEST(0.01, 100.0 * 20000 / GREATEST(1, c.reltuples)))
                   FROM pg_catalog.pg_class AS c WHERE c.oid = 'attempt_lock_store.attempt_store'::pg_catalog.regclass);
        scope := pg_catalog.format('a sample of %s students', COALESCE(pg_catalog.cardinality(students), 0));
    END IF;

    -- One aggregation over both sides: +1 per store row, -1 per reference row; a group
    -- whose sum is not 0 differs.
    EXECUTE pg_catalog.format($q$
SELECT COALESCE(pg_catalog.sum(-d.n) FILTER (WHERE d.n < 0), 0)::pg_catalog.int8,
       COALESCE(pg_catalog.sum(d.n) FILTER (WHERE d.n > 0), 0)::pg_catalog.int8
  FROM (SELECT pg_catalog.sum(b.n) AS n
          FROM (SELECT s.id, s.student_id, s.item_id, s.correct, s.response_time_ms, s.hint_used,
                       s.completed_at, s.started_at, s.attempt_no, s.session_id, s.topic_id, 1 AS n
                  FROM attempt_lock_store.attempt_store AS s
                 WHERE $1 OR s.student_id = ANY ($2)
                UNION ALL
                SELECT v.*, -1 FROM (%s) AS v WHERE $1 OR v.student_id = ANY ($2)) AS b
         GROUP BY b.id, b.student_id, b.item_id, b.correct, b.response_time_ms, b.hint_used,
                  b.completed_at, b.started_at, b.attempt_no, b.session_id, b.topic_id
        HAVING pg_catalog.sum(b.n) <> 0) AS d
$q$, @extschema@.attempt_view_query(false))
      INTO missing, extra
      USING exact, students;

    IF missing > 0 THEN
        RETURN QUERY SELECT 'rows missing from the store', missing,
            'rows of the on-the-fly definition the store does not hold (or holds with other values); checked: ' || scope;
    END IF;
    IF extra > 0 THEN
        RETURN QUERY SELECT 'rows extra in the store', extra,
            'store rows the on-the-fly definition does not produce (or produces with other values); checked: ' || scope;
    END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_store_sync_problems(pg_catalog.bool, pg_catalog.int4) IS
'attempt_lock internal (attempt_health()): what keeps the incremental store from being exact: missing or disabled triggers (or triggers without a store), privileges that would expose it, a view that does not read it, and the number of rows that differ from the on-the-fly definition (every row with exact => true, else every row of a sample of students). No rows: in sync, or off and clean. Counts only.';

REVOKE ALL ON FUNCTION @extschema@.attempt_store_enable(pg_catalog.int4) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.attempt_store_disable() FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.attempt_store_rebaseline(pg_catalog.text) FROM PUBLIC;

-- The incremental store, part 2: the trigger functions that keep it exact.

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
CREATE OR REPLACE FUNCTION @extschema@.attempt_store_sync()
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

CREATE OR REPLACE FUNCTION @extschema@.attempt_store_truncate()
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


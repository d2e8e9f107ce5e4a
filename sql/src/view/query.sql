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

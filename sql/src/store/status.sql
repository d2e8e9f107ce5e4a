-- The incremental store, part 4: its status and the sync check behind attempt_health().

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
CREATE OR REPLACE FUNCTION @extschema@.attempt_store_sync_problems(
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
$q$, @extschema@.attempt_view_query('computed'))
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

REVOKE ALL ON FUNCTION @extschema@.attempt_store_switch_on(pg_catalog.int4) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.attempt_store_switch_off() FROM PUBLIC;


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

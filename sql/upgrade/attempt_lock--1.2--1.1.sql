-- attempt_lock 1.2 -> 1.1: `attempt` goes back to the SQL element parser and the
-- attempt_no window over attempts; the native parser's SQL objects are dropped (the
-- library keeps their symbols, as every later build keeps every released symbol).

-- The 1.1 definition, verbatim.
DO $replace_view$
DECLARE
    source_name pg_catalog.text;
    id_type pg_catalog.text;
BEGIN
    SELECT pg_catalog.format('%I.%I', n.nspname, c.relname),
           pg_catalog.format_type(a.atttypid, NULL)
      INTO source_name, id_type
      FROM @extschema@.attempt_lock_config AS cfg
      JOIN pg_catalog.pg_class AS c ON c.oid = cfg.source_table
      JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
      JOIN pg_catalog.pg_attribute AS a ON a.attrelid = c.oid AND a.attname = 'id';
    EXECUTE pg_catalog.format($view$
CREATE OR REPLACE VIEW @extschema@.attempt WITH (security_invoker = true) AS
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
END
$replace_view$;

-- The 1.1 snapshot, verbatim.
CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_snapshot()
RETURNS TABLE (kind text, object_type text, identity text, name text, definition text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    WITH RECURSIVE ext AS (
        SELECT e.oid, e.extnamespace FROM pg_catalog.pg_extension AS e
        WHERE e.extname = 'attempt_lock'
    ), members AS (
        SELECT d.classid, d.objid
        FROM pg_catalog.pg_depend AS d, ext
        WHERE d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
          AND d.refobjid = ext.oid AND d.deptype = 'e'
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
               END)), '?')
    FROM members AS m, pg_catalog.pg_identify_object(m.classid, m.objid, 0) AS o
    UNION ALL
    SELECT 'view', 'view', c.oid::pg_catalog.regclass::text, NULL,
           pg_catalog.pg_get_viewdef(c.oid, true)
           || pg_catalog.chr(10) || '-- reloptions: '
           || COALESCE(pg_catalog.array_to_string(c.reloptions, ','), '')
    FROM members AS m JOIN pg_catalog.pg_class AS c ON c.oid = m.objid
    WHERE m.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND c.relkind IN ('v', 'm')
    UNION ALL
    SELECT 'function', 'function', p.oid::pg_catalog.regprocedure::text, NULL,
           pg_catalog.pg_get_functiondef(p.oid)
    FROM members AS m JOIN pg_catalog.pg_proc AS p ON p.oid = m.objid
    WHERE m.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND p.prokind IN ('f', 'p')
    UNION ALL
    SELECT 'event_trigger', 'event trigger', pg_catalog.quote_ident(t.evtname), NULL,
           'ON ' || t.evtevent || ' enabled=' || t.evtenabled::text
           || ' tags=' || COALESCE(pg_catalog.array_to_string(t.evttags, ','), '')
           || ' function=' || t.evtfoid::pg_catalog.regprocedure::text
    FROM members AS m JOIN pg_catalog.pg_event_trigger AS t ON t.oid = m.objid
    WHERE m.classid = 'pg_catalog.pg_event_trigger'::pg_catalog.regclass
    UNION ALL
    SELECT 'external', o.type, o.identity,
           a.object_names[pg_catalog.array_upper(a.object_names, 1)], NULL
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
           pg_catalog.pg_get_userbyid(c.relowner)::text, NULL
    FROM ext_deps AS x JOIN pg_catalog.pg_class AS c ON c.oid = x.objid
    WHERE x.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
      AND x.objid NOT IN (SELECT m.objid FROM members AS m
                          WHERE m.classid = 'pg_catalog.pg_class'::pg_catalog.regclass)
$$;
COMMENT ON FUNCTION @extschema@.attempt_lock_snapshot() IS
'attempt_lock: the lock-relevant state of the extension as it is now (the same rows attempt_lock_record_state() stores).';

DROP AGGREGATE @extschema@.attempt_no_counts(jsonb);
DROP FUNCTION @extschema@.attempt_no_counts_final(internal);
DROP FUNCTION @extschema@.attempt_no_counts_transition(internal, jsonb);
DROP FUNCTION @extschema@.attempt_elements(jsonb, integer[], bigint);

INSERT INTO @extschema@.attempt_lock_history (version, action) VALUES ('1.1', 'update');

SELECT @extschema@.attempt_lock_record_state();

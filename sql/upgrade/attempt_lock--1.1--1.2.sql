-- attempt_lock 1.1 -> 1.2: `attempt` is served by the native element parser and the
-- attempt_no aggregate (src/elements.rs, src/attempt_no.rs); the eleven columns and every
-- value stay as they were (docs/SPEC.md section 7). attempt_rejects keeps the SQL parser.

-- The native element parser and the attempt_no aggregate behind `attempt` (since 1.2;
-- src/elements.rs, src/attempt_no.rs). attempt_rejects keeps the SQL parser above, which
-- also says why; the regression suite checks that the two agree on every element.
CREATE FUNCTION @extschema@.attempt_elements(
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

CREATE FUNCTION @extschema@.attempt_no_counts_transition(internal, jsonb)
RETURNS internal
LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'attempt_no_counts_transition';

COMMENT ON FUNCTION @extschema@.attempt_no_counts_transition(internal, jsonb) IS
'attempt_lock internal: transition function of attempt_no_counts(jsonb).';

CREATE FUNCTION @extschema@.attempt_no_counts_final(internal)
RETURNS integer[]
LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'attempt_no_counts_final';

COMMENT ON FUNCTION @extschema@.attempt_no_counts_final(internal) IS
'attempt_lock internal: final function of attempt_no_counts(jsonb).';

-- Run as a window over one student's results ordered by (completed_at, id): the final
-- function only reads the state (a repeat call returns the same numbers).
CREATE AGGREGATE @extschema@.attempt_no_counts(jsonb) (
    SFUNC = @extschema@.attempt_no_counts_transition,
    STYPE = internal,
    FINALFUNC = @extschema@.attempt_no_counts_final,
    FINALFUNC_MODIFY = READ_ONLY);

COMMENT ON AGGREGATE @extschema@.attempt_no_counts(jsonb) IS
'attempt_lock internal: as a window over a student''s results in (completed_at, id) order, the attempt_no of every kept element of the current results (a student''s attempts at an item counted over earlier results). Not a public API.';

--

-- The snapshot learns aggregates (pg_get_functiondef() refuses them): the definition of
-- attempt_no_counts is its support functions and modify flag.
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
    -- pg_get_functiondef() refuses aggregates: their definition is their support functions.
    SELECT 'function', 'aggregate', p.oid::pg_catalog.regprocedure::text, NULL,
           'AGGREGATE sfunc=' || a.aggtransfn::pg_catalog.regprocedure::text
           || ' stype=' || a.aggtranstype::pg_catalog.regtype::text
           || ' finalfunc=' || a.aggfinalfn::pg_catalog.regprocedure::text
           || ' finalfunc_modify=' || a.aggfinalmodify::text
           || ' initcond=' || COALESCE(a.agginitval, '<null>')
    FROM members AS m JOIN pg_catalog.pg_proc AS p ON p.oid = m.objid
    JOIN pg_catalog.pg_aggregate AS a ON a.aggfnoid = p.oid
    WHERE m.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND p.prokind = 'a'
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

-- The view keeps its columns, so CREATE OR REPLACE keeps its grants, comment and
-- dependants; only the query changes. The lock lets an update script through.
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
    -- The result-level rules of SPEC.md section 5; the element-level ones are native.
    WHERE er.id IS NOT NULL
      AND pg_catalog.btrim(er.user_id::text, E' \t\n\r\f\x0b') <> ''
      -- Keeps started_at (at most 24.9 days earlier) above the timestamptz minimum,
      -- 4714-11-24 BC. -infinity is not finite: kept. The bound, 4713-01-01 00:00 UTC BC,
      -- is spelled as epoch seconds (folded at plan time): a timestamptz literal would be
      -- shown by pg_get_viewdef() in the session's DateStyle and time zone, which for
      -- such a date may not read back (PST8PDT prints the zone as "LMT").
      AND (COALESCE(er.updated_at, er.created_at)
             >= pg_catalog.to_timestamp('-210863520000'::pg_catalog.float8)
           OR COALESCE(er.updated_at, er.created_at) = '-infinity'::timestamptz)
    WINDOW w AS (PARTITION BY @extschema@.attempt_student_uuid(er.user_id)
                 ORDER BY COALESCE(er.updated_at, er.created_at), %3$s)
    ) AS r
CROSS JOIN LATERAL @extschema@.attempt_elements(r.result_json, r.attempt_nos, r.peer) AS q
$view$,
        source_name,
        CASE id_type WHEN 'uuid' THEN '@extschema@.attempt_id(r.id, q.item_id)'
             ELSE '@extschema@.attempt_id(r.id::pg_catalog.text, q.item_id::pg_catalog.text)' END,
        CASE WHEN id_type IN ('text', 'character varying') THEN 'er.id COLLATE "C"' ELSE 'er.id' END);
END
$replace_view$;

INSERT INTO @extschema@.attempt_lock_history (version, action) VALUES ('1.2', 'update');

SELECT @extschema@.attempt_lock_record_state();

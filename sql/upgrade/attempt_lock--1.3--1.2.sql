-- attempt_lock 1.3 -> 1.2: downgrade step.
-- Built by scripts/build_sql.sh from sql/src/ and sql/steps/: edit those and rebuild,
-- never this file. Frozen once released (sql/manifest.sha256).

\echo Use "ALTER EXTENSION attempt_lock UPDATE TO '1.2'" to load this file. \quit

-- 1.3 -> 1.2: back to 1.2's objects, taken from its frozen install script. The history
-- keeps its 1.3 rows (and their detail).

DO $refuse$
BEGIN
    IF pg_catalog.to_regnamespace('attempt_lock_store') IS NOT NULL THEN
        RAISE EXCEPTION 'attempt_lock: cannot downgrade to 1.2 while the incremental store is on'
              USING ERRCODE = 'object_not_in_prerequisite_state',
                    HINT = 'SELECT attempt_store_disable(); then ALTER EXTENSION attempt_lock UPDATE TO ''1.2''; (SELECT attempt_store_enable(); again after it).';
    END IF;
    IF NOT EXISTS (SELECT FROM @extschema@.attempt_lock_config AS c WHERE c.attached) THEN
        RAISE EXCEPTION 'attempt_lock: cannot downgrade to 1.2 while the views read no source table'
              USING ERRCODE = 'object_not_in_prerequisite_state',
                    HINT = 'SELECT attempt_source_attach(); first (1.2 has no pending or detached state).';
    END IF;
END
$refuse$;

-- The source.
DROP EVENT TRIGGER attempt_lock_watch_source;
DROP TRIGGER attempt_lock_config_restored ON @extschema@.attempt_lock_config;
DROP TRIGGER attempt_lock_config_replace ON @extschema@.attempt_lock_config;
DROP FUNCTION @extschema@.attempt_lock_watch_source();
DROP FUNCTION @extschema@.attempt_lock_config_restored();
DROP FUNCTION @extschema@.attempt_lock_config_replace();
DROP FUNCTION @extschema@.attempt_source_attach(pg_catalog.text);
DROP FUNCTION @extschema@.attempt_source_detach();
DROP FUNCTION @extschema@.attempt_source_attach_body(pg_catalog.regclass);
DROP FUNCTION @extschema@.attempt_source_detach_body();
DROP FUNCTION @extschema@.attempt_lock_install_source(pg_catalog.text, pg_catalog.regclass);
DROP FUNCTION @extschema@.attempt_lock_view_retype(pg_catalog.regclass, pg_catalog.text);
DROP FUNCTION @extschema@.attempt_lock_restoring();
-- Out of pg_dump's extension data again (dropping a table from the extension does that).
ALTER EXTENSION attempt_lock DROP TABLE @extschema@.attempt_lock_config;
ALTER EXTENSION attempt_lock ADD TABLE @extschema@.attempt_lock_config;
ALTER TABLE @extschema@.attempt_lock_config
    DROP COLUMN source_name, DROP COLUMN attached, DROP COLUMN reenable_store;
COMMENT ON TABLE @extschema@.attempt_lock_config IS
'The source table the attempt view reads, chosen at CREATE EXTENSION (attempt_lock.source_table, default exam_results in the extension schema)';

-- The views and their parser. (1.2's attempt_store_rows, pulled below, reads 1.2's
-- attempt_elements, which 1.3 kept.)
CREATE OR REPLACE FUNCTION @extschema@.attempt_questions(
    result_json  jsonb,
    user_id      text,
    completed_at timestamptz,
    id_is_null   boolean)
RETURNS TABLE (
    "position"            integer,  -- 0-based; NULL on a result's 'questions' row
    question_id           text,     -- raw text of question_id (NULL: not an object, missing)
    item_id               bigint,   -- question_id if valid and the result is kept, else NULL
    duplicate             boolean,  -- item_id already seen earlier in this result
    correct               boolean,
    response_time_ms      integer,
    hint_used             boolean,
    topic_id              text,
    drop_field            text,
    drop_reason           text,
    is_correct_reason     text,
    correct_reason        text,
    time_spent_sec_reason text,
    used_hints_reason     text,
    topic_reason          text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
SELECT
    (x.n - 1)::integer,
    x.qid #>> '{}'::text[],
    CASE WHEN r.result_reason IS NULL THEN x.pid END,
    x.dup,
    CASE WHEN pg_catalog.jsonb_typeof(x.ic) = 'boolean' THEN x.ic::boolean
         WHEN pg_catalog.jsonb_typeof(x.c) = 'boolean' THEN x.c::boolean
         ELSE false END,
    -- 2,147,483 s is the largest whole second whose milliseconds fit an integer.
    CASE WHEN pg_catalog.jsonb_typeof(x.ts) = 'number'
              AND x.ts::numeric >= 0::numeric AND x.ts::numeric <= 2147483::numeric
         THEN pg_catalog.round(x.ts::numeric * 1000::numeric)::integer
         ELSE 0 END,
    CASE WHEN pg_catalog.jsonb_typeof(x.uh) = 'number'
         THEN x.uh::numeric >= 1::numeric AND pg_catalog.min_scale(x.uh::numeric) = 0
         ELSE false END,
    CASE WHEN pg_catalog.jsonb_typeof(x.tp) = 'string'
         THEN NULLIF(x.tp #>> '{}'::text[], '') END,
    -- Dropped: the first applicable reason, in the order of SPEC.md section 5.
    CASE WHEN x.n IS NULL THEN 'questions'
         WHEN r.result_reason IS NOT NULL THEN r.result_field
         WHEN pg_catalog.jsonb_typeof(x.e) <> 'object' THEN 'element'
         WHEN x.pid IS NULL OR x.dup THEN 'question_id' END,
    CASE WHEN x.n IS NULL THEN
              CASE WHEN r.qs IS NULL OR pg_catalog.jsonb_typeof(r.qs) = 'null'
                   THEN 'questions is missing' ELSE 'questions is not an array' END
         WHEN r.result_reason IS NOT NULL THEN r.result_reason
         WHEN pg_catalog.jsonb_typeof(x.e) <> 'object' THEN 'element is not an object'
         WHEN x.pid IS NULL THEN x.qid_reason
         WHEN x.dup THEN 'duplicate question_id' END,
    -- Defaulted: kept elements only.
    CASE WHEN x.pid IS NOT NULL AND NOT x.dup AND r.result_reason IS NULL THEN x.ic_reason END,
    CASE WHEN x.pid IS NOT NULL AND NOT x.dup AND r.result_reason IS NULL THEN x.c_reason END,
    CASE WHEN x.pid IS NOT NULL AND NOT x.dup AND r.result_reason IS NULL THEN x.ts_reason END,
    CASE WHEN x.pid IS NOT NULL AND NOT x.dup AND r.result_reason IS NULL THEN x.uh_reason END,
    CASE WHEN x.pid IS NOT NULL AND NOT x.dup AND r.result_reason IS NULL THEN x.tp_reason END
FROM (
    -- Once per result: every read of result_json would decompress it again.
    SELECT attempt_questions.result_json -> 'questions' AS qs,
           -- Read by x only so that x has a lateral input without a hash function: the
           -- planner then cannot put a Memoize over x, which would hash every result's
           -- questions array for a cache that never hits (measured: 40% slower).
           NULL::point AS no_memoize,
           CASE WHEN attempt_questions.id_is_null THEN 'id'
                WHEN attempt_questions.user_id IS NULL
                     OR pg_catalog.btrim(attempt_questions.user_id, E' \t\n\r\f\x0b') = ''
                THEN 'user_id'
                WHEN attempt_questions.completed_at IS NULL
                  OR (attempt_questions.completed_at < '4713-01-01 00:00:00+00 BC'::timestamptz
                      AND attempt_questions.completed_at <> '-infinity'::timestamptz)
                THEN 'completed_at' END AS result_field,
           -- A NULL result id would give a NULL attempt id.
           CASE WHEN attempt_questions.id_is_null THEN 'exam_results.id is NULL'
                WHEN attempt_questions.user_id IS NULL
                     OR pg_catalog.btrim(attempt_questions.user_id, E' \t\n\r\f\x0b') = ''
                THEN 'user_id is NULL or blank'
                WHEN attempt_questions.completed_at IS NULL
                THEN 'created_at and updated_at are both NULL'
                -- Keeps started_at (at most 24.9 days earlier) above the timestamptz
                -- minimum, 4714-11-24 BC. -infinity is not finite: kept.
                WHEN attempt_questions.completed_at < '4713-01-01 00:00:00+00 BC'::timestamptz
                     AND attempt_questions.completed_at <> '-infinity'::timestamptz
                THEN 'completed_at is out of range' END AS result_reason
    OFFSET 0) AS r
LEFT JOIN LATERAL (
    SELECT c.n, c.e, c.qid, c.ic, c.c, c.ts, c.uh, c.tp, c.pid,
           -- One partition per result (a partition per value costs a tuplestore each).
           COALESCE(c.pid = pg_catalog.lag(c.pid) OVER (ORDER BY c.pid, c.n), false) AS dup,
           -- The reasons are computed at this level, where the fetched keys are plain
           -- columns; `attempt` reads none of them, so the planner drops them there.
           -- qid_reason is meaningful only where pid is NULL.
           CASE WHEN c.qid IS NULL OR pg_catalog.jsonb_typeof(c.qid) = 'null'
                THEN 'question_id is missing'
                WHEN c.qid = '""'::jsonb THEN 'question_id is empty'
                WHEN c.qint THEN 'question_id is out of bigint range'
                ELSE 'question_id is not an integer' END AS qid_reason,
           -- Present (not JSON null) but invalid.
           CASE WHEN pg_catalog.jsonb_typeof(c.ic) NOT IN ('boolean', 'null')
                THEN 'not a boolean' END AS ic_reason,
           CASE WHEN pg_catalog.jsonb_typeof(c.c) NOT IN ('boolean', 'null')
                THEN 'not a boolean' END AS c_reason,
           CASE WHEN pg_catalog.jsonb_typeof(c.ts) NOT IN ('number', 'null') THEN 'not a number'
                WHEN pg_catalog.jsonb_typeof(c.ts) = 'number'
                     AND (c.ts::numeric < 0::numeric OR c.ts::numeric > 2147483::numeric)
                THEN 'out of range 0..2147483' END AS ts_reason,
           CASE WHEN pg_catalog.jsonb_typeof(c.uh) NOT IN ('number', 'null')
                  OR (pg_catalog.jsonb_typeof(c.uh) = 'number'
                      AND (c.uh::numeric < 0::numeric OR pg_catalog.min_scale(c.uh::numeric) <> 0))
                THEN 'not a non-negative integer' END AS uh_reason,
           CASE WHEN pg_catalog.jsonb_typeof(c.tp) NOT IN ('string', 'null')
                THEN 'not a string' END AS tp_reason
    FROM (
        SELECT k.n, k.e, k.qid, k.ic, k.c, k.ts, k.uh, k.tp,
               -- Integral: a number without fractional part (12.0 is 12), or a non-empty
               -- string of ASCII digits ("007" is 7). Only qid_reason reads qint.
               CASE pg_catalog.jsonb_typeof(k.qid)
                    WHEN 'number' THEN pg_catalog.min_scale(k.qid::numeric) = 0
                    WHEN 'string' THEN k.qid <> '""'::jsonb
                         AND pg_catalog.ltrim(k.qid #>> '{}'::text[], '0123456789') = ''
                    ELSE false END AS qint,
               CASE pg_catalog.jsonb_typeof(k.qid)
                    WHEN 'number' THEN
                         CASE WHEN pg_catalog.min_scale(k.qid::numeric) = 0
                                   AND k.qid::numeric >= '-9223372036854775808'::numeric
                                   AND k.qid::numeric <= '9223372036854775807'::numeric
                              THEN k.qid::numeric::bigint END
                    -- Digit strings are range-checked as text: one may hold more digits
                    -- than numeric accepts.
                    WHEN 'string' THEN
                         CASE WHEN k.qid <> '""'::jsonb
                                   AND pg_catalog.ltrim(k.qid #>> '{}'::text[], '0123456789') = ''
                                   AND (pg_catalog.length(pg_catalog.ltrim(k.qid #>> '{}'::text[], '0')) < 19
                                        OR pg_catalog.ltrim(k.qid #>> '{}'::text[], '0') COLLATE "C"
                                           <= '9223372036854775807')
                              THEN (k.qid #>> '{}'::text[])::bigint END
               END AS pid
        FROM (
            -- OFFSET 0 fences each key fetch: otherwise the planner would substitute
            -- `e -> 'key'` into every expression reading it, fetching it each time.
            SELECT a.n, a.e,
                   a.e -> 'question_id' AS qid,
                   a.e -> 'is_correct' AS ic,
                   a.e -> 'correct' AS c,
                   a.e -> 'time_spent_sec' AS ts,
                   a.e -> 'used_hints' AS uh,
                   a.e -> 'topic' AS tp
            FROM pg_catalog.jsonb_array_elements(
                     CASE WHEN pg_catalog.jsonb_typeof(r.qs) = 'array' THEN r.qs END)
                 WITH ORDINALITY AS a(e, n)
            OFFSET 0) AS k
        ) AS c
    WHERE r.no_memoize IS NULL
    ) AS x ON true
-- One row per element; a result without a questions array gets one 'questions' row.
WHERE x.n IS NOT NULL OR pg_catalog.jsonb_typeof(r.qs) IS DISTINCT FROM 'array';
END;
COMMENT ON FUNCTION @extschema@.attempt_questions(jsonb, text, timestamptz, boolean) IS
'attempt_lock internal: parses one exam result into one row per questions[] element (one row if questions is missing or not an array) with the attempt values and the drop/default reasons. The single parser behind the views attempt and attempt_rejects; not a public API.';
CREATE OR REPLACE FUNCTION @extschema@.attempt_view_query(from_store pg_catalog.bool)
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
        -- The released shape (the install and update scripts create the view from here).
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
DO $install_views$
DECLARE
    source_name pg_catalog.text;
BEGIN
    SELECT pg_catalog.format('%I.%I', n.nspname, c.relname)
      INTO source_name
      FROM @extschema@.attempt_lock_config AS cfg
      JOIN pg_catalog.pg_class AS c ON c.oid = cfg.source_table
      JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace;
    EXECUTE 'CREATE OR REPLACE VIEW @extschema@.attempt WITH (security_invoker = true) AS '
            || @extschema@.attempt_view_query(false);
    EXECUTE pg_catalog.format($view$
CREATE OR REPLACE VIEW @extschema@.attempt_rejects WITH (security_invoker = true) AS
SELECT u.exam_result_id,
       u."position",
       u.question_id,
       u.field,
       u.reason,
       u.action
FROM (
    -- The unpivot is three set-returning functions in lockstep (since 1.2): a join with
    -- a VALUES list got a Memoize keyed on every reason, quadratic in the number of
    -- dropped elements of one result (10,000 elements: 24 s instead of 0.3 s).
    SELECT er.id AS exam_result_id,
           q."position",
           q.question_id,
           pg_catalog.unnest(ARRAY[q.drop_field, 'is_correct', 'correct', 'time_spent_sec',
                                   'used_hints', 'topic']) AS field,
           pg_catalog.unnest(ARRAY[q.drop_reason, q.is_correct_reason, q.correct_reason,
                                   q.time_spent_sec_reason, q.used_hints_reason,
                                   q.topic_reason]) AS reason,
           pg_catalog.unnest(ARRAY['dropped', 'defaulted', 'defaulted', 'defaulted',
                                   'defaulted', 'defaulted']) AS action
    FROM %1$s AS er
    CROSS JOIN LATERAL @extschema@.attempt_questions(
        er.result_json, er.user_id::text, COALESCE(er.updated_at, er.created_at), er.id IS NULL) AS q
    -- The first test skips the unpivot for the (usual) element with nothing to report.
    WHERE pg_catalog.num_nonnulls(q.drop_reason, q.is_correct_reason, q.correct_reason,
                                  q.time_spent_sec_reason, q.used_hints_reason, q.topic_reason) > 0
    ) AS u
WHERE u.reason IS NOT NULL
$view$, source_name);
END
$install_views$;
DROP FUNCTION @extschema@.attempt_views_apply(pg_catalog.bool);
DROP FUNCTION @extschema@.attempt_rejects_query();
DROP FUNCTION @extschema@.attempt_view_query(pg_catalog.text);
DROP FUNCTION @extschema@.attempt_element_rejects(pg_catalog.jsonb, pg_catalog.bool, pg_catalog.text, pg_catalog.timestamptz);
CREATE OR REPLACE FUNCTION @extschema@.attempt_store_rows(
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
FROM @extschema@.attempt_elements(attempt_store_rows.result_json, NULL, NULL) AS q
-- The result-level rules of SPEC.md section 5, as the view applies them.
WHERE attempt_store_rows.result_id IS NOT NULL
  AND pg_catalog.btrim(attempt_store_rows.user_id, E' \t\n\r\f\x0b') <> ''
  AND (attempt_store_rows.completed_at >= pg_catalog.to_timestamp('-210863520000'::pg_catalog.float8)
       OR attempt_store_rows.completed_at = '-infinity'::timestamptz);
END;
COMMENT ON FUNCTION @extschema@.attempt_store_rows(pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.timestamptz, pg_catalog.jsonb) IS
'attempt_lock internal: the attempt rows of one exam result (result id as text, user_id, session_id, completed_at, result_json), with the element position and without attempt_no; the single parser call of the incremental store (backfill and triggers). Not a public API.';
DROP FUNCTION @extschema@.attempt_result_kept(pg_catalog.bool, pg_catalog.text, pg_catalog.timestamptz);
CREATE OR REPLACE AGGREGATE @extschema@.attempt_no_counts(jsonb) (
    SFUNC = @extschema@.attempt_no_counts_transition,
    STYPE = internal,
    FINALFUNC = @extschema@.attempt_no_counts_final,
    FINALFUNC_MODIFY = READ_ONLY);
COMMENT ON AGGREGATE @extschema@.attempt_no_counts(jsonb) IS
'attempt_lock internal: as a window over a student''s results in (completed_at, id) order, the attempt_no of every kept element of the current results (a student''s attempts at an item counted over earlier results). Not a public API.';

-- The lock.
DROP FUNCTION @extschema@.attempt_lock_snapshot();
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
           (recorded_at, ext_version, kind, object_type, identity, name, definition)
    SELECT pg_catalog.now(), v_version, s.kind, s.object_type, s.identity, s.name, s.definition
    FROM @extschema@.attempt_lock_snapshot() AS s;
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_lock_record_state() IS
'attempt_lock: stores the baseline snapshot; the last statement of every install and update script. Refuses to run outside them.';
REVOKE ALL ON FUNCTION @extschema@.attempt_lock_record_state() FROM PUBLIC;
CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_drift()
RETURNS TABLE (kind text, object_type text, identity text, status text, detail text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    WITH base AS (
        SELECT s.* FROM @extschema@.attempt_lock_state AS s
        WHERE s.recorded_at = (SELECT max(s2.recorded_at) FROM @extschema@.attempt_lock_state AS s2)
          AND s.kind <> 'external'
    ), cur AS (
        SELECT s.* FROM @extschema@.attempt_lock_snapshot() AS s WHERE s.kind <> 'external'
    )
    SELECT COALESCE(b.kind, c.kind), COALESCE(b.object_type, c.object_type),
           COALESCE(b.identity, c.identity),
           CASE WHEN c.identity IS NULL THEN 'missing'
                WHEN b.identity IS NULL THEN 'unexpected'
                ELSE 'changed' END,
           CASE WHEN c.identity IS NULL THEN 'recorded by the install/update script, gone now'
                WHEN b.identity IS NULL THEN 'present now, not recorded by the install/update script'
                ELSE 'recorded: ' || b.definition || pg_catalog.chr(10) || 'now: ' || c.definition END
    FROM base AS b
    FULL JOIN cur AS c
      ON c.kind = b.kind AND c.object_type = b.object_type AND c.identity = b.identity
    WHERE b.identity IS NULL OR c.identity IS NULL
       OR b.definition IS DISTINCT FROM c.definition
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
    -- The incremental store's switch (since 1.2) changes members from a function, where
    -- in_extension is false: attempt_lock_in_script() knows it (src/lock/store_switch.rs).
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
                SELECT o.type || ' ' || o.identity AS obj
                FROM pg_catalog.pg_depend AS d,
                     pg_catalog.pg_identify_object(d.classid, d.objid, 0) AS o
                WHERE d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
                  AND d.refobjid = v_ext AND d.deptype = 'e'
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
ALTER TABLE @extschema@.attempt_lock_state DROP COLUMN structure, DROP COLUMN server_major;
COMMENT ON TABLE @extschema@.attempt_lock_state IS
'attempt_lock: what the last install/update script left behind (members with owners, view definitions, function definitions, event triggers, and the outside objects the members depend on). One snapshot per install/update, newest recorded_at is the baseline; older snapshots are history. attempt_lock_drift() compares the database with the newest snapshot.';

-- The store (off: see above) and health.
DROP FUNCTION @extschema@.attempt_store_rebuild();
DROP FUNCTION @extschema@.attempt_store_rebuild_body();
DROP FUNCTION @extschema@.attempt_store_build(pg_catalog.int4);
DROP FUNCTION @extschema@.attempt_store_teardown();
DROP FUNCTION @extschema@.attempt_store_triggers_install();
DROP FUNCTION @extschema@.attempt_store_triggers_shaped();
DROP FUNCTION @extschema@.attempt_store_triggers_ok();
DROP FUNCTION @extschema@.attempt_store_blind_spot(pg_catalog.regclass);
DROP FUNCTION @extschema@.attempt_store_foreign_triggers();
DROP FUNCTION @extschema@.attempt_store_usable();
DROP FUNCTION @extschema@.attempt_store_mark_stale(pg_catalog.text);
DROP FUNCTION @extschema@.attempt_store_fill(pg_catalog.regclass, pg_catalog.int4);
DROP FUNCTION @extschema@.attempt_store_status();
DROP FUNCTION @extschema@.attempt_store_sync_problems(pg_catalog.bool, pg_catalog.int4);
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

    EXECUTE 'CREATE OR REPLACE VIEW @extschema@.attempt WITH (security_invoker = true) AS '
            || @extschema@.attempt_view_query(true);

    PERFORM @extschema@.attempt_store_rebaseline('on');
    RAISE NOTICE 'attempt_store_enable: the store is on: % attempts, % s', stored,
        pg_catalog.round(EXTRACT(epoch FROM pg_catalog.clock_timestamp() - started)::pg_catalog.numeric, 1);
    RETURN stored;
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_store_switch_on(pg_catalog.int4) IS
'attempt_lock internal: the body of attempt_store_enable(), which runs it with the lock''s switch flag raised. attempt_lock: switches the incremental store on (superuser): creates it, backfills it in batches of batch_size results (NOTICE progress; writers of the source wait meanwhile), indexes it, creates the triggers that keep it exact and makes the view attempt read it. Returns the number of attempts stored. SQLSTATE 55000 if it is already on.';
REVOKE ALL ON FUNCTION @extschema@.attempt_store_switch_on(pg_catalog.int4) FROM PUBLIC;
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
COMMENT ON FUNCTION @extschema@.attempt_store_switch_off() IS
'attempt_lock internal: the body of attempt_store_disable(), which runs it with the lock''s switch flag raised. attempt_lock: switches the incremental store off (superuser): the view attempt computes its rows on the fly again, the triggers and the store are dropped. Returns false (with a NOTICE) if it was already off.';
REVOKE ALL ON FUNCTION @extschema@.attempt_store_switch_off() FROM PUBLIC;
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
CREATE OR REPLACE FUNCTION @extschema@.attempt_store_enable(batch_size pg_catalog.int4 DEFAULT 10000)
RETURNS pg_catalog.int8
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'attempt_store_enable_wrapper';
COMMENT ON FUNCTION @extschema@.attempt_store_enable(pg_catalog.int4) IS
'attempt_lock: switches the incremental store on (superuser): creates schema attempt_lock_store with the store table and its indexes, backfills it in batches of batch_size results (NOTICE progress), adds the triggers on the source and makes the view attempt read the store; records the lock''s new baseline. Returns the rows stored. Writers of the source wait during the backfill; readers do not.';
REVOKE ALL ON FUNCTION @extschema@.attempt_store_enable(pg_catalog.int4) FROM PUBLIC;
CREATE OR REPLACE FUNCTION @extschema@.attempt_store_disable()
RETURNS pg_catalog.bool
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'attempt_store_disable_wrapper';
COMMENT ON FUNCTION @extschema@.attempt_store_disable() IS
'attempt_lock: switches the incremental store off (superuser): the view attempt computes its rows on the fly again, the triggers and the store are dropped, the lock''s baseline is recorded. Returns false (with a NOTICE) if it was already off.';
REVOKE ALL ON FUNCTION @extschema@.attempt_store_disable() FROM PUBLIC;
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
        SELECT c.source_table INTO STRICT source FROM @extschema@.attempt_lock_config AS c;
    EXCEPTION WHEN OTHERS THEN
        source_error := 'no source table: cannot read attempt_lock_config: ' || SQLERRM;
    END;

    -- Enough pages for about 1,000 results, at least 0.01% of the table.
    SELECT LEAST(100, GREATEST(0.01, 100.0 * 1000 / GREATEST(1, c.reltuples)))
      INTO sample_percent FROM pg_catalog.pg_class AS c WHERE c.oid = source;

    -- The rows the data checks look at: everything, or every row of a sample of students
    -- (whole students, so attempt_no density and duplicates are exact within them).
    IF exact THEN
        scope := 'all rows';
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

    FOR check_name, check_query IN VALUES
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
        SELECT CASE WHEN pg_catalog.count(*) = 0 THEN 'ok' ELSE 'fail' END,
               $2::text, 'the exam_results contract (docs/SPEC.md §2)',
               pg_catalog.string_agg(p.problem, '; ')
          FROM @extschema@.attempt_source_problems($2::text) AS p $q$),
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
          FROM self_test AS s $q$),
    ('lock_triggers', $q$
        WITH want(name) AS (VALUES ('attempt_lock_guard_objects'), ('attempt_lock_guard_functions'),
                                   ('attempt_lock_guard_start'), ('attempt_lock_guard_drop')),
        state AS (
            SELECT w.name, t.evtenabled
              FROM want AS w LEFT JOIN pg_catalog.pg_event_trigger AS t ON t.evtname = w.name)
        SELECT CASE WHEN pg_catalog.count(*) FILTER (WHERE s.evtenabled IS DISTINCT FROM 'O' AND s.evtenabled IS DISTINCT FROM 'A') = 0
                         AND pg_catalog.current_setting('session_replication_role') <> 'replica'
                    THEN 'ok' ELSE 'fail' END,
               pg_catalog.count(*) FILTER (WHERE s.evtenabled IN ('O', 'A')) || ' of 4 enabled; session_replication_role = '
                   || pg_catalog.current_setting('session_replication_role'),
               '4 of 4 enabled; session_replication_role <> replica',
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
          FROM uses AS u $q$),
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
         WHERE $1 OR r.exam_result_id IN (SELECT er.id FROM {source} AS er TABLESAMPLE SYSTEM ($8)) $q$),
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
    -- Since 1.2: a partitioned source is judged by its leaf partitions (autovacuum never
    -- analyzes a partitioned parent), and a hot standby, where cumulative statistics are
    -- not replicated, leaves the judgement to the primary.
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
          FROM s $q$),
    -- Since 1.2: the incremental store, when on, holds exactly the on-the-fly rows.
    ('store', $q$
        SELECT CASE WHEN pg_catalog.count(p.problem) = 0 THEN 'ok' ELSE 'fail' END,
               CASE WHEN pg_catalog.to_regclass('attempt_lock_store.attempt_store') IS NULL THEN 'off'
                    ELSE 'on' END
                 || CASE WHEN pg_catalog.count(p.problem) > 0
                         THEN ', ' || pg_catalog.count(p.problem) || ' problems' ELSE '' END,
               'off, or on and identical to the on-the-fly definition',
               pg_catalog.string_agg(p.problem || ': ' || p.row_count || ' (' || p.detail || ')', '; ')
          FROM @extschema@.attempt_store_sync_problems($1, GREATEST(pg_catalog.cardinality($6), 200)) AS p $q$)
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
                || pg_catalog.replace(check_query, '{source}', source::pg_catalog.text)
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
DROP FUNCTION @extschema@.attempt_health_checks_install();
DROP FUNCTION @extschema@.attempt_health_checks_lock();
DROP FUNCTION @extschema@.attempt_health_checks_data();
DROP FUNCTION @extschema@.attempt_health_checks_access();
DROP FUNCTION @extschema@.attempt_health_checks_store();

INSERT INTO @extschema@.attempt_lock_history (version, action) VALUES ('1.2', 'update');
SELECT @extschema@.attempt_lock_record_state();

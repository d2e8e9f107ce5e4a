-- attempt_lock 1.2 -> 1.1: `attempt` goes back to the SQL element parser and the
-- attempt_no window over attempts; the native parser's and the store's SQL objects are
-- dropped (the library keeps their symbols, as every later build keeps every released
-- symbol). 1.1 has no store: switch it off first.

DO $store_check$
BEGIN
    IF pg_catalog.to_regnamespace('attempt_lock_store') IS NOT NULL THEN
        RAISE EXCEPTION 'attempt_lock: the incremental store is on; 1.1 has none'
              USING ERRCODE = 'object_not_in_prerequisite_state',
                    HINT = 'SELECT attempt_store_disable(); then ALTER EXTENSION attempt_lock UPDATE TO ''1.1''.';
    END IF;
END
$store_check$;

-- The 1.1 definitions, verbatim.
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

DO $replace_rejects$
DECLARE
    source_name pg_catalog.text;
BEGIN
    SELECT pg_catalog.format('%I.%I', n.nspname, c.relname)
      INTO source_name
      FROM @extschema@.attempt_lock_config AS cfg
      JOIN pg_catalog.pg_class AS c ON c.oid = cfg.source_table
      JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace;
    EXECUTE pg_catalog.format($view$
CREATE OR REPLACE VIEW @extschema@.attempt_rejects WITH (security_invoker = true) AS
SELECT er.id AS exam_result_id,
       q."position",
       q.question_id,
       v.field,
       v.reason,
       v.action
FROM %1$s AS er
CROSS JOIN LATERAL @extschema@.attempt_questions(
    er.result_json, er.user_id::text, COALESCE(er.updated_at, er.created_at), er.id IS NULL) AS q
CROSS JOIN LATERAL (VALUES
    (q.drop_field,     q.drop_reason,           'dropped'),
    ('is_correct',     q.is_correct_reason,     'defaulted'),
    ('correct',        q.correct_reason,        'defaulted'),
    ('time_spent_sec', q.time_spent_sec_reason, 'defaulted'),
    ('used_hints',     q.used_hints_reason,     'defaulted'),
    ('topic',          q.topic_reason,          'defaulted')) AS v(field, reason, action)
-- The first test skips the unpivot for the (usual) element with nothing to report.
WHERE pg_catalog.num_nonnulls(q.drop_reason, q.is_correct_reason, q.correct_reason,
                              q.time_spent_sec_reason, q.used_hints_reason, q.topic_reason) > 0
  AND v.reason IS NOT NULL
$view$, source_name);
END
$replace_rejects$;

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

COMMENT ON FUNCTION @extschema@.attempt_lock_in_script() IS
'attempt_lock: true while an install or update script of attempt_lock is running (the server''s creating_extension state)';

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
    ('statistics', $q$
        SELECT CASE WHEN s.relid IS NULL THEN 'warn'
                    WHEN GREATEST(s.last_analyze, s.last_autoanalyze) IS NULL
                      OR GREATEST(s.last_analyze, s.last_autoanalyze) < pg_catalog.now() - interval '7 days'
                      -- autovacuum's own default trigger: 50 + 20% of the live tuples
                      OR s.n_dead_tup > 50 + 0.2 * s.n_live_tup THEN 'warn'
                    ELSE 'ok' END,
               pg_catalog.format('last analyze %s; %s dead of %s live tuples',
                                 COALESCE(GREATEST(s.last_analyze, s.last_autoanalyze)::text, 'never'),
                                 s.n_dead_tup, s.n_live_tup),
               'analyzed within 7 days; at most 50 + 20% dead tuples',
               'ANALYZE ' || $2::text || ' / VACUUM ' || $2::text || ' if the plan or the counts look stale'
          FROM (SELECT 1) AS one
          LEFT JOIN pg_catalog.pg_stat_all_tables AS s ON s.relid = $2 $q$)
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

DROP FUNCTION @extschema@.attempt_store_enable(pg_catalog.int4),
    @extschema@.attempt_store_disable(),
    @extschema@.attempt_store_switch_on(pg_catalog.int4),
    @extschema@.attempt_store_switch_off(),
    @extschema@.attempt_store_status(),
    @extschema@.attempt_store_sync_problems(pg_catalog.bool, pg_catalog.int4),
    @extschema@.attempt_store_check_lock(),
    @extschema@.attempt_store_rebaseline(pg_catalog.text),
    @extschema@.attempt_store_trigger_names(),
    @extschema@.attempt_store_truncate(),
    @extschema@.attempt_store_sync(),
    @extschema@.attempt_store_rows(pg_catalog.text, pg_catalog.text, pg_catalog.text,
                                   pg_catalog.timestamptz, pg_catalog.jsonb),
    @extschema@.attempt_view_query(pg_catalog.bool);
DROP AGGREGATE @extschema@.attempt_no_counts(jsonb);
DROP FUNCTION @extschema@.attempt_no_counts_final(internal),
    @extschema@.attempt_no_counts_transition(internal, jsonb),
    @extschema@.attempt_elements(jsonb, integer[], bigint);

INSERT INTO @extschema@.attempt_lock_history (version, action) VALUES ('1.1', 'update');

SELECT @extschema@.attempt_lock_record_state();

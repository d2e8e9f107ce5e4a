-- attempt_health()'s checks of the install itself: extension version, members, the view, its columns, the recorded definitions, the source table, the native hashes.
-- Each check is a query run by attempt_health() (health.sql says with which parameters).
CREATE OR REPLACE FUNCTION @extschema@.attempt_health_checks_install(OUT "check" pg_catalog.text, OUT query pg_catalog.text)
RETURNS SETOF record
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
SELECT c."check", c.query FROM (VALUES
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
        WITH named AS (
            SELECT c.source_name, pg_catalog.to_regclass(c.source_name) AS now_named
              FROM @extschema@.attempt_lock_config AS c),
        problems AS (SELECT p.problem FROM @extschema@.attempt_source_problems($2::text) AS p)
        SELECT CASE WHEN (SELECT pg_catalog.count(*) FROM problems) = 0
                         AND (n.now_named IS NULL OR n.now_named = $2) THEN 'ok' ELSE 'fail' END,
               pg_catalog.format('%s (owner %s)', $2, (SELECT pg_catalog.pg_get_userbyid(c.relowner)
                                                         FROM pg_catalog.pg_class AS c WHERE c.oid = $2)),
               'a table keeping the exam_results contract (docs/SPEC.md §2), named as recorded',
               NULLIF(pg_catalog.concat_ws('; ',
                   (SELECT pg_catalog.string_agg(p.problem, '; ') FROM problems AS p),
                   CASE WHEN n.now_named IS NULL
                        THEN pg_catalog.format('renamed from %s: attempt reads it under its new name (SELECT attempt_source_attach(%L); records the new name)', n.source_name, $2::text)
                        WHEN n.now_named <> $2
                        THEN pg_catalog.format('attempt reads %s, which is no longer the table named %s (recorded as the source): %s is another table now. If it should be the source: SELECT attempt_source_attach(%L);',
                                               $2, n.source_name, n.now_named, n.source_name) END), '')
          FROM named AS n $q$),
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
          FROM self_test AS s $q$)
) AS c("check", query);
END;
COMMENT ON FUNCTION @extschema@.attempt_health_checks_install() IS
'attempt_lock internal: the checks of attempt_health() on what CREATE EXTENSION / ALTER EXTENSION UPDATE left in place, in report order, each as (name, query). Not a public API.';

-- The native hashes: known answers, bit-identity with the reference SQL, declared
-- properties, and no dependency on the server's md5().
\set VERBOSITY default
BEGIN;
\i tests/regress/fixtures/exam_results.sql
CREATE EXTENSION attempt_lock;

SELECT attempt_id('5f0c7c1e-4b7a-4a39-9d1e-0c1f3c2b7a10', '1001') AS text_form,
       attempt_id('5f0c7c1e-4b7a-4a39-9d1e-0c1f3c2b7a10'::uuid, 1001) AS uuid_form,
       attempt_id('', '') AS empty,
       attempt_id('é日本', '-1') AS multibyte;

-- Same values as the SQL they replace.
SELECT left(a, 12) AS a, length(a) AS len_a, left(b, 12) AS b, length(b) AS len_b,
       attempt_id(a, b) = ('x' || substr(md5(a || '-' || b), 1, 16))::bit(64)::bigint AS same
  FROM (VALUES ('5f0c7c1e-4b7a-4a39-9d1e-0c1f3c2b7a10', '1001'), ('42', '7'),
               ('', ''), ('é日本', '-1'), (repeat('x', 3000), repeat('y', 3000))) v(a, b)
 ORDER BY a, b;

SELECT u, attempt_student_uuid(u) AS student_id,
       CASE WHEN attempt_student_uuid(u) = md5(u)::uuid THEN 'md5' ELSE 'kept' END AS branch
  FROM (VALUES ('student-42'), (''), (' '), ('é日本'),
               ('ABCDEF01-2345-6789-ABCD-EF0123456789'),
               ('abcd-abcdabcd-abcd-abcd-abcdabcdabcd'),
               (repeat('-', 36)),
               ('abcdabcd-abcd-abcd-abcd-abcdabcdabc-')) v(u)
 ORDER BY u;

-- Where the reference SQL casts, the native function agrees; where it raises, the
-- native function does not.
SELECT attempt_student_uuid('ABCDEF01-2345-6789-ABCD-EF0123456789')
       = 'ABCDEF01-2345-6789-ABCD-EF0123456789'::uuid AS kept_equal;
SELECT (repeat('-', 36))::uuid;
ROLLBACK;

BEGIN;
\i tests/regress/fixtures/exam_results.sql
CREATE EXTENSION attempt_lock;
-- NULL in, NULL out (STRICT), and the declared properties every index needs.
SELECT attempt_id(NULL, 'x') IS NULL AS id_null, attempt_student_uuid(NULL) IS NULL AS uuid_null;
SELECT p.oid::regprocedure AS function, p.provolatile AS volatility, p.proisstrict AS strict,
       p.proparallel AS parallel, obj_description(p.oid, 'pg_proc') IS NOT NULL AS commented
  FROM pg_proc p
 WHERE p.proname IN ('attempt_id', 'attempt_student_uuid')
 ORDER BY 1::text;

-- The hashes never call the server's md5(): they keep working when it is revoked, as on
-- a FIPS-mode server where md5() raises.
REVOKE EXECUTE ON FUNCTION md5(text) FROM PUBLIC;
CREATE ROLE attempt_lock_fips_probe;
SET ROLE attempt_lock_fips_probe;
SELECT md5('x');
ROLLBACK;
BEGIN;
\i tests/regress/fixtures/exam_results.sql
CREATE EXTENSION attempt_lock;
REVOKE EXECUTE ON FUNCTION md5(text) FROM PUBLIC;
CREATE ROLE attempt_lock_fips_probe;
SET ROLE attempt_lock_fips_probe;
SELECT attempt_id('42', '7'), attempt_student_uuid('student-42');

-- An expression index on the student uuid can be built.
RESET ROLE;
CREATE INDEX ON exam_results (attempt_student_uuid(user_id));
ROLLBACK;

-- What the lock allows on its objects: GRANT, REVOKE, COMMENT, and DROP EXTENSION (the
-- documented uninstall). ALTER EXTENSION attempt_lock UPDATE is allowed too but cannot be
-- tested until a version 1.1 exists.
\i tests/regress/fixtures/lock_setup.sql
CREATE ROLE attempt_lock_test_reader;

-- GRANT / REVOKE on the views and the functions.
GRANT SELECT ON attempt TO attempt_lock_test_reader;
GRANT SELECT ON attempt, attempt_rejects TO attempt_lock_test_reader WITH GRANT OPTION;
REVOKE GRANT OPTION FOR SELECT ON attempt FROM attempt_lock_test_reader;
REVOKE SELECT ON attempt_rejects FROM attempt_lock_test_reader;
GRANT EXECUTE ON FUNCTION attempt_id(text, text) TO attempt_lock_test_reader;
REVOKE EXECUTE ON FUNCTION attempt_student_uuid(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION attempt_student_uuid(text) TO PUBLIC;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO attempt_lock_test_reader;
REVOKE SELECT ON ALL TABLES IN SCHEMA public FROM attempt_lock_test_reader;
GRANT SELECT ON attempt TO attempt_lock_test_reader;
BEGIN;
GRANT SELECT ON attempt_rejects TO attempt_lock_test_reader;
ROLLBACK;
SELECT c.relname, g.grantee::regrole::text AS grantee, g.privilege_type, g.is_grantable
FROM pg_class c, aclexplode(c.relacl) g
WHERE c.relname IN ('attempt', 'attempt_rejects') AND g.grantee <> c.relowner
ORDER BY 1, 2, 3;
-- The views stay security_invoker: the reader needs SELECT on exam_results as well.
SET ROLE attempt_lock_test_reader;
SELECT count(*) FROM attempt;
RESET ROLE;
GRANT SELECT ON exam_results TO attempt_lock_test_reader;
SET ROLE attempt_lock_test_reader;
SELECT count(*) AS reader_rows FROM attempt;
RESET ROLE;

-- COMMENT ON VIEW / COLUMN / FUNCTION / EXTENSION.
COMMENT ON VIEW attempt IS 'one row per answered question (V1)';
COMMENT ON COLUMN attempt.item_id IS 'question_id';
COMMENT ON FUNCTION attempt_id(text, text) IS 'stable 64-bit attempt id';
COMMENT ON EXTENSION attempt_lock IS 'the locked attempt view';
BEGIN;
COMMENT ON VIEW attempt_rejects IS 'rolled back';
ROLLBACK;
SELECT obj_description('attempt'::regclass, 'pg_class') AS view_comment,
       col_description('attempt'::regclass, 3) AS column_comment,
       obj_description('attempt_id(text,text)'::regprocedure, 'pg_proc') AS function_comment;

-- Neither changed a definition: nothing drifted.
SELECT * FROM lock_views_as_recorded();
SELECT * FROM lock_fp_changed;
SELECT * FROM attempt_lock_drift();

-- DROP EXTENSION attempt_lock: rolled back, then for real.
REVOKE ALL ON exam_results FROM attempt_lock_test_reader;
REVOKE ALL ON attempt FROM attempt_lock_test_reader;
REVOKE ALL ON FUNCTION attempt_id(text, text) FROM attempt_lock_test_reader;
DROP ROLE attempt_lock_test_reader;
BEGIN;
DROP EXTENSION attempt_lock;
ROLLBACK;
SELECT extname FROM pg_extension WHERE extname = 'attempt_lock';
DROP EXTENSION attempt_lock;
SELECT count(*) AS extensions_left FROM pg_extension WHERE extname = 'attempt_lock';
SELECT evtname FROM pg_event_trigger ORDER BY 1;
SELECT count(*) AS exam_results_rows FROM exam_results;

-- A user view on attempt: plain DROP EXTENSION refuses (PostgreSQL, 2BP01), CASCADE drops
-- the user view too; and the extension installs again.
CREATE EXTENSION attempt_lock;
CREATE VIEW lock_report AS SELECT student_id, count(*) FROM attempt GROUP BY 1;
DROP EXTENSION attempt_lock;
DROP EXTENSION attempt_lock CASCADE;
CREATE EXTENSION attempt_lock;
SELECT count(*) AS attempt_rows FROM attempt;
SELECT * FROM attempt_lock_drift();

-- attempt_health(check_role => ...): the privileges check. Without a role it is ok (not
-- checked); a role lacking SELECT on exam_results (attempt is security_invoker) is fail,
-- naming what is missing; a role with every privilege a reader needs is ok. The roles are
-- created in transactions that roll back.
\i tests/regress/fixtures/health_setup.sql
SELECT "check", status, observed, expected, detail FROM attempt_health() WHERE "check" = 'privileges';

-- A role with SELECT on attempt only.
BEGIN;
CREATE ROLE attempt_lock_test_health_reader;
GRANT SELECT ON attempt TO attempt_lock_test_health_reader;
SELECT "check", status, observed, expected, detail
FROM attempt_health(check_role => 'attempt_lock_test_health_reader') WHERE "check" = 'privileges';
SELECT "check", status, observed, detail
FROM attempt_health(exact => true, check_role => 'attempt_lock_test_health_reader') WHERE "check" = 'privileges';
SELECT "check", status FROM attempt_health(check_role => 'attempt_lock_test_health_reader')
WHERE status <> 'ok' ORDER BY 1;
-- What the role sees: it cannot read attempt.
SET LOCAL ROLE attempt_lock_test_health_reader;
SELECT count(*) FROM attempt;
ROLLBACK;

-- A role with SELECT on exam_results only.
BEGIN;
CREATE ROLE attempt_lock_test_health_reader;
GRANT SELECT ON exam_results TO attempt_lock_test_health_reader;
SELECT "check", status, observed, detail
FROM attempt_health(check_role => 'attempt_lock_test_health_reader') WHERE "check" = 'privileges';
ROLLBACK;

-- A role with everything: SELECT on attempt and exam_results (USAGE on public and EXECUTE
-- on the functions come from PUBLIC).
BEGIN;
CREATE ROLE attempt_lock_test_health_reader;
GRANT SELECT ON attempt, exam_results TO attempt_lock_test_health_reader;
SELECT "check", status, observed, expected, detail
FROM attempt_health(check_role => 'attempt_lock_test_health_reader') WHERE "check" = 'privileges';
SELECT "check", status FROM attempt_health(exact => true, check_role => 'attempt_lock_test_health_reader')
WHERE "check" = 'privileges';
SELECT "check", status FROM attempt_health(check_role => 'attempt_lock_test_health_reader')
WHERE status <> 'ok' ORDER BY 1;
SELECT attempt_health_assert(check_role => 'attempt_lock_test_health_reader') AS warnings;
-- The role reads attempt indeed.
SET LOCAL ROLE attempt_lock_test_health_reader;
SELECT count(*) FROM attempt;
RESET ROLE;
-- EXECUTE on attempt_student_uuid(text) revoked from PUBLIC, and USAGE on public too.
REVOKE EXECUTE ON FUNCTION attempt_student_uuid(text) FROM PUBLIC;
REVOKE USAGE ON SCHEMA public FROM PUBLIC;
SELECT "check", status, observed, detail
FROM attempt_health(check_role => 'attempt_lock_test_health_reader') WHERE "check" = 'privileges';
ROLLBACK;

-- Privileges through a group role count.
BEGIN;
CREATE ROLE attempt_lock_test_health_group;
CREATE ROLE attempt_lock_test_health_reader IN ROLE attempt_lock_test_health_group;
GRANT SELECT ON attempt, exam_results TO attempt_lock_test_health_group;
SELECT "check", status, observed
FROM attempt_health(check_role => 'attempt_lock_test_health_reader') WHERE "check" = 'privileges';
ROLLBACK;

-- A superuser has everything.
SELECT "check", status, observed FROM attempt_health(check_role => 'postgres') WHERE "check" = 'privileges';

-- A role that does not exist: fail with the reason, no error.
SELECT "check", status, observed, detail
FROM attempt_health(check_role => 'attempt_lock_test_health_nobody') WHERE "check" = 'privileges';
SELECT "check", status FROM attempt_health(check_role => 'attempt_lock_test_health_nobody')
WHERE status <> 'ok' ORDER BY 1;

-- attempt_health_assert() with a role lacking privileges raises, naming the check.
BEGIN;
CREATE ROLE attempt_lock_test_health_reader;
SELECT attempt_health_assert(check_role => 'attempt_lock_test_health_reader');
\echo SQLSTATE :SQLSTATE
ROLLBACK;

-- No role of this test is left behind.
SELECT count(*) AS roles_left FROM pg_roles WHERE rolname LIKE 'attempt\_lock\_test\_health\_%';

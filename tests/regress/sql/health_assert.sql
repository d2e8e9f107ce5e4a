-- attempt_health_assert(): the deployment gate. It raises SQLSTATE 55000 naming every
-- failing check (with its detail) when any check fails, and returns the number of
-- warnings otherwise; it takes the same arguments as attempt_health().
\i tests/regress/fixtures/health_setup.sql
SELECT attempt_health_assert() AS warnings;
SELECT attempt_health_assert(exact => true) AS warnings;

-- Warnings only: the number of them (recommended index, rejects).
BEGIN;
DROP INDEX exam_results_student_idx;
SELECT attempt_health_assert() AS warnings;
INSERT INTO exam_results VALUES
  ('00000000-0000-0000-0000-0000000000ff', 'student-9', 's99', now() - interval '5 minutes', NULL,
   '{"questions": [{"question_id": "x"}]}');
SELECT attempt_health_assert() AS warnings;
SELECT attempt_health_assert(exact => true) AS warnings;
SELECT count(*) AS warnings FROM attempt_health() WHERE status = 'warn' AND "check" <> 'statistics';
ROLLBACK;

-- One failing check (native_functions, and the definition it changed): raises 55000 with
-- the failing checks in alphabetical order, each with its detail.
BEGIN;
SET LOCAL attempt_lock.override = on;
ALTER FUNCTION attempt_id(text, text) VOLATILE;
RESET attempt_lock.override;
SELECT attempt_health_assert();
\echo SQLSTATE :SQLSTATE
ROLLBACK;
BEGIN;
SET LOCAL attempt_lock.override = on;
ALTER FUNCTION attempt_id(text, text) VOLATILE;
RESET attempt_lock.override;
SELECT attempt_health_assert(exact => true);
\echo SQLSTATE :SQLSTATE
ROLLBACK;

-- The lock disarmed: a failing check without detail is named with what it observed.
BEGIN;
SET LOCAL session_replication_role = replica;
SELECT attempt_health_assert();
\echo SQLSTATE :SQLSTATE
ROLLBACK;

-- The freshness thresholds are passed on: the data (48 to 59 minutes old) fails a 30-minute
-- limit, warns at a 30-minute warning limit, passes the defaults.
-- (The message holds the latest completed_at, a time: masked here.)
DO $$
BEGIN
    PERFORM attempt_health_assert(freshness_warn => '10 minutes', freshness_fail => '30 minutes');
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'SQLSTATE %: %', SQLSTATE,
        regexp_replace(SQLERRM, 'latest completed_at .*, age @ [0-9]+ mins( [0-9.]+ secs?)?', 'latest completed_at <time>, age @ <n> mins');
END $$;
SELECT attempt_health_assert(freshness_warn => '30 minutes', freshness_fail => NULL) AS warnings;
SELECT attempt_health_assert(freshness_warn => NULL, freshness_fail => NULL) AS warnings;

-- check_role is passed on.
SELECT attempt_health_assert(check_role => 'attempt_lock_test_health_nobody');
\echo SQLSTATE :SQLSTATE

-- In a read-only transaction, and caught by a caller (a deployment script's DO block).
BEGIN READ ONLY;
SET LOCAL attempt_lock.override = on;
DO $$
BEGIN
    PERFORM attempt_health_assert();
    RAISE NOTICE 'not reached';
EXCEPTION WHEN object_not_in_prerequisite_state THEN
    RAISE NOTICE 'gate closed: %', SQLERRM;
END $$;
ROLLBACK;

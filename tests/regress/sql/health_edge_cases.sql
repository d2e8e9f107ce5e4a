-- attempt_health() edge cases that once hid a problem, reported a wrong status or gave up
-- on other checks (found by this suite, fixed in 1.0 before release).
\i tests/regress/fixtures/health_setup.sql

-- 1. A monitoring role (SELECT on attempt, attempt_rejects and exam_results, pg_monitor)
-- runs every check: the configuration is readable by all, and the superuser-only override
-- log is summarised by attempt_lock_override_uses().
BEGIN;
CREATE ROLE attempt_lock_test_health_monitor IN ROLE pg_monitor;
GRANT SELECT ON attempt, attempt_rejects, exam_results TO attempt_lock_test_health_monitor;
SET LOCAL ROLE attempt_lock_test_health_monitor;
SELECT count(*) AS checks FROM attempt_health();
SELECT "check", status FROM attempt_health() WHERE status <> 'ok' ORDER BY 1;
ROLLBACK;

-- 2. The students sample cannot be drawn (here: user_id renamed): the data checks that
-- use it fail with the reason instead of checking 0 students.
BEGIN;
SET LOCAL attempt_lock.override = on;  -- the lock refuses the rename otherwise
ALTER TABLE exam_results RENAME COLUMN user_id TO uid;
RESET attempt_lock.override;
SELECT "check", status FROM attempt_health()
WHERE "check" IN ('never_null', 'duplicate_ids', 'attempt_no_dense') ORDER BY 1;
ROLLBACK;

-- 3. A source never analyzed nor vacuumed (reltuples = -1, e.g. freshly loaded): the
-- estimated row_count counts the source rows instead of reading "about 0".
BEGIN;
CREATE TEMP TABLE health_keep AS SELECT * FROM exam_results;
TRUNCATE exam_results;
INSERT INTO exam_results SELECT * FROM health_keep;
SELECT reltuples FROM pg_class WHERE oid = 'exam_results'::regclass;
SELECT "check", status FROM attempt_health() WHERE "check" = 'row_count';
SELECT "check", status FROM attempt_health(exact => true) WHERE "check" = 'row_count';
ROLLBACK;

-- 4. One result with updated_at = 'infinity' (kept by the view, SPEC §5): freshness still
-- runs, and reports the future-dated result.
BEGIN;
UPDATE exam_results SET updated_at = 'infinity' WHERE id = '00000000-0000-0000-0000-000000000001';
SELECT "check", coalesce(detail, '') NOT LIKE 'the check could not run%' AS ran
FROM attempt_health() WHERE "check" = 'freshness';
ROLLBACK;

-- 5. One result dated in the future does not hide stale data: future rows are ignored
-- for the age and reported.
BEGIN;
UPDATE exam_results SET created_at = now() - interval '30 days';
UPDATE exam_results SET created_at = '2999-01-01' WHERE id = '00000000-0000-0000-0000-000000000001';
SELECT "check", status <> 'ok' AS flagged FROM attempt_health() WHERE "check" = 'freshness';
ROLLBACK;

-- 6. The privileges check covers every extension function the security_invoker view
-- calls: without EXECUTE on attempt_elements() the role cannot read attempt.
BEGIN;
CREATE ROLE attempt_lock_test_health_reader;
GRANT SELECT ON attempt, exam_results TO attempt_lock_test_health_reader;
REVOKE EXECUTE ON FUNCTION attempt_elements(jsonb, integer[], bigint) FROM PUBLIC;
SELECT "check", status FROM attempt_health(check_role => 'attempt_lock_test_health_reader')
WHERE "check" = 'privileges';
ROLLBACK;

-- 7. A documented limit: estimated mode samples rows by student_id = ANY (sample), so a
-- NULL student_id is never in the sample; exact mode sees it.
BEGIN;
SET LOCAL attempt_lock.override = on;
SELECT health_replace_attempt('attempt_student_uuid(er.user_id) AS student_id',
    'NULLIF(attempt_student_uuid(er.user_id), attempt_student_uuid(''student-1'')) AS student_id');
RESET attempt_lock.override;
SELECT "check", status FROM attempt_health() WHERE "check" = 'never_null';
SELECT "check", status FROM attempt_health(exact => true) WHERE "check" = 'never_null';
ROLLBACK;

-- 8. attempt_lock_config unreadable or empty: still 19 rows; the checks that need the
-- source fail with the reason, the lock's checks still run.
BEGIN;
DELETE FROM attempt_lock_config;
SELECT count(*) AS checks FROM attempt_health();
ROLLBACK;

-- 9. attempt_evidence_report() renders NO-GO when the view is gone, instead of raising.
BEGIN;
SET LOCAL attempt_lock.override = on;
ALTER EXTENSION attempt_lock DROP VIEW attempt;
DROP VIEW attempt;
RESET attempt_lock.override;
SELECT attempt_evidence_report() LIKE '%**NO-GO**%' AS no_go;
ROLLBACK;

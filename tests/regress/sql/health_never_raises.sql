-- attempt_health() never raises: a check that cannot run reports fail with the reason,
-- the other checks still run; in a read-only transaction too. attempt_health_assert()
-- turns the failures into one error.
\i tests/regress/fixtures/health_setup.sql

-- The view dropped under the override (detached first: PostgreSQL refuses to drop a
-- member), then the transaction made read-only.
BEGIN;
SET LOCAL attempt_lock.override = on;
ALTER EXTENSION attempt_lock DROP VIEW attempt;
DROP VIEW attempt;
RESET attempt_lock.override;
SET LOCAL transaction_read_only = on;
SELECT "check", status, detail FROM attempt_health() ORDER BY 1;
SELECT "check", status, detail FROM attempt_health(exact => true) WHERE status <> 'ok' ORDER BY 1;
SELECT "check", status, detail FROM attempt_health(check_role => 'postgres') WHERE "check" = 'privileges';
SELECT attempt_health_assert();
\echo SQLSTATE :SQLSTATE
ROLLBACK;

-- attempt_contract() and attempt_lock_drift() dropped under the override.
BEGIN;
SET LOCAL attempt_lock.override = on;
ALTER EXTENSION attempt_lock DROP FUNCTION attempt_contract();
DROP FUNCTION attempt_contract();
ALTER EXTENSION attempt_lock DROP FUNCTION attempt_lock_drift();
DROP FUNCTION attempt_lock_drift();
RESET attempt_lock.override;
SELECT "check", status, detail FROM attempt_health() WHERE status <> 'ok' ORDER BY 1;
ROLLBACK;

-- The baseline emptied (DML on the lock's own table; DELETE is not DDL): members and
-- definition fail (every object is unexpected, the baseline is missing).
BEGIN;
DELETE FROM attempt_lock_state;
SELECT "check", status, detail LIKE '%missing: table public.attempt_lock_state%' AS baseline_missing
FROM attempt_health() WHERE status <> 'ok' ORDER BY 1;
ROLLBACK;

-- A native function the view does not use (the source id is a uuid) detached and dropped
-- under the override, with the store's row function that calls it: the
-- known-answer self-test cannot run.
BEGIN;
SET LOCAL attempt_lock.override = on;
ALTER EXTENSION attempt_lock DROP FUNCTION attempt_id(text, text);
DROP FUNCTION attempt_id(text, text) CASCADE;
RESET attempt_lock.override;
SELECT "check", status, detail FROM attempt_health() WHERE status <> 'ok' ORDER BY 1;
ROLLBACK;

-- Odd arguments: no error.
SELECT count(*) AS checks FROM attempt_health(exact => NULL);
SELECT count(*) AS checks FROM attempt_health(sample_students => 0);
SELECT count(*) AS checks FROM attempt_health(sample_students => -1);
SELECT count(*) AS checks FROM attempt_health(freshness_warn => '-1 day', freshness_fail => '-1 day');
SELECT "check", status FROM attempt_health(freshness_warn => '-1 day', freshness_fail => NULL) WHERE "check" = 'freshness';
SELECT count(*) AS checks FROM attempt_health(check_role => '');

-- Broken source rows (every kind of bad input) do not make a check raise: they are
-- rejects (warn). (An infinite completed_at is in health_bugs.)
BEGIN;
INSERT INTO exam_results VALUES
  ('00000000-0000-0000-0000-0000000000f1', NULL, NULL, NULL, NULL, NULL),
  ('00000000-0000-0000-0000-0000000000f2', ' ', NULL, '-infinity', NULL, '{"questions": 5}'),
  ('00000000-0000-0000-0000-0000000000f3', 'x', NULL, '4714-11-24 00:00:00+00 BC', NULL,
   '{"questions": [{"question_id": 99999999999999999999}]}'),
  ('00000000-0000-0000-0000-0000000000f4', 'y', NULL, now(), NULL,
   '{"questions": [{"question_id": 1, "time_spent_sec": 1e300, "used_hints": -1, "topic": 1}, null, []]}'),
  ('00000000-0000-0000-0000-0000000000f5', 'z', NULL, '-infinity', NULL,
   '{"questions": [{"question_id": 2}]}');
SELECT "check", status FROM attempt_health() WHERE status <> 'ok' AND "check" <> 'statistics' ORDER BY 1;
SELECT "check", status, observed FROM attempt_health(exact => true) WHERE status <> 'ok' AND "check" <> 'statistics' ORDER BY 1;
ROLLBACK;

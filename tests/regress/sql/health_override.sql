-- attempt_health(): the override check. The override on in the session is fail; a use of
-- it since the last install/update is warn, even after the definitions were restored.
\i tests/regress/fixtures/health_setup.sql
SELECT "check", status, observed, expected, detail FROM attempt_health() WHERE "check" = 'override';

-- On in the session (not used yet): fail; reset: ok.
SET attempt_lock.override = on;
SELECT "check", status, observed, expected, detail FROM attempt_health() WHERE "check" = 'override';
SELECT * FROM health_problems();
SELECT * FROM health_problems(exact => true);
RESET attempt_lock.override;
SELECT * FROM health_problems();
-- Other spellings of on are the same setting.
BEGIN;
SET LOCAL attempt_lock.override = true;
SELECT "check", status FROM attempt_health() WHERE "check" = 'override';
SET LOCAL attempt_lock.override = 1;
SELECT "check", status FROM attempt_health() WHERE "check" = 'override';
SET LOCAL attempt_lock.override = off;
SELECT "check", status FROM attempt_health() WHERE "check" = 'override';
ROLLBACK;

-- A past use, committed: a definition changed and restored under the override.
SET attempt_lock.override = on;
ALTER FUNCTION attempt_id(text, text) COST 5;
SELECT * FROM health_problems();
ALTER FUNCTION attempt_id(text, text) COST 1;
RESET attempt_lock.override;
SELECT "check", status, observed, expected, detail FROM attempt_health() WHERE "check" = 'override';
SELECT * FROM health_problems();
SELECT * FROM health_problems(exact => true);
SELECT attempt_health_assert() AS warnings;

-- A use that was rolled back leaves no trace.
BEGIN;
SET LOCAL attempt_lock.override = on;
ALTER VIEW attempt SET (security_barrier = true);
ROLLBACK;
SELECT "check", status, observed FROM attempt_health() WHERE "check" = 'override';

-- Dropping and re-creating the extension is a new baseline (and a new, empty log).
DROP INDEX exam_results_student_idx;
DROP EXTENSION attempt_lock;
CREATE EXTENSION attempt_lock;
CREATE INDEX exam_results_student_idx ON exam_results (attempt_student_uuid(user_id));
SELECT "check", status, observed FROM attempt_health() WHERE "check" = 'override';
SELECT * FROM health_problems();
-- A use logged before the last install/update is history: counted, not a warning.
INSERT INTO attempt_lock_override_log (logged_at, command_tag, object_identity, query)
VALUES ('2000-01-01 00:00+00', 'ALTER VIEW', 'view public.attempt', 'ALTER VIEW attempt ...');
SELECT "check", status, observed FROM attempt_health() WHERE "check" = 'override';

-- attempt_health(): the lock_triggers check. A superuser can disarm the lock (disable an
-- event trigger, or session_replication_role = replica); attempt_health() reports it as
-- fail, and reports what was changed meanwhile (the definition check) as fail, even after
-- the lock is armed again.
\i tests/regress/fixtures/health_setup.sql
SELECT * FROM health_problems();

-- One event trigger disabled.
BEGIN;
ALTER EVENT TRIGGER attempt_lock_guard_objects DISABLE;
SELECT "check", status, observed, expected, detail FROM attempt_health() WHERE "check" = 'lock_triggers';
SELECT * FROM health_problems();
SELECT * FROM health_problems(exact => true);
ROLLBACK;

-- Every event trigger disabled, one by one; ENABLE REPLICA does not fire in a normal
-- session either; ENABLE ALWAYS does.
BEGIN;
ALTER EVENT TRIGGER attempt_lock_guard_functions DISABLE;
ALTER EVENT TRIGGER attempt_lock_guard_start ENABLE REPLICA;
ALTER EVENT TRIGGER attempt_lock_guard_drop ENABLE ALWAYS;
SELECT "check", status, observed, detail FROM attempt_health() WHERE "check" = 'lock_triggers';
ROLLBACK;

-- An event trigger dropped (detached from the extension first, under the override).
BEGIN;
SET LOCAL attempt_lock.override = on;
ALTER EXTENSION attempt_lock DROP EVENT TRIGGER attempt_lock_guard_drop;
DROP EVENT TRIGGER attempt_lock_guard_drop;
RESET attempt_lock.override;
SELECT "check", status, observed, detail FROM attempt_health() WHERE "check" = 'lock_triggers';
SELECT * FROM health_problems();
ROLLBACK;

-- Disarmed, the view is replaced without the override (nothing is logged), then the
-- trigger is enabled again: lock_triggers is ok again, the changed definition stays fail.
BEGIN;
ALTER EVENT TRIGGER attempt_lock_guard_objects DISABLE;
SELECT health_replace_attempt('q.hint_used,', 'NOT q.hint_used AS hint_used,');
SELECT * FROM health_problems();
ALTER EVENT TRIGGER attempt_lock_guard_objects ENABLE;
SELECT "check", status, detail FROM attempt_health() WHERE status <> 'ok' ORDER BY 1;
SELECT * FROM health_problems(exact => true);
SELECT count(*) AS override_log_rows FROM attempt_lock_override_log;
ROLLBACK;

-- session_replication_role = replica: event triggers do not fire in this session.
BEGIN;
SET LOCAL session_replication_role = replica;
SELECT "check", status, observed, detail FROM attempt_health() WHERE "check" = 'lock_triggers';
SELECT health_replace_attempt('q.correct,', 'NOT q.correct AS correct,');
SELECT * FROM health_problems();
SELECT * FROM health_problems(exact => true);
RESET session_replication_role;
SELECT "check", status, detail FROM attempt_health() WHERE status <> 'ok' ORDER BY 1;
ROLLBACK;

-- After the rollbacks: all ok again.
SELECT * FROM health_problems();
SELECT * FROM health_problems(exact => true);

-- What the lock cannot prevent is detected: event triggers never fire for ALTER EVENT
-- TRIGGER, so a superuser can disable the guards and then change a locked object.
-- attempt_lock_drift() (which attempt_health() reports) shows both the disabled trigger
-- and every change made meanwhile.
\i tests/regress/fixtures/lock_setup.sql

-- 1. ALTER EVENT TRIGGER ... DISABLE passes, and is reported while it lasts.
ALTER EVENT TRIGGER attempt_lock_guard_drop DISABLE;
SELECT kind, object_type, identity, status FROM attempt_lock_drift();
ALTER EVENT TRIGGER attempt_lock_guard_drop ENABLE;
SELECT kind, object_type, identity, status FROM attempt_lock_drift();

-- 2. Disable the guards, change the view and a function, detach a member, re-enable.
ALTER EVENT TRIGGER attempt_lock_guard_objects DISABLE;
ALTER EVENT TRIGGER attempt_lock_guard_functions DISABLE;
ALTER EVENT TRIGGER attempt_lock_guard_start DISABLE;
ALTER VIEW attempt RESET (security_invoker);
ALTER FUNCTION attempt_id(text, text) VOLATILE;
ALTER EXTENSION attempt_lock DROP VIEW attempt_rejects;
SELECT kind, object_type, identity, status FROM attempt_lock_drift();
ALTER EVENT TRIGGER attempt_lock_guard_objects ENABLE;
ALTER EVENT TRIGGER attempt_lock_guard_functions ENABLE;
ALTER EVENT TRIGGER attempt_lock_guard_start ENABLE;
-- With the triggers back the event triggers are no longer reported, the changes still are.
SELECT kind, object_type, identity, status FROM attempt_lock_drift();
-- The detail shows what was recorded and what is there now (here: the lines that differ).
SELECT d.identity, l.line
FROM attempt_lock_drift() d,
     regexp_split_to_table(d.detail, E'\n') WITH ORDINALITY AS l(line, n)
WHERE d.status = 'changed' AND l.line ~ '(-- reloptions:|PARALLEL SAFE)'
ORDER BY d.identity, l.n;
-- attempt_rejects is unchanged but no longer a member: "gone" from the fingerprint.
SELECT * FROM lock_views_as_recorded();
SELECT * FROM lock_fp_changed;
-- The lock is armed again: putting things back by hand is refused like any change.
ALTER VIEW attempt SET (security_invoker = true);

-- 3. session_replication_role = replica (superuser): event triggers do not fire either.
SET session_replication_role = replica;
ALTER FUNCTION attempt_student_uuid(text) COST 10;
RESET session_replication_role;
SELECT kind, object_type, identity, status FROM attempt_lock_drift() WHERE kind = 'function';

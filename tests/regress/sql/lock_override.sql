-- The emergency override: a superuser with attempt_lock.override = on passes the lock with
-- a WARNING and a row in attempt_lock_override_log, and attempt_lock_drift() reports it;
-- an ordinary role cannot set it (a superuser-only setting), and even a value it managed
-- to set has no effect.
\i tests/regress/fixtures/lock_setup.sql

-- 1. Superuser, in a session where the library is loaded (CREATE EXTENSION loaded it).
SET attempt_lock.override = on;
ALTER FUNCTION attempt_id(text, text) COST 5;
ALTER VIEW attempt SET (security_barrier = true);
RESET attempt_lock.override;
-- Without it, refused again.
ALTER FUNCTION attempt_id(text, text) COST 1;
\echo SQLSTATE :SQLSTATE
SELECT role_name, session_role, command_tag, object_identity, query
FROM attempt_lock_override_log ORDER BY command_tag, object_identity;
SELECT kind, object_type, identity, status FROM attempt_lock_drift();
SELECT * FROM lock_fp_changed;
-- Restoring the definitions (under the override again) clears their drift; the use of
-- the override stays reported until the next install or update.
SET attempt_lock.override = on;
ALTER FUNCTION attempt_id(text, text) COST 1;
ALTER VIEW attempt RESET (security_barrier);
RESET attempt_lock.override;
SELECT kind, object_type, identity, status, detail FROM attempt_lock_drift();
SELECT * FROM lock_views_as_recorded();
SELECT * FROM lock_fp_changed;
-- SET LOCAL in a transaction that rolls back: no log row is left.
BEGIN;
SET LOCAL attempt_lock.override = on;
ALTER VIEW attempt RENAME TO attempt_x;
ROLLBACK;
SHOW attempt_lock.override;
SELECT count(*) AS log_rows FROM attempt_lock_override_log;

-- 2. Superuser in a fresh session whose first statement is the SET (library not loaded).
\c - postgres
\set VERBOSITY default
\set SHOW_CONTEXT never
SET attempt_lock.override = on;
SHOW attempt_lock.override;
ALTER FUNCTION attempt_id(text, text) COST 7;
ALTER FUNCTION attempt_id(text, text) COST 1;
RESET attempt_lock.override;
SELECT count(*) AS log_rows FROM attempt_lock_override_log;

-- 3. An ordinary role. It may add triggers to attempt (TRIGGER privilege: GRANT is
-- allowed), so CREATE TRIGGER on attempt reaches the lock rather than an ownership check.
CREATE ROLE attempt_lock_test_ordinary LOGIN;
GRANT TRIGGER ON attempt TO attempt_lock_test_ordinary;
GRANT CREATE ON SCHEMA public TO attempt_lock_test_ordinary;
CREATE FUNCTION lock_noop_trigger() RETURNS trigger LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp AS $$ BEGIN RETURN NEW; END $$;
-- 3a. SET ROLE in a session where the library is loaded: the SET is refused.
SELECT attempt_id('a', 'b') IS NOT NULL AS library_loaded;
SET ROLE attempt_lock_test_ordinary;
SET attempt_lock.override = on;
\echo SQLSTATE :SQLSTATE
SHOW attempt_lock.override;
CREATE TRIGGER lock_t INSTEAD OF INSERT ON attempt
    FOR EACH ROW EXECUTE FUNCTION lock_noop_trigger();
\echo SQLSTATE :SQLSTATE
-- The log is for superusers only.
SELECT count(*) FROM attempt_lock_override_log;
RESET ROLE;

-- 3b. A fresh session of the ordinary role whose first statement is the SET, before the
-- library is loaded in that session: PostgreSQL accepts the SET as a placeholder (the
-- setting is only defined, superuser-only, when the library loads), but the lock also
-- requires a superuser, so it has no effect. When the library loads, PostgreSQL discards
-- the value with a WARNING.
\c - attempt_lock_test_ordinary
\set VERBOSITY default
\set SHOW_CONTEXT never
SET attempt_lock.override = on;
\echo SQLSTATE :SQLSTATE
SHOW attempt_lock.override;
CREATE TRIGGER lock_t INSTEAD OF INSERT ON attempt
    FOR EACH ROW EXECUTE FUNCTION lock_noop_trigger();
\echo SQLSTATE :SQLSTATE
-- Now load the library in this session (a native function).
SELECT attempt_id('a', 'b') IS NOT NULL AS library_loaded;
SHOW attempt_lock.override;
CREATE TRIGGER lock_t INSTEAD OF INSERT ON attempt
    FOR EACH ROW EXECUTE FUNCTION lock_noop_trigger();
\echo SQLSTATE :SQLSTATE

-- 3c. Even with SET granted on the parameter (rolled back), a non-superuser's override
-- has no effect.
\c - postgres
\set VERBOSITY default
\set SHOW_CONTEXT never
BEGIN;
GRANT SET ON PARAMETER attempt_lock.override TO attempt_lock_test_ordinary;
SET LOCAL ROLE attempt_lock_test_ordinary;
SET LOCAL attempt_lock.override = on;
SHOW attempt_lock.override;
CREATE TRIGGER lock_t INSTEAD OF INSERT ON attempt
    FOR EACH ROW EXECUTE FUNCTION lock_noop_trigger();
ROLLBACK;

-- Clean up the role; the ordinary role left nothing behind.
REVOKE ALL ON attempt FROM attempt_lock_test_ordinary;
REVOKE ALL ON SCHEMA public FROM attempt_lock_test_ordinary;
DROP ROLE attempt_lock_test_ordinary;
SELECT count(*) AS triggers_on_attempt FROM pg_trigger WHERE tgrelid = 'attempt'::regclass;
SELECT command_tag, object_identity, role_name FROM attempt_lock_override_log
ORDER BY command_tag, object_identity;
SELECT * FROM lock_views_as_recorded();
SELECT * FROM lock_fp_changed;
SELECT kind, object_type, identity, status FROM attempt_lock_drift();

-- The extension's membership is locked: ALTER EXTENSION attempt_lock DROP (detaching a
-- member, after which a plain DROP would pass) and ADD (adopting an outside object) are
-- refused with SQLSTATE 55000. The lock's own tables are members and locked as well.
\i tests/regress/fixtures/lock_setup.sql
CREATE VIEW lock_members AS
    SELECT pg_describe_object(classid, objid, 0) AS member FROM pg_depend
    WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
      AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'attempt_lock');
CREATE TABLE lock_members_install AS SELECT * FROM lock_members;

-- ALTER EXTENSION attempt_lock DROP VIEW.
ALTER EXTENSION attempt_lock DROP VIEW attempt;
\echo SQLSTATE :SQLSTATE
ALTER EXTENSION attempt_lock DROP VIEW attempt_rejects;
BEGIN;
ALTER EXTENSION attempt_lock DROP VIEW attempt;
ROLLBACK;
-- Still a member, so PostgreSQL still refuses a plain DROP VIEW (2BP01).
DROP VIEW attempt;
\echo SQLSTATE :SQLSTATE

-- ALTER EXTENSION attempt_lock DROP FUNCTION.
ALTER EXTENSION attempt_lock DROP FUNCTION attempt_id(text, text);
\echo SQLSTATE :SQLSTATE
ALTER EXTENSION attempt_lock DROP FUNCTION attempt_student_uuid(text);
ALTER EXTENSION attempt_lock DROP FUNCTION attempt_lock_guard_objects();
BEGIN;
ALTER EXTENSION attempt_lock DROP FUNCTION attempt_id(text, text);
ROLLBACK;

-- Other members: a lock table, an event trigger.
ALTER EXTENSION attempt_lock DROP TABLE attempt_lock_state;
ALTER EXTENSION attempt_lock DROP EVENT TRIGGER attempt_lock_guard_start;

-- ALTER EXTENSION attempt_lock ADD TABLE (and other outside objects).
CREATE TABLE lock_outside_t (a int);
CREATE FUNCTION lock_outside_f() RETURNS int LANGUAGE sql
    SET search_path = pg_catalog, pg_temp AS $$ SELECT 1 $$;
ALTER EXTENSION attempt_lock ADD TABLE lock_outside_t;
\echo SQLSTATE :SQLSTATE
ALTER EXTENSION attempt_lock ADD FUNCTION lock_outside_f();
ALTER EXTENSION attempt_lock ADD TABLE exam_results;
BEGIN;
ALTER EXTENSION attempt_lock ADD TABLE lock_outside_t;
ROLLBACK;

-- The lock's own tables: DDL on them is refused too.
ALTER TABLE attempt_lock_state RENAME TO lock_state2;
ALTER TABLE attempt_lock_override_log ADD COLUMN note text;
ALTER TABLE attempt_lock_override_log ALTER COLUMN query SET NOT NULL;
ALTER TABLE attempt_lock_state DROP CONSTRAINT attempt_lock_state_pkey;
CREATE INDEX ON attempt_lock_override_log (logged_at);
CREATE TABLE lock_state_child () INHERITS (attempt_lock_state);
CREATE FUNCTION lock_noop_trigger() RETURNS trigger LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER state_ins BEFORE INSERT ON attempt_lock_state
    FOR EACH ROW EXECUTE FUNCTION lock_noop_trigger();

-- After all of it: the membership, the views and the functions are as installed.
SELECT member FROM lock_members EXCEPT SELECT member FROM lock_members_install ORDER BY 1;
SELECT member FROM lock_members_install EXCEPT SELECT member FROM lock_members ORDER BY 1;
SELECT * FROM lock_views_as_recorded();
SELECT * FROM lock_fp_changed;
SELECT * FROM attempt_lock_drift();

-- The native ddl_command_start guard of release 1.1 (attempt_lock_guard_start_native):
-- decides from the parse tree and pg_depend, not from names in the query text.
\i tests/regress/fixtures/lock_setup.sql
SELECT extversion FROM pg_extension WHERE extname = 'attempt_lock';
SELECT p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'c') AS native, p.prosrc
FROM pg_proc AS p WHERE p.oid = 'attempt_lock_guard_start()'::regprocedure;
SELECT evtevent, 'ALTER EXTENSION' = ANY (evttags) AS fires_on_alter_extension
FROM pg_event_trigger WHERE evtname = 'attempt_lock_guard_start';

-- 1. DROP TABLE exam_results CASCADE: the cascade reaches the views (through their
-- _RETURN rules), so PostgreSQL would drop the whole extension. Refused, 55000.
DROP TABLE exam_results CASCADE;
\echo SQLSTATE :SQLSTATE
DROP TABLE IF EXISTS public.exam_results CASCADE;
\echo SQLSTATE :SQLSTATE
-- Without CASCADE PostgreSQL refuses by itself (2BP01).
DROP TABLE exam_results;
\echo SQLSTATE :SQLSTATE

-- 2. The same name in another schema is another object: allowed (1.0 refused it).
CREATE SCHEMA other_schema;
CREATE TABLE other_schema.exam_results (id int);
CREATE VIEW other_schema.exam_results_v AS SELECT id FROM other_schema.exam_results;
DROP TABLE other_schema.exam_results CASCADE;
\echo SQLSTATE :SQLSTATE
-- A comment or a string naming exam_results does not matter either.
CREATE TABLE lock_other (a int);
DROP TABLE lock_other /* exam_results */ CASCADE;
\echo SQLSTATE :SQLSTATE

-- 3. Dynamic SQL: current_query() is the DO block, the parse tree is the DROP. Refused.
DO $$ BEGIN EXECUTE 'DROP TABLE ' || 'exam_results' || ' CASCADE'; END $$;
\echo SQLSTATE :SQLSTATE
CREATE FUNCTION lock_drop_dynamic(t text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN EXECUTE format('DROP TABLE %I CASCADE', t); END $$;
SELECT lock_drop_dynamic('exam_results');
\echo SQLSTATE :SQLSTATE
DROP FUNCTION lock_drop_dynamic(text);

-- 4. Dropping a member: our 55000 instead of PostgreSQL's 2BP01, with or without CASCADE.
DROP FUNCTION attempt_id(text, text);
\echo SQLSTATE :SQLSTATE
DROP FUNCTION attempt_id(text, text) CASCADE;
\echo SQLSTATE :SQLSTATE
DROP VIEW attempt;
\echo SQLSTATE :SQLSTATE
DROP VIEW IF EXISTS attempt_rejects, lock_fp_changed;
\echo SQLSTATE :SQLSTATE
DROP TABLE attempt_lock_state;
\echo SQLSTATE :SQLSTATE
-- The wrong kind, or a missing object: PostgreSQL's own errors, unchanged.
DROP TABLE attempt;
\echo SQLSTATE :SQLSTATE
DROP VIEW no_such_view;
\echo SQLSTATE :SQLSTATE
DROP VIEW IF EXISTS no_such_view CASCADE;

-- 5. DROP SCHEMA public CASCADE: the extension lives in it. Refused.
DROP SCHEMA public CASCADE;
\echo SQLSTATE :SQLSTATE

-- 6. ALTER TABLE ... DROP COLUMN ... CASCADE: a column the views read is refused; a
-- column nothing of the extension depends on is allowed.
ALTER TABLE exam_results DROP COLUMN user_id CASCADE;
\echo SQLSTATE :SQLSTATE
ALTER TABLE exam_results DROP COLUMN user_id;
\echo SQLSTATE :SQLSTATE
ALTER TABLE exam_results ADD COLUMN lock_extra int;
CREATE VIEW lock_extra_v AS SELECT lock_extra FROM exam_results;
ALTER TABLE exam_results DROP COLUMN lock_extra CASCADE;
\echo SQLSTATE :SQLSTATE

-- 7. Other cascades that reach the extension.
DROP EXTENSION plpgsql CASCADE;
\echo SQLSTATE :SQLSTATE
CREATE ROLE attempt_lock_test_owner;
ALTER TABLE exam_results OWNER TO attempt_lock_test_owner;
DROP OWNED BY attempt_lock_test_owner CASCADE;
\echo SQLSTATE :SQLSTATE
-- Without CASCADE PostgreSQL refuses by itself.
DROP OWNED BY attempt_lock_test_owner;
\echo SQLSTATE :SQLSTATE
ALTER TABLE exam_results OWNER TO CURRENT_USER;
CREATE TABLE lock_owned (a int);
ALTER TABLE lock_owned OWNER TO attempt_lock_test_owner;
DROP OWNED BY attempt_lock_test_owner CASCADE;
\echo SQLSTATE :SQLSTATE
SELECT to_regclass('lock_owned') AS lock_owned;
DROP ROLE attempt_lock_test_owner;

-- 8. ALTER EXTENSION attempt_lock ADD / DROP: refused at ddl_command_start.
CREATE TABLE lock_add (a int);
ALTER EXTENSION attempt_lock ADD TABLE lock_add;
\echo SQLSTATE :SQLSTATE
ALTER EXTENSION attempt_lock DROP VIEW attempt_rejects;
\echo SQLSTATE :SQLSTATE
ALTER EXTENSION attempt_lock DROP FUNCTION attempt_id(text, text);
\echo SQLSTATE :SQLSTATE

-- 9. Unrelated DROP ... CASCADE still works.
CREATE SCHEMA lock_unrelated;
CREATE TABLE lock_unrelated.t (a int);
CREATE VIEW lock_unrelated.v AS SELECT a FROM lock_unrelated.t;
CREATE FUNCTION lock_unrelated.f() RETURNS int LANGUAGE sql AS 'SELECT 1';
DROP TABLE lock_unrelated.t CASCADE;
DROP SCHEMA lock_unrelated CASCADE;
CREATE TYPE lock_mood AS ENUM ('ok');
CREATE TABLE lock_typed (m lock_mood);
DROP TYPE lock_mood CASCADE;
DROP TABLE lock_typed, lock_add;
-- A view on attempt is not a member: dropping it is allowed, and so is dropping a
-- function built on the extension's functions.
CREATE VIEW lock_on_attempt AS SELECT id FROM attempt;
DROP VIEW lock_on_attempt CASCADE;

-- 10. Called other than as an event trigger: refused with 39P03.
CREATE FUNCTION lock_not_a_trigger() RETURNS void LANGUAGE c
    AS '$libdir/attempt_lock', 'attempt_lock_guard_start_native';
SELECT lock_not_a_trigger();
\echo SQLSTATE :SQLSTATE
DROP FUNCTION lock_not_a_trigger();

-- 11. The override. A superuser with attempt_lock.override = on passes with a WARNING
-- and a row in attempt_lock_override_log. ALTER EXTENSION ADD/DROP is logged once, by
-- the ddl_command_end guard.
SET attempt_lock.override = on;
CREATE TABLE lock_add2 (a int);
ALTER EXTENSION attempt_lock ADD TABLE lock_add2;
ALTER EXTENSION attempt_lock DROP TABLE lock_add2;
RESET attempt_lock.override;
SELECT role_name, command_tag, object_identity, query FROM attempt_lock_override_log
ORDER BY logged_at, command_tag;
DROP TABLE lock_add2;
-- A DROP ... CASCADE under the override drops the extension, and its log table with it:
-- the WARNING (also in the server log) is what remains. Here an observer trigger that
-- fires after the guard (event triggers fire in name order) sees the row; rolled back.
BEGIN;
CREATE FUNCTION lock_observe() RETURNS event_trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE NOTICE 'observer: % log row(s): %', (SELECT count(*) FROM public.attempt_lock_override_log),
        (SELECT string_agg(command_tag || ' / ' || object_identity, '; ') FROM public.attempt_lock_override_log);
END $$;
CREATE EVENT TRIGGER zz_lock_observe ON ddl_command_start WHEN TAG IN ('DROP TABLE')
    EXECUTE FUNCTION lock_observe();
SET LOCAL attempt_lock.override = on;
DROP TABLE exam_results CASCADE;
SELECT count(*) AS attempt_lock_installed FROM pg_extension WHERE extname = 'attempt_lock';
ROLLBACK;
SELECT count(*) AS attempt_lock_installed FROM pg_extension WHERE extname = 'attempt_lock';
SELECT count(*) AS log_rows FROM attempt_lock_override_log;
-- An ordinary role cannot set it, and a value it managed to set has no effect.
CREATE ROLE attempt_lock_test_ordinary LOGIN;
ALTER TABLE exam_results OWNER TO attempt_lock_test_ordinary;
SET ROLE attempt_lock_test_ordinary;
SET attempt_lock.override = on;
\echo SQLSTATE :SQLSTATE
DROP TABLE exam_results CASCADE;
\echo SQLSTATE :SQLSTATE
RESET ROLE;
BEGIN;
GRANT SET ON PARAMETER attempt_lock.override TO attempt_lock_test_ordinary;
SET LOCAL ROLE attempt_lock_test_ordinary;
SET LOCAL attempt_lock.override = on;
SHOW attempt_lock.override;
DROP TABLE exam_results CASCADE;
ROLLBACK;
ALTER TABLE exam_results OWNER TO CURRENT_USER;
DROP ROLE attempt_lock_test_ordinary;
SELECT count(*) AS log_rows FROM attempt_lock_override_log;

-- 12. After all of it: the extension, its views and its source are all there, unchanged.
SELECT count(*) AS exam_results_rows FROM exam_results;
SELECT count(*) AS attempt_rows FROM attempt;
SELECT * FROM lock_views_as_recorded();
SELECT * FROM lock_fp_changed;
SELECT kind, object_type, identity, status FROM attempt_lock_drift();

-- 13. ALTER EXTENSION attempt_lock UPDATE (already at the newest version) and
-- DROP EXTENSION attempt_lock pass.
ALTER EXTENSION attempt_lock UPDATE;
\echo SQLSTATE :SQLSTATE
DROP EXTENSION attempt_lock;
\echo SQLSTATE :SQLSTATE
SELECT count(*) AS attempt_lock_installed FROM pg_extension WHERE extname = 'attempt_lock';
DROP SCHEMA other_schema CASCADE;

-- The lock on the extension's functions: CREATE OR REPLACE FUNCTION and ALTER FUNCTION of
-- attempt_id (and the other members, the lock's own functions included) are refused with
-- SQLSTATE 55000; DROP FUNCTION is refused by PostgreSQL itself (2BP01).
\i tests/regress/fixtures/lock_setup.sql
CREATE ROLE attempt_lock_test_owner;

-- CREATE OR REPLACE FUNCTION attempt_id (both overloads) and attempt_student_uuid.
CREATE OR REPLACE FUNCTION attempt_id(a text, b text) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT 42::bigint $$;
\echo SQLSTATE :SQLSTATE
CREATE OR REPLACE FUNCTION attempt_id(a uuid, b bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT 42::bigint $$;
CREATE OR REPLACE FUNCTION attempt_student_uuid(u text) RETURNS uuid
LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT NULL::uuid $$;
-- Repointing the C function at another symbol of the library.
CREATE OR REPLACE FUNCTION attempt_id(a text, b text) RETURNS bigint
IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c
AS '$libdir/attempt_lock', 'attempt_id_uuid_bigint_wrapper';
BEGIN;
CREATE OR REPLACE FUNCTION attempt_id(a text, b text) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT 42::bigint $$;
SELECT 1 AS aborted;
ROLLBACK;
SELECT attempt_id('a', 'b') = 42 AS replaced;

-- ALTER FUNCTION attempt_id: rename, owner, volatility, and other attributes.
ALTER FUNCTION attempt_id(text, text) RENAME TO attempt_id_old;
\echo SQLSTATE :SQLSTATE
ALTER FUNCTION attempt_id(text, text) OWNER TO attempt_lock_test_owner;
\echo SQLSTATE :SQLSTATE
ALTER FUNCTION attempt_id(text, text) VOLATILE;
\echo SQLSTATE :SQLSTATE
ALTER FUNCTION attempt_id(uuid, bigint) STABLE;
ALTER FUNCTION attempt_id(uuid, bigint) PARALLEL UNSAFE;
ALTER FUNCTION attempt_student_uuid(text) SET search_path = public;
ALTER FUNCTION attempt_student_uuid(text) COST 1000;
ALTER ROUTINE attempt_id(text, text) CALLED ON NULL INPUT;
CREATE SCHEMA lock_elsewhere;
ALTER FUNCTION attempt_id(text, text) SET SCHEMA lock_elsewhere;
BEGIN;
ALTER FUNCTION attempt_id(text, text) RENAME TO attempt_id_old;
ROLLBACK;
BEGIN;
ALTER FUNCTION attempt_id(text, text) OWNER TO attempt_lock_test_owner;
ROLLBACK;
BEGIN;
ALTER FUNCTION attempt_id(text, text) VOLATILE;
ROLLBACK;
SELECT p.oid::regprocedure::text AS function, p.provolatile, p.proparallel, p.proisstrict,
       p.procost, p.proconfig, pg_get_userbyid(p.proowner) AS owner
FROM pg_proc p WHERE p.proname IN ('attempt_id', 'attempt_student_uuid') ORDER BY 1;

-- The lock's own functions are members too: replacing one cannot disarm the lock.
-- (attempt_lock_guard_objects fires first and already runs the new body, which says "override
-- active", so it raises an "override used" WARNING before attempt_lock_guard_functions
-- refuses the statement; only the refusal is asserted here.)
SET client_min_messages = error;
CREATE OR REPLACE FUNCTION attempt_lock_override_active() RETURNS boolean
LANGUAGE sql STABLE AS $$ SELECT true $$;
RESET client_min_messages;
CREATE OR REPLACE FUNCTION attempt_lock_refuse(p_tag text, p_object text, p_detail text)
RETURNS void LANGUAGE plpgsql AS $$ BEGIN END $$;
ALTER FUNCTION attempt_lock_guard_objects() RENAME TO lock_guard_renamed;
ALTER FUNCTION attempt_lock_drift() OWNER TO attempt_lock_test_owner;
-- The baseline can only be written by the install/update scripts.
SELECT attempt_lock_record_state();
\echo SQLSTATE :SQLSTATE

-- DROP FUNCTION attempt_id: PostgreSQL's own refusal, before any event trigger (2BP01).
DROP FUNCTION attempt_id(text, text);
\echo SQLSTATE :SQLSTATE
DROP FUNCTION attempt_id(uuid, bigint) CASCADE;
\echo SQLSTATE :SQLSTATE
DROP FUNCTION attempt_student_uuid(text);
BEGIN;
DROP FUNCTION attempt_id(text, text);
ROLLBACK;

DROP ROLE attempt_lock_test_owner;
-- After all of it: every function and view as installed, nothing drifted.
SELECT attempt_id('a', 'b') = 42 AS replaced;
SELECT count(*) AS attempt_rows FROM attempt;
SELECT * FROM lock_views_as_recorded();
SELECT * FROM lock_fp_changed;
SELECT * FROM attempt_lock_drift();

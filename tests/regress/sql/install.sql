-- CREATE EXTENSION checks the source table first: a clear error, and nothing installed.
\set VERBOSITY default
-- PostgreSQL 18 adds the failing script statement as CONTEXT; the message, DETAIL and HINT
-- are what is checked here.
\set SHOW_CONTEXT never
-- No exam_results at all.
CREATE EXTENSION attempt_lock;
SELECT count(*) AS leftovers FROM pg_proc WHERE proname LIKE 'attempt%';

-- A column of the wrong type.
BEGIN;
CREATE TABLE exam_results (id uuid, user_id text, session_id text,
    created_at timestamp, updated_at timestamptz, result_json jsonb);
CREATE EXTENSION attempt_lock;
ROLLBACK;

-- A missing column, and several problems at once (all listed in the DETAIL).
BEGIN;
CREATE TABLE exam_results (id uuid, session_id text, created_at timestamptz,
    updated_at timestamptz, result_json json);
CREATE EXTENSION attempt_lock;
ROLLBACK;

-- attempt_source_problems() lists the same problems without raising.
BEGIN;
CREATE TABLE exam_results (id uuid, user_id text, session_id text,
    created_at timestamptz, updated_at timestamptz, result_json jsonb);
CREATE EXTENSION attempt_lock;
SELECT * FROM attempt_source_problems('exam_results');
SELECT * FROM attempt_source_problems('no_such_table');
CREATE TABLE broken_results (id uuid, user_id text, created_at timestamptz,
    updated_at timestamptz, result_json text);
SELECT * FROM attempt_source_problems('broken_results');
ROLLBACK;

-- Accepted variants: bigint ids, varchar users, extra columns.
BEGIN;
CREATE TABLE exam_results (id bigint, user_id varchar(64), session_id text, score numeric,
    created_at timestamptz, updated_at timestamptz, result_json jsonb);
CREATE EXTENSION attempt_lock;
SELECT source_table FROM attempt_lock_config;
SELECT version, action, by_role FROM attempt_lock_history;
ROLLBACK;

-- A source table in another schema, named by attempt_lock.source_table.
BEGIN;
CREATE SCHEMA app;
CREATE TABLE app.exam_results (id uuid, user_id text, session_id text,
    created_at timestamptz, updated_at timestamptz, result_json jsonb);
SAVEPOINT default_source;
CREATE EXTENSION attempt_lock;
ROLLBACK TO default_source;
SET LOCAL attempt_lock.source_table = 'app.exam_results';
CREATE EXTENSION attempt_lock;
SELECT source_table FROM attempt_lock_config;
SELECT extnamespace::regnamespace AS schema, extrelocatable, extversion
  FROM pg_extension WHERE extname = 'attempt_lock';
ROLLBACK;

-- Every object the extension installs carries a COMMENT. (PostgreSQL 17 and later also
-- record each table's and view's row type, and its array type, as members: they are parts
-- of their relations, described by them, and left out here so every major counts alike.)
BEGIN;
\i tests/regress/fixtures/exam_results.sql
CREATE EXTENSION attempt_lock;
CREATE TEMP VIEW members AS
SELECT d.classid, d.objid
  FROM pg_depend d
 WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'attempt_lock')
   AND NOT EXISTS (SELECT FROM pg_type t JOIN pg_class r ON r.relkind <> 'c'
                     AND r.oid IN (t.typrelid, (SELECT e.typrelid FROM pg_type e WHERE e.oid = t.typelem))
                    WHERE d.classid = 'pg_type'::regclass AND t.oid = d.objid);
SELECT o.type, o.identity
  FROM members d, pg_identify_object(d.classid, d.objid, 0) o
 WHERE obj_description(d.objid, d.classid::regclass::name) IS NULL
 ORDER BY 1, 2;
SELECT count(*) AS members, count(obj_description(d.objid, d.classid::regclass::name)) AS commented
  FROM members d;
ROLLBACK;

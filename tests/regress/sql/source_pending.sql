-- Installed before its source table, as every restore of a pg_dump does (docs/SPEC.md §2):
-- with check_function_bodies off, CREATE EXTENSION installs pending views (the eleven
-- typed columns, no rows) that views and grants can be built on, health says pending, and
-- the install completes itself when the source is created: views, dependents and grants
-- kept. Outside a restore, a missing source is still a clear error.
\set VERBOSITY default
\set SHOW_CONTEXT never
CREATE EXTENSION attempt_lock;
\echo SQLSTATE :SQLSTATE

-- 1. The default source, created after the extension (a restore).
SET check_function_bodies = off;
CREATE EXTENSION attempt_lock;
RESET check_function_bodies;
SELECT count(*) AS config_rows FROM attempt_lock_config;
SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
 WHERE attrelid = 'attempt'::regclass AND attnum > 0 ORDER BY attnum;
SELECT count(*) AS attempt_rows FROM attempt;
SELECT "check", status, left(detail, 60) AS detail FROM attempt_health() WHERE status <> 'ok';
-- what a restore creates before the table's data: views on attempt, grants
CREATE ROLE pending_reader;
GRANT SELECT ON attempt TO pending_reader;
GRANT SELECT (exam_result_id, reason) ON attempt_rejects TO pending_reader;
CREATE VIEW daily AS SELECT completed_at::date AS day, count(*) AS attempts FROM attempt GROUP BY 1;
GRANT SELECT ON daily TO pending_reader;
CREATE VIEW reject_reasons AS SELECT exam_result_id, reason FROM attempt_rejects;
-- the table arrives (uuid id: the type the pending attempt_rejects guessed)
CREATE TABLE exam_results (id uuid PRIMARY KEY, user_id text, session_id text,
    created_at timestamptz, updated_at timestamptz, result_json jsonb);
SELECT source_table, source_name, attached FROM attempt_lock_config;
INSERT INTO exam_results VALUES
  ('00000000-0000-0000-0000-00000000000a', 'alice', 's1', '2026-03-01 10:00+00', NULL,
   '{"questions": [{"question_id": 1, "is_correct": true}, {"question_id": "x"}]}');
SELECT * FROM daily;
SELECT exam_result_id, reason FROM reject_reasons;
SELECT grantee, privilege_type FROM information_schema.role_table_grants
 WHERE table_name IN ('attempt', 'daily') AND grantee = 'pending_reader' ORDER BY 1, 2;
SELECT action, detail->>'was' AS was FROM attempt_lock_history ORDER BY at;
SELECT "check", status FROM attempt_health()
 WHERE "check" IN ('members', 'view', 'definition', 'column_contract', 'source_contract');
DROP VIEW daily, reject_reasons;
DROP EXTENSION attempt_lock;
DROP TABLE exam_results;

-- 2. A bigint id: attempt_rejects.exam_result_id takes the source id's type; the views
-- built on it are created again with it, their grants kept.
SET check_function_bodies = off;
CREATE EXTENSION attempt_lock;
RESET check_function_bodies;
CREATE VIEW reject_reasons AS SELECT exam_result_id, reason FROM attempt_rejects;
GRANT SELECT ON reject_reasons TO pending_reader;
CREATE VIEW reject_counts AS SELECT reason, count(*) FROM reject_reasons GROUP BY 1;
CREATE TABLE exam_results (id bigint PRIMARY KEY, user_id text, session_id text,
    created_at timestamptz, updated_at timestamptz, result_json jsonb);
INSERT INTO exam_results VALUES (42, 'alice', 's1', '2026-03-01 10:00+00', NULL, '{"questions": [{"question_id": "x"}]}');
SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod)
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
 WHERE c.relname IN ('attempt_rejects', 'reject_reasons') AND a.attname = 'exam_result_id' ORDER BY 1;
SELECT * FROM reject_reasons;
SELECT * FROM reject_counts;
SELECT has_table_privilege('pending_reader', 'reject_reasons', 'SELECT') AS reader_kept;
SELECT count(*) AS members_among_them FROM pg_depend d
 WHERE d.objid IN ('reject_reasons'::regclass, 'reject_counts'::regclass) AND d.deptype = 'e';
SELECT "check", status FROM attempt_health() WHERE "check" IN ('members', 'view', 'definition');
DROP VIEW reject_counts, reject_reasons;
DROP EXTENSION attempt_lock;
DROP TABLE exam_results;

-- 3. A chosen source: pg_dump keeps attempt_lock_config's row (extension data); its
-- arrival completes the install (here before the table's own CREATE would be seen).
CREATE SCHEMA app;
CREATE TABLE app.results (id uuid PRIMARY KEY, user_id text, session_id text,
    created_at timestamptz, updated_at timestamptz, result_json jsonb);
SET check_function_bodies = off;
CREATE EXTENSION attempt_lock;
RESET check_function_bodies;
SELECT count(*) AS config_rows FROM attempt_lock_config;
INSERT INTO attempt_lock_config (source_table, source_name) VALUES ('app.results', 'app.results');
SELECT source_table, attached FROM attempt_lock_config;
INSERT INTO app.results VALUES (gen_random_uuid(), 'bob', NULL, '2026-03-01 10:00+00', NULL, '{"questions": [{"question_id": 3}]}');
SELECT count(*) AS attempt_rows FROM attempt;
SELECT "check", status, observed FROM attempt_health() WHERE "check" = 'source_contract';
-- a default-named table created later is not taken for it
CREATE TABLE exam_results (id uuid, user_id text, session_id text,
    created_at timestamptz, updated_at timestamptz, result_json jsonb);
SELECT source_table FROM attempt_lock_config;
DROP TABLE exam_results;
DROP EXTENSION attempt_lock;

-- 4. Completed only by a superuser: a role that creates the table is told how.
SET check_function_bodies = off;
CREATE EXTENSION attempt_lock;
RESET check_function_bodies;
CREATE ROLE pending_app;
GRANT CREATE ON SCHEMA public TO pending_app;
SET ROLE pending_app;
CREATE TABLE exam_results (id uuid PRIMARY KEY, user_id text, session_id text,
    created_at timestamptz, updated_at timestamptz, result_json jsonb);
SELECT count(*) AS config_rows FROM attempt_lock_config;
SELECT attempt_source_attach();
RESET ROLE;
SELECT attempt_source_attach();
SELECT "check", status FROM attempt_health() WHERE "check" = 'source_contract';
DROP EXTENSION attempt_lock;
DROP TABLE exam_results;
REVOKE CREATE ON SCHEMA public FROM pending_app;
DROP ROLE pending_app, pending_reader;
DROP SCHEMA app CASCADE;

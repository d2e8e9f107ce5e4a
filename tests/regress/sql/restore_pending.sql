-- A restore's order by hand (scripts/reliability/restore.sh runs real ones): CREATE
-- EXTENSION with check_function_bodies off before its source exists, then the source,
-- its rows, the store's triggers and the row of attempt_lock_config, as pg_dump writes them.

-- 1. A non-default source, restored without naming it (pg_restore --schema-only, then
-- --data-only): the store's triggers come back before the row that names their table.
CREATE SCHEMA app;
SET check_function_bodies = off;
CREATE EXTENSION attempt_lock;
RESET check_function_bodies;
SELECT count(*) AS config_rows FROM attempt_lock_config;
CREATE TABLE app.results (id text PRIMARY KEY, user_id text, session_id text, created_at timestamptz,
                          updated_at timestamptz, result_json jsonb);
CREATE TRIGGER attempt_store_delete AFTER DELETE ON app.results REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public.attempt_store_sync();
ALTER TRIGGER attempt_store_delete ON app.results DEPENDS ON EXTENSION attempt_lock;
ALTER TABLE app.results ENABLE ALWAYS TRIGGER attempt_store_delete;
CREATE TRIGGER attempt_store_insert AFTER INSERT ON app.results REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.attempt_store_sync();
ALTER TRIGGER attempt_store_insert ON app.results DEPENDS ON EXTENSION attempt_lock;
ALTER TABLE app.results ENABLE ALWAYS TRIGGER attempt_store_insert;
CREATE TRIGGER attempt_store_truncate AFTER TRUNCATE ON app.results FOR EACH STATEMENT EXECUTE FUNCTION public.attempt_store_truncate();
ALTER TRIGGER attempt_store_truncate ON app.results DEPENDS ON EXTENSION attempt_lock;
ALTER TABLE app.results ENABLE ALWAYS TRIGGER attempt_store_truncate;
CREATE TRIGGER attempt_store_update AFTER UPDATE ON app.results REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.attempt_store_sync();
ALTER TRIGGER attempt_store_update ON app.results DEPENDS ON EXTENSION attempt_lock;
ALTER TABLE app.results ENABLE ALWAYS TRIGGER attempt_store_update;
-- The data pass: the source's rows load (the triggers write nothing: no store yet) ...
INSERT INTO app.results
SELECT 'R' || g, 'student-' || g % 5, NULL, timestamptz '2026-01-01 00:00+00' + g * interval '1 hour', NULL,
       jsonb_build_object('questions', jsonb_build_array(jsonb_build_object('question_id', g % 3, 'is_correct', true),
                                                         jsonb_build_object('question_id', 'x')))
  FROM generate_series(1, 20) g;
-- ... then pg_dump's row of attempt_lock_config: the views read app.results and the store
-- is built from its rows.
SET client_min_messages = warning;
INSERT INTO attempt_lock_config (singleton, source_table, source_name, attached, reenable_store)
VALUES (true, 'app.results', 'app.results', true, false);
RESET client_min_messages;
SELECT source_name, attached FROM attempt_lock_config;
SELECT enabled, backfill_results, triggers, stale_since FROM attempt_store_status();
SELECT count(*) AS attempts, count(DISTINCT attempt_no) AS numbers FROM attempt;
SELECT status FROM attempt_health(exact => true) WHERE "check" = 'store';
DROP EXTENSION attempt_lock;
DROP TABLE app.results;

-- 2. The source named in the restore's session (PGOPTIONS): the install completes when
-- that table is created, not with a public.exam_results created before it, so a view on
-- attempt_rejects that needs the source's id type restores.
\connect -reuse-previous=on "options='-c attempt_lock.source_table=app.results'"
SHOW attempt_lock.source_table;
SET check_function_bodies = off;
CREATE EXTENSION attempt_lock;
RESET check_function_bodies;
CREATE TABLE public.exam_results (id uuid PRIMARY KEY, user_id text, session_id text, created_at timestamptz,
                                  updated_at timestamptz, result_json jsonb);
SELECT count(*) AS config_rows FROM attempt_lock_config;
CREATE TABLE app.results (id bigint PRIMARY KEY, user_id text, session_id text, created_at timestamptz,
                          updated_at timestamptz, result_json jsonb);
SELECT source_name, attached FROM attempt_lock_config;
SELECT format_type(atttypid, atttypmod) AS exam_result_id_type FROM pg_attribute
 WHERE attrelid = 'attempt_rejects'::regclass AND attname = 'exam_result_id';
CREATE VIEW rejected_results AS
    SELECT r.id, count(*) AS rejects FROM attempt_rejects AS j JOIN app.results AS r ON r.id = j.exam_result_id GROUP BY 1;
INSERT INTO app.results VALUES (7, 'student-1', NULL, '2026-01-01 00:00+00', NULL, '{"questions": [{"question_id": 1}, {"question_id": "x"}]}');
SELECT * FROM rejected_results;
DROP VIEW rejected_results;
DROP EXTENSION attempt_lock;

-- DROP ... CASCADE of an object the extension depends on would drop the whole extension
-- (its own sql_drop and ddl_command_end triggers go with it): attempt_lock_guard_start
-- refuses it at ddl_command_start with SQLSTATE 55000.
\i tests/regress/fixtures/lock_setup.sql

-- Without CASCADE PostgreSQL refuses by itself (2BP01, dependent objects).
DROP TABLE exam_results;
\echo SQLSTATE :SQLSTATE

-- DROP TABLE exam_results CASCADE, and its spellings.
DROP TABLE exam_results CASCADE;
\echo SQLSTATE :SQLSTATE
DROP TABLE IF EXISTS public.exam_results CASCADE;
BEGIN;
DROP TABLE exam_results CASCADE;
SELECT 1 AS aborted;
ROLLBACK;

-- Other cascades that reach the extension.
ALTER TABLE exam_results DROP COLUMN result_json CASCADE;
DROP SCHEMA public CASCADE;
DROP EXTENSION plpgsql CASCADE;

-- Unrelated CASCADE drops still work.
CREATE TABLE lock_other (a int);
CREATE VIEW lock_other_v AS SELECT a FROM lock_other;
DROP TABLE lock_other CASCADE;

-- After all of it: the extension, its views and its source are all there, unchanged.
SELECT extname FROM pg_extension WHERE extname = 'attempt_lock';
SELECT count(*) AS exam_results_rows FROM exam_results;
SELECT count(*) AS attempt_rows FROM attempt;
SELECT * FROM lock_views_as_recorded();
SELECT * FROM lock_fp_changed;
SELECT * FROM attempt_lock_drift();

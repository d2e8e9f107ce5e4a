-- Changes to the source table (docs/OPERATIONS.md, "Changing the source table"): renaming
-- it or moving it to another schema is followed (attempt reads it by OID, health ok, rows
-- unchanged); renaming a column the view reads is refused with a HINT; a table swap is
-- reported in plain words and re-pointed by one command; a type change within the
-- contract is one transaction that keeps history, grants, dependent views and the store.
\set VERBOSITY default
\set SHOW_CONTEXT never
CREATE TABLE exam_results (id uuid PRIMARY KEY, user_id text, session_id text,
    created_at timestamptz, updated_at timestamptz, result_json jsonb);
INSERT INTO exam_results VALUES
  ('00000000-0000-0000-0000-00000000000a', 'alice', 's1', '2026-03-01 10:00+00', NULL,
   '{"questions": [{"question_id": 1, "is_correct": true}, {"question_id": 2}]}'),
  ('00000000-0000-0000-0000-00000000000b', 'bob', 's2', '2026-03-02 10:00+00', NULL,
   '{"questions": [{"question_id": 1}, {"question_id": "x"}]}');
CREATE EXTENSION attempt_lock;
CREATE ROLE changes_reader;
GRANT SELECT ON attempt, attempt_rejects TO changes_reader;
CREATE VIEW per_item AS SELECT item_id, count(*) AS attempts FROM attempt GROUP BY 1;
GRANT SELECT ON per_item TO changes_reader;
CREATE VIEW reject_ids AS SELECT exam_result_id, reason FROM attempt_rejects;
CREATE TEMP TABLE rows_before AS SELECT * FROM attempt;
CREATE FUNCTION pg_temp.same_rows() RETURNS bool LANGUAGE sql AS $$
  SELECT NOT EXISTS (SELECT * FROM attempt EXCEPT SELECT * FROM rows_before)
     AND NOT EXISTS (SELECT * FROM rows_before EXCEPT SELECT * FROM attempt) $$;
CREATE FUNCTION pg_temp.health() RETURNS TABLE ("check" text, status text, observed text, detail text)
LANGUAGE sql AS $$
  SELECT "check", status, observed, detail FROM attempt_health(freshness_warn => '100 years', freshness_fail => '100 years')
   WHERE status <> 'ok' AND "check" NOT IN ('recommended_index', 'statistics')
      OR "check" = 'source_contract' $$;

-- 1. Renaming the table: followed.
ALTER TABLE exam_results RENAME TO results_2026;
SELECT source_table, source_name FROM attempt_lock_config;
SELECT * FROM pg_temp.health();
SELECT pg_temp.same_rows();
-- a DBA who meant it records the new name: attach to the same table
BEGIN;
SELECT attempt_source_attach('results_2026');
SELECT source_table, source_name FROM attempt_lock_config;
ROLLBACK;
INSERT INTO results_2026 VALUES ('00000000-0000-0000-0000-00000000000c', 'carol', NULL, '2026-03-03 10:00+00', NULL,
   '{"questions": [{"question_id": 3}]}');
SELECT count(*) AS attempt_rows FROM attempt;
DELETE FROM results_2026 WHERE user_id = 'carol';

-- 2. Moving it to another schema, and back under its old name: followed.
CREATE SCHEMA archive;
ALTER TABLE results_2026 SET SCHEMA archive;
SELECT source_table, source_name FROM attempt_lock_config;
SELECT * FROM pg_temp.health();
SELECT pg_temp.same_rows();
ALTER TABLE archive.results_2026 SET SCHEMA public;
ALTER TABLE results_2026 RENAME TO exam_results;
SELECT * FROM pg_temp.health();

-- 3. Renaming a column the view reads: refused (the contract names it).
ALTER TABLE exam_results RENAME COLUMN user_id TO student;
\echo SQLSTATE :SQLSTATE
-- Other columns are the table's own business.
ALTER TABLE exam_results ADD COLUMN grader text;
ALTER TABLE exam_results RENAME COLUMN grader TO reviewer;
ALTER TABLE exam_results DROP COLUMN reviewer;

-- 4. A swap (rebuilding a bloated table): attempt keeps reading the old table, and health
-- says so in plain words; attach re-points it, history, grants and dependents kept.
BEGIN;
CREATE TABLE exam_results_new (LIKE exam_results INCLUDING ALL);
INSERT INTO exam_results_new SELECT * FROM exam_results;
ALTER TABLE exam_results RENAME TO exam_results_old;
ALTER TABLE exam_results_new RENAME TO exam_results;
COMMIT;
INSERT INTO exam_results VALUES ('00000000-0000-0000-0000-00000000000d', 'dave', NULL, '2026-03-04 10:00+00', NULL,
   '{"questions": [{"question_id": 4}]}');
SELECT count(*) AS attempt_rows FROM attempt;
SELECT * FROM pg_temp.health();
SELECT attempt_source_attach('public.exam_results');
SELECT count(*) AS attempt_rows FROM attempt;
SELECT * FROM pg_temp.health();
SELECT * FROM per_item ORDER BY 1;
SELECT has_table_privilege('changes_reader', 'attempt', 'SELECT') AS reader_on_attempt,
       has_table_privilege('changes_reader', 'per_item', 'SELECT') AS reader_on_per_item;
DROP TABLE exam_results_old;
DELETE FROM exam_results WHERE user_id = 'dave';

-- 5. A type change the contract allows: refused by PostgreSQL while views read the
-- column; detach, alter, attach in one transaction.
ALTER TABLE exam_results ALTER COLUMN user_id TYPE varchar(64);
SET client_min_messages = error;  -- the backfill's progress NOTICEs carry timings
SELECT attempt_store_enable() > 0 AS store_on;
RESET client_min_messages;
BEGIN;
SELECT attempt_source_detach();
ALTER TABLE exam_results ALTER COLUMN user_id TYPE varchar(64);
SET LOCAL client_min_messages = error;
SELECT attempt_source_attach();
COMMIT;
SELECT format_type(atttypid, atttypmod) AS user_id_type FROM pg_attribute
 WHERE attrelid = 'exam_results'::regclass AND attname = 'user_id';
SELECT pg_temp.same_rows();
SELECT enabled, stale_since IS NULL AS exact, triggers FROM attempt_store_status();
SELECT * FROM pg_temp.health();
SELECT * FROM per_item ORDER BY 1;
-- id from uuid to text: attempt_rejects.exam_result_id follows, and the view built on it
BEGIN;
SELECT attempt_source_detach();
ALTER TABLE exam_results ALTER COLUMN id TYPE text USING id::text;
SET LOCAL client_min_messages = error;
SELECT attempt_source_attach();
COMMIT;
SELECT c.relname, format_type(a.atttypid, a.atttypmod) AS exam_result_id_type
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
 WHERE c.relname IN ('attempt_rejects', 'reject_ids') AND a.attname = 'exam_result_id' ORDER BY 1;
SELECT * FROM reject_ids;
SELECT pg_temp.same_rows();
SELECT * FROM pg_temp.health();
SELECT has_table_privilege('changes_reader', 'attempt_rejects', 'SELECT') AS reader_on_rejects;
SELECT action, detail - 'source' - 'previous' AS detail FROM attempt_lock_history ORDER BY at;

SET client_min_messages = error;
DROP EXTENSION attempt_lock CASCADE;
DROP SCHEMA archive;
DROP ROLE changes_reader;

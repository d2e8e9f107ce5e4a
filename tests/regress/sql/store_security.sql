-- With the incremental store on, a role reads through attempt exactly what it could read
-- from exam_results: table and column privileges on the source are checked for every
-- query, row-level security on the source filters the store's rows as it filters the
-- on-the-fly view, and the store itself cannot be named by anyone but its owner.
\set VERBOSITY default
\set SHOW_CONTEXT never
SET client_min_messages = warning;
\i tests/regress/fixtures/exam_results.sql
INSERT INTO exam_results VALUES
  ('00000000-0000-0000-0000-00000000000a', 'alice', 's1', '2026-03-01 10:00+00', NULL,
   '{"questions": [{"question_id": 1, "is_correct": true}, {"question_id": 2}]}'),
  ('00000000-0000-0000-0000-00000000000b', 'bob', 's2', '2026-03-01 11:00+00', NULL,
   '{"questions": [{"question_id": 1, "is_correct": false}]}'),
  ('00000000-0000-0000-0000-00000000000c', 'alice', 's3', '2026-03-02 10:00+00', NULL,
   '{"questions": [{"question_id": 1}]}');
CREATE EXTENSION attempt_lock;
\set ECHO none
\set ECHO all
SET client_min_messages = error;  -- the backfill's progress NOTICEs carry timings
SELECT attempt_store_enable();
SET client_min_messages = warning;
-- on_the_fly(): the rows of the on-the-fly definition, read as the caller.
CREATE FUNCTION on_the_fly() RETURNS SETOF attempt LANGUAGE plpgsql AS $$
BEGIN RETURN QUERY EXECUTE attempt_view_query('computed'); END $$;

CREATE ROLE store_reader;
GRANT SELECT ON attempt TO store_reader;
-- No right on exam_results: refused, as with the on-the-fly view.
SET ROLE store_reader;
SELECT count(*) FROM attempt;
SELECT count(*) FROM attempt WHERE completed_at >= '2026-03-01'::timestamptz;
-- The store cannot be named.
SELECT count(*) FROM attempt_lock_store.attempt_store;
RESET ROLE;
-- Every source column the view reads is needed, result_json included.
GRANT SELECT (id, user_id, session_id, created_at, updated_at) ON exam_results TO store_reader;
SET ROLE store_reader;
SELECT count(*) FROM attempt;
RESET ROLE;
GRANT SELECT (result_json) ON exam_results TO store_reader;
SET ROLE store_reader;
SELECT count(*) FROM attempt;
RESET ROLE;

-- Row-level security on exam_results: the store's rows are filtered alike.
ALTER TABLE exam_results ENABLE ROW LEVEL SECURITY;
CREATE POLICY only_alice ON exam_results FOR SELECT TO store_reader USING (user_id = 'alice');
SET ROLE store_reader;
SELECT student_id = attempt_student_uuid('alice') AS is_alice, item_id, attempt_no FROM attempt ORDER BY 2, 3;
SELECT (SELECT count(*) FROM (SELECT * FROM attempt EXCEPT ALL SELECT * FROM on_the_fly()) AS a)
     + (SELECT count(*) FROM (SELECT * FROM on_the_fly() EXCEPT ALL SELECT * FROM attempt) AS b) AS differences;
-- A per-student lookup and a time window go through the same filter.
SELECT count(*) FROM attempt WHERE student_id = attempt_student_uuid('bob');
SELECT count(*) FROM attempt WHERE completed_at >= '2026-03-01'::timestamptz;
-- row_security = off refuses, as reading exam_results would.
SET row_security = off;
SELECT count(*) FROM attempt;
RESET row_security;
RESET ROLE;
-- The owner of exam_results (here a superuser) is not subject to its policies: all rows.
SELECT count(*) AS all_rows FROM attempt;

-- pg_read_all_data has USAGE on every schema, so its members can read the store
-- directly; the store's own policy still applies the source's row-level security.
CREATE ROLE store_reads_all IN ROLE pg_read_all_data;
CREATE POLICY only_bob ON exam_results FOR SELECT TO store_reads_all USING (user_id = 'bob');
SET ROLE store_reads_all;
SELECT count(*) AS direct_store_rows FROM attempt_lock_store.attempt_store;
SELECT count(*) AS attempt_rows FROM attempt;
SELECT count(*) AS student_lock_rows FROM attempt_lock_store.attempt_store_students;
RESET ROLE;

-- BYPASSRLS skips the policies on both tables alike, but not the privileges: refused.
CREATE ROLE store_bypass BYPASSRLS;
GRANT SELECT ON attempt TO store_bypass;
SET ROLE store_bypass;
SELECT count(*) FROM attempt;
RESET ROLE;

-- Writers need no right on the store: the triggers run as the extension's owner.
CREATE ROLE store_writer;
GRANT SELECT, INSERT, UPDATE, DELETE ON exam_results TO store_writer;
CREATE POLICY writer_all ON exam_results TO store_writer USING (true) WITH CHECK (true);
SET ROLE store_writer;
INSERT INTO exam_results VALUES ('00000000-0000-0000-0000-00000000000d', 'bob', 's4',
    '2026-03-03 10:00+00', NULL, '{"questions": [{"question_id": 1}]}');
UPDATE exam_results SET created_at = '2026-02-01 10:00+00' WHERE id = '00000000-0000-0000-0000-00000000000d';
DELETE FROM exam_results WHERE id = '00000000-0000-0000-0000-00000000000a';
RESET ROLE;
SELECT student_id = attempt_student_uuid('alice') AS is_alice, item_id, attempt_no, completed_at FROM attempt ORDER BY 1, 2, 3;
SELECT * FROM attempt_store_sync_problems(exact => true);

-- Grants that would expose or open the store are reported by the sync check.
GRANT USAGE ON SCHEMA attempt_lock_store TO store_reader;
GRANT INSERT ON attempt_lock_store.attempt_store TO store_writer;
SELECT problem, detail FROM attempt_store_sync_problems() ORDER BY 2;
REVOKE USAGE ON SCHEMA attempt_lock_store FROM store_reader;
REVOKE INSERT ON attempt_lock_store.attempt_store FROM store_writer;
SELECT * FROM attempt_store_sync_problems();

DROP POLICY only_alice ON exam_results;
DROP POLICY only_bob ON exam_results;
DROP POLICY writer_all ON exam_results;
DROP OWNED BY store_reader, store_reads_all, store_bypass, store_writer;
DROP ROLE store_reader, store_reads_all, store_bypass, store_writer;

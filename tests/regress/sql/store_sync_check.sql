-- attempt_store_sync_problems(), the store check of attempt_health(), finds hand-made
-- corruptions of the incremental store: changed, missing and extra rows (every row in
-- exact mode; the sampled students otherwise), a view that does not read the store,
-- row-level security turned off on it; and reports a store whose triggers were disabled
-- as stale (a warning: attempt computes its rows then, and they stay exact).
\set VERBOSITY default
\set SHOW_CONTEXT never
SET client_min_messages = warning;
\set results 200
\set questions 5
\set bad 3
\set ECHO none
\i scripts/sql/generate_exam_results.sql
\set ECHO all
CREATE EXTENSION attempt_lock;
CREATE INDEX exam_results_student_idx ON exam_results (attempt_student_uuid(user_id));
\set ECHO none
\set ECHO all
SET client_min_messages = error;  -- the backfill's progress NOTICEs carry timings
SELECT attempt_store_enable(50);
SET client_min_messages = warning;
CREATE FUNCTION on_the_fly_now() RETURNS SETOF attempt LANGUAGE plpgsql AS $$
BEGIN RETURN QUERY EXECUTE attempt_view_query('computed'); END $$;
SELECT * FROM attempt_store_sync_problems(exact => true);
SELECT * FROM attempt_store_sync_problems(exact => false, sample_students => 10);

-- A wrong attempt_no: one row differs (missing with its right value, extra with its wrong one).
BEGIN;
UPDATE attempt_lock_store.attempt_store SET answers[1] = answers[1] + 4  -- attempt_no + 1 (bits 2-32)
 WHERE exam_result_id = (SELECT exam_result_id FROM attempt_lock_store.attempt_store ORDER BY 1 LIMIT 1);
SELECT * FROM attempt_store_sync_problems(exact => true);
-- Sampled: found when the sample holds that student (here: every student).
SELECT * FROM attempt_store_sync_problems(exact => false, sample_students => 100000);
ROLLBACK;

-- A missing result (its rows) and an extra one.
BEGIN;
DELETE FROM attempt_lock_store.attempt_store
 WHERE exam_result_id = (SELECT exam_result_id FROM attempt_lock_store.attempt_store ORDER BY 1 LIMIT 1);
INSERT INTO attempt_lock_store.attempt_store
SELECT gen_random_uuid(), student_id, completed_at, session_id,
       (SELECT array_agg(i + 1) FROM unnest(attempt_ids) AS i), item_ids, answers, topic_ids
  FROM attempt_lock_store.attempt_store ORDER BY exam_result_id DESC LIMIT 1;
SELECT problem, row_count, severity FROM attempt_store_sync_problems(exact => true);
ROLLBACK;

-- A write that bypasses a disabled trigger: the event trigger marks the store stale at the
-- ALTER TABLE, attempt computes its rows (the write is in them), health warns.
BEGIN;
ALTER TABLE exam_results DISABLE TRIGGER attempt_store_update;
UPDATE exam_results SET created_at = created_at - interval '1 year'
 WHERE id = (SELECT id FROM exam_results ORDER BY id LIMIT 1);
SELECT problem, severity FROM attempt_store_sync_problems(exact => true);
SELECT (SELECT count(*) FROM (SELECT * FROM attempt EXCEPT ALL SELECT * FROM on_the_fly_now()) AS a)
     + (SELECT count(*) FROM (SELECT * FROM on_the_fly_now() EXCEPT ALL SELECT * FROM attempt) AS b) AS view_mismatches;
ROLLBACK;

-- ENABLE instead of ENABLE ALWAYS: a replica-role writer would bypass it; stale as well.
BEGIN;
ALTER TABLE exam_results ENABLE TRIGGER attempt_store_insert;
SELECT problem, severity FROM attempt_store_sync_problems();
ROLLBACK;

-- The view put back to the on-the-fly shape behind the switch's back.
BEGIN;
SET LOCAL attempt_lock.override = on;
DO $$ BEGIN
    EXECUTE 'CREATE OR REPLACE VIEW attempt WITH (security_invoker = true) AS ' || attempt_view_query('computed');
END $$;
SELECT * FROM attempt_store_sync_problems();
ROLLBACK;

-- Row-level security turned off on the store.
BEGIN;
SET LOCAL attempt_lock.override = on;
ALTER TABLE attempt_lock_store.attempt_store DISABLE ROW LEVEL SECURITY;
SELECT * FROM attempt_store_sync_problems();
ROLLBACK;

-- A monitoring role without any right on the store runs it (counts only).
CREATE ROLE store_monitor;
SET ROLE store_monitor;
SELECT * FROM attempt_store_sync_problems();
SELECT enabled, rows_estimate, backfill_rows FROM attempt_store_status();
RESET ROLE;
DROP ROLE store_monitor;

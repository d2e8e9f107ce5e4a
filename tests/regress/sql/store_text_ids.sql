-- needs: icu
-- The incremental store with a text id in an ICU collation, whose order differs from the
-- "C" order of the view's tie-break: random statements, compared with the on-the-fly
-- definition after every round.
\set VERBOSITY default
\set SHOW_CONTEXT never
SET client_min_messages = warning;
CREATE TABLE exam_results (
    id text COLLATE "und-x-icu" PRIMARY KEY,
    user_id text,
    session_id text,
    created_at timestamptz,
    updated_at timestamptz,
    result_json jsonb
);
CREATE EXTENSION attempt_lock;
\set ECHO none
\i tests/regress/fixtures/store_workload.sql
\set ECHO all
SELECT setseed(0.7);
SELECT sum(statements) AS statements_before FROM store_test.random_ops(120, 'text');
SET client_min_messages = error;  -- the backfill's progress NOTICEs carry timings
CREATE TEMP TABLE on_the_fly AS SELECT * FROM attempt;
SELECT attempt_store_enable(5) AS stored;
SELECT count(*) AS attempt_rows FROM on_the_fly;
SET client_min_messages = warning;
SELECT enabled, rows_estimate, backfill_rows FROM attempt_store_status();
SELECT store_test.mismatches() AS mismatches_after_backfill;
SELECT format_type(atttypid, atttypmod) AS store_key_type, attcollation::regcollation AS store_key_collation
  FROM pg_attribute WHERE attrelid = 'attempt_lock_store.attempt_store'::regclass AND attname = 'exam_result_id';
SELECT kinds_run >= 12 AS most_kinds_ran, statements, checks, mismatches, numbering_problems
  FROM store_test.rounds(25, 60, 'text');
SELECT * FROM attempt_store_sync_problems(exact => true);

-- The incremental store returns exactly the rows of the on-the-fly
-- definition after long random sequences of inserts (single and multi-row, with ties),
-- updates (completed_at earlier and later, user_id, result_json edited, elements removed,
-- session_id, id), deletes and truncates: compared after every round, EXCEPT ALL both
-- ways, and at the end with the independent procedural reference.
\set VERBOSITY default
\set SHOW_CONTEXT never
SET client_min_messages = warning;
\i tests/regress/fixtures/exam_results.sql
CREATE EXTENSION attempt_lock;
\set ECHO none
\i tests/regress/fixtures/store_workload.sql
\i tests/regress/fixtures/reference_attempt.sql
\set ECHO all
SELECT setseed(0.2026);
-- History before the switch: the backfill path (batches of 7 results).
SELECT sum(statements) AS statements_before FROM store_test.random_ops(150, 'uuid');
SELECT count(*) AS attempt_rows_on_the_fly FROM attempt;
SET client_min_messages = error;  -- the backfill's progress NOTICEs carry timings
CREATE TEMP TABLE on_the_fly AS SELECT * FROM attempt;
SELECT attempt_store_enable(7) AS stored;
SELECT count(*) AS attempt_rows FROM on_the_fly;
SET client_min_messages = warning;
SELECT enabled, rows_estimate, backfill_rows FROM attempt_store_status();
SELECT store_test.mismatches() AS mismatches_after_backfill;
-- 30 rounds of 60 statements, every kind of statement; mismatches counted after each.
SELECT * FROM store_test.rounds(30, 60, 'uuid');
-- The independent reference (tests/regress/fixtures/reference_attempt.sql).
SELECT (SELECT count(*) FROM (SELECT * FROM attempt EXCEPT ALL SELECT * FROM ref.attempt_rows()) AS a)
     + (SELECT count(*) FROM (SELECT * FROM ref.attempt_rows() EXCEPT ALL SELECT * FROM attempt) AS b)
       AS mismatches_with_reference;
-- The sync check agrees: nothing to report, in both modes.
SELECT * FROM attempt_store_sync_problems(exact => true);
SELECT * FROM attempt_store_sync_problems(exact => false, sample_students => 1000);
-- The same statements inside one transaction that rolls back leave the store as it was.
CREATE TEMP TABLE before AS SELECT * FROM attempt;
BEGIN;
SELECT sum(statements) > 0 AS ran FROM store_test.random_ops(40, 'uuid');
ROLLBACK;
SELECT (SELECT count(*) FROM (SELECT * FROM attempt EXCEPT ALL SELECT * FROM before) AS a)
     + (SELECT count(*) FROM (SELECT * FROM before EXCEPT ALL SELECT * FROM attempt) AS b) AS changed_by_rollback;
-- COPY goes through the same triggers.
COPY exam_results (id, user_id, session_id, created_at, updated_at, result_json) FROM stdin;
00000000-0000-0000-0000-0000000c0001	alice	copy	2026-03-01 09:00:00+00	\N	{"questions": [{"question_id": 1}, {"question_id": 2}]}
00000000-0000-0000-0000-0000000c0002	alice	copy	2026-03-01 09:00:00+00	\N	{"questions": [{"question_id": 1}]}
\.
SELECT store_test.mismatches() AS mismatches_after_copy, store_test.numbering_problems() AS numbering_problems;

-- The store's hot writes bypass SPI (src/store/heap.rs): the new result's row, the
-- student's lock and the student's row. They must keep every index of the store's tables
-- exact (amcheck finds each heap row in each index), and give way to SPI when a table is
-- not as the switch made it: an index added by a DBA, with a predicate or an
-- expression, is then kept as well.
\set VERBOSITY default
\set SHOW_CONTEXT never
-- Errors only: the override's WARNINGs name members that differ between majors.
SET client_min_messages = error;
\i tests/regress/fixtures/exam_results.sql
CREATE EXTENSION amcheck;
CREATE EXTENSION attempt_lock;
CREATE FUNCTION results(first int, last int, students int, moved interval DEFAULT '0') RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    -- One result per statement: a known student takes the direct lock, a new one SPI's.
    FOR g IN first..last LOOP
        INSERT INTO exam_results VALUES
          (md5('r' || g)::uuid, 'student-' || (g % students), 's', '2026-03-01'::timestamptz + g * interval '1 hour' + moved, NULL,
           jsonb_build_object('questions', jsonb_build_array(
               jsonb_build_object('question_id', g % 5, 'is_correct', g % 2 = 0, 'topic', 'algebra'),
               jsonb_build_object('question_id', 100 + g % 3, 'time_spent_sec', g))));
    END LOOP;
END $$;
SELECT results(1, 20, 7);
SELECT attempt_store_enable() AS stored;
CREATE FUNCTION store_indexes_ok() RETURNS TABLE (index_name name, checked boolean)
LANGUAGE sql AS $$
    SELECT c.relname, (SELECT count(*) = 1 FROM (SELECT bt_index_check(c.oid, true)) AS c)
      FROM pg_index AS i JOIN pg_class AS c ON c.oid = i.indexrelid
     WHERE i.indrelid IN ('attempt_lock_store.attempt_store'::regclass, 'attempt_lock_store.attempt_store_students'::regclass)
     ORDER BY 1
$$;

-- Appends of known and new students, several results in one statement, regrades that
-- move a result after its student's others, deletes.
SELECT results(21, 120, 9);
INSERT INTO exam_results
SELECT md5('m' || g)::uuid, 'student-' || (g % 4), 's', '2026-04-01'::timestamptz + g * interval '1 minute', NULL,
       jsonb_build_object('questions', jsonb_build_array(jsonb_build_object('question_id', g % 5)))
  FROM generate_series(1, 30) AS g;
UPDATE exam_results SET updated_at = created_at + interval '60 days',
       result_json = jsonb_set(result_json, '{questions,0,is_correct}', 'true')
 WHERE id IN (SELECT md5('r' || g)::uuid FROM generate_series(5, 100, 11) AS g);
DELETE FROM exam_results WHERE id IN (md5('r7')::uuid, md5('m3')::uuid);
SELECT count(*) AS sync_problems FROM attempt_store_sync_problems(exact => true);
SELECT * FROM store_indexes_ok();
SELECT count(*) AS students, min(version) > 1 AS every_student_saved_again FROM attempt_lock_store.attempt_store_students;

-- A regrade that keeps its result's place and items (only result_json's answers change)
-- rewrites that result's row alone, in place, with the numbers it had, and reads nothing
-- after it (a change that renumbers deletes the old row, inserts the new and rewrites
-- what follows). The same items in another order keep their numbers by item; a changed
-- item renumbers what follows, as before.
CREATE FUNCTION store_counts() RETURNS TABLE (inserted bigint, updated bigint, deleted bigint)
LANGUAGE sql AS $$
    SELECT pg_stat_get_xact_tuples_inserted(s), pg_stat_get_xact_tuples_updated(s), pg_stat_get_xact_tuples_deleted(s)
      FROM CAST('attempt_lock_store.attempt_store' AS regclass) AS s
$$;
CREATE TEMP TABLE counts_before AS SELECT * FROM store_counts() WITH NO DATA;
-- What the store's triggers did since the transaction's first call (its counts are the
-- transaction's own until it ends).
CREATE FUNCTION store_writes() RETURNS TABLE (inserted bigint, updated bigint, deleted bigint)
LANGUAGE sql AS $$
    SELECT n.inserted - b.inserted, n.updated - b.updated, n.deleted - b.deleted
      FROM store_counts() AS n, counts_before AS b
$$;
BEGIN;
INSERT INTO counts_before SELECT * FROM store_counts();
UPDATE exam_results SET result_json = jsonb_set(result_json, '{questions,0,is_correct}', 'false') WHERE id = md5('r30')::uuid;
SELECT * FROM store_writes();
ROLLBACK;
UPDATE exam_results SET result_json = jsonb_set(result_json, '{questions,0,is_correct}', 'false') WHERE id = md5('r30')::uuid;
BEGIN;
INSERT INTO counts_before SELECT * FROM store_counts();
UPDATE exam_results SET result_json = jsonb_build_object('questions', jsonb_build_array(result_json->'questions'->1, result_json->'questions'->0))
 WHERE id = md5('r39')::uuid;
SELECT * FROM store_writes();
COMMIT;
SELECT count(*) AS sync_problems FROM attempt_store_sync_problems(exact => true);
TRUNCATE counts_before;
BEGIN;
INSERT INTO counts_before SELECT * FROM store_counts();
UPDATE exam_results SET result_json = jsonb_set(result_json, '{questions,0,question_id}', '4242') WHERE id = md5('r48')::uuid;
SELECT inserted, updated > 0 AS later_renumbered, deleted FROM store_writes();
COMMIT;
SELECT count(*) AS sync_problems FROM attempt_store_sync_problems(exact => true);

-- A DBA's indexes on the store (under the override: the store is the extension's) send
-- its writes through SPI, which keeps them too; so does a CHECK constraint.
SET attempt_lock.override = on;
CREATE INDEX store_recent ON attempt_lock_store.attempt_store (completed_at) WHERE completed_at > '2026-03-05';
CREATE INDEX students_late ON attempt_lock_store.attempt_store_students ((version + 1));
RESET attempt_lock.override;
SELECT results(121, 180, 11, '2 days');
UPDATE exam_results SET updated_at = created_at + interval '90 days' WHERE id = md5('r130')::uuid;
UPDATE exam_results SET result_json = jsonb_set(result_json, '{questions,1,is_correct}', 'true') WHERE id = md5('r140')::uuid;
SELECT count(*) AS sync_problems FROM attempt_store_sync_problems(exact => true);
SELECT * FROM store_indexes_ok();
SET enable_seqscan = off;
SELECT count(*) AS recent_by_index FROM attempt_lock_store.attempt_store WHERE completed_at > '2026-03-05';
RESET enable_seqscan;
SELECT count(*) AS recent_by_scan FROM attempt_lock_store.attempt_store WHERE completed_at > '2026-03-05';
SET attempt_lock.override = on;
DROP INDEX attempt_lock_store.store_recent, attempt_lock_store.students_late;
-- A DBA's CHECK constraint is checked too (the write goes through SPI).
ALTER TABLE attempt_lock_store.attempt_store ADD CONSTRAINT before_2027 CHECK (completed_at < '2027-01-01');
RESET attempt_lock.override;
\set VERBOSITY terse
SELECT results(182, 182, 11, '300 days');
\set VERBOSITY default
SET attempt_lock.override = on;
ALTER TABLE attempt_lock_store.attempt_store DROP CONSTRAINT before_2027;
RESET attempt_lock.override;

-- A REPEATABLE READ writer whose student was saved after its snapshot fails with 40001,
-- as SELECT ... FOR UPDATE would (the direct lock included).
SELECT results(181, 181, 11);
\set VERBOSITY terse
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT count(*) > 0 AS snapshot_taken FROM attempt_lock_store.attempt_store_students;
\setenv PGDATABASE :DBNAME
\! psql -X -q -c "SELECT results(192, 192, 11)" >/dev/null
SELECT results(203, 203, 11);
ROLLBACK;
\set VERBOSITY default
SELECT count(*) AS sync_problems FROM attempt_store_sync_problems(exact => true);

-- The views equal a pure-SQL reference implementation of the contract
-- (tests/regress/fixtures/reference_attempt.sql, written another way) on a deterministic
-- hostile dataset (tests/regress/fixtures/hostile_exam_results.sql): ties, retakes,
-- duplicates within a result, NULL and blank users, missing arrays, non-object elements,
-- out-of-range numbers and random JSON of every shape. Every result below is a count that
-- is 0 or fixed by the dataset's seed.
SET client_min_messages = warning;
\set ECHO none
\set QUIET on
\i tests/regress/fixtures/hostile_exam_results.sql
CREATE EXTENSION attempt_lock;
CREATE INDEX exam_results_student_idx ON exam_results (attempt_student_uuid(user_id));
ANALYZE exam_results;
\i tests/regress/fixtures/reference_attempt.sql
\set QUIET off
\set ECHO all

CREATE TEMP TABLE got_attempt AS SELECT * FROM attempt;
CREATE TEMP TABLE got_rejects AS SELECT * FROM attempt_rejects;
CREATE TEMP TABLE ref_attempt AS SELECT * FROM ref.attempt_rows();
CREATE TEMP TABLE ref_rejects AS SELECT * FROM ref.reject_rows();

-- Elements of every questions array, with their parsed question_id (reference parser).
CREATE TEMP TABLE elements AS
SELECT er.id AS exam_result_id, (a.n - 1)::int AS "position", a.e,
       (ref.question_id(a.e)).item AS item
FROM public.exam_results er
CROSS JOIN LATERAL jsonb_array_elements(
    CASE WHEN jsonb_typeof(er.result_json -> 'questions') = 'array'
         THEN er.result_json -> 'questions' END) WITH ORDINALITY AS a(e, n);

-- Sizes (fixed by the seed).
SELECT (SELECT count(*) FROM public.exam_results) AS results,
       (SELECT count(*) FROM elements) AS elements,
       (SELECT count(*) FROM got_attempt) AS attempts,
       (SELECT count(*) FROM got_rejects WHERE action = 'dropped') AS dropped,
       (SELECT count(*) FROM got_rejects WHERE action = 'defaulted') AS defaulted;

-- The views equal the reference, as multisets, both ways.
SELECT (SELECT count(*) FROM (SELECT * FROM got_attempt EXCEPT ALL SELECT * FROM ref_attempt) d) AS attempt_not_in_ref,
       (SELECT count(*) FROM (SELECT * FROM ref_attempt EXCEPT ALL SELECT * FROM got_attempt) d) AS ref_not_in_attempt,
       (SELECT count(*) FROM (SELECT * FROM got_rejects EXCEPT ALL SELECT * FROM ref_rejects) d) AS rejects_not_in_ref,
       (SELECT count(*) FROM (SELECT * FROM ref_rejects EXCEPT ALL SELECT * FROM got_rejects) d) AS ref_not_in_rejects;

-- Accounting: every element is exactly one attempt row or exactly one dropped row.
WITH dropped AS (
    SELECT exam_result_id, "position" FROM got_rejects
    WHERE action = 'dropped' AND "position" IS NOT NULL),
kept AS (
    SELECT e.* FROM elements e
    WHERE NOT EXISTS (SELECT 1 FROM dropped d
                      WHERE d.exam_result_id = e.exam_result_id AND d."position" = e."position"))
SELECT (SELECT count(*) - count(DISTINCT (exam_result_id, "position")) FROM dropped) AS dropped_twice,
       (SELECT count(*) FROM dropped d WHERE NOT EXISTS (
            SELECT 1 FROM elements e
            WHERE e.exam_result_id = d.exam_result_id AND e."position" = d."position")) AS dropped_not_an_element,
       (SELECT count(*) FROM elements) - (SELECT count(*) FROM dropped)
         - (SELECT count(*) FROM got_attempt) AS unaccounted,
       (SELECT count(*) FROM (SELECT attempt_id(exam_result_id::text, item::text) FROM kept
                              EXCEPT ALL SELECT id FROM got_attempt) d) AS kept_not_in_attempt,
       (SELECT count(*) FROM (SELECT id FROM got_attempt EXCEPT ALL
                              SELECT attempt_id(exam_result_id::text, item::text) FROM kept) d) AS attempt_not_kept,
       (SELECT count(*) FROM got_rejects g WHERE action = 'defaulted' AND EXISTS (
            SELECT 1 FROM dropped d
            WHERE d.exam_result_id = g.exam_result_id AND d."position" = g."position")) AS defaulted_on_dropped,
       (SELECT count(*) FROM public.exam_results er
        WHERE (jsonb_typeof(er.result_json -> 'questions') IS DISTINCT FROM 'array')
              <> EXISTS (SELECT 1 FROM got_rejects g
                         WHERE g.exam_result_id = er.id AND g.field = 'questions')) AS questions_rows_wrong;

-- Contract invariants of attempt.
SELECT count(*) FILTER (WHERE id IS NULL OR student_id IS NULL OR item_id IS NULL OR correct IS NULL
                          OR response_time_ms IS NULL OR hint_used IS NULL OR completed_at IS NULL
                          OR started_at IS NULL OR attempt_no IS NULL) AS null_in_not_null_columns,
       count(*) - count(DISTINCT id) AS duplicate_ids,
       count(*) FILTER (WHERE topic_id = '') AS empty_topics,
       count(*) FILTER (WHERE started_at > completed_at) AS started_after_completed
FROM got_attempt;

SELECT count(*) AS attempt_no_not_dense
FROM (SELECT student_id, item_id FROM got_attempt GROUP BY student_id, item_id
      HAVING min(attempt_no) <> 1 OR max(attempt_no) <> count(*)
          OR count(DISTINCT attempt_no) <> count(*)) s;

-- A qual on student_id (pushed below the window) returns the same rows as filtering
-- the whole view.
SELECT count(*) AS pushdown_mismatches FROM (
    (SELECT a.* FROM (SELECT DISTINCT student_id FROM got_attempt) s
     CROSS JOIN LATERAL (SELECT * FROM attempt WHERE attempt.student_id = s.student_id) a
     EXCEPT ALL SELECT * FROM got_attempt)
    UNION ALL
    (SELECT * FROM got_attempt EXCEPT ALL
     SELECT a.* FROM (SELECT DISTINCT student_id FROM got_attempt) s
     CROSS JOIN LATERAL (SELECT * FROM attempt WHERE attempt.student_id = s.student_id) a)) d;

-- Coverage: which rules the data exercised.
SELECT action, field, reason, count(*) FROM got_rejects GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;

-- The column contract.
SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
WHERE attrelid = 'attempt'::regclass AND attnum > 0 ORDER BY attnum;
SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
WHERE attrelid = 'attempt_rejects'::regclass AND attnum > 0 ORDER BY attnum;

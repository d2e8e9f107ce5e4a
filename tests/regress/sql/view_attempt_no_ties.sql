-- attempt_no when results tie on (completed_at, id): the view numbers results,
-- not attempts, and only inside such a peer group does the element's position decide,
-- item by item (SPEC.md section 3). Compared with the contract's own formula, a
-- ROW_NUMBER over attempts, on a source whose ids repeat (no primary key).
\set VERBOSITY default
BEGIN;
CREATE TABLE exam_results (id text, user_id text, session_id text,
    created_at timestamptz, updated_at timestamptz, result_json jsonb);
INSERT INTO exam_results VALUES
  -- student-1: an earlier result, then three results sharing id and completed_at with
  -- items at different positions (item 7 at 3 and 1; item 8 at 0, 2 and 1), then a later one.
  ('r0', 'student-1', NULL, '2026-03-01 09:00+00', NULL, '{"questions": [{"question_id": 7, "time_spent_sec": 1}, {"question_id": 9, "time_spent_sec": 2}]}'),
  ('r1', 'student-1', NULL, '2026-03-01 10:00+00', NULL,
   '{"questions": [{"question_id": 8, "time_spent_sec": 3}, {"question_id": 1, "time_spent_sec": 4}, {"question_id": 2, "time_spent_sec": 5}, {"question_id": 7, "time_spent_sec": 6}]}'),
  ('r1', 'student-1', NULL, '2026-03-01 10:00+00', NULL,
   '{"questions": [{"question_id": 3, "time_spent_sec": 7}, {"question_id": 7, "time_spent_sec": 8}, {"question_id": 8, "time_spent_sec": 9}]}'),
  ('r1', 'student-1', NULL, '2026-03-01 10:00+00', NULL,
   '{"questions": [{"question_id": 4, "time_spent_sec": 10}, {"question_id": 8, "time_spent_sec": 11}, {"question_id": "x", "time_spent_sec": 12}, {"question_id": 9, "time_spent_sec": 13}]}'),
  ('r2', 'student-1', NULL, '2026-03-01 10:00+00', NULL, '{"questions": [{"question_id": 7, "time_spent_sec": 14}, {"question_id": 8, "time_spent_sec": 15}]}'),
  ('r3', 'student-1', NULL, '2026-03-01 11:00+00', NULL, '{"questions": [{"question_id": 7, "time_spent_sec": 16}, {"question_id": 8, "time_spent_sec": 17}, {"question_id": 9, "time_spent_sec": 18}]}'),
  -- student-2 shares the tied id and time: a different partition, numbered on its own.
  ('r1', 'student-2', NULL, '2026-03-01 10:00+00', NULL, '{"questions": [{"question_id": 8, "time_spent_sec": 19}, {"question_id": 7, "time_spent_sec": 20}]}');
CREATE EXTENSION attempt_lock;

-- The contract's formula, over attempts. Positions differ within every tied (student,
-- item) here, so it is deterministic; (result, item) pairs are told apart by position.
CREATE TEMP TABLE reference AS
SELECT attempt_student_uuid(er.user_id) AS student_id, (e.q->>'question_id')::bigint AS item_id,
       er.id AS result_id, e.n - 1 AS position, ((e.q->>'time_spent_sec')::integer * 1000) AS response_time_ms,
       row_number() OVER (PARTITION BY attempt_student_uuid(er.user_id), (e.q->>'question_id')::bigint
                          ORDER BY COALESCE(er.updated_at, er.created_at), er.id COLLATE "C", e.n)::integer
         AS attempt_no
  FROM exam_results er, jsonb_array_elements(er.result_json->'questions') WITH ORDINALITY e(q, n)
 WHERE e.q->>'question_id' ~ '^[0-9]+$';

-- Each element carries its own time_spent_sec, so an attempt row names its element even
-- where tied results share an id (and so an attempt id).
SELECT r.result_id, r.item_id, r.position, r.attempt_no AS expected, a.attempt_no
  FROM reference r
  LEFT JOIN attempt a
    ON a.student_id = r.student_id AND a.item_id = r.item_id
   AND a.id = attempt_id(r.result_id, r.item_id::text) AND a.response_time_ms = r.response_time_ms
 WHERE r.attempt_no IS DISTINCT FROM a.attempt_no
 ORDER BY 1, 2, 3;
-- ... and the check has something to find: in the peer group, item 7 sits at positions 3
-- and 1 of the first two results, so group order and position order disagree.
SELECT r.result_id, r.item_id, r.position, a.attempt_no
  FROM reference r
  JOIN attempt a
    ON a.student_id = r.student_id AND a.item_id = r.item_id
   AND a.id = attempt_id(r.result_id, r.item_id::text) AND a.response_time_ms = r.response_time_ms
 WHERE r.result_id = 'r1' AND r.item_id IN (7, 8) AND a.student_id = attempt_student_uuid('student-1')
 ORDER BY 2, 3;

-- The same, as multisets per (student, item): the numbers and how many of each.
SELECT count(*) AS attempts, count(*) FILTER (WHERE attempt_no IS NULL) AS null_numbers
  FROM attempt;
SELECT student_id = attempt_student_uuid('student-1') AS student_1, item_id,
       array_agg(attempt_no ORDER BY attempt_no) AS numbers
  FROM attempt GROUP BY 1, 2 ORDER BY 1 DESC, 2;
(SELECT student_id, item_id, attempt_no FROM reference
 EXCEPT ALL SELECT student_id, item_id, attempt_no FROM attempt)
UNION ALL
(SELECT student_id, item_id, attempt_no FROM attempt
 EXCEPT ALL SELECT student_id, item_id, attempt_no FROM reference);

-- Equal positions too (the contract leaves that order open): still dense 1..n.
INSERT INTO exam_results
SELECT 'r1', 'student-3', NULL, '2026-03-01 10:00+00', NULL, '{"questions": [{"question_id": 5}]}'
  FROM generate_series(1, 4);
SELECT array_agg(attempt_no ORDER BY attempt_no) AS numbers
  FROM attempt WHERE student_id = attempt_student_uuid('student-3');
-- A peer group longer than the parse cache keeps (src/parsed.rs: the last 4 results),
-- every result different: its rows come from a second parse. Items 1-3 each sit at
-- position 0 in three results and at position 1 in three (time_spent_sec 100+g and
-- 200+g tell which): position 0 takes numbers 1-3, position 1 takes 4-6.
INSERT INTO exam_results
SELECT 'r9', 'student-4', NULL, '2026-03-02 10:00+00', NULL,
       jsonb_build_object('questions', jsonb_build_array(
           jsonb_build_object('question_id', 1 + g % 3, 'time_spent_sec', 100 + g),
           jsonb_build_object('question_id', 1 + (g + 1) % 3, 'time_spent_sec', 200 + g)))
  FROM generate_series(1, 9) AS g;
SELECT item_id, array_agg(attempt_no ORDER BY attempt_no) FILTER (WHERE response_time_ms < 200000) AS at_position_0,
       array_agg(attempt_no ORDER BY attempt_no) FILTER (WHERE response_time_ms >= 200000) AS at_position_1,
       array_agg(response_time_ms / 1000 ORDER BY response_time_ms) AS seconds
  FROM attempt WHERE student_id = attempt_student_uuid('student-4')
 GROUP BY item_id ORDER BY item_id;
ROLLBACK;

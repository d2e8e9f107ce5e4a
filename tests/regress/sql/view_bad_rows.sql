-- One malformed element used to abort every query on the plain SQL view; now it is
-- dropped or defaulted, and listed in attempt_rejects.
\set VERBOSITY default
BEGIN;
\i tests/regress/fixtures/exam_results.sql
INSERT INTO exam_results VALUES
  ('00000000-0000-0000-0000-000000000001', 'student-1', 's1', '2026-03-01 10:00+00', NULL,
   '{"questions": [{"question_id": 1001, "is_correct": true, "time_spent_sec": 12.3456, "used_hints": 2, "topic": "algebra"},
                   {"question_id": "abc"},
                   {"question_id": 1002, "time_spent_sec": "NaN", "correct": true, "topic": ""},
                   {"question_id": "0001003", "is_correct": "yes", "correct": false, "used_hints": -1, "topic": 7},
                   {"question_id": 1001},
                   42,
                   {"question_id": 12.0, "time_spent_sec": 2147483.5},
                   {"question_id": 9223372036854775808},
                   {"question_id": ""},
                   {"question_id": null}]}'),
  ('00000000-0000-0000-0000-000000000002', '   ', 's2', '2026-03-01 11:00+00', NULL,
   '{"questions": [{"question_id": 1001}]}'),
  ('00000000-0000-0000-0000-000000000003', 'student-1', NULL, NULL, NULL,
   '{"questions": [{"question_id": 1001}]}'),
  ('00000000-0000-0000-0000-000000000004', 'student-1', NULL, '2026-03-02 10:00+00', '2026-03-02 10:30+00',
   '{"questions": {"question_id": 1001}}'),
  ('00000000-0000-0000-0000-000000000005', 'student-1', NULL, '2026-03-03 10:00+00', NULL, '{}'),
  ('00000000-0000-0000-0000-000000000006', 'student-1', NULL, '2026-03-04 10:00+00', NULL,
   '{"questions": [{"question_id": 1001, "is_correct": false, "time_spent_sec": 0.0005}]}');

-- What the old view did with the same data: one bad element aborts the whole query.
SAVEPOINT old_view;
SELECT count(*) FROM exam_results er, jsonb_array_elements(er.result_json->'questions') q
 WHERE NULLIF(q->>'question_id', '')::bigint IS NOT NULL;
ROLLBACK TO old_view;

CREATE EXTENSION attempt_lock;
SELECT item_id, correct, response_time_ms, hint_used, completed_at, started_at, attempt_no,
       session_id, topic_id, student_id = attempt_student_uuid('student-1') AS student_ok
  FROM attempt ORDER BY item_id, attempt_no;
SELECT exam_result_id, "position", question_id, field, reason, action
  FROM attempt_rejects ORDER BY exam_result_id, "position" NULLS FIRST, field;
ROLLBACK;

-- exam_results.id may be uuid, bigint, integer, text or varchar: id is always
-- attempt_id(id::text, item_id::text), and a text id breaks attempt_no ties in "C" order
-- whatever the database collation. A NULL id cannot make an attempt id: dropped, listed.
\set VERBOSITY default
BEGIN;
CREATE TABLE exam_results (id text, user_id text, session_id text,
    created_at timestamptz, updated_at timestamptz, result_json jsonb);
INSERT INTO exam_results VALUES
  ('b-result', 'student-1', NULL, '2026-03-01 10:00+00', NULL, '{"questions": [{"question_id": 5}]}'),
  ('B-result', 'student-1', NULL, '2026-03-01 10:00+00', NULL, '{"questions": [{"question_id": 5}]}'),
  ('a-result', 'student-1', NULL, '2026-03-01 10:00+00', NULL, '{"questions": [{"question_id": 5}]}'),
  (NULL,       'student-1', NULL, '2026-03-01 10:00+00', NULL, '{"questions": [{"question_id": 5}, {"question_id": 6}]}');
CREATE EXTENSION attempt_lock;
-- Ties on completed_at: "B-result" < "a-result" < "b-result" in byte order.
SELECT er.id AS result_id, a.attempt_no
  FROM attempt a
  JOIN exam_results er ON a.id = attempt_id(er.id, a.item_id::text)
 ORDER BY a.attempt_no;
SELECT exam_result_id, "position", question_id, field, reason, action
  FROM attempt_rejects ORDER BY "position";
ROLLBACK;

BEGIN;
CREATE TABLE exam_results (id bigint PRIMARY KEY, user_id varchar(40), session_id varchar(20),
    created_at timestamptz, updated_at timestamptz, result_json jsonb);
INSERT INTO exam_results VALUES
  (42, 'student-1', 's', '2026-03-01 10:00+00', NULL, '{"questions": [{"question_id": 7}]}'),
  (7, 'student-1', 's', '2026-03-01 10:00+00', NULL, '{"questions": [{"question_id": 7}]}');
CREATE EXTENSION attempt_lock;
-- Ties broken in numeric order of the bigint id: 7 before 42.
SELECT er.id AS result_id, a.attempt_no, a.session_id
  FROM attempt a
  JOIN exam_results er ON a.id = attempt_id(er.id::text, a.item_id::text)
 ORDER BY a.attempt_no;
-- The recommended index works on a varchar user_id too.
CREATE INDEX ON exam_results (attempt_student_uuid(user_id));
SET LOCAL enable_seqscan = off;
SELECT count(*) FROM attempt WHERE student_id = attempt_student_uuid('student-1');
ROLLBACK;

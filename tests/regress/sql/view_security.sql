-- The views are security_invoker: they never let a role read what it could not read from
-- exam_results, and row-level security on exam_results is honoured through them.
\set VERBOSITY default
BEGIN;
\i tests/regress/fixtures/exam_results.sql
INSERT INTO exam_results VALUES
  ('00000000-0000-0000-0000-00000000000a', 'alice', 's1', '2026-03-01 10:00+00', NULL,
   '{"questions": [{"question_id": 1, "is_correct": true}]}'),
  ('00000000-0000-0000-0000-00000000000b', 'bob', 's2', '2026-03-01 11:00+00', NULL,
   '{"questions": [{"question_id": 1, "is_correct": false}, {"question_id": "x"}]}');
CREATE EXTENSION attempt_lock;
SELECT c.relname, c.reloptions FROM pg_class c
 WHERE c.relname IN ('attempt', 'attempt_rejects') ORDER BY 1;

CREATE ROLE attempt_lock_reader;
GRANT SELECT ON attempt, attempt_rejects TO attempt_lock_reader;
SET LOCAL ROLE attempt_lock_reader;
-- SELECT on the view alone is not enough: the source table is read as the caller.
SAVEPOINT s;
SELECT count(*) FROM attempt;
ROLLBACK TO s;
SELECT count(*) FROM attempt_rejects;
ROLLBACK TO s;
RESET ROLE;

-- With SELECT on exam_results, and a row-level security policy: only alice's rows.
GRANT SELECT ON exam_results TO attempt_lock_reader;
ALTER TABLE exam_results ENABLE ROW LEVEL SECURITY;
CREATE POLICY only_alice ON exam_results FOR SELECT TO attempt_lock_reader USING (user_id = 'alice');
SET LOCAL ROLE attempt_lock_reader;
SELECT student_id = attempt_student_uuid('alice') AS is_alice, item_id, correct FROM attempt;
SELECT count(*) AS rejects_seen FROM attempt_rejects;
RESET ROLE;
-- The owner still sees everything (RLS does not apply to the table owner).
SELECT count(*) AS all_rows FROM attempt;
ROLLBACK;

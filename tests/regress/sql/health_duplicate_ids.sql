-- attempt_health(): the duplicate_ids check. A source table without a primary key can hold
-- the same exam result id twice; every question of it then yields the same attempt.id
-- twice, which duplicate_ids reports as fail, in both modes. (A genuine 64-bit collision
-- cannot be produced here.)
\set VERBOSITY default
\set SHOW_CONTEXT never
SET client_min_messages = notice;
CREATE TABLE exam_results (
    id bigint,                -- no primary key
    user_id text,
    session_id text,
    created_at timestamptz,
    updated_at timestamptz,
    result_json jsonb
);
INSERT INTO exam_results
SELECT n, 'student-' || (n % 3), 's' || n, now() - (60 - n) * interval '1 minute', NULL,
       '{"questions": [{"question_id": 1001, "is_correct": true}, {"question_id": 1002, "is_correct": false}]}'
FROM generate_series(1, 12) AS n;
CREATE EXTENSION attempt_lock;
CREATE INDEX exam_results_student_idx ON exam_results (attempt_student_uuid(user_id));
ANALYZE exam_results;
SELECT "check", status, observed, expected, detail FROM attempt_health() WHERE "check" = 'duplicate_ids';
SELECT "check", status, observed, expected, detail FROM attempt_health(exact => true) WHERE "check" = 'duplicate_ids';
SELECT "check", status FROM attempt_health() WHERE status <> 'ok' ORDER BY 1;

-- The same result id twice (the same student: attempt_no stays dense, 1 and 2).
BEGIN;
INSERT INTO exam_results SELECT * FROM exam_results WHERE id = 5;
SELECT id, count(*) FROM attempt GROUP BY 1 HAVING count(*) > 1 ORDER BY 1;
SELECT "check", status, observed, expected, detail FROM attempt_health() WHERE "check" = 'duplicate_ids';
SELECT "check", status, observed, expected, detail FROM attempt_health(exact => true) WHERE "check" = 'duplicate_ids';
SELECT "check", status FROM attempt_health() WHERE status <> 'ok' AND "check" <> 'statistics' ORDER BY 1;
SELECT "check", status FROM attempt_health(exact => true) WHERE status <> 'ok' AND "check" <> 'statistics' ORDER BY 1;
ROLLBACK;

-- The same result id under two students: each student's rows are unique, so only a check
-- across students sees the duplicates (exact mode, or a sample holding both students).
BEGIN;
INSERT INTO exam_results SELECT id, 'student-9', session_id, created_at, updated_at, result_json
FROM exam_results WHERE id = 5;
SELECT "check", status, observed FROM attempt_health() WHERE "check" = 'duplicate_ids';
SELECT "check", status, observed FROM attempt_health(exact => true) WHERE "check" = 'duplicate_ids';
ROLLBACK;

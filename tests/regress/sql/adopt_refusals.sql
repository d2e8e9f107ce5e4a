-- What adoption cannot carry is refused, listed, and leaves the database as it was: a
-- view built on the old attempt that reads a column V1 lacks (the change request's
-- 13-column variant and its question_text), one whose columns would change type, a
-- materialized view, functions with a BEGIN ATOMIC body or using the view's row type, and
-- an attempt that is a table.
\set VERBOSITY default
\set SHOW_CONTEXT never
CREATE TABLE exam_results (id bigint PRIMARY KEY, user_id text, session_id text,
    created_at timestamptz, updated_at timestamptz, result_json jsonb);
INSERT INTO exam_results VALUES
  (1, 'student-1', 's1', '2026-03-01 10:00+00', NULL, '{"questionId": 5, "isCorrect": "true", "questions": [{"question_id": 5}]}');
CREATE TABLE questions (id int PRIMARY KEY, item_id int, question_text text, correct_answer text, tags text[]);
INSERT INTO questions VALUES (5, 5, 'What is 2 + 2?', '4', '{arithmetic}');
-- The change request's 13-column variant (seeds/000, "SQL Statement"; student_id read
-- from user_id, the column exam_results has).
CREATE VIEW attempt AS
SELECT
  (('x' || LEFT(MD5(er.id::text || '-' || q.item_id::text), 16))::bit(64)::bigint) AS id,
  er.id AS exam_result_id,
  CASE
    WHEN er.user_id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
    THEN er.user_id::uuid
    ELSE ('00000000-0000-0000-0000-' || LPAD(LEFT(MD5(er.user_id), 12), 12, '0'))::uuid
  END AS student_id,
  q.item_id::int AS item_id,
  q.id::int AS question_id,
  q.question_text::text AS question_text,
  q.correct_answer::text AS correct_answer,
  NULLIF(er.result_json->>'studentAnswer', '')::text AS student_answer,
  CASE WHEN (er.result_json->>'isCorrect')::text = 'true' THEN 1 ELSE 0 END AS is_correct,
  ROUND(COALESCE(NULLIF(er.result_json->>'responseTime', '')::numeric, 0))::int AS response_time_ms,
  COALESCE(er.updated_at, er.created_at) AS completed_at,
  ROW_NUMBER() OVER (PARTITION BY er.user_id, q.item_id ORDER BY er.created_at) AS attempt_no,
  q.tags
FROM exam_results er
JOIN questions q ON q.id = (er.result_json->>'questionId')::int
WHERE (er.result_json->>'questionId') IS NOT NULL;
SELECT count(*) AS columns FROM pg_attribute WHERE attrelid = 'attempt'::regclass AND attnum > 0;
CREATE VIEW item_texts AS SELECT item_id, question_text FROM attempt;
CREATE VIEW item_texts_latest AS SELECT * FROM item_texts;
SET attempt_lock.adopt_existing_view = on;

-- 1. A dependent reads question_text: refused, naming the view and the column.
CREATE EXTENSION attempt_lock;
SELECT count(*) AS extensions FROM pg_extension WHERE extname = 'attempt_lock';
SELECT c.oid::regclass AS view, pg_get_viewdef(c.oid) IS NOT NULL AS defined
  FROM pg_class c WHERE c.relname IN ('attempt', 'item_texts', 'item_texts_latest') ORDER BY 1;
SELECT * FROM item_texts_latest;
DROP VIEW item_texts CASCADE;

-- 2. A dependent that would still parse but change meaning: attempt_no is bigint
-- (ROW_NUMBER) in the old view and integer in V1.
CREATE VIEW retries AS SELECT student_id, item_id, attempt_no FROM attempt WHERE attempt_no > 1;
CREATE EXTENSION attempt_lock;
SELECT count(*) AS extensions FROM pg_extension WHERE extname = 'attempt_lock';
-- The documented way: drop it, adopt, create it again (its types change, knowingly).
BEGIN;
DROP VIEW retries;
CREATE EXTENSION attempt_lock;
CREATE VIEW retries AS SELECT student_id, item_id, attempt_no FROM attempt WHERE attempt_no > 1;
SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
 WHERE attrelid = 'retries'::regclass AND attnum > 0 ORDER BY attnum;
ROLLBACK;

-- 3. What cannot be created again safely, listed in one error.
CREATE MATERIALIZED VIEW attempt_daily AS SELECT completed_at::date AS day, count(*) FROM attempt GROUP BY 1;
CREATE FUNCTION first_attempts() RETURNS bigint LANGUAGE sql
BEGIN ATOMIC
  SELECT count(*) FROM retries;
END;
CREATE FUNCTION attempt_rows() RETURNS SETOF attempt LANGUAGE sql AS 'SELECT * FROM attempt';
CREATE EXTENSION attempt_lock;
SELECT count(*) AS extensions FROM pg_extension WHERE extname = 'attempt_lock';
SELECT count(*) AS still_there FROM pg_class WHERE relname IN ('attempt', 'retries', 'attempt_daily');
DROP MATERIALIZED VIEW attempt_daily;
DROP FUNCTION first_attempts();
DROP FUNCTION attempt_rows();

-- 4. An attempt that is not a view.
DROP VIEW attempt CASCADE;
CREATE TABLE attempt (id bigint);
CREATE EXTENSION attempt_lock;
SELECT count(*) AS extensions FROM pg_extension WHERE extname = 'attempt_lock';
DROP TABLE attempt;

-- 5. Nothing in the way: adopted with nothing to adopt is a plain install.
CREATE EXTENSION attempt_lock;
SELECT action FROM attempt_lock_history ORDER BY at;

-- attempt_health(): the data checks row_count, freshness, never_null, attempt_no_dense,
-- rejects and recommended_index, each provoked (in a transaction that rolls back) and seen
-- as warn/fail, in both modes. duplicate_ids and statistics have their own tests.
\i tests/regress/fixtures/health_setup.sql
-- The rolled-back writes below leave dead tuples, which the statistics check reports once
-- the server has counted them (at a moment this test does not control): ignored here,
-- tested in health_statistics.
\set ignore '{statistics}'
SELECT * FROM health_problems(false, :'ignore');
SELECT "check", status, observed FROM attempt_health() WHERE "check" IN ('row_count', 'rejects') ORDER BY 1;
SELECT "check", status, observed FROM attempt_health(exact => true) WHERE "check" IN ('row_count', 'rejects') ORDER BY 1;

-- row_count: an empty source (DELETE: the catalog estimate still says 12 results, the
-- sample finds none).
BEGIN;
DELETE FROM exam_results;
SELECT "check", status, observed, expected, detail FROM attempt_health() WHERE "check" = 'row_count';
SELECT "check", status, observed, expected, detail FROM attempt_health(exact => true) WHERE "check" = 'row_count';
SELECT * FROM health_problems(false, :'ignore');
SELECT * FROM health_problems(true, :'ignore');
ROLLBACK;
-- row_count: an empty source (TRUNCATE).
BEGIN;
TRUNCATE exam_results;
SELECT "check", status, observed FROM attempt_health() WHERE "check" = 'row_count';
SELECT "check", status, observed FROM attempt_health(exact => true) WHERE "check" = 'row_count';
ROLLBACK;
-- row_count: results whose every element is dropped: the source has rows, attempt none.
BEGIN;
UPDATE exam_results SET result_json = '{"questions": [{"question_id": "x"}]}';
SELECT "check", status, observed, detail FROM attempt_health(exact => true) WHERE "check" = 'row_count';
ROLLBACK;

-- freshness, default thresholds (warn after 1 day, fail after 7 days; a day is 24 hours).
-- now() is the same for the whole transaction, so the ages below are exact: exactly at a
-- threshold is still within it.
BEGIN;
UPDATE exam_results SET created_at = now() - interval '24 hours';
SELECT "check", status, expected FROM attempt_health() WHERE "check" = 'freshness';
UPDATE exam_results SET created_at = now() - interval '24:00:01';
SELECT "check", status, expected FROM attempt_health() WHERE "check" = 'freshness';
SELECT "check", status FROM attempt_health(exact => true) WHERE "check" = 'freshness';
SELECT attempt_health_assert() AS warnings;
UPDATE exam_results SET created_at = now() - interval '168 hours';
SELECT "check", status FROM attempt_health() WHERE "check" = 'freshness';
UPDATE exam_results SET created_at = now() - interval '169 hours';
SELECT "check", status FROM attempt_health() WHERE "check" = 'freshness';
SELECT "check", status FROM attempt_health(exact => true) WHERE "check" = 'freshness';
SELECT * FROM health_problems(false, :'ignore');
-- updated_at counts before created_at (completed_at = COALESCE(updated_at, created_at)).
UPDATE exam_results SET updated_at = now() - interval '1 hour' WHERE user_id = 'student-1';
SELECT "check", status FROM attempt_health() WHERE "check" = 'freshness';
ROLLBACK;

-- freshness, thresholds given: the data is 48 to 59 minutes old.
SELECT "check", status, expected FROM attempt_health(freshness_warn => '30 minutes', freshness_fail => '1 hour') WHERE "check" = 'freshness';
SELECT "check", status, expected FROM attempt_health(freshness_warn => '10 minutes', freshness_fail => '40 minutes') WHERE "check" = 'freshness';
SELECT "check", status, expected FROM attempt_health(exact => true, freshness_warn => '10 minutes', freshness_fail => '40 minutes') WHERE "check" = 'freshness';
SELECT "check", status, expected FROM attempt_health(freshness_warn => NULL, freshness_fail => '40 minutes') WHERE "check" = 'freshness';
SELECT "check", status, expected FROM attempt_health(freshness_warn => '10 minutes', freshness_fail => NULL) WHERE "check" = 'freshness';
SELECT "check", status, expected FROM attempt_health(freshness_warn => NULL, freshness_fail => NULL) WHERE "check" = 'freshness';
-- freshness on an empty source: warn, "no rows".
BEGIN;
DELETE FROM exam_results;
SELECT "check", status, observed FROM attempt_health() WHERE "check" = 'freshness';
SELECT "check", status, observed FROM attempt_health(freshness_warn => NULL, freshness_fail => NULL) WHERE "check" = 'freshness';
ROLLBACK;

-- never_null: attempt replaced (under the override) by a definition that makes correct
-- NULL for the wrong answers.
BEGIN;
SET LOCAL attempt_lock.override = on;
SELECT health_replace_attempt('q.correct,', 'NULLIF(q.correct, false) AS correct,');
RESET attempt_lock.override;
SELECT count(*) AS null_rows FROM attempt WHERE correct IS NULL;
SELECT "check", status, observed, expected, detail FROM attempt_health() WHERE "check" = 'never_null';
SELECT "check", status, observed, expected, detail FROM attempt_health(exact => true) WHERE "check" = 'never_null';
SELECT * FROM health_problems(false, :'ignore');
SELECT * FROM health_problems(true, :'ignore');
ROLLBACK;
-- never_null: NULL in another column (started_at).
BEGIN;
SET LOCAL attempt_lock.override = on;
SELECT health_replace_attempt('(q.response_time_ms)::double precision', 'NULLIF(q.response_time_ms, 3000)::double precision');
RESET attempt_lock.override;
SELECT "check", status, observed FROM attempt_health() WHERE "check" = 'never_null';
SELECT "check", status, observed FROM attempt_health(exact => true) WHERE "check" = 'never_null';
ROLLBACK;

-- attempt_no_dense: attempt_no numbered from 2 instead of 1.
BEGIN;
SET LOCAL attempt_lock.override = on;
SELECT health_replace_attempt('q.attempt_no,', 'q.attempt_no + 1 AS attempt_no,');
RESET attempt_lock.override;
SELECT "check", status, observed, expected, detail FROM attempt_health() WHERE "check" = 'attempt_no_dense';
SELECT "check", status, observed, expected, detail FROM attempt_health(exact => true) WHERE "check" = 'attempt_no_dense';
SELECT * FROM health_problems(false, :'ignore');
SELECT * FROM health_problems(true, :'ignore');
ROLLBACK;
-- attempt_no_dense: attempt_no = 2 everywhere; and a gap (numbered per student only, so
-- each (student, item) group gets every other number).
BEGIN;
SET LOCAL attempt_lock.override = on;
SELECT health_replace_attempt('q.attempt_no,', '2 AS attempt_no,');
RESET attempt_lock.override;
SELECT "check", status, observed FROM attempt_health() WHERE "check" = 'attempt_no_dense';
SELECT "check", status, observed FROM attempt_health(exact => true) WHERE "check" = 'attempt_no_dense';
ROLLBACK;
BEGIN;
SET LOCAL attempt_lock.override = on;
SELECT health_replace_attempt('q.attempt_no,', '(row_number() OVER (PARTITION BY r.student_id ORDER BY r.completed_at, r.id, q.item_id))::integer AS attempt_no,');
RESET attempt_lock.override;
SELECT "check", status, observed FROM attempt_health() WHERE "check" = 'attempt_no_dense';
SELECT "check", status, observed FROM attempt_health(exact => true) WHERE "check" = 'attempt_no_dense';
ROLLBACK;

-- rejects: one result with a bad element (dropped) and a bad field (defaulted).
BEGIN;
INSERT INTO exam_results VALUES
  ('00000000-0000-0000-0000-0000000000ff', 'student-9', 's99', now() - interval '5 minutes', NULL,
   '{"questions": [{"question_id": "x"}, {"question_id": 1001, "is_correct": "yes"}, 7]}');
SELECT "check", status, observed, expected, detail FROM attempt_health() WHERE "check" = 'rejects';
SELECT "check", status, observed, expected, detail FROM attempt_health(exact => true) WHERE "check" = 'rejects';
SELECT * FROM health_problems(false, :'ignore');
SELECT * FROM health_problems(true, :'ignore');
SELECT attempt_health_assert() AS warnings;
ROLLBACK;
-- rejects: a result without a questions array.
BEGIN;
UPDATE exam_results SET result_json = '{}' WHERE user_id = 'student-0';
SELECT "check", status, observed, detail FROM attempt_health(exact => true) WHERE "check" = 'rejects';
ROLLBACK;

-- recommended_index: missing, then another index that is not the one (partial, or on
-- another expression), then present again.
BEGIN;
DROP INDEX exam_results_student_idx;
SELECT "check", status, observed, expected, detail FROM attempt_health() WHERE "check" = 'recommended_index';
SELECT "check", status FROM attempt_health(exact => true) WHERE "check" = 'recommended_index';
SELECT * FROM health_problems(false, :'ignore');
CREATE INDEX health_partial_idx ON exam_results (attempt_student_uuid(user_id)) WHERE session_id IS NOT NULL;
CREATE INDEX health_other_idx ON exam_results (lower(user_id));
CREATE INDEX health_plain_idx ON exam_results (user_id);
SELECT "check", status, observed FROM attempt_health() WHERE "check" = 'recommended_index';
CREATE INDEX health_student_idx ON exam_results (attempt_student_uuid(user_id));
SELECT "check", status, observed, detail FROM attempt_health() WHERE "check" = 'recommended_index';
SELECT "check", status FROM attempt_health(exact => true) WHERE "check" = 'recommended_index';
ROLLBACK;
-- Two of them: both listed, ok.
BEGIN;
CREATE INDEX health_student2_idx ON exam_results (attempt_student_uuid(user_id));
SELECT "check", status FROM attempt_health() WHERE "check" = 'recommended_index';
ROLLBACK;

-- After the rollbacks: all ok again.
SELECT * FROM health_problems(false, :'ignore');
SELECT * FROM health_problems(true, :'ignore');

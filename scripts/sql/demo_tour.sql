-- What attempt_lock offers, on the demo data.
\pset footer off
\echo '-- CREATE EXTENSION checks exam_results, then installs the view, the hashes, the lock and the health check.'
CREATE EXTENSION attempt_lock;
\dx attempt_lock

\echo '-- The hashes are bit-identical to the SQL formulas they replace, and never raise:'
SELECT attempt_id('5f0c7c1e-4b7a-4a39-9d1e-0c1f3c2b7a10', '1001') AS attempt_id,
       ('x' || substr(md5('5f0c7c1e-4b7a-4a39-9d1e-0c1f3c2b7a10-1001'), 1, 16))::bit(64)::bigint AS sql_formula;
SELECT u AS user_id, attempt_student_uuid(u) AS student_id
  FROM (VALUES ('student-42'), ('ABCDEF01-2345-6789-ABCD-EF0123456789'), (repeat('-', 36))) v(u);

\echo '-- The V1 view: eleven typed columns, one row per answered question.'
\d attempt
SELECT * FROM attempt ORDER BY completed_at DESC, id LIMIT 5;

\echo '-- Malformed input never breaks it: dropped or defaulted, and listed.'
SELECT reason, action, count(*) FROM attempt_rejects GROUP BY 1, 2 ORDER BY 3 DESC, 1;

\echo '-- The recommended index turns per-student lookups into index scans:'
CREATE INDEX exam_results_student_idx ON exam_results (attempt_student_uuid(user_id));
ANALYZE exam_results;
\timing on
SELECT item_id, attempt_no, correct, response_time_ms, completed_at
  FROM attempt WHERE student_id = attempt_student_uuid('student-10') ORDER BY item_id, attempt_no LIMIT 8;
\timing off

\echo '-- The lock: the view can change only through ALTER EXTENSION attempt_lock UPDATE.'
\set ON_ERROR_STOP off
\set VERBOSITY default
\set SHOW_CONTEXT never
ALTER VIEW attempt SET (security_invoker = false);
ALTER VIEW attempt RENAME TO attempt_v0;
DROP TABLE exam_results CASCADE;
\set ON_ERROR_STOP on

\echo '-- The runbook in one call (freshness off: the demo data is historical):'
SELECT * FROM attempt_health(exact => true, freshness_warn => NULL, freshness_fail => NULL);
SELECT version, action, by_role FROM attempt_lock_history;
\echo '-- The staging-evidence report: SELECT attempt_evidence_report();'

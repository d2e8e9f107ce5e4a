-- What attempt_lock offers, on the demo data, starting where a team is today: the plain
-- view attempt of the Alembic migration, a KPI view on it and BI's grant
-- (scripts/sql/demo_deployed_view.sql, loaded before this).
\pset footer off
\set VERBOSITY default
\set SHOW_CONTEXT never
\echo '-- Today: the plain view attempt (migration 20251101_0900), a KPI view built on it, BI''s grant.'
SELECT c.relname AS view, obj_description(c.oid, 'pg_class') AS comment, c.relacl AS grants
  FROM pg_class c WHERE c.relname IN ('attempt', 'attempt_weekly_kpi') ORDER BY 1;
\echo '-- One malformed result aborts every query on it, and exam_results has 8:'
\set ON_ERROR_STOP off
SELECT * FROM attempt_weekly_kpi ORDER BY week, topic_id LIMIT 5;

\echo '-- CREATE EXTENSION checks exam_results, then finds attempt there: refused, nothing changed.'
CREATE EXTENSION attempt_lock;
\set ON_ERROR_STOP on

\echo '-- Adopting it (a superuser, the setting in this session): in one transaction the old view is'
\echo '-- recorded, replaced by the V1 view with its grants, and the KPI view created again on V1.'
\echo '-- V1 reads exam_results with its reader''s privileges: the WARNING names who cannot.'
SET attempt_lock.adopt_existing_view = on;
CREATE EXTENSION attempt_lock;
RESET attempt_lock.adopt_existing_view;
GRANT SELECT ON exam_results TO bi_reader;
\dx attempt_lock
SELECT c.relname AS view, left(obj_description(c.oid, 'pg_class'), 40) AS comment, c.relacl AS grants,
       EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e') AS extension_member
  FROM pg_class c WHERE c.relname IN ('attempt', 'attempt_weekly_kpi') ORDER BY 1;
\echo '-- The KPI view works now, on V1, for BI too:'
SET ROLE bi_reader;
SELECT * FROM attempt_weekly_kpi ORDER BY week, topic_id LIMIT 5;
RESET ROLE;
\echo '-- The way back, for a migration''s downgrade: these statements, after DROP EXTENSION attempt_lock CASCADE,'
\echo '-- in one transaction, give back the old view and the views built on it, with their grants.'
SELECT step, left(regexp_replace(statement, '\s+', ' ', 'g'), 90) AS statement
  FROM attempt_lock_unadopt_statements() ORDER BY step;

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

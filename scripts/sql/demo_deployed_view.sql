-- The deployed view as a team has it today: the plain SQL view attempt that the Alembic
-- migration 20251101_0900_attempt_view_lock created (deployed_view.sql, beside this file;
-- examples/alembic/migrations/versions/20251101_0900_attempt_view_lock.py), a weekly KPI
-- view the analytics team built on it, and BI's grant. Over an existing exam_results.
\ir deployed_view.sql

CREATE VIEW attempt_weekly_kpi AS
SELECT date_trunc('week', completed_at) AS week,
       topic_id,
       count(*) AS attempts,
       count(DISTINCT student_id) AS students,
       avg(correct::int)::numeric(5,3) AS accuracy,
       avg(response_time_ms)::int AS avg_response_ms
  FROM attempt
 WHERE attempt_no = 1
 GROUP BY 1, 2;

CREATE ROLE bi_reader;
GRANT SELECT ON attempt, attempt_weekly_kpi TO bi_reader;

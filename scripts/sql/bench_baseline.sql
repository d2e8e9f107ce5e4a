-- The plain-SQL baseline that attempt_lock replaces: the deployed view itself
-- (deployed_view.sql, beside this file), as attempt_baseline. Its shape is the migration's:
-- a CTE over exam_results carrying user_id_text, the md5 text formulas inline, and
-- ROW_NUMBER partitioned by the student as the CTE knows it (user_id_text). So
-- `WHERE student_id = ...` on it cannot be pushed below the window, and the migration
-- created no index for it: this is the per-student cost the extension replaces. Not
-- hardened: bad input makes it raise, as the original did; the bench loads none.
-- Created in a schema of its own (the extension's attempt already exists), then moved.
CREATE SCHEMA bench_baseline;
SET search_path = bench_baseline, public;
\ir deployed_view.sql
RESET search_path;
ALTER VIEW bench_baseline.attempt RENAME TO attempt_baseline;
ALTER VIEW bench_baseline.attempt_baseline SET SCHEMA public;
DROP SCHEMA bench_baseline;
COMMENT ON VIEW attempt_baseline IS 'the deployed plain view (scripts/sql/deployed_view.sql), the bench''s baseline';

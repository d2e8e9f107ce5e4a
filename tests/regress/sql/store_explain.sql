-- With the incremental store on, a student's rows and a time window are index scans of
-- the store; with it off, a time window reads all history.
\set VERBOSITY default
\set SHOW_CONTEXT never
SET client_min_messages = warning;
\set results 3000
\set questions 5
\set bad 0
\set ECHO none
\i scripts/sql/generate_exam_results.sql
\set ECHO all
CREATE EXTENSION attempt_lock;
CREATE INDEX exam_results_student_idx ON exam_results (attempt_student_uuid(user_id));
\set ECHO none
\set ECHO all
ANALYZE exam_results;
-- plan(query): its EXPLAIN (COSTS OFF) text.
CREATE FUNCTION plan(query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE line text; result text := '';
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP result := result || line || E'\n'; END LOOP;
    RETURN result;
END $$;
-- Off: the time filter stays above the window, which reads every result (the parser's
-- expressions make that plan too long to show).
SELECT p ~ 'Subquery Scan on r\s+Filter: \(r.completed_at >= ' AS time_filter_above_the_window,
       p ~ 'Seq Scan on exam_results' AS reads_every_result
  FROM plan($q$SELECT count(*) FROM attempt WHERE completed_at >= now() - interval '7 days'$q$) AS p;
SET client_min_messages = error;  -- the backfill's progress NOTICEs carry timings
SELECT attempt_store_enable();
SET client_min_messages = warning;
-- On: an index scan of the store for each.
EXPLAIN (COSTS OFF)
SELECT * FROM attempt WHERE student_id = 'bbbbc2d5-8bba-cb8b-2836-8760498fd557';
EXPLAIN (COSTS OFF)
SELECT * FROM attempt WHERE student_id = 'bbbbc2d5-8bba-cb8b-2836-8760498fd557'
                        AND completed_at >= now() - interval '30 days';
EXPLAIN (COSTS OFF)
SELECT topic_id, DATE(completed_at) AS date, COUNT(*) AS attempts,
       SUM(CASE WHEN correct THEN 1 ELSE 0 END) AS correct_count
  FROM attempt WHERE completed_at >= now() - INTERVAL '7 days'
 GROUP BY topic_id, DATE(completed_at) ORDER BY date DESC, attempts DESC;
EXPLAIN (COSTS OFF)
SELECT * FROM attempt WHERE id = 2812140230157524088;
EXPLAIN (COSTS OFF)
SELECT * FROM attempt WHERE student_id = 'bbbbc2d5-8bba-cb8b-2836-8760498fd557'
                        AND item_id = 1001 AND attempt_no = 1;
-- Row-level security active on the source: the store's policy adds a probe of the
-- source's primary key per row, nothing more.
CREATE ROLE store_explainer;
GRANT SELECT ON attempt, exam_results TO store_explainer;
ALTER TABLE exam_results ENABLE ROW LEVEL SECURITY;
CREATE POLICY everything ON exam_results FOR SELECT TO store_explainer USING (true);
SET ROLE store_explainer;
EXPLAIN (COSTS OFF)
SELECT * FROM attempt WHERE completed_at >= now() - interval '7 days';
RESET ROLE;
DROP POLICY everything ON exam_results;
DROP OWNED BY store_explainer;
DROP ROLE store_explainer;

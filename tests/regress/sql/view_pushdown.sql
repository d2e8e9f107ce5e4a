-- WHERE student_id = ... reaches exam_results, so the recommended expression index serves
-- per-student queries; the element parser is inlined (no function scan per result).
\set VERBOSITY default
\set ECHO none
\set QUIET on
\set results 4000
\set questions 20
\set bad 0
\i scripts/sql/generate_exam_results.sql
\set QUIET off
\set ECHO all
CREATE EXTENSION attempt_lock;
CREATE INDEX exam_results_student_idx ON exam_results (attempt_student_uuid(user_id));
ANALYZE exam_results;
SET jit = off;

-- The plan lines that touch exam_results (the rest is the parser's inlined expressions).
CREATE FUNCTION pg_temp.source_scans(query text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE line text;
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP
        IF line ~ ' on exam_results|Seq Scan' THEN RETURN NEXT btrim(line); END IF;
    END LOOP;
END $$;

SELECT * FROM pg_temp.source_scans(
    $$SELECT * FROM attempt WHERE student_id = attempt_student_uuid('student-7')$$);

-- The usual 30-day per-student query: the student qual goes to the index; the time qual
-- stays above the window, since earlier attempts still count toward attempt_no.
SELECT * FROM pg_temp.source_scans(
    $$SELECT * FROM attempt
       WHERE student_id = attempt_student_uuid('student-7')
         AND completed_at >= timestamptz '2026-01-20 00:00+00' - interval '30 days'$$);

-- The same rows as a full scan filtered afterwards.
SELECT (SELECT count(*) FROM attempt WHERE student_id = attempt_student_uuid('student-7')) AS via_index,
       (SELECT count(*) FROM (SELECT * FROM attempt OFFSET 0) a
         WHERE student_id = attempt_student_uuid('student-7')) AS via_full_scan;

-- Both views are served by the native parser: no SQL jsonb function in either plan
-- (attempt_rejects calls attempt_element_rejects once per result, attempt calls
-- attempt_elements).
CREATE FUNCTION pg_temp.plan_calls(query text, pattern text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE line text;
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (VERBOSE, COSTS OFF) ' || query LOOP
        IF line ~ pattern THEN RETURN true; END IF;
    END LOOP;
    RETURN false;
END $$;
SELECT pg_temp.plan_calls('SELECT * FROM attempt', 'jsonb_') AS attempt_calls_sql_jsonb,
       pg_temp.plan_calls('SELECT * FROM attempt_rejects', 'jsonb_') AS rejects_calls_sql_jsonb,
       pg_temp.plan_calls('SELECT * FROM attempt', 'Function Scan on \S*attempt_elements') AS attempt_native,
       pg_temp.plan_calls('SELECT * FROM attempt_rejects', 'Function Scan on \S*attempt_element_rejects') AS rejects_native;

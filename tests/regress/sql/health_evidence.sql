-- attempt_evidence_report(): the staging-evidence report renders. Its content is volatile
-- (times, versions, ids), so only its structure is checked: the title, the 8 section
-- headings in order, the decision line, and the health table's 19 checks.
\i tests/regress/fixtures/health_setup.sql
CREATE FUNCTION report_structure(report text) RETURNS TABLE (n bigint, line text)
LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
    SELECT row_number() OVER (ORDER BY l.n), l.line
    FROM regexp_split_to_table(report, E'\n') WITH ORDINALITY AS l(line, n)
    WHERE l.line ~ '^#' OR l.line ~ '^\*\*'
    ORDER BY l.n $$;
-- The checks listed in section 6, with their status.
CREATE FUNCTION report_health(report text) RETURNS TABLE ("check" text, status text)
LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
    SELECT m[1], m[2]
    FROM regexp_matches(substring(report FROM '## 6\..*## 7\.'),
                        E'\n\\| ([a-z_]+) \\| (ok|warn|fail) \\|', 'g') AS m
    ORDER BY 1 $$;

-- Sound install, clean data: GO.
SELECT * FROM report_structure(attempt_evidence_report());
SELECT * FROM report_structure(attempt_evidence_report(exact => false)) WHERE line ~ '^\*\*';
SELECT count(*) AS checks, count(*) FILTER (WHERE status = 'ok') AS ok
FROM report_health(attempt_evidence_report());
-- The column contract section: the 11 columns, all in the view.
SELECT count(*) AS columns FROM regexp_matches(attempt_evidence_report(), E'\n\\| [0-9]+ \\| [a-z_]+ \\| [a-z ]+ \\| (yes|no) \\| ok \\|', 'g');
-- Section 4 counts.
SELECT substring(attempt_evidence_report() FROM E'\n([0-9]+ rows in attempt; [0-9]+ rejects listed in attempt_rejects\\.)') AS row_count;
-- Section 5: determinism.
SELECT substring(attempt_evidence_report() FROM 'differ in [0-9]+ rows and hold [0-9]+ duplicate ids') AS determinism;
-- Section 7 holds a plan.
SELECT attempt_evidence_report() ~ E'## 7\\. Per-student query plan\n\n```\n[^`]*Scan[^`]*```' AS has_plan;

-- A warning: GO WITH NOTES, naming it.
BEGIN;
DROP INDEX exam_results_student_idx;
SELECT * FROM report_structure(attempt_evidence_report()) WHERE line ~ '^\*\*';
SELECT * FROM report_health(attempt_evidence_report()) WHERE status <> 'ok' AND "check" <> 'statistics';
ROLLBACK;

-- A failing check: NO-GO, naming it.
BEGIN;
SET LOCAL attempt_lock.override = on;
ALTER FUNCTION attempt_id(text, text) VOLATILE;
RESET attempt_lock.override;
SELECT * FROM report_structure(attempt_evidence_report()) WHERE line ~ '^\*\*';
SELECT * FROM report_health(attempt_evidence_report()) WHERE status <> 'ok';
ROLLBACK;

-- An empty source: the report still renders (no sample rows), GO WITH NOTES.
BEGIN;
TRUNCATE exam_results;
SELECT * FROM report_structure(attempt_evidence_report());
SELECT attempt_evidence_report() LIKE E'%## 3. Sample rows (latest 5)%(no rows)%' AS no_rows;
ROLLBACK;

-- Read-only: the report writes nothing.
BEGIN READ ONLY;
SELECT count(*) AS lines FROM report_structure(attempt_evidence_report());
ROLLBACK;

-- The report uses no freshness limits: old data is not a warning there. (Last: the
-- rolled-back update leaves dead tuples the statistics check may report later.)
BEGIN;
UPDATE exam_results SET created_at = now() - interval '30 days';
SELECT * FROM report_structure(attempt_evidence_report()) WHERE line ~ '^\*\*';
ROLLBACK;


-- Row-level security on exam_results holds through everything a reader can call, not only
-- the views: attempt_health() and attempt_evidence_report() run as the caller, so their
-- data checks count only the rows the caller's policy lets it see; the one SECURITY
-- DEFINER function (attempt_lock_override_uses) returns counts and nothing of the
-- superuser-only override log; a table owner under FORCE ROW LEVEL SECURITY is filtered
-- too. Roles are created in a transaction that rolls back.
\set VERBOSITY terse
BEGIN;
\i tests/regress/fixtures/exam_results.sql
INSERT INTO exam_results
SELECT ('00000000-0000-0000-0000-0000000000' || lpad(n::text, 2, '0'))::uuid,
       CASE WHEN n <= 3 THEN 'alice' ELSE 'bob' END, 's' || n, now() - n * interval '1 minute', NULL,
       jsonb_build_object('questions', jsonb_build_array(
           jsonb_build_object('question_id', 1, 'is_correct', true),
           jsonb_build_object('question_id', 2, 'topic', 5)))
FROM generate_series(1, 10) AS n;
CREATE EXTENSION attempt_lock;
-- One override use, so that the log is not empty.
SET LOCAL attempt_lock.override = on;
COMMENT ON VIEW attempt IS 'attempt V1';
ALTER FUNCTION attempt_lock_in_script() COST 2;
RESET attempt_lock.override;
SELECT count(*) AS override_log_rows FROM attempt_lock_override_log;

CREATE ROLE attempt_lock_rls_owner;
CREATE ROLE attempt_lock_rls_reader;
ALTER TABLE exam_results OWNER TO attempt_lock_rls_owner;
GRANT SELECT ON exam_results, attempt, attempt_rejects TO attempt_lock_rls_reader;
ALTER TABLE exam_results ENABLE ROW LEVEL SECURITY;
CREATE POLICY only_alice ON exam_results FOR SELECT USING (user_id = 'alice');

-- Everything, as the superuser (superusers bypass row-level security).
SELECT count(*) AS attempt_rows FROM attempt;
SELECT "check", observed FROM attempt_health(exact => true)
 WHERE "check" IN ('row_count', 'rejects') ORDER BY 1;

-- The reader: alice's 3 results only, in the view, in health and in the report.
SET LOCAL ROLE attempt_lock_rls_reader;
SELECT count(*) AS attempt_rows, count(DISTINCT student_id) AS students FROM attempt;
SELECT count(*) AS reject_rows FROM attempt_rejects;
SELECT "check", observed FROM attempt_health(exact => true)
 WHERE "check" IN ('row_count', 'rejects') ORDER BY 1;
SELECT substring(attempt_evidence_report() FROM '\d+ rows in attempt; \d+ rejects listed') AS report_counts;
-- The override log: counts through the SECURITY DEFINER function, the rows themselves refused.
SELECT total, recent FROM attempt_lock_override_uses();
SAVEPOINT s;
SELECT count(*) FROM attempt_lock_override_log;
ROLLBACK TO s;
RESET ROLE;

-- The owner of exam_results: exempt, unless FORCE ROW LEVEL SECURITY.
GRANT SELECT ON attempt TO attempt_lock_rls_owner;
SET LOCAL ROLE attempt_lock_rls_owner;
SELECT count(*) AS owner_sees FROM attempt;
RESET ROLE;
ALTER TABLE exam_results FORCE ROW LEVEL SECURITY;
SET LOCAL ROLE attempt_lock_rls_owner;
SELECT count(*) AS owner_sees_when_forced FROM attempt;
SELECT "check", observed FROM attempt_health(exact => true) WHERE "check" = 'row_count';
RESET ROLE;
ROLLBACK;

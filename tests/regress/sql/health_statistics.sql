-- attempt_health(): the statistics check. A source table never analyzed is warn; after
-- ANALYZE, ok; with more than 20% dead tuples, warn; after VACUUM, ok again.
-- (Few rows are written, far below autovacuum's thresholds, so it does not interfere.)
\set health_skip_analyze
\i tests/regress/fixtures/health_setup.sql
SELECT "check", status, expected, detail FROM attempt_health() WHERE "check" = 'statistics';
SELECT "check", status FROM attempt_health(exact => true) WHERE "check" = 'statistics';
SELECT * FROM health_problems();
SELECT * FROM health_problems(exact => true);
SELECT attempt_health_assert() AS warnings;

ANALYZE exam_results;
SELECT "check", status FROM attempt_health() WHERE "check" = 'statistics';
SELECT * FROM health_problems();
SELECT * FROM health_problems(exact => true);

-- Dead tuples: 6 of 12 results deleted. pg_stat_force_next_flush() makes this session
-- report its counts as soon as it is idle, i.e. before the next statement.
DELETE FROM exam_results WHERE user_id = 'student-0' OR (user_id = 'student-1' AND session_id IN ('s1', 's4'));
SELECT pg_stat_force_next_flush();
SELECT "check", status FROM attempt_health() WHERE "check" = 'statistics';
SELECT "check", status FROM attempt_health(exact => true) WHERE "check" = 'statistics';
SELECT n_dead_tup FROM pg_stat_user_tables WHERE relid = 'exam_results'::regclass;
SELECT * FROM health_problems();

VACUUM exam_results;
SELECT pg_stat_force_next_flush();
SELECT "check", status FROM attempt_health() WHERE "check" = 'statistics';
SELECT * FROM health_problems();

-- Statistics reset: the last analyze is forgotten, warn again.
SELECT pg_stat_reset_single_table_counters('exam_results'::regclass);
SELECT "check", status FROM attempt_health() WHERE "check" = 'statistics';

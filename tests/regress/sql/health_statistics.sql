-- attempt_health(): the statistics check. A source table never analyzed is warn; after
-- ANALYZE, ok; with more dead tuples than autovacuum's default trigger (50 + 20% of the
-- live ones), warn; after VACUUM, ok again.
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

-- Dead tuples: 100 throwaway results inserted and deleted (12 live ones stay).
-- pg_stat_force_next_flush() makes this session report its counts as soon as it is idle,
-- i.e. before the next statement.
INSERT INTO exam_results
SELECT gen_random_uuid(), 'student-throwaway', NULL, now(), NULL, '{"questions": []}'
  FROM generate_series(1, 100);
DELETE FROM exam_results WHERE user_id = 'student-throwaway';
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

-- Inputs for the per-call hash benchmarks: psql -v n=N -f this.
-- bench.pairs: N (a, b) as attempt_id sees them in the view: a result's UUID text and a
-- question id. bench.users: N user ids shaped like exam_results.user_id (60% lower-case
-- UUIDs, 10% upper-case UUIDs, 30% application ids 'student-N'), so the regex takes both
-- branches in the proportions production sees. Deterministic for a given N.
CREATE UNLOGGED TABLE bench.pairs AS
SELECT md5('result-' || i)::uuid::text AS a, (1000 + i % 400)::text AS b
  FROM generate_series(1, :n) i;
CREATE UNLOGGED TABLE bench.users AS
SELECT CASE WHEN i % 10 < 6 THEN md5('student-' || i)::uuid::text
            WHEN i % 10 < 7 THEN upper(md5('student-' || i)::uuid::text)
            ELSE 'student-' || i END AS u
  FROM generate_series(1, :n) i;
VACUUM ANALYZE bench.pairs;
VACUUM ANALYZE bench.users;

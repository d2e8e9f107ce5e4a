-- exam_results declaratively partitioned by created_at (three ranges and a default that
-- takes NULL and infinite timestamps) works as the source: CREATE EXTENSION accepts it,
-- attempt and attempt_rejects return the same rows as on an unpartitioned copy of the
-- same data, a per-student query reaches the expression index of every partition,
-- attempt_health() works, and partitions can be added, detached and dropped under the lock.
SET client_min_messages = warning;
CREATE TABLE exam_results (
    id          uuid NOT NULL,
    user_id     text,
    session_id  text,
    created_at  timestamptz,
    updated_at  timestamptz,
    result_json jsonb
) PARTITION BY RANGE (created_at);
CREATE TABLE exam_results_old PARTITION OF exam_results FOR VALUES FROM (MINVALUE) TO ('2025-01-01');
CREATE TABLE exam_results_2025q1 PARTITION OF exam_results FOR VALUES FROM ('2025-01-01') TO ('2025-04-01');
CREATE TABLE exam_results_2025 PARTITION OF exam_results FOR VALUES FROM ('2025-04-01') TO ('2026-01-01');
CREATE TABLE exam_results_default PARTITION OF exam_results DEFAULT;
-- The hostile dataset of view_contract (10,000 results), loaded into the partitioned table.
\set ECHO none
\set QUIET on
\i tests/regress/fixtures/hostile_exam_results.sql
\set QUIET off
\set ECHO all
SELECT tableoid::regclass AS partition, count(*) FROM exam_results GROUP BY 1 ORDER BY 1;

-- An unpartitioned copy, for the comparison.
CREATE SCHEMA flat;
CREATE TABLE flat.exam_results AS SELECT * FROM exam_results;

CREATE EXTENSION attempt_lock;
SELECT source_table, pg_catalog.pg_get_partkeydef(source_table) AS partitioned_by FROM attempt_lock_config;
-- The recommended index, on the partitioned table: one index per partition.
CREATE INDEX exam_results_student_idx ON exam_results (attempt_student_uuid(user_id));
SELECT count(*) AS partition_indexes FROM pg_inherits WHERE inhparent = 'exam_results_student_idx'::regclass;
ANALYZE exam_results;

CREATE TABLE partitioned_attempt AS SELECT * FROM attempt;
CREATE TABLE partitioned_rejects AS SELECT * FROM attempt_rejects;

-- Per-student lookups: the student qual reaches every partition's index (no partition
-- pruning: the key is created_at, not the student).
SET jit = off;
SET enable_seqscan = off;  -- the partitions are small; the plan shape is what matters
CREATE FUNCTION pg_temp.source_scans(query text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE line text;
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP
        IF line ~ ' on exam_results|Seq Scan|Append' THEN RETURN NEXT btrim(line); END IF;
    END LOOP;
END $$;
SELECT * FROM pg_temp.source_scans($$SELECT * FROM attempt WHERE student_id = attempt_student_uuid('student-33')$$);
RESET enable_seqscan;
SELECT (SELECT count(*) FROM attempt WHERE student_id = attempt_student_uuid('student-33')) AS via_index,
       (SELECT count(*) FROM partitioned_attempt WHERE student_id = attempt_student_uuid('student-33')) AS via_full_scan;

-- Health on the partitioned source (the default partition holds the future 'infinity'
-- results, so freshness warns as it does on the flat table).
SELECT "check", status FROM attempt_health() ORDER BY 1;
SELECT "check", status, observed FROM attempt_health(exact => true)
 WHERE "check" IN ('row_count', 'never_null', 'duplicate_ids', 'attempt_no_dense', 'rejects', 'recommended_index')
 ORDER BY 1;
-- statistics reads the leaf partitions: autovacuum never analyzes a
-- partitioned parent and the parent's tuple counts are always 0, so the check sums the
-- partitions' counts and takes their oldest analyze.
SELECT status, observed LIKE '%; 0 dead of 0 live tuples' AS parent_shows_no_tuples
  FROM attempt_health() WHERE "check" = 'statistics';

-- The incremental store (1.2) keys its rows by a unique id; a table partitioned by
-- created_at cannot have a unique index on (id) alone, so attempt_store_enable() refuses
-- it, and the ADD PRIMARY KEY (id) its HINT suggests is refused by PostgreSQL too: on a
-- partitioned source, attempt is computed on the fly.
\set VERBOSITY default
SELECT attempt_store_enable();
ALTER TABLE exam_results ADD PRIMARY KEY (id);
\set VERBOSITY terse

-- Partition maintenance is not schema of the extension: the lock lets it through, and
-- attempt follows the partitions.
CREATE TABLE exam_results_2026 PARTITION OF exam_results FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
INSERT INTO exam_results VALUES ('00000000-0000-0000-0000-000000002026', 'student-2026', NULL,
    '2026-06-01', NULL, '{"questions": [{"question_id": 1}, {"question_id": 2}]}');
SELECT count(*) AS rows_2026 FROM attempt WHERE student_id = attempt_student_uuid('student-2026');
ALTER TABLE exam_results DETACH PARTITION exam_results_2026;
SELECT count(*) AS rows_2026_detached FROM attempt WHERE student_id = attempt_student_uuid('student-2026');
ALTER TABLE exam_results ATTACH PARTITION exam_results_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
SELECT count(*) AS rows_2026_attached FROM attempt WHERE student_id = attempt_student_uuid('student-2026');
ALTER TABLE exam_results DETACH PARTITION exam_results_2026;
DROP TABLE exam_results_2026;
-- ... but a CASCADE that would reach the view is still refused.
\set VERBOSITY terse
DROP TABLE exam_results CASCADE;
\set VERBOSITY default
SELECT "check", status FROM attempt_health() WHERE "check" IN ('members', 'definition', 'source_contract') ORDER BY 1;

-- The same extension on the unpartitioned copy: the same rows in both views.
DROP INDEX exam_results_student_idx;
DROP EXTENSION attempt_lock;
ALTER TABLE public.exam_results RENAME TO exam_results_partitioned;
ALTER TABLE flat.exam_results SET SCHEMA public;
CREATE EXTENSION attempt_lock;
SELECT pg_catalog.pg_get_partkeydef(source_table) IS NULL AS flat_source FROM attempt_lock_config;
SELECT (SELECT count(*) FROM partitioned_attempt) AS attempt_rows,
       (SELECT count(*) FROM (SELECT * FROM partitioned_attempt EXCEPT ALL SELECT * FROM attempt) d) AS only_partitioned,
       (SELECT count(*) FROM (SELECT * FROM attempt EXCEPT ALL SELECT * FROM partitioned_attempt) d) AS only_flat,
       (SELECT count(*) FROM partitioned_rejects) AS reject_rows,
       (SELECT count(*) FROM (SELECT * FROM partitioned_rejects EXCEPT ALL SELECT * FROM attempt_rejects) d) AS rejects_only_partitioned,
       (SELECT count(*) FROM (SELECT * FROM attempt_rejects EXCEPT ALL SELECT * FROM partitioned_rejects) d) AS rejects_only_flat;

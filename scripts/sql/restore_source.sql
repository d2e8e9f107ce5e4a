-- The source database of scripts/reliability/restore.sh and pg_upgrade.sh:
--   psql -v source=public.exam_results|app.results -v store=on|off [-v version=1.3]
--        [-v hostile=on|off] [-v join_view=on|off] -f this
-- Hostile results (tests/regress/fixtures/hostile_exam_results.sql) and realistic ones
-- (generate_exam_results.sql); the extension (at :version) on :source. app.results is a
-- non-default source with a text id, next to a decoy public.exam_results that also keeps
-- the contract. Then what a restore must keep: the recommended index, two levels of views
-- on attempt and one or two on attempt_rejects (rejected_results joins the source on the
-- id), grants to two
-- roles and a column grant, an override recorded in attempt_lock_override_log, a detach
-- and attach in attempt_lock_history (app.results), the store on or off, and writes after
-- the store was switched on.
\set ON_ERROR_STOP 1
\if :{?version}
\else
\set version 1.3
\endif
\if :{?hostile}
\else
\set hostile on
\endif
\if :{?join_view}
\else
\set join_view on
\endif
SET client_min_messages = warning;
\if :hostile
\i tests/regress/fixtures/hostile_exam_results.sql
\endif
\set results 2000
\set questions 8
\set bad 20
\i scripts/sql/generate_exam_results.sql

SELECT :'source' <> 'public.exam_results' AS other_source \gset
\if :other_source
CREATE SCHEMA app;
CREATE TABLE app.results (id text PRIMARY KEY, user_id text, session_id text, created_at timestamptz,
                          updated_at timestamptz, result_json jsonb, note text);
INSERT INTO app.results SELECT upper(id::text), user_id, session_id, created_at, updated_at, result_json, 'moved'
  FROM public.exam_results;
TRUNCATE public.exam_results;
INSERT INTO public.exam_results
SELECT md5('decoy-' || g)::uuid, 'decoy', NULL, timestamptz '2026-01-01 00:00+00', NULL, '{"questions": [{"question_id": 1}]}'
  FROM generate_series(1, 3) g;
SET attempt_lock.source_table = :'source';
\endif
CREATE EXTENSION attempt_lock VERSION :'version';
RESET attempt_lock.source_table;
CREATE INDEX source_student_idx ON :source (attempt_student_uuid(user_id));

DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'rel_reader') THEN CREATE ROLE rel_reader; END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'rel_bi') THEN CREATE ROLE rel_bi; END IF;
END $$;
CREATE VIEW attempt_daily AS
    SELECT student_id, completed_at::date AS day, count(*) AS attempts, sum(correct::int) AS correct
      FROM attempt GROUP BY 1, 2;
CREATE VIEW attempt_daily_busy AS SELECT * FROM attempt_daily WHERE attempts > 3;
CREATE VIEW reject_reasons AS
    SELECT field, reason, action, count(*) AS n, count(DISTINCT exam_result_id) AS results
      FROM attempt_rejects GROUP BY 1, 2, 3;
-- Uses exam_result_id with the source id's type (text = text for app.results): restoring
-- it needs the source named in the restore's session (restore.sh, variant app).
\if :join_view
CREATE VIEW rejected_results AS
    SELECT r.id, r.user_id, count(*) AS rejects
      FROM attempt_rejects AS j JOIN :source AS r ON r.id = j.exam_result_id GROUP BY 1, 2;
GRANT SELECT ON rejected_results TO rel_reader;
\endif
GRANT USAGE ON SCHEMA public TO rel_reader, rel_bi;
\if :other_source
GRANT USAGE ON SCHEMA app TO rel_reader;
\endif
GRANT SELECT ON :source, attempt, attempt_rejects, attempt_daily, attempt_daily_busy, reject_reasons
   TO rel_reader;
GRANT SELECT (day, attempts) ON attempt_daily TO rel_bi;

-- An emergency override that changes nothing (the same option): logged, no drift.
BEGIN;
SET LOCAL attempt_lock.override = on;
ALTER VIEW attempt SET (security_invoker = true);
COMMIT;
\if :other_source
BEGIN;
SELECT attempt_source_detach();
SELECT attempt_source_attach();
COMMIT;
\endif
\if :store
SELECT attempt_store_enable();
\endif
-- Writes after the switch: the store keeps them through its triggers.
INSERT INTO :source (id, user_id, session_id, created_at, updated_at, result_json)
SELECT md5('late-' || g)::uuid, 'late-' || g % 7, 's', timestamptz '2026-03-01 00:00+00' + g * interval '1 minute', NULL,
       jsonb_build_object('questions', jsonb_build_array(jsonb_build_object('question_id', 1000 + g % 5, 'is_correct', true),
                                                         jsonb_build_object('question_id', 'x')))
  FROM generate_series(1, 50) g;
UPDATE :source SET updated_at = created_at + interval '1 hour' WHERE user_id LIKE 'late-%' AND session_id = 's' AND created_at < timestamptz '2026-03-01 00:20+00';
DELETE FROM :source WHERE id IN (SELECT id FROM :source WHERE user_id = 'late-3' ORDER BY id LIMIT 2);
ANALYZE :source;

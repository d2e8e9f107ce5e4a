-- The lock on the views attempt and attempt_rejects: every statement that would change
-- them is refused (SQLSTATE 55000, HINT naming ALTER EXTENSION attempt_lock UPDATE), also
-- inside an explicit transaction, and the definitions stay byte for byte as installed.
\i tests/regress/fixtures/lock_setup.sql
-- Print the SQLSTATE of the last error after each refusal.

-- CREATE OR REPLACE VIEW, on both views.
-- (same columns and types, so PostgreSQL itself would accept the replacement)
CREATE OR REPLACE VIEW attempt AS
    SELECT 0::bigint AS id, NULL::uuid AS student_id, NULL::bigint AS item_id,
           NULL::boolean AS correct, NULL::integer AS response_time_ms,
           NULL::boolean AS hint_used, NULL::timestamptz AS completed_at,
           NULL::timestamptz AS started_at, NULL::integer AS attempt_no,
           NULL::text AS session_id, NULL::text AS topic_id;
\echo SQLSTATE :SQLSTATE
CREATE OR REPLACE VIEW attempt_rejects AS
    SELECT r.id AS exam_result_id, NULL::integer AS position, NULL::text AS question_id,
           'x'::text AS field, 'x'::text AS reason, 'x'::text AS action FROM exam_results r;
\echo SQLSTATE :SQLSTATE
-- The same definition plus one column, as CREATE OR REPLACE allows.
BEGIN;
CREATE OR REPLACE VIEW attempt_rejects WITH (security_invoker = true) AS
    SELECT r.id AS exam_result_id, NULL::integer AS position, NULL::text AS question_id,
           'x'::text AS field, 'x'::text AS reason, 'x'::text AS action, 1 AS extra
    FROM exam_results r;
SELECT 1 AS aborted;
ROLLBACK;

-- ALTER VIEW ... RENAME TO (and the ALTER TABLE spelling).
ALTER VIEW attempt RENAME TO attempt_old;
\echo SQLSTATE :SQLSTATE
ALTER TABLE attempt RENAME TO attempt_old;
ALTER VIEW attempt_rejects RENAME TO rejects;
BEGIN;
ALTER VIEW attempt RENAME TO attempt_old;
ROLLBACK;

-- ALTER VIEW ... SET SCHEMA.
CREATE SCHEMA lock_elsewhere;
ALTER VIEW attempt SET SCHEMA lock_elsewhere;
\echo SQLSTATE :SQLSTATE
ALTER TABLE attempt_rejects SET SCHEMA lock_elsewhere;
BEGIN;
ALTER VIEW attempt SET SCHEMA lock_elsewhere;
ROLLBACK;
SELECT count(*) AS moved FROM pg_class WHERE relnamespace = 'lock_elsewhere'::regnamespace;

-- ALTER VIEW ... RENAME COLUMN.
ALTER VIEW attempt RENAME COLUMN item_id TO question;
\echo SQLSTATE :SQLSTATE
ALTER TABLE attempt RENAME student_id TO student;
ALTER VIEW attempt_rejects RENAME COLUMN reason TO why;
BEGIN;
ALTER VIEW attempt RENAME COLUMN item_id TO question;
ROLLBACK;

-- ALTER VIEW ... SET (security_invoker = false), and the other options.
ALTER VIEW attempt SET (security_invoker = false);
\echo SQLSTATE :SQLSTATE
ALTER VIEW attempt_rejects SET (security_invoker = false);
ALTER VIEW attempt RESET (security_invoker);
ALTER VIEW attempt SET (security_barrier = true);
BEGIN;
ALTER VIEW attempt SET (security_invoker = false);
ROLLBACK;

-- Other ALTER VIEW forms: a column default, the owner.
CREATE ROLE attempt_lock_test_owner;
ALTER VIEW attempt ALTER COLUMN session_id SET DEFAULT 'x';
ALTER VIEW attempt OWNER TO attempt_lock_test_owner;
DROP ROLE attempt_lock_test_owner;

-- ALTER TABLE attempt RENAME (the issue's spelling), in a transaction too.
ALTER TABLE attempt RENAME TO attempt_v2;
\echo SQLSTATE :SQLSTATE
BEGIN;
ALTER TABLE attempt RENAME TO attempt_v2;
ROLLBACK;

-- CREATE RULE on the views.
CREATE RULE attempt_ins AS ON INSERT TO attempt DO INSTEAD NOTHING;
\echo SQLSTATE :SQLSTATE
CREATE OR REPLACE RULE rejects_upd AS ON UPDATE TO attempt_rejects DO INSTEAD NOTHING;
BEGIN;
CREATE RULE attempt_ins AS ON INSERT TO attempt DO INSTEAD NOTHING;
ROLLBACK;
SELECT ev_class::regclass::text AS view, rulename FROM pg_rewrite
 WHERE ev_class IN ('attempt'::regclass, 'attempt_rejects'::regclass) ORDER BY 1, 2;

-- CREATE TRIGGER on the views.
CREATE FUNCTION lock_noop_trigger() RETURNS trigger LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER attempt_ins INSTEAD OF INSERT ON attempt
    FOR EACH ROW EXECUTE FUNCTION lock_noop_trigger();
\echo SQLSTATE :SQLSTATE
CREATE TRIGGER rejects_ins INSTEAD OF INSERT ON attempt_rejects
    FOR EACH ROW EXECUTE FUNCTION lock_noop_trigger();
BEGIN;
CREATE TRIGGER attempt_ins INSTEAD OF INSERT ON attempt
    FOR EACH ROW EXECUTE FUNCTION lock_noop_trigger();
ROLLBACK;
SELECT count(*) AS triggers_on_views FROM pg_trigger
 WHERE tgrelid IN ('attempt'::regclass, 'attempt_rejects'::regclass);

-- After all of it: the views are there, unchanged byte for byte, and nothing drifted.
SELECT attname FROM pg_attribute WHERE attrelid = 'attempt'::regclass AND attnum > 0 ORDER BY attnum;
SELECT relname, reloptions FROM pg_class WHERE relname IN ('attempt', 'attempt_rejects') ORDER BY 1;
SELECT count(*) AS attempt_rows FROM attempt;
SELECT * FROM lock_views_as_recorded();
SELECT * FROM lock_fp_changed;
SELECT * FROM attempt_lock_drift();

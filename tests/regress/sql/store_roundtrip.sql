-- Switching the incremental store on and off: who may, that only the switch passes the
-- lock (its SQL body called directly does not), the view's shape each way (restored byte
-- for byte), the lock's baseline after each switch, the triggers, TRUNCATE, DROP EXTENSION
-- with the store on, and triggers restored without their store (pg_dump).
\set VERBOSITY default
\set SHOW_CONTEXT never
SET client_min_messages = warning;
\i tests/regress/fixtures/exam_results.sql
INSERT INTO exam_results VALUES
  ('00000000-0000-0000-0000-00000000000a', 'alice', 's1', '2026-03-01 10:00+00', NULL,
   '{"questions": [{"question_id": 1, "is_correct": true, "topic": "algebra"}, {"question_id": 2}]}'),
  ('00000000-0000-0000-0000-00000000000b', 'bob', 's2', '2026-03-01 11:00+00', NULL,
   '{"questions": [{"question_id": 1, "is_correct": false}, {"question_id": "x"}]}'),
  ('00000000-0000-0000-0000-00000000000c', 'alice', 's3', '2026-03-02 10:00+00', '2026-03-02 10:30+00',
   '{"questions": [{"question_id": 1, "time_spent_sec": 12.5}]}');
CREATE EXTENSION attempt_lock;
CREATE TEMP TABLE view_before AS
SELECT pg_get_viewdef('attempt'::regclass, true) AS def, c.reloptions FROM pg_class c WHERE c.oid = 'attempt'::regclass;
CREATE TEMP TABLE rows_before AS SELECT * FROM attempt;
SELECT enabled, rows_estimate, triggers FROM attempt_store_status();

-- Only a superuser switches it (EXECUTE is revoked from PUBLIC, and the function checks).
CREATE ROLE store_admin;
GRANT EXECUTE ON FUNCTION attempt_store_enable(integer), attempt_store_disable() TO store_admin;
SET ROLE store_admin;
SELECT attempt_store_enable();
SELECT attempt_store_disable();
RESET ROLE;
DROP OWNED BY store_admin;
DROP ROLE store_admin;
SELECT attempt_store_enable(0);

-- The store keys a result's rows by its id: it needs a unique id.
BEGIN;
ALTER TABLE exam_results DROP CONSTRAINT exam_results_pkey;
SELECT attempt_store_enable();
ROLLBACK;

-- The switch's SQL body, called directly (EXECUTE is revoked from PUBLIC, but this is a
-- superuser), meets the lock like any DDL: its first change to the extension is refused
-- and the whole switch rolls back. Only attempt_store_enable() raises the lock's flag.
SELECT attempt_store_switch_on(2);
SELECT to_regnamespace('attempt_lock_store') AS store_schema,
       (SELECT count(*) FROM pg_trigger WHERE tgrelid = 'exam_results'::regclass) AS triggers;
SELECT attempt_lock_in_script() AS flag_left_raised;

-- The switch itself: no override, no WARNING; a second call says it is on already.
SELECT attempt_store_enable(2);
SELECT attempt_store_enable();
SELECT attempt_lock_in_script() AS flag_left_raised;
SELECT enabled, rows_estimate, backfill_results, backfill_rows, triggers FROM attempt_store_status();
SELECT pg_get_viewdef('attempt'::regclass, true) LIKE '%FROM attempt_lock_store.attempt_store r%' AS view_reads_store,
       (SELECT reloptions FROM pg_class WHERE oid = 'attempt'::regclass) AS view_options;
-- Same eleven columns, same types, same rows.
SELECT a.attnum, a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
 WHERE a.attrelid = 'attempt'::regclass AND a.attnum > 0 ORDER BY a.attnum;
SELECT (SELECT count(*) FROM (SELECT * FROM attempt EXCEPT ALL SELECT * FROM rows_before) AS a)
     + (SELECT count(*) FROM (SELECT * FROM rows_before EXCEPT ALL SELECT * FROM attempt) AS b) AS differences;
-- The store's objects are members of the extension; its triggers depend on it.
SELECT pg_describe_object(d.classid, d.objid, 0) AS member FROM pg_depend d
 WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'attempt_lock') AND d.deptype = 'e'
   AND pg_describe_object(d.classid, d.objid, 0) LIKE '%attempt_lock_store%' ORDER BY 1;
SELECT t.tgname, t.tgenabled, (SELECT d.deptype FROM pg_depend d
        WHERE d.classid = 'pg_trigger'::regclass AND d.objid = t.oid
          AND d.refclassid = 'pg_extension'::regclass) AS depends_on_extension
  FROM pg_trigger t WHERE t.tgrelid = 'exam_results'::regclass ORDER BY 1;

-- Writes: a retake, an earlier completion that renumbers, a delete, TRUNCATE.
INSERT INTO exam_results VALUES ('00000000-0000-0000-0000-00000000000d', 'alice', 's4',
    '2026-03-03 09:00+00', NULL, '{"questions": [{"question_id": 1}, {"question_id": 2}]}');
SELECT student_id = attempt_student_uuid('alice') AS alice, item_id, attempt_no, completed_at FROM attempt
 ORDER BY 1 DESC, 2, 3;
UPDATE exam_results SET created_at = '2026-02-28 08:00+00' WHERE id = '00000000-0000-0000-0000-00000000000d';
DELETE FROM exam_results WHERE id = '00000000-0000-0000-0000-00000000000a';
SELECT student_id = attempt_student_uuid('alice') AS alice, item_id, attempt_no, completed_at FROM attempt
 ORDER BY 1 DESC, 2, 3;
TRUNCATE exam_results;
SELECT (SELECT count(*) FROM attempt) AS attempt_rows,
       (SELECT count(*) FROM attempt_lock_store.attempt_store) AS store_rows,
       (SELECT count(*) FROM attempt_lock_store.attempt_store_students) AS student_locks;
INSERT INTO exam_results SELECT * FROM (VALUES
  ('00000000-0000-0000-0000-00000000000a'::uuid, 'alice', 's1', '2026-03-01 10:00+00'::timestamptz, NULL::timestamptz,
   '{"questions": [{"question_id": 1, "is_correct": true, "topic": "algebra"}, {"question_id": 2}]}'::jsonb),
  ('00000000-0000-0000-0000-00000000000b', 'bob', 's2', '2026-03-01 11:00+00', NULL,
   '{"questions": [{"question_id": 1, "is_correct": false}, {"question_id": "x"}]}'),
  ('00000000-0000-0000-0000-00000000000c', 'alice', 's3', '2026-03-02 10:00+00', '2026-03-02 10:30+00',
   '{"questions": [{"question_id": 1, "time_spent_sec": 12.5}]}')) AS v;
SELECT * FROM attempt_store_sync_problems(exact => true);

-- The switch re-recorded the lock's baseline (the store's members, the view's store
-- shape): the lock reports no drift, and health's store check is ok.
SELECT "check", status, observed FROM attempt_health()
 WHERE "check" IN ('members', 'definition', 'override', 'store') ORDER BY 1;

-- Off: the on-the-fly view comes back exactly as recorded by the install.
SELECT attempt_store_disable();
SELECT attempt_store_disable();
SELECT v.def = pg_get_viewdef('attempt'::regclass, true) AS same_definition,
       v.reloptions = c.reloptions AS same_options
  FROM view_before v, pg_class c WHERE c.oid = 'attempt'::regclass;
SELECT "check", status FROM attempt_health() WHERE "check" IN ('members', 'definition') ORDER BY 1;
SELECT to_regnamespace('attempt_lock_store') AS store_schema,
       (SELECT count(*) FROM pg_trigger WHERE tgrelid = 'exam_results'::regclass) AS triggers;
SELECT (SELECT count(*) FROM (SELECT * FROM attempt EXCEPT ALL SELECT * FROM rows_before) AS a)
     + (SELECT count(*) FROM (SELECT * FROM rows_before EXCEPT ALL SELECT * FROM attempt) AS b) AS differences;
SELECT * FROM attempt_store_sync_problems(exact => true);

-- DROP EXTENSION with the store on drops the store and the triggers, no CASCADE needed.
SELECT attempt_store_enable() > 0 AS on_again;
DROP EXTENSION attempt_lock;
SELECT to_regnamespace('attempt_lock_store') AS store_schema,
       (SELECT count(*) FROM pg_trigger WHERE tgrelid = 'exam_results'::regclass) AS triggers;

-- What pg_dump restores with the store on: the extension (store off) and the source's
-- triggers. They do nothing, the sync check names them, and the switch replaces them.
-- (A restore that brings back all four rebuilds the store by itself: source_restore.)
SELECT to_regprocedure('attempt_store_rows(text,text,text,timestamptz,jsonb)') AS parser_dropped_with_it;
CREATE EXTENSION attempt_lock;
CREATE TRIGGER attempt_store_insert AFTER INSERT ON exam_results REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION attempt_store_sync();
ALTER TRIGGER attempt_store_insert ON exam_results DEPENDS ON EXTENSION attempt_lock;  -- as pg_dump writes it
INSERT INTO exam_results VALUES ('00000000-0000-0000-0000-00000000000e', 'erin', 's5',
    '2026-03-04 09:00+00', NULL, '{"questions": [{"question_id": 1}]}');
SELECT * FROM attempt_store_sync_problems();
SELECT attempt_store_enable();
SELECT * FROM attempt_store_sync_problems(exact => true);
-- This session wrote through the old extension's triggers: the new one's are its own too.
INSERT INTO exam_results VALUES ('00000000-0000-0000-0000-00000000000f', 'erin', 's6',
    '2026-03-05 09:00+00', NULL, '{"questions": [{"question_id": 1}]}');
SELECT count(*) AS erin_stored FROM attempt_lock_store.attempt_store WHERE session_id = 's6';
SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'exam_results'::regclass ORDER BY 1;

-- The switch refuses to start from a drifted lock: its new baseline would record the drift.
BEGIN;
SET LOCAL attempt_lock.override = on;
ALTER FUNCTION attempt_contract() COST 7;
RESET attempt_lock.override;
SELECT attempt_store_disable();
ROLLBACK;

-- The switch's own catalog lookup runs under the caller's search_path: with public first,
-- an = (oid, oid) planted there must not run (with a superuser's rights).
CREATE TABLE planted_calls (n int);
CREATE FUNCTION public.planted_eq(oid, oid) RETURNS boolean LANGUAGE sql AS
    $$ INSERT INTO public.planted_calls VALUES (1) RETURNING $1 OPERATOR(pg_catalog.=) $2 $$;
CREATE OPERATOR public.= (LEFTARG = oid, RIGHTARG = oid, FUNCTION = public.planted_eq);
SET search_path = public, pg_catalog;
SELECT attempt_store_disable();
SELECT attempt_store_enable() > 0 AS on_again;
RESET search_path;
SELECT count(*) AS planted_calls FROM planted_calls;
DROP OPERATOR public.= (oid, oid);
DROP FUNCTION public.planted_eq(oid, oid);
DROP TABLE planted_calls;

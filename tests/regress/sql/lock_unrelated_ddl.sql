-- DDL on everything else keeps working, for a superuser and for an ordinary role: tables,
-- views and functions of one's own, views and functions built on attempt, an expression
-- index on exam_results (attempt_student_uuid(user_id)), columns added to exam_results.
\i tests/regress/fixtures/lock_setup.sql

-- Tables.
CREATE TABLE lock_t1 (a int PRIMARY KEY, b text);
ALTER TABLE lock_t1 ADD COLUMN c int;
ALTER TABLE lock_t1 RENAME COLUMN c TO d;
ALTER TABLE lock_t1 ALTER COLUMN d SET DEFAULT 0;
CREATE INDEX ON lock_t1 (b);
CREATE FUNCTION lock_noop_trigger() RETURNS trigger LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER lock_t1_trg BEFORE INSERT ON lock_t1
    FOR EACH ROW EXECUTE FUNCTION lock_noop_trigger();
DROP TRIGGER lock_t1_trg ON lock_t1;
ALTER TABLE lock_t1 RENAME TO lock_t2;
-- Views.
CREATE VIEW lock_v1 AS SELECT a, b FROM lock_t2;
CREATE OR REPLACE VIEW lock_v1 AS SELECT a, b, d FROM lock_t2;
ALTER VIEW lock_v1 RENAME TO lock_v2;
ALTER VIEW lock_v2 SET (security_barrier = true);
CREATE RULE lock_r1 AS ON INSERT TO lock_v2 DO INSTEAD NOTHING;
-- Functions.
CREATE FUNCTION lock_f1() RETURNS int LANGUAGE sql
    SET search_path = pg_catalog, pg_temp AS $$ SELECT 1 $$;
CREATE OR REPLACE FUNCTION lock_f1() RETURNS int LANGUAGE sql
    SET search_path = pg_catalog, pg_temp AS $$ SELECT 2 $$;
ALTER FUNCTION lock_f1() STABLE;
ALTER FUNCTION lock_f1() RENAME TO lock_f2;
SELECT lock_f2() AS f2;
DROP FUNCTION lock_f2();
DROP VIEW lock_v2;
DROP TABLE lock_t2 CASCADE;
CREATE SCHEMA lock_s1;
CREATE TABLE lock_s1.x (a int);
DROP SCHEMA lock_s1 CASCADE;

-- Built on the locked objects.
CREATE VIEW lock_my_attempts AS SELECT * FROM attempt WHERE item_id > 0;
CREATE OR REPLACE VIEW lock_my_attempts AS SELECT * FROM attempt WHERE item_id > 1000;
CREATE VIEW lock_my_rejects AS SELECT field, count(*) AS n FROM attempt_rejects GROUP BY 1;
CREATE MATERIALIZED VIEW lock_my_counts AS SELECT item_id, count(*) AS n FROM attempt GROUP BY 1;
CREATE FUNCTION lock_my_id(text) RETURNS bigint LANGUAGE sql
    SET search_path = pg_catalog, pg_temp AS $$ SELECT public.attempt_id($1, '1') $$;
SELECT count(*) AS my_attempts FROM lock_my_attempts;
SELECT * FROM lock_my_rejects ORDER BY 1;
SELECT * FROM lock_my_counts ORDER BY 1;
SELECT lock_my_id('x') = attempt_id('x', '1') AS same_id;
DROP MATERIALIZED VIEW lock_my_counts;
DROP VIEW lock_my_rejects;
DROP VIEW lock_my_attempts;
DROP FUNCTION lock_my_id(text);

-- The source table: an expression index (the documented per-student index), columns.
CREATE INDEX exam_results_student ON exam_results (attempt_student_uuid(user_id));
CREATE INDEX CONCURRENTLY exam_results_student_c ON exam_results (attempt_student_uuid(user_id));
SELECT indexrelid::regclass::text AS index FROM pg_index WHERE indrelid = 'exam_results'::regclass
ORDER BY 1;
ALTER TABLE exam_results ADD COLUMN note text;
ALTER TABLE exam_results DROP COLUMN note;
DROP INDEX exam_results_student;
DROP INDEX CONCURRENTLY exam_results_student_c;

-- An ordinary role.
CREATE ROLE attempt_lock_test_creator;
GRANT CREATE ON SCHEMA public TO attempt_lock_test_creator;
GRANT SELECT ON exam_results, attempt TO attempt_lock_test_creator;
SET ROLE attempt_lock_test_creator;
CREATE TABLE lock_creator_t (a int);
ALTER TABLE lock_creator_t ADD COLUMN b int;
CREATE VIEW lock_creator_v AS SELECT * FROM lock_creator_t;
CREATE VIEW lock_creator_attempts AS SELECT item_id FROM attempt;
SELECT count(*) AS creator_attempts FROM lock_creator_attempts;
CREATE FUNCTION lock_creator_f() RETURNS int LANGUAGE sql
    SET search_path = pg_catalog, pg_temp AS $$ SELECT 1 $$;
ALTER FUNCTION lock_creator_f() RENAME TO lock_creator_g;
DROP FUNCTION lock_creator_g();
DROP VIEW lock_creator_attempts;
DROP TABLE lock_creator_t CASCADE;
RESET ROLE;
REVOKE ALL ON exam_results, attempt FROM attempt_lock_test_creator;
REVOKE ALL ON SCHEMA public FROM attempt_lock_test_creator;
DROP ROLE attempt_lock_test_creator;

-- After all of it: the locked objects as installed, nothing drifted.
SELECT * FROM lock_views_as_recorded();
SELECT * FROM lock_fp_changed;
SELECT * FROM attempt_lock_drift();
